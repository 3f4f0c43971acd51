// The Server's text synchronization, language features and diagnostics publishing.

#include "compiler/lsp/code_actions.h"
#include "compiler/lsp/completion.h"
#include "compiler/lsp/definition.h"
#include "compiler/lsp/diagnostics.h"
#include "compiler/lsp/formatting.h"
#include "compiler/lsp/hover.h"
#include "compiler/lsp/server.h"
#include "compiler/lsp/symbols.h"
#include "compiler/lsp/uri.h"

namespace kfpc::lsp {

void Server::DidOpen(const nlohmann::json& params) {
  const nlohmann::json& item = params.at("textDocument");
  Document& document = documents_.Open(item.at("uri").get<std::string>(),
                                       item.at("text").get<std::string>(),
                                       item.value("version", int64_t{0}));
  client_uris_[FindingsKey(document.uri)] = document.uri;
  // Files that import this one now read the buffer instead of the disk.
  documents_.MarkDependentsDirty(document.path);
  unpublished_.insert(document.uri);
  for (auto& [uri, open] : documents_.documents()) {
    if (open.dirty) unpublished_.insert(uri);
  }
}

void Server::DidChange(const nlohmann::json& params) {
  const nlohmann::json& item = params.at("textDocument");
  Document* document = documents_.Find(item.at("uri").get<std::string>());
  if (!document) {
    log_ << "kfpc lsp: ignored didChange for " << item["uri"] << ", which is not open\n";
    return;
  }
  ApplyChanges(document->text, params.at("contentChanges"), encoding_);
  document->version = item.value("version", document->version);
  documents_.MarkDependentsDirty(document->path);
  for (auto& [uri, open] : documents_.documents()) {
    if (open.dirty) unpublished_.insert(uri);
  }
}

void Server::DidSave(const nlohmann::json& params) {
  Document* document = documents_.Find(params.at("textDocument").at("uri").get<std::string>());
  if (!document) return;
  if (params.contains("text")) document->text = params["text"].get<std::string>();
  documents_.MarkDependentsDirty(document->path);
  for (auto& [uri, open] : documents_.documents()) {
    if (open.dirty) unpublished_.insert(uri);
  }
}

void Server::DidClose(const nlohmann::json& params) {
  std::string uri = params.at("textDocument").at("uri").get<std::string>();
  Document* document = documents_.Find(uri);
  if (!document) return;
  std::string path = document->path;
  std::set<std::string> published = std::move(document->published_uris);
  published.insert(FindingsKey(uri));
  documents_.Close(uri);
  unpublished_.erase(uri);
  // Remove what this document's checks found. What other open documents found stays, and is
  // sent after the files that import this one are checked again.
  for (const std::string& key : published) RecordFindings(key, FindingsKey(uri), std::nullopt);
  documents_.MarkDependentsDirty(path);
  for (auto& [open_uri, open] : documents_.documents()) {
    if (open.dirty) unpublished_.insert(open_uri);
  }
}

void Server::Analyze(Document& document) {
  if (!document.dirty && document.analysis &&
      FindProjectFiles(document.path) == document.analysis->project_files) {
    return;
  }
  document.analysis = lsp::Analyze(document.path, document.text, documents_.Loader());
  document.dirty = false;
  unpublished_.insert(document.uri);
}

void Server::MarkStaleProjectFiles() {
  for (auto& [uri, document] : documents_.documents()) {
    if (document.dirty || !document.analysis) continue;
    if (FindProjectFiles(document.path) == document.analysis->project_files) continue;
    log_ << "kfpc lsp: kfpc.yaml or kfpc.lock changed; checking " << uri << " again\n";
    document.dirty = true;
    unpublished_.insert(uri);
  }
}

std::string Server::UriOf(const Analysis& analysis, diag::FileId file) {
  const std::string& path = analysis.sources.path(file);
  for (const auto& [uri, document] : documents_.documents()) {
    if (document.path == path) return uri;
  }
  return ClientUri(PathToUri(path));
}

std::string Server::FindingsKey(const std::string& uri) {
  return uri.rfind("file:", 0) == 0 ? PathToUri(UriToPath(uri)) : uri;
}

std::string Server::ClientUri(const std::string& key) const {
  auto it = client_uris_.find(key);
  return it == client_uris_.end() ? key : it->second;
}

void Server::PublishPending() {
  std::set<std::string> pending = std::move(unpublished_);
  unpublished_.clear();
  // Every document's findings are recorded before any file's merged list is sent, so that a
  // list never combines a new check of one document with an old check of another.
  for (const std::string& uri : pending) {
    if (Document* document = documents_.Find(uri)) RecordFindings(*document);
  }
  std::set<std::string> changed = std::move(unmerged_);
  unmerged_.clear();
  for (const std::string& uri : changed) PublishMerged(uri);
}

void Server::RecordFindings(Document& document) {
  Analyze(document);
  unpublished_.erase(document.uri);
  const Analysis& analysis = *document.analysis;
  auto uri_of = [&](diag::FileId file) { return UriOf(analysis, file); };
  std::set<std::string> published;
  std::string publisher = FindingsKey(document.uri);
  for (auto& [file, diagnostics] : ConvertDiagnostics(analysis, encoding_, uri_of)) {
    std::string key = FindingsKey(uri_of(file));
    published.insert(key);
    RecordFindings(key, publisher, std::move(diagnostics));
  }
  // A file no longer imported keeps no diagnostics from this document.
  for (const std::string& key : document.published_uris) {
    if (!published.count(key)) RecordFindings(key, publisher, std::nullopt);
  }
  document.published_uris = std::move(published);
}

void Server::RecordFindings(const std::string& key, const std::string& publisher,
                            std::optional<nlohmann::json> diagnostics) {
  if (diagnostics) {
    findings_[key][publisher] = std::move(*diagnostics);
  } else if (auto it = findings_.find(key); it != findings_.end()) {
    it->second.erase(publisher);
  }
  unmerged_.insert(key);
}

void Server::PublishMerged(const std::string& key) {
  nlohmann::json merged = nlohmann::json::array();
  auto it = findings_.find(key);
  if (it != findings_.end()) {
    std::vector<const nlohmann::json*> lists;
    if (auto own = it->second.find(key); own != it->second.end()) lists.push_back(&own->second);
    for (const auto& [publisher, diagnostics] : it->second) {
      if (publisher != key) lists.push_back(&diagnostics);
    }
    // A file checked on its own and through an importer gets most diagnostics from both.
    std::set<std::string> seen;
    for (const nlohmann::json* diagnostics : lists) {
      for (const nlohmann::json& diagnostic : *diagnostics) {
        if (lists.size() == 1 || seen.insert(diagnostic.dump()).second)
          merged.push_back(diagnostic);
      }
    }
    if (it->second.empty()) findings_.erase(it);
  }
  std::string uri = ClientUri(key);
  std::optional<int64_t> version;
  if (const Document* document = documents_.Find(uri)) version = document->version;
  PublishDiagnostics(uri, std::move(merged), version);
}

void Server::PublishDiagnostics(const std::string& uri, nlohmann::json diagnostics,
                                std::optional<int64_t> version) {
  nlohmann::json params = {{"uri", uri}, {"diagnostics", std::move(diagnostics)}};
  if (version) params["version"] = *version;
  Send(MakeNotification("textDocument/publishDiagnostics", std::move(params)));
}

Document* Server::AnalyzedDocument(const nlohmann::json& params) {
  Document* document = documents_.Find(params.at("textDocument").at("uri").get<std::string>());
  if (document) Analyze(*document);
  return document;
}

template <typename Handler>
nlohmann::json Server::AtPosition(const nlohmann::json& params, Handler handler) {
  Position position = PositionFromJson(params.at("position"));
  Document* document = AnalyzedDocument(params);
  if (!document) return nullptr;
  const Analysis& analysis = *document->analysis;
  Request request{analysis, analysis.root,
                  PositionToOffset(analysis.Text(analysis.root), position, encoding_), encoding_,
                  [&](diag::FileId file) { return UriOf(analysis, file); }};
  return handler(request);
}

nlohmann::json Server::HoverRequest(const nlohmann::json& params) {
  return AtPosition(params, [](const Request& request) { return Hover(request); });
}

nlohmann::json Server::DefinitionRequest(const nlohmann::json& params) {
  return AtPosition(params, [](const Request& request) { return Definition(request); });
}

nlohmann::json Server::CompletionRequest(const nlohmann::json& params) {
  return AtPosition(params, [](const Request& request) { return Completion(request); });
}

// Returns the fixes of the document's current analysis, so that a client that sends stale or
// partial diagnostics in the context still gets edits that match the text.
nlohmann::json Server::CodeActionRequest(const nlohmann::json& params) {
  Document* document = AnalyzedDocument(params);
  if (!document) return nlohmann::json::array();
  const Analysis& analysis = *document->analysis;
  Request request{analysis, analysis.root, 0, encoding_,
                  [&](diag::FileId file) { return UriOf(analysis, file); }};
  return CodeActions(request, params);
}

nlohmann::json Server::DocumentSymbolRequest(const nlohmann::json& params) {
  Document* document = AnalyzedDocument(params);
  if (!document) return nlohmann::json::array();
  return DocumentSymbols(*document->analysis, document->analysis->root, encoding_);
}

// Formats the text the client sent, so that unsaved edits are formatted too. The client's
// formatting options (tab size, spaces) are ignored: kfpc has one layout.
nlohmann::json Server::FormattingRequest(const nlohmann::json& params) {
  Document* document = documents_.Find(params.at("textDocument").at("uri").get<std::string>());
  if (!document) return nullptr;
  return FormattingEdits(document->path, document->text, encoding_);
}

}  // namespace kfpc::lsp
