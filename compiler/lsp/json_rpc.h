#pragma once

// JSON-RPC 2.0 messages framed as the Language Server Protocol frames them: a header block of
// `Name: value` lines ended by an empty line, where `Content-Length` gives the body size in bytes,
// followed by a JSON body.

#include <cstddef>
#include <istream>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace kfpc::lsp {

// Error codes defined by JSON-RPC 2.0 and LSP 3.17.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestCancelled = -32800;

enum class ReadStatus {
  kMessage,       // `body` contains one message body, not yet parsed as JSON
  kEndOfStream,   // the stream ended before a header started
  kBadHeader,     // the header block is invalid: `error` describes it, and the reader
                  // skips to the next header on the following Read
  kTooLarge,      // Content-Length exceeded the limit; the body was skipped
};

// Reads framed messages from one stream. After kBadHeader it skips to the next
// `Content-Length` header, so one malformed frame costs one message, not the session.
class MessageReader {
 public:
  MessageReader(std::istream& in, size_t max_message_bytes)
      : in_(in), max_message_bytes_(max_message_bytes) {}

  ReadStatus Read(std::string* body, std::string* error);

  // Returns true when a complete message may already be waiting, without blocking: bytes are
  // buffered in the stream or readable from its file.
  bool HasBufferedInput() const { return in_.rdbuf()->in_avail() > 0; }

 private:
  bool ReadHeaderLine(std::string* line);
  bool SkipToNextHeader();
  // Sets up the search for the next header after a header line cut at the length limit.
  void ResyncAfterLongLine(const std::string& line);

  std::istream& in_;
  size_t max_message_bytes_;
  bool resync_ = false;  // the next header starts somewhere after garbage
  std::string pending_line_start_;  // text already consumed from the next header line
  bool pending_line_whole_ = false;  // pending_line_start_ is a whole line, its LF consumed
  std::string resync_tail_;  // the last bytes of a line cut at the limit, searched by a resync
};

// Writes `message` with its Content-Length header and flushes, so that the client sees it at once.
void WriteMessage(std::ostream& out, const nlohmann::json& message);

// Builds a response with a result, or with an error. `id` is null when the request's id could
// not be read (JSON-RPC 2.0, section 5).
nlohmann::json MakeResult(const nlohmann::json& id, nlohmann::json result);
nlohmann::json MakeError(const nlohmann::json& id, int code, const std::string& message);
nlohmann::json MakeNotification(const std::string& method, nlohmann::json params);

}  // namespace kfpc::lsp
