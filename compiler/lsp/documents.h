#pragma once

// The documents the client has opened, with their text as the client edits it and the latest
// analysis of each.

#include <map>
#include <memory>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/check/check.h"
#include "compiler/lsp/analysis.h"
#include "compiler/lsp/position.h"

namespace kfpc::lsp {

struct Document {
  std::string uri;   // as the client sent it
  std::string path;  // decoded from the URI; the checker reports and resolves imports with it
  // `path` with symbolic links, `.` and `..` resolved, which an import through a symbolic link
  // (or of the real file behind one) matches although its spelling differs.
  std::string canonical_path;
  std::string text;
  int64_t version = 0;
  bool dirty = true;  // the text or a file it imports changed since the last analysis
  std::unique_ptr<Analysis> analysis;
  // The files (Server::FindingsKey) whose diagnostics the last analysis published.
  std::set<std::string> published_uris;
};

class DocumentStore {
 public:
  Document& Open(const std::string& uri, std::string text, int64_t version);
  Document* Find(const std::string& uri);
  void Close(const std::string& uri);

  // Marks dirty every document whose last analysis read `path`, and the document at `path`.
  void MarkDependentsDirty(const std::string& path);

  // Returns a loader that serves open documents from memory and other files from the disk.
  check::FileLoader Loader() const;

  std::map<std::string, Document>& documents() { return documents_; }

 private:
  std::map<std::string, Document> documents_;  // by URI
};

// Applies the TextDocumentContentChangeEvents of one didChange in order: one with a `range`
// replaces that range, one without replaces the whole text. Throws nlohmann::json::exception when
// a field is missing or has the wrong type, after applying the changes before that one.
//
// The text is a gap buffer while the changes apply, and the start of each line is found once
// until a change before it moves it. A batch whose changes run through the text in order, forward
// or backward, so takes time linear in the text's size plus the changes' sizes, not their product.
void ApplyChanges(std::string& text, const nlohmann::json& changes, PositionEncoding encoding);

}  // namespace kfpc::lsp
