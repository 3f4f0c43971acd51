#pragma once

// The kfpc language server (LSP 3.17 over JSON-RPC): document lifecycle, dispatch of requests
// and notifications, and diagnostics pushed after each batch of messages.

#include <chrono>
#include <cstddef>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/lsp/documents.h"
#include "compiler/lsp/json_rpc.h"
#include "compiler/lsp/position.h"

namespace kfpc::lsp {

struct ServerOptions {
  // Larger messages are skipped, with an error response. 64 MiB is far above any `.kf` file.
  size_t max_message_bytes = size_t{64} << 20;
  // After a batch that changed documents, the server waits this long for more messages before
  // checking, so that a burst of edits costs one check. Zero checks at once (tests).
  std::chrono::milliseconds debounce{0};
  // The maximum time that messages arriving one after another may hold back diagnostics. A client
  // that sends a hover on every mouse move would otherwise postpone them as long as it sends.
  std::chrono::milliseconds debounce_limit{25};
};

class Server {
 public:
  Server(std::ostream& out, std::ostream& log, ServerOptions options = {});

  // Serves messages from `in` until an `exit` notification or the end of the stream. Returns 0
  // when `exit` followed `shutdown`, else 1 (LSP 3.17).
  int Run(std::istream& in);

 private:
  enum class State { kUninitialized, kRunning, kShutDown };
  using RequestHandler = nlohmann::json (Server::*)(const nlohmann::json& params);
  using NotificationHandler = void (Server::*)(const nlohmann::json& params);

  // One framed message as read: a parsed body, or a framing or JSON error.
  struct Incoming {
    nlohmann::json message;
    int error_code = 0;  // kParseError or kInvalidRequest when the frame could not be used
    std::string error;
  };

  bool ReadOne(MessageReader& reader, std::vector<Incoming>* batch);
  void HandleBatch(const std::vector<Incoming>& batch);
  void HandleMessage(const nlohmann::json& message);
  void HandleRequest(const nlohmann::json& id, const std::string& method,
                     const nlohmann::json& params);
  void HandleNotification(const std::string& method, const nlohmann::json& params);
  void Send(const nlohmann::json& message);
  void SendError(const nlohmann::json& id, int code, const std::string& message);

  // Lifecycle.
  nlohmann::json Initialize(const nlohmann::json& params);
  nlohmann::json Shutdown(const nlohmann::json& params);
  void Initialized(const nlohmann::json& params);
  void Exit(const nlohmann::json& params);

  // Text synchronization.
  void DidOpen(const nlohmann::json& params);
  void DidChange(const nlohmann::json& params);
  void DidSave(const nlohmann::json& params);
  void DidClose(const nlohmann::json& params);

  // Language features.
  nlohmann::json HoverRequest(const nlohmann::json& params);
  nlohmann::json DefinitionRequest(const nlohmann::json& params);
  nlohmann::json CompletionRequest(const nlohmann::json& params);
  nlohmann::json DocumentSymbolRequest(const nlohmann::json& params);
  nlohmann::json FormattingRequest(const nlohmann::json& params);
  nlohmann::json CodeActionRequest(const nlohmann::json& params);
  // Calls `handler` with the document and position of a TextDocumentPositionParams, or returns
  // null when the document is not open.
  template <typename Handler>
  nlohmann::json AtPosition(const nlohmann::json& params, Handler handler);

  // Diagnostics.
  Document* AnalyzedDocument(const nlohmann::json& params);
  // Analyzes `document` again when it or a file it imports changed, or when its `kfpc.yaml` or
  // `kfpc.lock` changed on disk since its last analysis.
  void Analyze(Document& document);
  // Marks for analysis and publishing every open document whose `kfpc.yaml` or `kfpc.lock`
  // changed on disk (by path, modification time or size) since its last analysis. Runs after
  // every batch of messages.
  void MarkStaleProjectFiles();
  // Checks the documents whose diagnostics are out of date, then sends the merged findings of
  // every file whose findings changed.
  void PublishPending();
  // Checks `document` if needed and records what its check found in each file it reads.
  void RecordFindings(Document& document);
  // Records `diagnostics` as what the analysis of the open document `publisher` found in the file
  // `key` (nullopt removes them); PublishPending sends the merged findings for the file later.
  // Both are FindingsKey values.
  void RecordFindings(const std::string& key, const std::string& publisher,
                      std::optional<nlohmann::json> diagnostics);
  // Sends for the file `key` the findings of every open document that checked it, each
  // diagnostic once: the document's own first, then those of the files that import it.
  void PublishMerged(const std::string& key);
  void PublishDiagnostics(const std::string& uri, nlohmann::json diagnostics,
                          std::optional<int64_t> version);
  std::string UriOf(const Analysis& analysis, diag::FileId file);
  // The key of `uri` in findings_: kfpc's own spelling of its path, so that a client's spelling
  // (`lib$x`, lower-case escapes) and kfpc's (`lib%24x`) of one file are one key.
  static std::string FindingsKey(const std::string& uri);
  // The URI to publish a file's diagnostics under: the client's spelling once it opened the file,
  // so that the client never gets two lists for one file under two names.
  std::string ClientUri(const std::string& key) const;

  std::ostream& out_;
  std::ostream& log_;
  ServerOptions options_;
  State state_ = State::kUninitialized;
  bool exit_ = false;
  PositionEncoding encoding_ = PositionEncoding::kUtf16;
  DocumentStore documents_;
  std::set<std::string> unpublished_;  // URIs analyzed since their diagnostics were last sent
  // When unpublished_ last became non-empty, while the server waits for a pause in the input.
  std::optional<std::chrono::steady_clock::time_point> unpublished_since_;
  // For each file URI, the diagnostics that the last analysis of each open document (by URI)
  // found in it. A file that several open documents check shows the union.
  std::map<std::string, std::map<std::string, nlohmann::json>> findings_;
  std::map<std::string, std::string> client_uris_;  // FindingsKey -> the URI the client opened
  std::set<std::string> unmerged_;     // URIs whose findings changed since their list was last sent
  std::set<std::string> cancelled_;    // ids (as JSON text) of requests cancelled before handled
  std::map<std::string, RequestHandler> requests_;
  std::map<std::string, NotificationHandler> notifications_;
};

// Runs a language server on `in` and `out` until `exit` or the end of `in`, logging to `log`,
// and returns the process exit code. `out` carries only protocol messages. Before passing
// std::cin, call std::ios::sync_with_stdio(false): only then does in_avail() count the bytes
// waiting in the pipe, so that a burst of edits is checked once instead of once per edit.
int RunServer(std::istream& in, std::ostream& out, std::ostream& log);

}  // namespace kfpc::lsp
