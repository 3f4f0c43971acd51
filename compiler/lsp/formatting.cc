#include "compiler/lsp/formatting.h"

#include "compiler/format/format.h"

namespace kfpc::lsp {

nlohmann::json FormattingEdits(const std::string& path, const std::string& text,
                               PositionEncoding encoding) {
  diag::SourceManager sources;
  diag::FileId file = sources.AddFile(path, text);
  diag::DiagnosticSink sink;
  std::optional<std::string> formatted = format::Format(sources, file, sink);
  if (!formatted) return nullptr;
  if (*formatted == text) return nlohmann::json::array();
  Range whole = SpanToRange(text, 0, static_cast<uint32_t>(text.size()), encoding);
  return nlohmann::json::array({{{"range", ToJson(whole)}, {"newText", *formatted}}});
}

}  // namespace kfpc::lsp
