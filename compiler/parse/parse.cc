#include "compiler/parse/parse.h"

#include "CommonTokenStream.h"
#include "KfLexer.h"
#include "KfParser.h"
#include "compiler/parse/ast_builder.h"
#include "compiler/parse/limits.h"
#include "compiler/parse/source_stream.h"
#include "compiler/parse/syntax_errors.h"
#include "compiler/parse/token_checks.h"

namespace kfpc::parse {

ast::File Parse(const diag::SourceManager& sources, diag::FileId file, diag::DiagnosticSink& sink) {
  const std::string& text = sources.contents(file);
  if (!CheckFileSize(text, file, sink)) {
    ast::File empty;
    empty.id = file;
    return empty;
  }
  SourceStream stream(text);
  SpanMap spans(stream, file);
  SyntaxErrorReporter reporter(spans, sink);

  grammar::KfLexer lexer(&stream);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&reporter);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  ReportLexicalErrors(tokens.getTokens(), text, stream, reporter, sink);
  CheckStringLengths(tokens.getTokens(), reporter);
  if (!CheckNesting(tokens.getTokens(), reporter)) {
    ast::File empty;
    empty.id = file;
    return empty;
  }

  grammar::KfParser parser(&tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(&reporter);
  parser.setErrorHandler(std::make_shared<SyntaxErrorStrategy>(reporter));
  grammar::KfParser::FileContext* tree = parser.file();
  ast::File result = AstBuilder(text, spans, tokens, sink).Build(tree);
  CheckTaskCounts(result, sink);
  return result;
}

}  // namespace kfpc::parse
