#include "compiler/parse/parse.h"

#include "BailErrorStrategy.h"
#include "CommonTokenStream.h"
#include "atn/ParserATNSimulator.h"
#include "atn/PredictionMode.h"
#include "Exceptions.h"
#include "KfParser.h"
#include "compiler/parse/ast_builder.h"
#include "compiler/parse/lexer.h"
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
  if (!CheckEncoding(text, file, sink)) {
    ast::File empty;
    empty.id = file;
    return empty;
  }
  SourceStream stream(text);
  SpanMap spans(stream, file);
  SyntaxErrorReporter reporter(spans, sink);

  // Every character is some token (ERROR_CHAR takes the rest), so lexing reports nothing itself;
  // ReportLexicalErrors below reports the bad tokens.
  Lexer lexer(stream);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  ReportLexicalErrors(tokens.getTokens(), text, stream, reporter, sink);
  CheckStringLengths(tokens.getTokens(), reporter);
  ReportHiddenCharacters(tokens.getTokens(), text, spans, sink);
  if (!CheckNesting(tokens.getTokens(), reporter)) {
    ast::File empty;
    empty.id = file;
    return empty;
  }

  // Two stages: SLL prediction, which needs no full-context lookahead and is several times faster,
  // parses every valid file this grammar accepts unless a decision is truly context-sensitive.
  // It stops at the first problem; the file is then parsed again with full LL prediction and the
  // error strategy that reports and recovers.
  grammar::KfParser parser(&tokens);
  parser.removeErrorListeners();
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  grammar::KfParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  }
  if (tree == nullptr) {
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::LL);
    parser.addErrorListener(&reporter);
    parser.setErrorHandler(std::make_shared<SyntaxErrorStrategy>(reporter));
    tree = parser.file();
  }
  ast::File result = AstBuilder(text, spans, tokens, sink).Build(tree);
  CheckTaskCounts(result, sink);
  return result;
}

}  // namespace kfpc::parse
