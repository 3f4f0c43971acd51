#include "compiler/format/format.h"

#include "compiler/format/printer.h"
#include "compiler/format/source_tokens.h"
#include "compiler/parse/parse.h"

namespace kfpc::format {

std::optional<std::string> Format(const diag::SourceManager& sources, diag::FileId file,
                                  diag::DiagnosticSink& sink) {
  size_t errors_before = sink.error_count();
  ast::File tree = parse::Parse(sources, file, sink);
  if (sink.error_count() > errors_before) return std::nullopt;

  const std::string& text = sources.contents(file);
  SourceTokens tokens(text);
  return Printer(text, tokens).Print(tree);
}

}  // namespace kfpc::format
