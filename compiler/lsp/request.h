#pragma once

// What a position request (hover, definition, completion) works on.

#include <functional>
#include <string>

#include "compiler/lsp/analysis.h"
#include "compiler/lsp/position.h"

namespace kfpc::lsp {

struct Request {
  const Analysis& analysis;
  diag::FileId file;  // the document of the request
  uint32_t offset;    // the request's position as a byte offset of the document
  PositionEncoding encoding;
  // Returns the URI of a file of the analysis: the client's URI for open documents.
  std::function<std::string(diag::FileId)> uri_of;

  Range ToRange(const diag::Span& span) const {
    return SpanToRange(analysis.Text(span.file), span.begin, span.end, encoding);
  }
};

}  // namespace kfpc::lsp
