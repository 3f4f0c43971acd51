#include "compiler/lsp/json_rpc.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace kfpc::lsp {

namespace {

// Header lines are short ("Content-Length: 1234", "Content-Type: ..."); a longer line is garbage.
constexpr size_t kMaxHeaderLineBytes = 1024;
constexpr size_t kMaxHeaderLines = 16;
constexpr std::string_view kContentLength = "content-length:";

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

// Returns the decimal number `text`, or nullopt when it is not one.
std::optional<size_t> ParseLength(const std::string& text) {
  size_t value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

// Whether `name` is an HTTP header field name: letters, digits and `!#$%&'*+-.^_`|~`.
bool IsHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

}  // namespace

bool MessageReader::ReadHeaderLine(std::string* line) {
  *line = std::move(pending_line_start_);
  pending_line_start_.clear();
  if (pending_line_whole_) {
    pending_line_whole_ = false;
    return true;
  }
  int c;
  while ((c = in_.get()) != std::char_traits<char>::eof()) {
    if (c == '\n') {
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return true;
    }
    if (line->size() >= kMaxHeaderLineBytes) {
      in_.unget();  // the byte after the limit may start the next header
      return false;
    }
    line->push_back(static_cast<char>(c));
  }
  return !line->empty();  // a last line without a terminator still counts
}

// Consumes input up to, not including, the next "Content-Length:" (any case).
bool MessageReader::SkipToNextHeader() {
  // The end of a line cut at the length limit may hold the start of the header name.
  std::string window = Lowercase(std::move(resync_tail_));
  resync_tail_.clear();
  int c;
  while ((c = in_.peek()) != std::char_traits<char>::eof()) {
    window.push_back(static_cast<char>(std::tolower(c)));
    if (window.size() > kContentLength.size()) window.erase(0, 1);
    if (window == kContentLength) {
      in_.get();
      // The header name is consumed; ReadHeaderLine starts the next line with it.
      pending_line_start_ = "Content-Length:";
      return true;
    }
    in_.get();
  }
  return false;
}

void MessageReader::ResyncAfterLongLine(const std::string& line) {
  // The line was cut at the limit, and its rest is still unread. A header name inside it, after
  // its first byte, starts the next message; otherwise the name may start in its last bytes.
  size_t found = Lowercase(line).find(kContentLength, 1);
  if (found != std::string::npos) {
    pending_line_start_ = line.substr(found);
    return;
  }
  size_t keep = std::min(line.size(), kContentLength.size() - 1);
  resync_tail_ = line.substr(line.size() - keep);
  resync_ = true;
}

ReadStatus MessageReader::Read(std::string* body, std::string* error) {
  if (resync_) {
    resync_ = false;
    if (!SkipToNextHeader()) return ReadStatus::kEndOfStream;
  }
  // Skip blank lines between messages, then read the header block.
  std::string line;
  do {
    if (!ReadHeaderLine(&line)) {
      if (in_.eof() && line.empty()) return ReadStatus::kEndOfStream;
      *error = "header line longer than " + std::to_string(kMaxHeaderLineBytes) + " bytes";
      ResyncAfterLongLine(line);
      return ReadStatus::kBadHeader;
    }
  } while (line.empty());

  std::optional<size_t> length;
  std::string length_text;
  for (size_t count = 0; !line.empty(); ++count) {
    // A body sent without a header ends where the next message's header starts, on its line:
    // `{...}Content-Length: 2`. That header starts the next message, which is kept. A header
    // whose value mentions the name, `X-Note: content-length: 2`, is a header.
    size_t embedded = Lowercase(line).find(kContentLength, 1);
    size_t first_colon = line.find(':');
    bool mentioned = embedded != std::string::npos && embedded > first_colon &&
                     IsHeaderName(std::string_view(line).substr(0, first_colon));
    if (embedded != std::string::npos && !mentioned) {
      *error = "invalid header line `" + line.substr(0, embedded) + "`";
      pending_line_start_ = line.substr(embedded);
      pending_line_whole_ = true;
      return ReadStatus::kBadHeader;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos || count >= kMaxHeaderLines) {
      *error = "invalid header line `" + line + "`";
      resync_ = true;
      return ReadStatus::kBadHeader;
    }
    if (Lowercase(line.substr(0, colon)) == "content-length") {
      std::string text = Trim(std::string_view(line).substr(colon + 1));
      // Two lengths that disagree leave the body's end unknown.
      if (!length_text.empty() && text != length_text) {
        *error = "two Content-Length headers, `" + length_text + "` and `" + text + "`";
        resync_ = true;
        return ReadStatus::kBadHeader;
      }
      length_text = text;
      length = ParseLength(length_text);
    }
    if (!ReadHeaderLine(&line)) {
      if (line.size() < kMaxHeaderLineBytes) break;  // the end of the input
      *error = "header line longer than " + std::to_string(kMaxHeaderLineBytes) + " bytes";
      ResyncAfterLongLine(line);
      return ReadStatus::kBadHeader;
    }
  }
  if (!length) {
    *error = length_text.empty() ? "missing Content-Length header"
                                 : "invalid Content-Length `" + length_text + "`";
    resync_ = true;
    return ReadStatus::kBadHeader;
  }
  if (*length > max_message_bytes_) {
    // Skipping `length` bytes would wait for all of them, and a wrong length of 4 GB would stop
    // the server until that many arrived. The next header is found by its name instead.
    resync_ = true;
    *error = "message of " + std::to_string(*length) + " bytes exceeds the limit of " +
             std::to_string(max_message_bytes_) + " bytes";
    return ReadStatus::kTooLarge;
  }
  body->assign(*length, '\0');
  in_.read(body->data(), static_cast<std::streamsize>(*length));
  if (static_cast<size_t>(in_.gcount()) != *length) {
    *error = "stream ended inside a message body";
    return ReadStatus::kEndOfStream;
  }
  return ReadStatus::kMessage;
}

void WriteMessage(std::ostream& out, const nlohmann::json& message) {
  // Invalid UTF-8 in a document must not make dump() throw; replace it instead.
  std::string body = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  out.flush();
}

nlohmann::json MakeResult(const nlohmann::json& id, nlohmann::json result) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json MakeError(const nlohmann::json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

nlohmann::json MakeNotification(const std::string& method, nlohmann::json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace kfpc::lsp
