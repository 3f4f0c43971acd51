#include "compiler/lsp/documents.h"

#include "compiler/lsp/uri.h"

namespace kfpc::lsp {

Document& DocumentStore::Open(const std::string& uri, std::string text, int64_t version) {
  Document& document = documents_[uri];
  document.uri = uri;
  document.path = UriToPath(uri);
  document.text = std::move(text);
  document.version = version;
  document.dirty = true;
  return document;
}

Document* DocumentStore::Find(const std::string& uri) {
  auto it = documents_.find(uri);
  return it == documents_.end() ? nullptr : &it->second;
}

void DocumentStore::Close(const std::string& uri) { documents_.erase(uri); }

void DocumentStore::MarkDependentsDirty(const std::string& path) {
  for (auto& [uri, document] : documents_) {
    if (document.path == path) document.dirty = true;
    if (!document.analysis) continue;
    if (document.analysis->sources.Find(path) != diag::kNoFile) document.dirty = true;
  }
}

check::FileLoader DocumentStore::Loader() const {
  check::FileLoader disk = check::DiskLoader();
  return [this, disk](const std::string& path) -> std::optional<std::string> {
    for (const auto& [uri, document] : documents_) {
      if (document.path == path) return document.text;
    }
    return disk(path);
  };
}

void ApplyChange(std::string& text, const nlohmann::json& change, PositionEncoding encoding) {
  std::string new_text = change.at("text").get<std::string>();
  if (!change.contains("range")) {
    text = std::move(new_text);
    return;
  }
  const nlohmann::json& range = change.at("range");
  uint32_t begin = PositionToOffset(text, PositionFromJson(range.at("start")), encoding);
  uint32_t end = PositionToOffset(text, PositionFromJson(range.at("end")), encoding);
  if (end < begin) std::swap(begin, end);
  text.replace(begin, end - begin, new_text);
}

}  // namespace kfpc::lsp
