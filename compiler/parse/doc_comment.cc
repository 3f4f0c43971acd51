#include "compiler/parse/doc_comment.h"

#include <algorithm>

#include "KfLexer.h"

namespace kfpc::parse {

namespace {

// Whether comment `b` is on the line after comment `a`: one line break (LF, CR LF or a lone CR)
// and no blank line between them.
bool OnNextLine(std::string_view text, const SpanMap& spans, const antlr4::Token* a,
                const antlr4::Token* b) {
  size_t begin = std::min<size_t>(spans.Of(a).end, text.size());
  size_t end = std::min<size_t>(spans.Of(b).begin, text.size());
  int breaks = 0;
  for (size_t i = begin; i < end; ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == end || text[i + 1] != '\n'))) ++breaks;
  }
  return breaks <= 1;
}

bool IsDocComment(const antlr4::Token* token) {
  return token->getType() == grammar::KfLexer::DOC_COMMENT;
}

}  // namespace

std::string DocCommentBefore(const std::vector<antlr4::Token*>& tokens, size_t index,
                             std::string_view text, const SpanMap& spans) {
  // Comments are the only hidden tokens (white space is skipped), so the doc comments of a token
  // are the DOC_COMMENT tokens directly before it.
  size_t first = index;
  while (first > 0 && IsDocComment(tokens[first - 1]) &&
         (first == index || OnNextLine(text, spans, tokens[first - 1], tokens[first]))) {
    --first;
  }
  std::string doc;
  for (size_t i = first; i < index; ++i) {
    diag::Span span = spans.Of(tokens[i]);
    std::string_view line = text.substr(span.begin + 3, span.end - span.begin - 3);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    // Trailing white space is invisible, and `kfpc fmt` removes it.
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (i != first) doc += '\n';
    doc += line;
  }
  return doc;
}

void ReportStrayDocComments(const std::vector<antlr4::Token*>& tokens, const ast::File& file,
                            std::string_view text, const SpanMap& spans,
                            diag::DiagnosticSink& sink) {
  // The start offsets of the documented declarations, inputs and outputs. A run of doc comments
  // documents the token right after it.
  std::vector<uint32_t> documented;
  for (const ast::Decl& decl : file.decls) {
    documented.push_back(decl.span.begin);
    for (const ast::Param& param : decl.inputs) documented.push_back(param.span.begin);
    if (!decl.single_output) {
      for (const ast::Param& param : decl.outputs) documented.push_back(param.span.begin);
    }
  }
  std::sort(documented.begin(), documented.end());
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i]->getType() != grammar::KfLexer::DOC_COMMENT) continue;
    size_t end = i + 1;
    while (end < tokens.size() && IsDocComment(tokens[end]) &&
           OnNextLine(text, spans, tokens[end - 1], tokens[end])) {
      ++end;
    }
    const antlr4::Token* next = end < tokens.size() ? tokens[end] : nullptr;
    bool attached = next != nullptr && next->getType() != antlr4::Token::EOF &&
                    next->getChannel() == antlr4::Token::DEFAULT_CHANNEL &&
                    std::binary_search(documented.begin(), documented.end(), spans.Of(next).begin);
    if (!attached) {
      diag::Span first = spans.Of(tokens[i]);
      diag::Diagnostic& d = sink.Report(diag::Kind::kStrayDocComment, first,
                                        "this `///` doc comment documents nothing");
      d.notes.push_back(
          "a doc comment describes the declaration, parameter or output right after it; "
          "anywhere else it is dropped");
      if (next != nullptr && next->getType() == grammar::KfLexer::LINE_COMMENT) {
        d.help =
            "move it below the `//` comment when it documents what follows that comment, "
            "or write `//` to make it an ordinary comment";
      } else if (next != nullptr && IsDocComment(next)) {
        d.help =
            "remove the blank line to join it to the doc comment below, or write `//` to "
            "make it an ordinary comment";
      } else {
        d.help =
            "write `//` to make it an ordinary comment, or move it right before a "
            "declaration, parameter or output";
      }
    }
    i = end - 1;
  }
}

}  // namespace kfpc::parse
