#include "compiler/parse/parse.h"

#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "CommonToken.h"
#include "CommonTokenStream.h"
#include "KfParser.h"
#include "atn/ParserATNSimulator.h"
#include "atn/PredictionMode.h"
#include "compiler/parse/ast_builder.h"
#include "compiler/parse/direct_parser.h"
#include "compiler/parse/doc_comment.h"
#include "compiler/parse/lexer.h"
#include "compiler/parse/limits.h"
#include "compiler/parse/source_stream.h"
#include "compiler/parse/syntax_errors.h"
#include "compiler/parse/token_checks.h"

namespace kfpc::parse {
namespace {

ast::File EmptyFile(diag::FileId file) {
  ast::File empty;
  empty.id = file;
  return empty;
}

// Parses with the parser ANTLR generates, which reports syntax errors and recovers from them,
// and builds the AST from its parse tree. It reads the tokens from a second Lexer: the first
// one's tokens are not in a token stream, which the direct parser does not need.
ast::File ParseWithGeneratedParser(std::string_view text, SourceStream& stream,
                                   const SpanMap& spans, SyntaxErrorReporter& reporter,
                                   diag::DiagnosticSink& sink) {
  Lexer lexer(stream);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  // Full LL prediction with the error strategy that reports and recovers. There is no SLL pass
  // first: on a file with a syntax error, SLL fails at the error and its work is lost. A valid file
  // reaches this parser only when building one of its literals reports a diagnostic.
  grammar::KfParser parser(&tokens);
  parser.removeErrorListeners();
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::LL);
  parser.addErrorListener(&reporter);
  parser.setErrorHandler(std::make_shared<SyntaxErrorStrategy>(reporter));
  reporter.LimitErrors(kMaxSyntaxErrors);
  grammar::KfParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const TooManySyntaxErrors&) {
    return EmptyFile(spans.file());
  }
  const std::vector<antlr4::Token*> all_tokens = tokens.getTokens();
  return AstBuilder(text, spans, all_tokens, sink).Build(tree);
}

}  // namespace

ast::File Parse(const diag::SourceManager& sources, diag::FileId file, diag::DiagnosticSink& sink,
                const ParseOptions& options) {
  const std::string& text = sources.contents(file);
  size_t errors_before = sink.error_count();
  if (!CheckFileSize(text, file, sink) || !CheckEncoding(text, file, sink)) return EmptyFile(file);
  SourceStream stream(text);
  SpanMap spans(stream, file);
  SyntaxErrorReporter reporter(spans, sink);

  // Every character is some token (ERROR_CHAR takes the rest), so lexing reports nothing itself;
  // ReportLexicalErrors below reports the bad tokens.
  std::vector<std::unique_ptr<antlr4::Token>> owned_tokens;
  std::vector<antlr4::Token*> tokens;
  Lexer lexer(stream);
  do {
    std::unique_ptr<antlr4::Token> token = lexer.nextToken();
    // The index a token stream would give it, which the token checks report by.
    static_cast<antlr4::CommonToken*>(token.get())->setTokenIndex(tokens.size());
    tokens.push_back(token.get());
    owned_tokens.push_back(std::move(token));
  } while (tokens.back()->getType() != antlr4::Token::EOF);
  ReportLexicalErrors(tokens, text, stream, reporter, sink);
  CheckStringLengths(tokens, reporter);
  ReportHiddenCharacters(tokens, text, spans, sink);
  if (!CheckNameLengths(tokens, reporter)) return EmptyFile(file);
  if (!CheckNesting(tokens, reporter)) return EmptyFile(file);

  std::optional<ast::File> result;
  if (!options.generated_parser_only) result = ParseDirectly(tokens, text, spans);
  if (result.has_value()) {
    if (options.parsed_directly != nullptr) *options.parsed_directly = true;
  } else {
    result = ParseWithGeneratedParser(text, stream, spans, reporter, sink);
  }
  CheckTaskCounts(*result, sink);
  // After a syntax error the tree can lack what a doc comment documents.
  if (sink.error_count() == errors_before)
    ReportStrayDocComments(tokens, *result, text, spans, sink);
  return std::move(*result);
}

}  // namespace kfpc::parse
