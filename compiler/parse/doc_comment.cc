#include "compiler/parse/doc_comment.h"

#include "KfLexer.h"

namespace kfpc::parse {

std::string DocCommentBefore(const std::vector<antlr4::Token*>& tokens, size_t index,
                             std::string_view text, const SpanMap& spans) {
  // Comments are the only hidden tokens (white space is skipped), so the doc comments of a token
  // are the DOC_COMMENT tokens directly before it.
  size_t first = index;
  while (first > 0 && tokens[first - 1]->getType() == grammar::KfLexer::DOC_COMMENT) --first;
  std::string doc;
  for (size_t i = first; i < index; ++i) {
    diag::Span span = spans.Of(tokens[i]);
    std::string_view line = text.substr(span.begin + 3, span.end - span.begin - 3);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (i != first) doc += '\n';
    doc += line;
  }
  return doc;
}

}  // namespace kfpc::parse
