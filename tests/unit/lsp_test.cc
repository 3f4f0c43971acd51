// Drives the language server in-process: framed JSON-RPC messages in, the exact responses and
// notifications out.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <streambuf>
#include <thread>

#include "compiler/check/declarations.h"
#include "compiler/check/kubernetes_settings.h"
#include "compiler/check/task_settings.h"
#include "compiler/lsp/documents.h"
#include "compiler/lsp/json_rpc.h"
#include "compiler/lsp/position.h"
#include "compiler/lsp/server.h"
#include "compiler/lsp/setting_docs.h"
#include "compiler/lsp/uri.h"

namespace kfpc::lsp {
namespace {

using nlohmann::json;

std::string Frame(const json& message) {
  std::string body = message.dump();
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

json Request(int id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

json Notification(const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

// Input split into chunks: in_avail() counts only the current chunk, so the server reads each
// chunk as one batch of messages that arrived together, as from a client that pauses between.
// `before_chunk(i)`, when set, runs when the server first reads chunk i, that is after it
// handled the chunks before it, so a test can change files on disk between batches.
class ChunkedInput : public std::streambuf {
 public:
  explicit ChunkedInput(std::vector<std::string> chunks,
                        std::function<void(size_t)> before_chunk = nullptr)
      : chunks_(std::move(chunks)), before_chunk_(std::move(before_chunk)) {}

 protected:
  int_type underflow() override {
    while (next_ < chunks_.size()) {
      if (before_chunk_) before_chunk_(next_);
      std::string& chunk = chunks_[next_++];
      if (chunk.empty()) continue;
      setg(chunk.data(), chunk.data(), chunk.data() + chunk.size());
      return traits_type::to_int_type(*gptr());
    }
    return traits_type::eof();
  }

 private:
  std::vector<std::string> chunks_;
  std::function<void(size_t)> before_chunk_;
  size_t next_ = 0;
};

struct Session {
  std::vector<json> messages;  // everything the server wrote, in order
  int exit_code = -1;
  std::string log;

  // Returns the response to request `id`; fails the test when there is none.
  json Response(int id) const {
    for (const json& message : messages) {
      if (message.contains("id") && message["id"] == id && !message.contains("method")) {
        return message;
      }
    }
    ADD_FAILURE() << "no response with id " << id;
    return nullptr;
  }

  // Returns the params of every publishDiagnostics for `uri`, in order.
  std::vector<json> Published(const std::string& uri) const {
    std::vector<json> published;
    for (const json& message : messages) {
      if (message.value("method", "") == "textDocument/publishDiagnostics" &&
          message["params"]["uri"] == uri) {
        published.push_back(message["params"]);
      }
    }
    return published;
  }
};

// Runs a server over `batches`, each a list of messages or raw frames that arrive together.
Session RunSession(const std::vector<std::vector<std::string>>& batches, ServerOptions options = {},
                   std::function<void(size_t)> before_batch = nullptr) {
  std::vector<std::string> chunks;
  for (const auto& batch : batches) {
    std::string chunk;
    for (const std::string& frame : batch) chunk += frame;
    chunks.push_back(chunk);
  }
  ChunkedInput input(chunks, std::move(before_batch));
  std::istream in(&input);
  std::ostringstream out;
  std::ostringstream log;
  Session session;
  session.exit_code = Server(out, log, options).Run(in);
  session.log = log.str();

  std::istringstream written(out.str());
  MessageReader reader(written, size_t{1} << 30);
  std::string body;
  std::string error;
  while (reader.Read(&body, &error) == ReadStatus::kMessage) {
    session.messages.push_back(json::parse(body));
  }
  EXPECT_TRUE(written.eof()) << "stdout holds something other than framed messages";
  return session;
}

std::vector<std::string> Frames(const std::vector<json>& messages) {
  std::vector<std::string> frames;
  for (const json& message : messages) frames.push_back(Frame(message));
  return frames;
}

std::vector<std::string> InitializeFrames(json capabilities = json::object()) {
  return Frames({Request(1, "initialize", {{"capabilities", capabilities}}),
                 Notification("initialized")});
}

json OpenDocument(const std::string& uri, const std::string& text, int version = 1) {
  return Notification("textDocument/didOpen",
                      {{"textDocument",
                        {{"uri", uri}, {"languageId", "kf"}, {"version", version}, {"text", text}}}});
}

json ReplaceText(const std::string& uri, const std::string& text, int version) {
  return Notification("textDocument/didChange",
                      {{"textDocument", {{"uri", uri}, {"version", version}}},
                       {"contentChanges", {{{"text", text}}}}});
}

json PositionParams(const std::string& uri, int line, int character) {
  return {{"textDocument", {{"uri", uri}}}, {"position", {{"line", line}, {"character", character}}}};
}

json RangeJson(int start_line, int start_character, int end_line, int end_character) {
  return {{"start", {{"line", start_line}, {"character", start_character}}},
          {"end", {{"line", end_line}, {"character", end_character}}}};
}

json ErrorJson(int code, const std::string& message) {
  return {{"code", code}, {"message", message}};
}

// ---------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------

// The line index of the source manager must give the positions that scanning the text gives, at
// every offset: line breaks of each kind, between `\r` and `\n`, inside multi-byte characters
// and past the end.
TEST(LspPosition, LineIndexAgreesWithScanning) {
  std::string text = "a\r\nb\rc\n\ré名\r\n\U0001F600x\n\n";
  diag::SourceManager sources;
  diag::FileId file = sources.AddFile("t.kf", text);
  for (PositionEncoding encoding : {PositionEncoding::kUtf8, PositionEncoding::kUtf16}) {
    for (uint32_t begin = 0; begin <= text.size() + 2; ++begin) {
      for (uint32_t end = begin; end <= text.size() + 2; ++end) {
        EXPECT_EQ(SpanToRange(sources, diag::Span{file, begin, end}, encoding),
                  SpanToRange(text, begin, end, encoding))
            << begin << "-" << end;
      }
    }
  }
}

// Applies `changes` one at a time with PositionToOffset on the whole text, the plain way.
std::string ApplyOneByOne(std::string text, const json& changes, PositionEncoding encoding) {
  for (const json& change : changes) {
    std::string new_text = change.at("text").get<std::string>();
    if (!change.contains("range")) {
      text = new_text;
      continue;
    }
    uint32_t begin = PositionToOffset(text, PositionFromJson(change["range"]["start"]), encoding);
    uint32_t end = PositionToOffset(text, PositionFromJson(change["range"]["end"]), encoding);
    if (end < begin) std::swap(begin, end);
    text.replace(begin, end - begin, new_text);
  }
  return text;
}

TEST(LspChanges, BatchAgreesWithOneByOne) {
  // Pieces chosen so that changes split and join "\r\n", multi-byte characters and lines.
  const std::vector<std::string> pieces = {
      "", "a", "\n", "\r", "\r\n", "é", "\U0001F600", "xy\nz",
  };
  uint32_t state = 12345;
  auto next = [&](uint32_t bound) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % bound;
  };
  for (PositionEncoding encoding : {PositionEncoding::kUtf8, PositionEncoding::kUtf16}) {
    for (int round = 0; round < 400; ++round) {
      std::string text;
      for (uint32_t i = next(12); i > 0; --i) text += pieces[next(pieces.size())];
      json changes = json::array();
      for (uint32_t i = next(10); i > 0; --i) {
        if (next(20) == 0) {
          changes.push_back({{"text", pieces[next(pieces.size())]}});
          continue;
        }
        json start = {{"line", next(5)}, {"character", next(5)}};
        json end = {{"line", next(5)}, {"character", next(5)}};
        changes.push_back({{"range", {{"start", start}, {"end", end}}},
                           {"text", pieces[next(pieces.size())] + pieces[next(pieces.size())]}});
      }
      std::string batched = text;
      ApplyChanges(batched, changes, encoding);
      EXPECT_EQ(batched, ApplyOneByOne(text, changes, encoding))
          << "text " << json(text).dump() << " changes " << changes.dump();
    }
  }
}

TEST(LspChanges, LongLinesAgreeWithOneByOne) {
  // Lines much longer than the 4,096 bytes between two marks of a line, with multi-byte
  // characters and bytes that start no valid sequence, edited at random places in and across
  // them, in one batch.
  const std::vector<std::string> pieces = {"abc", "é", "\U0001F600", "名", "\xff", "\xe0", " "};
  uint32_t state = 4242;
  auto next = [&](uint32_t bound) {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % bound;
  };
  for (PositionEncoding encoding : {PositionEncoding::kUtf8, PositionEncoding::kUtf16}) {
    for (int round = 0; round < 6; ++round) {
      std::string text;
      for (int line = 0; line < 3; ++line) {
        for (uint32_t i = 0; i < 6000; ++i) text += pieces[next(pieces.size())];
        text += line == 1 ? "\r\n" : "\n";
      }
      json changes = json::array();
      uint32_t line = 0;
      for (int i = 0; i < 300; ++i) {
        // Runs of edits on one line, where the marks of the line are reused.
        if (next(20) == 0) line = next(3);
        uint32_t character = next(12000);
        // Mostly one place at a time, as typing and formatting do; sometimes a range.
        json start = {{"line", line}, {"character", character}};
        json end = next(4) == 0 ? json{{"line", next(3)}, {"character", next(26000)}} : start;
        std::string inserted = pieces[next(pieces.size())];
        if (next(10) == 0) inserted += "\n";
        changes.push_back({{"range", {{"start", start}, {"end", end}}}, {"text", inserted}});
      }
      std::string batched = text;
      ApplyChanges(batched, changes, encoding);
      ASSERT_EQ(batched, ApplyOneByOne(text, changes, encoding)) << "round " << round;
    }
  }
}

TEST(LspChanges, EditBeforeAMarkMovesIt) {
  // The first edit marks the line every 4,096 bytes, and the second inserts before those marks.
  // The third must then count from the line as it now is.
  std::string text = std::string(10000, 'a') + "\n";
  auto insert = [](uint32_t character, const std::string& inserted) {
    json position = {{"line", 0}, {"character", character}};
    return json{{"range", {{"start", position}, {"end", position}}}, {"text", inserted}};
  };
  json changes = json::array({insert(9000, "X"), insert(10, "é"), insert(9000, "Y")});
  std::string batched = text;
  ApplyChanges(batched, changes, PositionEncoding::kUtf16);
  EXPECT_EQ(batched, ApplyOneByOne(text, changes, PositionEncoding::kUtf16));
}

TEST(LspChanges, ChangesBeforeABadOneStay) {
  std::string text = "abc\n";
  json changes = json::array({
      {{"range",
        {{"start", {{"line", 0}, {"character", 0}}}, {"end", {{"line", 0}, {"character", 1}}}}},
       {"text", "X"}},
      {{"range", {{"start", {{"line", 0}}}}}, {"text", "Y"}},
  });
  EXPECT_THROW(ApplyChanges(text, changes, PositionEncoding::kUtf16), json::exception);
  EXPECT_EQ(text, "Xbc\n");
}

TEST(LspChanges, PositionsOutsideUintegerAreRejected) {
  // A negative line used to wrap to a huge one and 2^32 to line 0, so the edit erased or
  // rewrote text that the editor still showed.
  for (json bad :
       {json(-1), json(int64_t{1} << 32), json(int64_t{1} << 31), json(1.5), json("0")}) {
    std::string text = "line0\nline1\n";
    json changes = json::array({{{"range",
                                  {{"start", {{"line", bad}, {"character", 0}}},
                                   {"end", {{"line", 1}, {"character", 0}}}}},
                                 {"text", ""}}});
    EXPECT_THROW(ApplyChanges(text, changes, PositionEncoding::kUtf16), json::exception)
        << bad.dump();
    EXPECT_EQ(text, "line0\nline1\n") << bad.dump();
  }
  EXPECT_EQ(PositionFromJson({{"line", 0x7fffffff}, {"character", 0}}).line, 0x7fffffffu);
}

TEST(LspPosition, SpanToRangeCountsUtf16Units) {
  // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units (a surrogate pair).
  std::string text = "ab\né😀x\r\ny";
  EXPECT_EQ(SpanToRange(text, 0, 2, PositionEncoding::kUtf16), (Range{{0, 0}, {0, 2}}));
  EXPECT_EQ(SpanToRange(text, 9, 10, PositionEncoding::kUtf16), (Range{{1, 3}, {1, 4}}));
  EXPECT_EQ(SpanToRange(text, 9, 10, PositionEncoding::kUtf8), (Range{{1, 6}, {1, 7}}));
  EXPECT_EQ(SpanToRange(text, 12, 13, PositionEncoding::kUtf16), (Range{{2, 0}, {2, 1}}));
  // Past the end clamps; inside a character counts as its start.
  EXPECT_EQ(SpanToRange(text, 100, 200, PositionEncoding::kUtf16), (Range{{2, 1}, {2, 1}}));
  EXPECT_EQ(SpanToRange(text, 6, 6, PositionEncoding::kUtf16), (Range{{1, 1}, {1, 1}}));
}

TEST(LspPosition, PositionToOffsetInvertsRange) {
  std::string text = "ab\né😀x\r\ny";
  EXPECT_EQ(PositionToOffset(text, {1, 3}, PositionEncoding::kUtf16), 9u);
  EXPECT_EQ(PositionToOffset(text, {1, 6}, PositionEncoding::kUtf8), 9u);
  EXPECT_EQ(PositionToOffset(text, {2, 0}, PositionEncoding::kUtf16), 12u);
  // A character past the line end is the line end; a line past the last is the text end.
  EXPECT_EQ(PositionToOffset(text, {0, 50}, PositionEncoding::kUtf16), 2u);
  EXPECT_EQ(PositionToOffset(text, {9, 0}, PositionEncoding::kUtf16), 13u);
}

TEST(LspPosition, ByteOrderMarkTakesNoColumn) {
  // Editors do not show a UTF-8 byte order mark, so positions on the first line skip it.
  std::string text =
      "\xEF\xBB\xBF"
      "ab\ncd";
  EXPECT_EQ(SpanToRange(text, 3, 4, PositionEncoding::kUtf16), (Range{{0, 0}, {0, 1}}));
  EXPECT_EQ(PositionToOffset(text, {0, 1}, PositionEncoding::kUtf16), 4u);
  EXPECT_EQ(PositionToOffset(text, {1, 1}, PositionEncoding::kUtf16), 7u);
  diag::SourceManager sources;
  diag::FileId file = sources.AddFile("b.kf", text);
  EXPECT_EQ(SpanToRange(sources, {file, 4, 5}, PositionEncoding::kUtf16), (Range{{0, 1}, {0, 2}}));
  EXPECT_EQ(SpanToRange(sources, {file, 6, 7}, PositionEncoding::kUtf16), (Range{{1, 0}, {1, 1}}));
}

TEST(LspUri, RelativePathBecomesAbsolute) {
  // As for an import of an unsaved `untitled:` document, read from the working directory.
  std::string uri = PathToUri("lib/text.kf");
  EXPECT_EQ(uri, PathToUri((std::filesystem::current_path() / "lib/text.kf").string()));
  EXPECT_EQ(uri.rfind("file:///", 0), 0u) << uri;
}

TEST(LspUri, FileUrisRoundTrip) {
  EXPECT_EQ(UriToPath("file:///tmp/a%20b/x.kf"), "/tmp/a b/x.kf");
  EXPECT_EQ(UriToPath("file://localhost/tmp/x.kf"), "/tmp/x.kf");
  EXPECT_EQ(UriToPath("untitled:Untitled-1"), "untitled:Untitled-1");
  EXPECT_EQ(PathToUri("/tmp/a b/é.kf"), "file:///tmp/a%20b/%C3%A9.kf");
}

// ---------------------------------------------------------------------------------------------
// Lifecycle and protocol errors
// ---------------------------------------------------------------------------------------------

TEST(LspLifecycle, InitializeAdvertisesFeatures) {
  Session session = RunSession({InitializeFrames()});
  json expected = R"({
    "capabilities": {
      "positionEncoding": "utf-16",
      "textDocumentSync": {"openClose": true, "change": 2, "save": {"includeText": false}},
      "hoverProvider": true,
      "definitionProvider": true,
      "completionProvider": {"triggerCharacters": [".", ":", "(", ","]},
      "documentSymbolProvider": true,
      "documentFormattingProvider": true,
      "codeActionProvider": {"codeActionKinds": ["quickfix"]}
    },
    "serverInfo": {"name": "kfpc", "version": ")" KFPC_VERSION R"("}
  })"_json;
  EXPECT_EQ(session.Response(1)["result"], expected);
  EXPECT_EQ(session.messages.size(), 1u);
}

TEST(LspLifecycle, NegotiatesUtf8WhenOffered) {
  json capabilities = {{"general", {{"positionEncodings", {"utf-8", "utf-16"}}}}};
  Session session = RunSession({InitializeFrames(capabilities)});
  EXPECT_EQ(session.Response(1)["result"]["capabilities"]["positionEncoding"], "utf-8");
}

TEST(LspLifecycle, ShutdownTwiceThenExitReturnsZero) {
  Session session = RunSession({InitializeFrames(),
                         Frames({Request(2, "shutdown"), Request(3, "shutdown"),
                                 Request(4, "textDocument/documentSymbol",
                                         {{"textDocument", {{"uri", "file:///x.kf"}}}}),
                                 Notification("exit"), Request(5, "shutdown")})});
  EXPECT_EQ(session.Response(2), (json{{"jsonrpc", "2.0"}, {"id", 2}, {"result", nullptr}}));
  EXPECT_EQ(session.Response(3)["result"], nullptr);
  EXPECT_EQ(session.Response(4)["error"],
            ErrorJson(kInvalidRequest, "server is shut down; only `exit` is accepted"));
  EXPECT_EQ(session.messages.size(), 4u);  // nothing is read after `exit`
  EXPECT_EQ(session.exit_code, 0);
}

TEST(LspLifecycle, ExitWithoutShutdownReturnsOne) {
  EXPECT_EQ(RunSession({InitializeFrames(), Frames({Notification("exit")})}).exit_code, 1);
  Session ended = RunSession({InitializeFrames()});
  EXPECT_EQ(ended.exit_code, 1);
  EXPECT_NE(ended.log.find("stopped at the end of the input, exit code 1"), std::string::npos);
}

TEST(LspLifecycle, RequestBeforeInitializeFails) {
  Session session = RunSession({Frames({Request(7, "textDocument/hover", PositionParams("file:///a.kf", 0, 0)),
                                 OpenDocument("file:///a.kf", "pipeline p( {")}),
                         InitializeFrames()});
  EXPECT_EQ(session.Response(7)["error"],
            ErrorJson(kServerNotInitialized, "server is not initialized"));
  // The didOpen before initialize is dropped, so nothing is published.
  EXPECT_TRUE(session.Published("file:///a.kf").empty());
}

TEST(LspLifecycle, SecondInitializeFails) {
  Session session = RunSession({InitializeFrames(), Frames({Request(2, "initialize", {{"capabilities", json::object()}})})});
  EXPECT_EQ(session.Response(2)["error"],
            ErrorJson(kInvalidRequest, "server is already initialized"));
}

TEST(LspProtocol, UnknownMethodNotFound) {
  Session session = RunSession({InitializeFrames(),
                         Frames({Notification("$/setTrace", {{"value", "off"}}),
                                 Notification("workspace/didChangeConfiguration"),
                                 Request(2, "textDocument/rename")})});
  EXPECT_EQ(session.Response(2)["error"],
            ErrorJson(kMethodNotFound, "method not found: textDocument/rename"));
  EXPECT_EQ(session.messages.size(), 2u);  // unknown notifications get no response
}

TEST(LspProtocol, MalformedJsonParseError) {
  Session session = RunSession({InitializeFrames(),
                         {"Content-Length: 9\r\n\r\n{not json", Frame(Request(2, "shutdown"))}});
  ASSERT_EQ(session.messages.size(), 3u);
  EXPECT_EQ(session.messages[1], (json{{"jsonrpc", "2.0"},
                                       {"id", nullptr},
                                       {"error", ErrorJson(kParseError,
                                                           "invalid JSON in message body")}}));
  EXPECT_EQ(session.Response(2)["result"], nullptr);  // the server went on
}

TEST(LspProtocol, DeeplyNestedJsonRejected) {
  // 100,000 nested arrays in `params` once overflowed the stack. The server now responds
  // with an error and goes on.
  std::string params = std::string(100000, '[') + std::string(100000, ']');
  std::string body = R"({"jsonrpc":"2.0","id":5,"method":"x","params":{"a":)" + params + "}}";
  Session session = RunSession(
      {InitializeFrames(),
       {"Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
        Frame(Request(2, "shutdown"))}});
  ASSERT_EQ(session.messages.size(), 3u);
  EXPECT_EQ(session.messages[1]["error"],
            ErrorJson(kParseError, "invalid JSON in message body: arrays and objects nest more "
                                   "than 128 levels deep"));
  EXPECT_EQ(session.Response(2)["result"], nullptr);
}

TEST(LspProtocol, BadContentLengthResyncs) {
  // After a frame it cannot read, the server skips to the next Content-Length header.
  Session session = RunSession({InitializeFrames(),
                                {"Content-Length: abc\r\n\r\n{\"jsonrpc\":\"2.0\"}",
                                 Frame(Request(2, "shutdown")),
                                 "Content-Type: text/plain\r\n\r\n{}",
                                 Frame(Request(3, "shutdown"))}});
  ASSERT_EQ(session.messages.size(), 5u);
  EXPECT_EQ(session.messages[1]["error"], ErrorJson(kParseError, "invalid Content-Length `abc`"));
  EXPECT_EQ(session.messages[2]["id"], 2);
  EXPECT_EQ(session.messages[3]["error"], ErrorJson(kParseError, "missing Content-Length header"));
  EXPECT_EQ(session.messages[4]["id"], 3);
}

TEST(LspProtocol, HeaderAfterGarbageStartsMessage) {
  // A body sent without a header runs into the next message's header, on one line, and so does
  // a line after a header. The garbage is reported, and the server responds to the next message.
  Session session = RunSession({InitializeFrames(),
                                {"{\"jsonrpc\":\"2.0\"}" + Frame(Request(2, "shutdown")),
                                 "Content-Length: 5\r\n{\"a\"}" + Frame(Request(3, "shutdown"))}});
  ASSERT_EQ(session.messages.size(), 5u);
  EXPECT_EQ(session.messages[1]["error"],
            ErrorJson(kParseError, "invalid header line `{\"jsonrpc\":\"2.0\"}`"));
  EXPECT_EQ(session.messages[2]["id"], 2);
  EXPECT_EQ(session.messages[3]["error"], ErrorJson(kParseError, "invalid header line `{\"a\"}`"));
  EXPECT_EQ(session.messages[4]["id"], 3);
}

TEST(LspProtocol, LongLinesBeforeHeaderResync) {
  // Garbage that fills a header line up to the limit, with a header after it on the same line:
  // the line is cut inside the garbage, inside the header name or right after it.
  for (size_t garbage : {1000u, 1010u, 1024u, 1030u}) {
    Session session = RunSession(
        {InitializeFrames(), {std::string(garbage, 'x') + Frame(Request(2, "shutdown"))}});
    ASSERT_EQ(session.messages.size(), 3u) << garbage;
    EXPECT_EQ(session.messages[1]["error"]["code"], kParseError) << garbage;
    EXPECT_EQ(session.messages[2]["id"], 2) << garbage;
  }
}

TEST(LspProtocol, LongLaterHeaderLineIsAnError) {
  // A header line after the first one that is over the limit does not end the header block.
  std::string hidden = json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "shutdown"}}.dump();
  std::string pad = "X-Pad: " + std::string(1024 - 7, 'a');
  Session session = RunSession({InitializeFrames(),
                                {"Content-Length: " + std::to_string(hidden.size()) + "\r\n" + pad +
                                     "#" + hidden + "\r\n\r\n",
                                 Frame(Request(3, "shutdown"))}});
  ASSERT_EQ(session.messages.size(), 3u);
  EXPECT_EQ(session.messages[1]["error"],
            ErrorJson(kParseError, "header line longer than 1024 bytes"));
  EXPECT_EQ(session.messages[2]["id"], 3);
}

TEST(LspProtocol, HeaderValueMayMentionContentLength) {
  std::string body = Request(2, "shutdown").dump();
  Session session = RunSession({InitializeFrames(),
                                {"Content-Length: " + std::to_string(body.size()) +
                                 "\r\nX-Note: content-length: ignored\r\n\r\n" + body}});
  ASSERT_EQ(session.messages.size(), 2u);
  EXPECT_EQ(session.messages[1]["id"], 2);
}

TEST(LspProtocol, DisagreeingContentLengthsRejected) {
  // Which length ends the body is unknown, so the frame is reported and skipped.
  std::string body = Request(2, "shutdown").dump();
  Session session = RunSession(
      {InitializeFrames(),
       {"Content-Length: 2\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
        Frame(Request(3, "shutdown"))}});
  ASSERT_EQ(session.messages.size(), 3u);
  EXPECT_EQ(session.messages[1]["error"],
            ErrorJson(kParseError,
                      "two Content-Length headers, `2` and `" + std::to_string(body.size()) + "`"));
  EXPECT_EQ(session.messages[2]["id"], 3);
}

TEST(LspProtocol, MissingFieldsInvalidRequest) {
  Session session = RunSession(
      {InitializeFrames(),
       {Frame({{"jsonrpc", "2.0"}, {"id", 5}}), Frame({{"id", 6}, {"method", "shutdown"}}),
        Frame(json::array({1, 2})),
        Frame(Request(7, "textDocument/hover", {{"textDocument", {{"uri", "file:///a.kf"}}}}))}});
  EXPECT_EQ(session.Response(5)["error"], ErrorJson(kInvalidRequest, "message has no `method`"));
  EXPECT_EQ(session.Response(6)["error"],
            ErrorJson(kInvalidRequest, "message is not a JSON-RPC 2.0 object"));
  EXPECT_EQ(session.messages[3]["id"], nullptr);
  EXPECT_EQ(session.messages[3]["error"]["code"], kInvalidRequest);
  EXPECT_EQ(session.Response(7)["error"],
            ErrorJson(kInvalidParams,
                      "invalid params: [json.exception.out_of_range.403] key 'position' not found"));
}

TEST(LspProtocol, NullParamsTreatedAsAbsent) {
  json shutdown = {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "shutdown"}, {"params", nullptr}};
  json hover = {{"jsonrpc", "2.0"}, {"id", 3}, {"method", "textDocument/hover"}, {"params", nullptr}};
  json exit = {{"jsonrpc", "2.0"}, {"method", "exit"}, {"params", nullptr}};
  Session session = RunSession({InitializeFrames(), Frames({hover, shutdown, exit})});
  // A handler that needs fields still rejects null params, as it rejects an empty object.
  EXPECT_EQ(session.Response(3)["error"],
            ErrorJson(kInvalidParams,
                      "invalid params: [json.exception.out_of_range.403] key 'position' not found"));
  EXPECT_EQ(session.Response(2), (json{{"jsonrpc", "2.0"}, {"id", 2}, {"result", nullptr}}));
  EXPECT_EQ(session.messages.size(), 3u);
  EXPECT_EQ(session.exit_code, 0);  // `exit` was handled after `shutdown`
}

TEST(LspProtocol, HugeContentLengthResyncs) {
  // The length claims 4 GB, but the next message follows at once, and the server responds to it.
  std::string bogus = "Content-Length: 4000000000\r\n\r\n{}";
  Session session = RunSession({InitializeFrames(), {bogus, Frame(Request(2, "shutdown"))}});
  EXPECT_EQ(session.Response(2)["result"], nullptr);
  ASSERT_GE(session.messages.size(), 2u);
  EXPECT_EQ(session.messages[1]["error"]["message"],
            "message of 4000000000 bytes exceeds the limit of 67108864 bytes");
}

TEST(LspProtocol, ParamsOfWrongTypeRejected) {
  json number = {{"jsonrpc", "2.0"}, {"id", 2}, {"method", "shutdown"}, {"params", 5}};
  json array = {{"jsonrpc", "2.0"},
                {"id", 3},
                {"method", "textDocument/hover"},
                {"params", json::array({1})}};
  Session session = RunSession({InitializeFrames(), Frames({number, array})});
  EXPECT_EQ(session.Response(2)["error"],
            ErrorJson(kInvalidRequest, "invalid `method`, `id` or `params`"));
  EXPECT_EQ(session.Response(3)["error"]["code"], kInvalidParams);
}

TEST(LspProtocol, OversizedMessageSkipped) {
  ServerOptions options;
  options.max_message_bytes = 200;
  std::string large = Frame(OpenDocument("file:///a.kf", std::string(300, ' ')));
  Session session = RunSession({InitializeFrames(), {large, Frame(Request(2, "shutdown"))}}, options);
  ASSERT_EQ(session.messages.size(), 3u);
  std::string size = std::to_string(large.size() - large.find("\r\n\r\n") - 4);
  EXPECT_EQ(session.messages[1]["error"],
            ErrorJson(kInvalidRequest,
                      "message of " + size + " bytes exceeds the limit of 200 bytes"));
  EXPECT_EQ(session.Response(2)["result"], nullptr);
  EXPECT_TRUE(session.Published("file:///a.kf").empty());
}

TEST(LspProtocol, CancelledRequestAnswersCancelled) {
  json symbols = Request(2, "textDocument/documentSymbol", {{"textDocument", {{"uri", "file:///a.kf"}}}});
  json later = Request(3, "textDocument/documentSymbol", {{"textDocument", {{"uri", "file:///a.kf"}}}});
  Session session = RunSession({InitializeFrames(),
                         Frames({symbols, Notification("$/cancelRequest", {{"id", 2}}), later}),
                         Frames({Notification("$/cancelRequest", {{"id", 3}})})});
  EXPECT_EQ(session.Response(2)["error"], ErrorJson(kRequestCancelled, "request cancelled"));
  // A cancellation that arrives after the response changes nothing.
  EXPECT_EQ(session.Response(3)["result"], json::array());
}

// ---------------------------------------------------------------------------------------------
// Diagnostics and text synchronization
// ---------------------------------------------------------------------------------------------

constexpr const char* kEchoSource = R"(component echo(message: string) {
  image   = "alpine"
  command = ["echo", message]
}

pipeline p() {
  x = echo(message = "é😀") y = ech(message = "x")
}
)";

constexpr const char* kUnknownEcho = "unknown component `ech`\nhelp: did you mean `echo`";

json UnknownEchoDiagnostic(json range) {
  return {{"range", std::move(range)}, {"severity", 1}, {"code", "E0204"}, {"source", "kfpc"},
          {"message", kUnknownEcho}};
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

TEST(LspDiagnostics, PublishedOnOpenAndClearedWhenFixed) {
  const std::string uri = "file:///work/echo.kf";
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                         Frames({ReplaceText(uri, Replace(kEchoSource, "ech(", "echo("), 2)})});
  std::vector<json> published = session.Published(uri);
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0], (json{{"uri", uri}, {"version", 1},
                                {"diagnostics", {UnknownEchoDiagnostic(RangeJson(6, 32, 6, 35))}}}));
  EXPECT_EQ(published[1], (json{{"uri", uri}, {"version", 2}, {"diagnostics", json::array()}}));
}

TEST(LspDiagnostics, SeveralPipelinesAreNoError) {
  const std::string uri = "file:///work/two.kf";
  std::string two = std::string(kEchoSource) + "pipeline q() {\n  echo(message = \"q\")\n}\n";
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, two)})});
  std::vector<json> published = session.Published(uri);
  ASSERT_EQ(published.size(), 1u);
  // Only the misspelled call: a file may declare several pipelines.
  EXPECT_EQ(published[0]["diagnostics"],
            json::array({UnknownEchoDiagnostic(RangeJson(6, 32, 6, 35))}));
}

// Input from a client that sends one message every `interval`: each message becomes readable
// only `interval` after the one before it, so the server reads them one at a time.
class PacedInput : public std::streambuf {
 public:
  PacedInput(std::vector<std::string> messages, std::chrono::milliseconds interval)
      : messages_(std::move(messages)), interval_(interval) {}

 protected:
  int_type underflow() override {
    if (next_ == messages_.size()) return traits_type::eof();
    std::this_thread::sleep_until(last_ + interval_);
    last_ = std::chrono::steady_clock::now();
    std::string& message = messages_[next_++];
    setg(message.data(), message.data(), message.data() + message.size());
    return traits_type::to_int_type(*gptr());
  }
  std::streamsize showmanyc() override {
    bool arrived =
        next_ < messages_.size() && std::chrono::steady_clock::now() >= last_ + interval_;
    return arrived ? 1 : 0;
  }

 private:
  std::vector<std::string> messages_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  size_t next_ = 0;
};

TEST(LspDiagnostics, SteadyRequestsDoNotHoldBackDiagnostics) {
  // A hover every 2 ms, as on mouse moves, kept the server waiting for a pause in the input
  // before it published the diagnostics of the edit.
  const std::string uri = "file:///work/echo.kf";
  std::vector<std::string> messages = InitializeFrames();
  messages.push_back(Frame(OpenDocument(uri, kEchoSource)));
  constexpr int kHovers = 200;
  for (int id = 2; id < 2 + kHovers; ++id) {
    messages.push_back(Frame(Request(id, "textDocument/hover", PositionParams(uri, 6, 4))));
  }
  PacedInput input(messages, std::chrono::milliseconds(2));
  std::istream in(&input);
  std::ostringstream out, log;
  ServerOptions options;
  options.debounce = std::chrono::milliseconds(5);
  Server(out, log, options).Run(in);

  std::istringstream written(out.str());
  MessageReader reader(written, size_t{1} << 30);
  std::string body, error;
  int hovers_before = -1;
  int hovers = 0;
  while (reader.Read(&body, &error) == ReadStatus::kMessage) {
    json message = json::parse(body);
    if (message.value("method", "") == "textDocument/publishDiagnostics" && hovers_before < 0) {
      hovers_before = hovers;
    }
    if (message.contains("id") && message["id"].is_number() && message["id"] >= 2) ++hovers;
  }
  EXPECT_EQ(hovers, kHovers);
  // The limit is 25 ms, about 12 hovers; 100 hovers take at least 200 ms.
  EXPECT_GE(hovers_before, 0) << "no diagnostics were published";
  EXPECT_LT(hovers_before, kHovers / 2);
}

TEST(LspDiagnostics, Utf8PositionsWhenNegotiated) {
  const std::string uri = "file:///work/echo.kf";
  json capabilities = {{"general", {{"positionEncodings", {"utf-8"}}}}};
  Session session = RunSession({InitializeFrames(capabilities), Frames({OpenDocument(uri, kEchoSource)})});
  std::vector<json> published = session.Published(uri);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0]["diagnostics"],
            json::array({UnknownEchoDiagnostic(RangeJson(6, 35, 6, 38))}));
}

TEST(LspDiagnostics, IncrementalEditsCountUtf16) {
  const std::string uri = "file:///work/echo.kf";
  auto edit = [&](json range, const std::string& text, int version) {
    return Notification("textDocument/didChange",
                        {{"textDocument", {{"uri", uri}, {"version", version}}},
                         {"contentChanges", {{{"range", range}, {"text", text}}}}});
  };
  // "é😀" is UTF-16 characters 22 to 25 of line 6; replacing it with "ab" moves `ech` one
  // character left. Then `ech` is replaced by `echo`.
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                         Frames({edit(RangeJson(6, 22, 6, 25), "ab", 2)}),
                         Frames({edit(RangeJson(6, 31, 6, 34), "echo", 3)})});
  std::vector<json> published = session.Published(uri);
  ASSERT_EQ(published.size(), 3u);
  EXPECT_EQ(published[1]["diagnostics"],
            json::array({UnknownEchoDiagnostic(RangeJson(6, 31, 6, 34))}));
  EXPECT_EQ(published[2]["diagnostics"], json::array());
  EXPECT_EQ(published[2]["version"], 3);
}

TEST(LspDiagnostics, BurstOfChangesCheckedOnce) {
  const std::string uri = "file:///work/echo.kf";
  std::string fixed = Replace(kEchoSource, "ech(", "echo(");
  Session session = RunSession({InitializeFrames(),
                         Frames({OpenDocument(uri, kEchoSource), ReplaceText(uri, "pipeline (", 2),
                                 ReplaceText(uri, fixed, 3)})});
  std::vector<json> published = session.Published(uri);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0], (json{{"uri", uri}, {"version", 3}, {"diagnostics", json::array()}}));
}

TEST(LspDiagnostics, SaveRechecksAndCloseClears) {
  const std::string uri = "file:///work/echo.kf";
  json save = Notification("textDocument/didSave", {{"textDocument", {{"uri", uri}}}});
  json close = Notification("textDocument/didClose", {{"textDocument", {{"uri", uri}}}});
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                         Frames({save}), Frames({close})});
  std::vector<json> published = session.Published(uri);
  ASSERT_EQ(published.size(), 3u);
  EXPECT_EQ(published[1]["diagnostics"], published[0]["diagnostics"]);
  EXPECT_EQ(published[1]["diagnostics"].size(), 1u);
  EXPECT_EQ(published[2], (json{{"uri", uri}, {"diagnostics", json::array()}}));
}

TEST(LspDiagnostics, LabelsBecomeRelatedInformation) {
  const std::string uri = "file:///work/twice.kf";
  std::string text = "component a() {\n  image = \"x\"\n}\ncomponent a() {\n  image = \"y\"\n}\n";
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, text)})});
  std::vector<json> published = session.Published(uri);
  ASSERT_EQ(published.size(), 1u);
  ASSERT_EQ(published[0]["diagnostics"].size(), 1u);
  json diagnostic = published[0]["diagnostics"][0];
  EXPECT_EQ(diagnostic["code"], "E0202");
  EXPECT_EQ(diagnostic["range"], RangeJson(3, 10, 3, 11));
  EXPECT_EQ(diagnostic["message"], "`a` is declared twice\nhelp: rename one of the declarations");
  EXPECT_EQ(diagnostic["relatedInformation"],
            (json{{{"location", {{"uri", uri}, {"range", RangeJson(0, 10, 0, 11)}}},
                   {"message", "first declared here"}}}));
}

// ---------------------------------------------------------------------------------------------
// Code actions
// ---------------------------------------------------------------------------------------------

json CodeActionParams(const std::string& uri, json range, json context) {
  return {{"textDocument", {{"uri", uri}}}, {"range", std::move(range)},
          {"context", std::move(context)}};
}

// The quick fix for `ech` in kEchoSource, at `range` in the negotiated encoding.
json ReplaceEchAction(const std::string& uri, json range) {
  return {{"title", "replace with `echo`"},
          {"kind", "quickfix"},
          {"diagnostics", {UnknownEchoDiagnostic(range)}},
          {"isPreferred", true},
          {"edit", {{"changes", {{uri, {{{"range", range}, {"newText", "echo"}}}}}}}}};
}

TEST(LspCodeActions, FixForContextDiagnostic) {
  // "é😀" before `ech` is two UTF-8 characters of 2 and 4 bytes but 3 UTF-16 code units, so the
  // edit starts at UTF-16 character 32, not at byte column 35.
  const std::string uri = "file:///work/echo.kf";
  json diagnostic = UnknownEchoDiagnostic(RangeJson(6, 32, 6, 35));
  json params = CodeActionParams(uri, RangeJson(6, 32, 6, 35), {{"diagnostics", {diagnostic}}});
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                                Frames({Request(2, "textDocument/codeAction", params)})});
  EXPECT_EQ(session.Response(2)["result"],
            json::array({ReplaceEchAction(uri, RangeJson(6, 32, 6, 35))}));
}

TEST(LspCodeActions, ContextRangeInBytesMatchedByMessage) {
  // neovim 0.7.2 sends the diagnostic back with byte columns (35 to 38) while the request range
  // is in UTF-16 (the cursor at 32): the code and message still identify the diagnostic.
  const std::string uri = "file:///work/echo.kf";
  json sent = UnknownEchoDiagnostic(RangeJson(6, 35, 6, 38));
  json params = CodeActionParams(uri, RangeJson(6, 32, 6, 32), {{"diagnostics", {sent}}});
  json far = CodeActionParams(uri, RangeJson(0, 0, 0, 0), {{"diagnostics", {sent}}});
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                                Frames({Request(2, "textDocument/codeAction", params),
                                        Request(3, "textDocument/codeAction", far)})});
  EXPECT_EQ(session.Response(2)["result"],
            json::array({ReplaceEchAction(uri, RangeJson(6, 32, 6, 35))}));
  EXPECT_EQ(session.Response(3)["result"], json::array());
}

TEST(LspCodeActions, CursorWithoutContextDiagnostics) {
  const std::string uri = "file:///work/echo.kf";
  json at_cursor = CodeActionParams(uri, RangeJson(6, 33, 6, 33), {{"diagnostics", json::array()}});
  json elsewhere = CodeActionParams(uri, RangeJson(0, 0, 0, 4), {{"diagnostics", json::array()}});
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                                Frames({Request(2, "textDocument/codeAction", at_cursor),
                                        Request(3, "textDocument/codeAction", elsewhere)})});
  EXPECT_EQ(session.Response(2)["result"],
            json::array({ReplaceEchAction(uri, RangeJson(6, 32, 6, 35))}));
  EXPECT_EQ(session.Response(3)["result"], json::array());
}

TEST(LspCodeActions, Utf8RangesWhenNegotiated) {
  const std::string uri = "file:///work/echo.kf";
  json capabilities = {{"general", {{"positionEncodings", {"utf-8"}}}}};
  json params = CodeActionParams(uri, RangeJson(6, 36, 6, 36), json::object());
  Session session = RunSession({InitializeFrames(capabilities),
                                Frames({OpenDocument(uri, kEchoSource)}),
                                Frames({Request(2, "textDocument/codeAction", params)})});
  EXPECT_EQ(session.Response(2)["result"],
            json::array({ReplaceEchAction(uri, RangeJson(6, 35, 6, 38))}));
}

TEST(LspCodeActions, AppliedEditClearsDiagnostic) {
  const std::string uri = "file:///work/echo.kf";
  json params = CodeActionParams(uri, RangeJson(6, 33, 6, 33), json::object());
  Session first = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                              Frames({Request(2, "textDocument/codeAction", params)})});
  json edit = first.Response(2)["result"][0]["edit"]["changes"][uri][0];
  json change = Notification("textDocument/didChange",
                             {{"textDocument", {{"uri", uri}, {"version", 2}}},
                              {"contentChanges", {{{"range", edit["range"]},
                                                   {"text", edit["newText"]}}}}});
  Session second = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                               Frames({change})});
  std::vector<json> published = second.Published(uri);
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0]["diagnostics"].size(), 1u);
  EXPECT_EQ(published[1], (json{{"uri", uri}, {"version", 2}, {"diagnostics", json::array()}}));
}

TEST(LspCodeActions, NoneForDiagnosticWithoutFix) {
  const std::string uri = "file:///work/twice.kf";
  std::string text = "component a() {\n  image = \"x\"\n}\ncomponent a() {\n  image = \"y\"\n}\n";
  json params = CodeActionParams(uri, RangeJson(3, 10, 3, 11), json::object());
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, text)}),
                                Frames({Request(2, "textDocument/codeAction", params)})});
  ASSERT_EQ(session.Published(uri).size(), 1u);
  EXPECT_EQ(session.Published(uri)[0]["diagnostics"].size(), 1u);
  EXPECT_EQ(session.Response(2)["result"], json::array());
}

TEST(LspCodeActions, OnlyOtherKindsReturnsNone) {
  const std::string uri = "file:///work/echo.kf";
  json params = CodeActionParams(uri, RangeJson(6, 33, 6, 33), {{"only", {"refactor"}}});
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, kEchoSource)}),
                                Frames({Request(2, "textDocument/codeAction", params)})});
  EXPECT_EQ(session.Response(2)["result"], json::array());
}

TEST(LspCodeActions, QuotedValueAndMapKeyFixes) {
  // An enum value keeps its quotes, and a bare map key gets them.
  const std::string uri = "file:///work/fixes.kf";
  std::string text = R"(component c(m: dict) {
  image = "alpine"
  command = ["run", m]
}

pipeline p() {
  c(m = {name: 1}) {
    image_pull_policy = "Allways"
  }
}
)";
  json params = CodeActionParams(uri, RangeJson(0, 0, 10, 0), json::object());
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, text)}),
                                Frames({Request(2, "textDocument/codeAction", params)})});
  json actions = session.Response(2)["result"];
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0]["title"], "quote `name`");
  EXPECT_EQ(actions[0]["edit"]["changes"][uri],
            (json{{{"range", RangeJson(6, 9, 6, 13)}, {"newText", "\"name\""}}}));
  EXPECT_EQ(actions[1]["title"], "replace with `Always`");
  EXPECT_EQ(actions[1]["edit"]["changes"][uri],
            (json{{{"range", RangeJson(7, 24, 7, 33)}, {"newText", "\"Always\""}}}));
}

TEST(LspCodeActions, CommandNumberAndPlaceholderFixes) {
  // A number in `command` gets quotes, and a misspelt name inside a string is replaced in place.
  const std::string uri = "file:///work/command.kf";
  std::string text = R"(component c(msg: string) {
  image = "alpine"
  command = ["echo", 10, "{mgs}", msg]
}
)";
  json params = CodeActionParams(uri, RangeJson(2, 0, 2, 40), json::object());
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, text)}),
                                Frames({Request(2, "textDocument/codeAction", params)})});
  json actions = session.Response(2)["result"];
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0]["title"], "quote `10`");
  EXPECT_EQ(actions[0]["edit"]["changes"][uri],
            (json{{{"range", RangeJson(2, 21, 2, 23)}, {"newText", "\"10\""}}}));
  EXPECT_EQ(actions[1]["title"], "replace with `msg`");
  EXPECT_EQ(actions[1]["edit"]["changes"][uri],
            (json{{{"range", RangeJson(2, 27, 2, 30)}, {"newText", "msg"}}}));
}

// A project on disk: main.kf is opened from memory and imports lib.kf from the disk.
class LspProject : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("kfpc_lsp_" + std::to_string(::getpid()) + "_" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(directory_);
    WriteFile("lib.kf", kLibSource);
    main_uri_ = PathToUri((directory_ / "main.kf").string());
    lib_uri_ = PathToUri((directory_ / "lib.kf").string());
  }

  void TearDown() override { std::filesystem::remove_all(directory_); }

  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(directory_ / name) << text;
  }

  // Opens main.kf and sends `request` in the next batch; returns that request's result.
  json Ask(const std::string& method, int line, int character) {
    Session session = RunSession({InitializeFrames(), Frames({OpenDocument(main_uri_, kMainSource)}),
                           Frames({Request(2, method, PositionParams(main_uri_, line, character))})});
    return session.Response(2)["result"];
  }

  static constexpr const char* kLibSource = R"(/// Trains a model.
component train(
  /// Training data.
  data: Dataset,
  epochs: int = 10,
) -> (model: Model, accuracy: float) {
  image   = "python:3.11"
  command = ["train", data.path, epochs, model.path, accuracy.path]
}
)";

  static constexpr const char* kMainSource = R"(import "lib.kf"

artifact Tabular {
  schema_title = "acme.Tabular"
}

/// Loads rows.
component load(rows: int) -> (table: Dataset, stats: Tabular) {
  image   = "alpine"
  command = ["load", rows, table.path, stats.path]
}

pipeline training(rows: int = 5) {
  loaded = load(rows = rows)
  trained = train(data = loaded.table, epochs = 3)
}
)";

  std::filesystem::path directory_;
  std::string main_uri_;
  std::string lib_uri_;
};

TEST_F(LspProject, ImportedFileDiagnosticsPublished) {
  WriteFile("lib.kf", Replace(kLibSource, "data: Dataset", "data: Datset"));
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(main_uri_, kMainSource)})});
  ASSERT_EQ(session.Published(main_uri_).size(), 1u);
  EXPECT_EQ(session.Published(main_uri_)[0]["diagnostics"], json::array());
  std::vector<json> lib = session.Published(lib_uri_);
  ASSERT_EQ(lib.size(), 1u);
  EXPECT_EQ(lib[0], (json{{"uri", lib_uri_},
                          {"diagnostics",
                           {{{"range", RangeJson(3, 8, 3, 14)},
                             {"severity", 1},
                             {"code", "E0203"},
                             {"source", "kfpc"},
                             {"message", "unknown type `Datset`\nhelp: did you mean `Dataset`"}}}}}));
}

TEST_F(LspProject, OpenBufferServedToImporters) {
  // The edited lib.kf buffer, not the file on disk, is what main.kf imports.
  std::string broken_lib = Replace(kLibSource, "component train(", "component trian(");
  Session session = RunSession({InitializeFrames(),
                         Frames({OpenDocument(lib_uri_, kLibSource),
                                 OpenDocument(main_uri_, kMainSource)}),
                         Frames({ReplaceText(lib_uri_, broken_lib, 2)})});
  std::vector<json> published = session.Published(main_uri_);
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0]["diagnostics"], json::array());
  ASSERT_EQ(published[1]["diagnostics"].size(), 1u);
  EXPECT_EQ(published[1]["diagnostics"][0]["code"], "E0204");
  EXPECT_EQ(published[1]["diagnostics"][0]["range"], RangeJson(14, 12, 14, 17));
}

TEST_F(LspProject, OpenImportedFileMergesDiagnostics) {
  // lib.kf alone: an unknown type and a wrong argument type. Through main.kf, which declares
  // `train` again, `train` in lib.kf means main's component, so its arguments are wrong otherwise.
  const std::string lib = R"(component train(data: string) {
  image   = "python:3.11"
  command = ["train", data]
}
component other(x: Strin) {
  image   = "python:3.11"
  command = ["echo", x]
}
pipeline inner() {
  train(data = 1)
}
)";
  const std::string main = R"(import "lib.kf"
component train(x: string) {
  image   = "python:3.11"
  command = ["train", x]
}
pipeline p() {
  train(x = "a")
}
)";
  WriteFile("lib.kf", lib);
  WriteFile("main.kf", main);
  json close_main = Notification("textDocument/didClose", {{"textDocument", {{"uri", main_uri_}}}});
  json close_lib = Notification("textDocument/didClose", {{"textDocument", {{"uri", lib_uri_}}}});
  auto has = [](const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  auto messages = [](const json& diagnostics) {
    std::vector<std::string> result;
    for (const json& d : diagnostics) result.push_back(d["message"].get<std::string>());
    return result;
  };
  std::vector<std::string> own =
      messages(RunSession({InitializeFrames(), Frames({OpenDocument(lib_uri_, lib)})})
                   .Published(lib_uri_)
                   .back()["diagnostics"]);
  std::vector<std::string> through_main =
      messages(RunSession({InitializeFrames(), Frames({OpenDocument(main_uri_, main)})})
                   .Published(lib_uri_)
                   .back()["diagnostics"]);
  ASSERT_EQ(own.size(), 2u);
  // The unknown type is in both; the argument errors differ.
  EXPECT_TRUE(has(through_main, own[0])) << own[0];
  EXPECT_FALSE(has(through_main, own[1])) << own[1];
  std::vector<std::string> both = own;
  for (const std::string& message : through_main) {
    if (!has(own, message)) both.push_back(message);
  }
  ASSERT_GT(both.size(), own.size());

  // With both open, in either order, lib.kf shows each diagnostic once, its own first.
  for (bool lib_first : {true, false}) {
    std::vector<std::string> frames = Frames({OpenDocument(lib_uri_, lib)});
    std::vector<std::string> main_frames = Frames({OpenDocument(main_uri_, main)});
    Session session = RunSession(
        lib_first ? std::vector<std::vector<std::string>>{InitializeFrames(), frames, main_frames}
                  : std::vector<std::vector<std::string>>{InitializeFrames(), main_frames, frames});
    json last = session.Published(lib_uri_).back();
    EXPECT_EQ(messages(last["diagnostics"]), both) << lib_first;
    EXPECT_EQ(last["version"], 1) << lib_first;
  }
  // Closing one of the two leaves what the other found.
  Session closing_main =
      RunSession({InitializeFrames(), Frames({OpenDocument(lib_uri_, lib)}),
                  Frames({OpenDocument(main_uri_, main)}), Frames({close_main})});
  EXPECT_EQ(messages(closing_main.Published(lib_uri_).back()["diagnostics"]), own);
  EXPECT_EQ(closing_main.Published(main_uri_).back()["diagnostics"], json::array());
  Session closing_lib = RunSession({InitializeFrames(), Frames({OpenDocument(lib_uri_, lib)}),
                                    Frames({OpenDocument(main_uri_, main)}), Frames({close_lib})});
  json after_close = closing_lib.Published(lib_uri_).back();
  EXPECT_EQ(messages(after_close["diagnostics"]), through_main);
  EXPECT_FALSE(after_close.contains("version"));
}

TEST_F(LspProject, OneUriPerFileWhateverTheClientSpelling) {
  // kfpc spells `$` and `+` as `%24` and `%2B`; a client may keep them. Every list for the
  // imported file goes under the client's spelling once the client opened it, and none under
  // kfpc's spelling then, which the client would take for the same file.
  std::filesystem::create_directories(directory_ / "lib$x+");
  const std::string bad = "component echo(m: string) {\n  image = \"Alpine\"\n  command = [m]\n}\n";
  WriteFile("lib$x+/text.kf", bad);
  const std::string main = "import \"lib$x+/text.kf\"\n\npipeline p() {\n  echo(m = \"a\")\n}\n";
  WriteFile("main.kf", main);
  std::string kfpc_uri = PathToUri((directory_ / "lib$x+" / "text.kf").string());
  std::string client_uri = Replace(Replace(kfpc_uri, "%24", "$"), "%2B", "+");
  ASSERT_NE(kfpc_uri, client_uri);
  json close_lib = Notification("textDocument/didClose", {{"textDocument", {{"uri", client_uri}}}});
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(main_uri_, main)}),
                                Frames({OpenDocument(client_uri, bad)}), Frames({close_lib})});
  // Before the client opens the file, kfpc's spelling; after, only the client's.
  std::vector<std::string> uris;
  for (const json& message : session.messages) {
    if (message.value("method", "") != "textDocument/publishDiagnostics") continue;
    std::string uri = message["params"]["uri"];
    if (uri != main_uri_) uris.push_back(uri);
    if (uri == main_uri_) continue;
    EXPECT_FALSE(message["params"]["diagnostics"].empty()) << message.dump();
  }
  ASSERT_FALSE(uris.empty());
  EXPECT_EQ(uris.front(), kfpc_uri);
  EXPECT_EQ(uris.back(), client_uri);
  auto first_client = std::find(uris.begin(), uris.end(), client_uri);
  EXPECT_EQ(std::find(first_client, uris.end(), kfpc_uri), uris.end());
}

TEST_F(LspProject, OpenBufferServedThroughSymbolicLink) {
  // main.kf is open through the link `link`, and the imported file under its real path: the
  // importer reads the buffer, in which `echo` is renamed, not the file on disk.
  std::filesystem::create_directories(directory_ / "real" / "lib");
  std::filesystem::create_directory_symlink(directory_ / "real", directory_ / "link");
  const std::string lib = "component echo(m: string) {\n  image = \"alpine\"\n  command = [m]\n}\n";
  std::ofstream(directory_ / "real" / "lib" / "text.kf") << lib;
  const std::string main = "import \"lib/text.kf\"\n\npipeline p() {\n  echo(m = \"a\")\n}\n";
  std::ofstream(directory_ / "real" / "main.kf") << main;
  std::string main_uri = PathToUri((directory_ / "link" / "main.kf").string());
  std::string lib_uri = PathToUri((directory_ / "real" / "lib" / "text.kf").string());
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(main_uri, main)}),
                                Frames({OpenDocument(lib_uri, Replace(lib, "echo(", "shout("))})});
  std::vector<json> published = session.Published(main_uri);
  ASSERT_FALSE(published.empty());
  EXPECT_EQ(published.front()["diagnostics"], json::array());
  ASSERT_EQ(published.back()["diagnostics"].size(), 1u) << published.back().dump();
  EXPECT_NE(published.back()["diagnostics"][0]["message"].get<std::string>().find(
                "unknown component `echo`"),
            std::string::npos)
      << published.back().dump();
}

TEST_F(LspProject, EditedImportedFileNeverShowsOldFindings) {
  // main.kf imports lib.kf; both are open. After each edit of lib.kf, every list sent for it
  // comes from checks of the new text: none shows the error that the edit removed.
  const std::string main = "import \"lib.kf\"\n";
  auto lib = [](const std::string& type) {
    return "component b(y: " + type + ") {\n  image = \"alpine\"\n  command = [\"b\", y]\n}\n";
  };
  WriteFile("lib.kf", lib("nosuchtype"));
  WriteFile("main.kf", main);
  Session session = RunSession(
      {InitializeFrames(),
       Frames({OpenDocument(main_uri_, main), OpenDocument(lib_uri_, lib("nosuchtype"))}),
       Frames({ReplaceText(lib_uri_, lib("othertype"), 2)}),
       Frames({ReplaceText(lib_uri_, lib("string"), 3)})});
  int after_edits = 0;
  for (const json& published : session.Published(lib_uri_)) {
    int version = published.value("version", 0);
    if (version < 2) continue;
    ++after_edits;
    std::string text = published["diagnostics"].dump();
    EXPECT_EQ(text.find("nosuchtype"), std::string::npos) << version << ": " << text;
    if (version == 3) {
      EXPECT_EQ(published["diagnostics"], json::array()) << text;
    }
  }
  EXPECT_GE(after_edits, 2);
  EXPECT_EQ(session.Published(lib_uri_).back()["diagnostics"], json::array());
}

TEST_F(LspProject, OpeningFixedImportedFileDropsDiskFindings) {
  // lib.kf has an error on disk, which main.kf's check finds. Opening lib.kf with the error fixed
  // checks main.kf again, so no list sent for lib.kf after the open shows the error.
  const std::string main = "import \"lib.kf\"\n";
  auto lib = [](const std::string& type) {
    return "component b(y: " + type + ") {\n  image = \"alpine\"\n  command = [\"b\", y]\n}\n";
  };
  WriteFile("lib.kf", lib("nosuchtype"));
  WriteFile("main.kf", main);
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(main_uri_, main)}),
                                Frames({OpenDocument(lib_uri_, lib("string"), 7)})});
  std::vector<json> published = session.Published(lib_uri_);
  ASSERT_GE(published.size(), 2u);
  EXPECT_NE(published[0]["diagnostics"].dump().find("nosuchtype"), std::string::npos);
  for (size_t i = 1; i < published.size(); ++i) {
    EXPECT_EQ(published[i]["diagnostics"], json::array()) << i;
    EXPECT_EQ(published[i]["version"], 7) << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Hover, definition, completion, document symbols
// ---------------------------------------------------------------------------------------------

json Markdown(const std::string& value, json range) {
  return {{"contents", {{"kind", "markdown"}, {"value", value}}}, {"range", std::move(range)}};
}

TEST_F(LspProject, HoverComponentShowsSignature) {
  EXPECT_EQ(Ask("textDocument/hover", 14, 14),
            Markdown("```kf\ncomponent train(data: Dataset, epochs: int = 10) -> "
                     "(model: Model, accuracy: float)\n```\n\nTrains a model.",
                     RangeJson(14, 12, 14, 17)));
}

TEST_F(LspProject, HoverInputShowsType) {
  EXPECT_EQ(Ask("textDocument/hover", 13, 25),
            Markdown("```kf\n(input) rows: int = 5\n```\n\nInput of pipeline `training`.",
                     RangeJson(13, 23, 13, 27)));
  EXPECT_EQ(Ask("textDocument/hover", 14, 18),
            Markdown("```kf\n(input) data: Dataset\n```\n\nInput of component `train`.\n\n"
                     "Training data.",
                     RangeJson(14, 18, 14, 22)));
}

TEST_F(LspProject, HoverTaskShowsComponentAndOutputs) {
  EXPECT_EQ(Ask("textDocument/hover", 14, 4),
            Markdown("```kf\n(task) trained = train(...) -> (model: Model, accuracy: float)\n"
                     "```\n\nCalls component `train`.",
                     RangeJson(14, 2, 14, 9)));
}

TEST_F(LspProject, HoverArtifactAndBuiltinTypes) {
  EXPECT_EQ(Ask("textDocument/hover", 7, 55),
            Markdown("```kf\nartifact Tabular\n```\n\nSchema `acme.Tabular`, version `0.0.1`.",
                     RangeJson(7, 53, 7, 60)));
  EXPECT_EQ(Ask("textDocument/hover", 7, 40),
            Markdown("```kf\nDataset\n```\n\nBuilt-in artifact type `system.Dataset`.",
                     RangeJson(7, 37, 7, 44)));
  EXPECT_EQ(Ask("textDocument/hover", 1, 0), nullptr);
}

json Location(const std::string& uri, json range) {
  return {{"uri", uri}, {"range", std::move(range)}};
}

TEST_F(LspProject, DefinitionInImportedFile) {
  EXPECT_EQ(Ask("textDocument/definition", 14, 14), Location(lib_uri_, RangeJson(1, 10, 1, 15)));
  // An argument name goes to the input it sets.
  EXPECT_EQ(Ask("textDocument/definition", 14, 19), Location(lib_uri_, RangeJson(3, 2, 3, 6)));
}

TEST_F(LspProject, DefinitionOfImportPathIsFile) {
  EXPECT_EQ(Ask("textDocument/definition", 0, 10), Location(lib_uri_, RangeJson(0, 0, 0, 0)));
}

TEST_F(LspProject, DefinitionThroughSymlinkedDirectory) {
  // `linked/lib.kf` is lib.kf seen through a link; the definition names the file that was
  // loaded, wherever the import's spelling points.
  std::filesystem::create_directory_symlink(directory_, directory_ / "linked");
  WriteFile("main.kf", Replace(kMainSource, "import \"lib.kf\"", "import \"linked/lib.kf\""));
  Session session = RunSession(
      {InitializeFrames(),
       Frames({OpenDocument(main_uri_, Replace(kMainSource, "import \"lib.kf\"",
                                               "import \"linked/lib.kf\""))}),
       Frames({Request(2, "textDocument/definition", PositionParams(main_uri_, 0, 10))})});
  ASSERT_EQ(session.Published(main_uri_).size(), 1u);
  EXPECT_EQ(session.Published(main_uri_)[0]["diagnostics"], json::array());
  json result = session.Response(2)["result"];
  ASSERT_TRUE(result.is_object()) << result.dump();
  EXPECT_EQ(result["range"], RangeJson(0, 0, 0, 0));
  std::string uri = result["uri"].get<std::string>();
  EXPECT_NE(uri.find("lib.kf"), std::string::npos) << uri;
}

TEST_F(LspProject, ImportDirectoriesOfProjectConfigAllowed) {
  // main.kf lives in project/, which has its own root and a kfpc.yaml that allows ../shared.
  std::filesystem::create_directories(directory_ / "project" / ".git");
  std::filesystem::create_directories(directory_ / "shared");
  std::filesystem::rename(directory_ / "lib.kf", directory_ / "shared" / "lib.kf");
  std::string main_source = Replace(kMainSource, "import \"lib.kf\"", "import \"../shared/lib.kf\"");
  std::string uri = PathToUri((directory_ / "project" / "main.kf").string());
  auto codes = [&] {
    Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri, main_source)})});
    std::vector<std::string> found;
    std::vector<json> published = session.Published(uri);
    if (published.empty()) return std::vector<std::string>{"nothing published"};
    for (const json& diagnostic : published[0]["diagnostics"]) {
      found.push_back(diagnostic["code"].get<std::string>());
    }
    return found;
  };
  // Without the config the import is rejected; the names it would declare are not reported.
  EXPECT_EQ(codes(), std::vector<std::string>{"E0801"});
  WriteFile("project/kfpc.yaml", "version: 1\nimport_directories: [../shared]\n");
  EXPECT_EQ(codes(), std::vector<std::string>{});
}

TEST_F(LspProject, DefinitionOfLocalNames) {
  // The artifact type in an output type.
  EXPECT_EQ(Ask("textDocument/definition", 7, 55), Location(main_uri_, RangeJson(2, 9, 2, 16)));
  // A pipeline input used as a value.
  EXPECT_EQ(Ask("textDocument/definition", 13, 24), Location(main_uri_, RangeJson(12, 18, 12, 22)));
  // A task binding and its output: `loaded.table`.
  EXPECT_EQ(Ask("textDocument/definition", 14, 27), Location(main_uri_, RangeJson(13, 2, 13, 8)));
  EXPECT_EQ(Ask("textDocument/definition", 14, 34), Location(main_uri_, RangeJson(7, 30, 7, 35)));
  EXPECT_EQ(Ask("textDocument/definition", 3, 3), nullptr);
}

std::vector<std::string> Labels(const json& completion) {
  std::vector<std::string> labels;
  for (const json& item : completion["items"]) labels.push_back(item["label"]);
  return labels;
}

TEST_F(LspProject, CompletionAtStatementStart) {
  json completion = Ask("textDocument/completion", 14, 2);
  EXPECT_EQ(completion["isIncomplete"], false);
  EXPECT_EQ(
      Labels(completion),
      (std::vector<std::string>{"load", "train", "return", "if", "for", "try", "description",
                                "display_name", "pipeline_root", "target", "workspace", "name"}));
  EXPECT_EQ(completion["items"][1],
            (json{{"label", "train"},
                  {"kind", 3},
                  {"detail", "component train(data: Dataset, epochs: int = 10) -> "
                             "(model: Model, accuracy: float)"},
                  {"documentation", "Trains a model."}}));
}

TEST_F(LspProject, CompletionOfArgumentNames) {
  json completion = Ask("textDocument/completion", 14, 18);
  EXPECT_EQ(completion["items"],
            (json{{{"label", "data"}, {"kind", 6}, {"detail", "data: Dataset"},
                   {"insertText", "data = "}, {"documentation", "Training data."}},
                  {{"label", "epochs"}, {"kind", 6}, {"detail", "epochs: int = 10"},
                   {"insertText", "epochs = "}}}));
  // `data` is given before `epochs`, so only `epochs` is left.
  EXPECT_EQ(Labels(Ask("textDocument/completion", 14, 39)), std::vector<std::string>{"epochs"});
}

TEST_F(LspProject, CompletionOfTaskOutputs) {
  json completion = Ask("textDocument/completion", 14, 32);
  EXPECT_EQ(completion["items"], (json{{{"label", "table"}, {"kind", 5}, {"detail", "Dataset"}},
                                       {{"label", "stats"}, {"kind", 5}, {"detail", "Tabular"}}}));
}

// Found with inputs longer than the fuzzer's -max_len: the std::regex matchers of completion
// recursed once per character and overflowed the stack on a line of 100,000 characters.
TEST(LspCompletion, LongLinesDoNotOverflowStack) {
  const std::string uri = "file:///work/long.kf";
  // Names are at most 256 bytes long (E0810), so the long runs are spaces and a string.
  const std::string spaces(100000, ' ');
  const std::string text(100000, 'a');
  const std::string header =
      "component c(x: string, y: string) {\n  image = \"a\"\n}\npipeline p() {\n";
  struct Case {
    std::string line;
    std::vector<std::string> labels;
  };
  const std::vector<Case> cases = {
      // `NAME = ` starts a binding, so components are offered.
      {"  t" + spaces + " = ", {"c"}},
      // `x = "...", ` in a call: `x` is given, `y` is left.
      {"  c(x = \"" + text + "\", ", {"y"}},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.line.substr(0, 20));
    Session session = RunSession(
        {InitializeFrames(),
         Frames({OpenDocument(uri, header + test.line),
                 Request(2, "textDocument/completion",
                         PositionParams(uri, 4, static_cast<int>(test.line.size())))})});
    std::vector<std::string> labels = Labels(session.Response(2)["result"]);
    for (const std::string& label : test.labels) {
      EXPECT_NE(std::find(labels.begin(), labels.end(), label), labels.end()) << label;
    }
  }
}

TEST_F(LspProject, CompletionOfTypesAndKeywords) {
  std::vector<std::string> types = Labels(Ask("textDocument/completion", 7, 21));
  EXPECT_EQ(types, (std::vector<std::string>{
                       "string", "int", "float", "bool", "list", "dict", "PipelineTaskFinalStatus",
                       "Artifact", "Dataset", "Model", "Metrics", "ClassificationMetrics",
                       "SlicedClassificationMetrics", "HTML", "Markdown", "Tabular"}));
  EXPECT_EQ(Labels(Ask("textDocument/completion", 11, 0)),
            (std::vector<std::string>{"import", "artifact", "component", "pipeline"}));
  // Nothing inside a string or a comment.
  EXPECT_EQ(Labels(Ask("textDocument/completion", 3, 20)), std::vector<std::string>{});
}

// Returns the completion at the `|` in `marked`, which is a `.kf` document with one `|` in it.
// Sends `method` at the `|` of `marked`, in a document without the `|`, and returns the result.
// With `line_end`, each LF of the document is sent as that line end; the position stays the same.
json RequestAt(const std::string& method, const std::string& marked,
               const std::string& line_end = "\n") {
  const std::string uri = "file:///work/complete.kf";
  size_t cursor = marked.find('|');
  EXPECT_NE(cursor, std::string::npos) << "no `|` in the document";
  std::string text;
  for (char c : marked.substr(0, cursor) + marked.substr(cursor + 1)) {
    text += c == '\n' ? line_end : std::string(1, c);
  }
  size_t line_start = marked.rfind('\n', cursor);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  int line = static_cast<int>(std::count(marked.begin(), marked.begin() + cursor, '\n'));
  Session session = RunSession(
      {InitializeFrames(),
       Frames({OpenDocument(uri, text),
               Request(2, method,
                       PositionParams(uri, line, static_cast<int>(cursor - line_start)))})});
  return session.Response(2)["result"];
}

json CompleteAt(const std::string& marked) { return RequestAt("textDocument/completion", marked); }

bool Offers(const std::vector<std::string>& labels, const std::string& label) {
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

// A pipeline with a task settings block, where `@` marks the text under test.
constexpr const char* kTaskBlockSource = R"(/// Trains a model.
component train(data: string, epochs: int = 10) -> (model: Model) {
  image   = "python:3.11"
  command = ["train", data, epochs, model.path]
}

pipeline training(rows: int = 5) {
  prepared = train(data = "a")
  trained = train(data = "b") {
    cache = false
    cpu_limit = "1"
    @
  }
}
)";

std::string TaskBlock(const std::string& line) { return Replace(kTaskBlockSource, "@", line); }

// The labels that the settings block of kTaskBlockSource offers: the checker's task settings but
// `cache` and `cpu_limit`, which the block already has, then `env`.
std::vector<std::string> TaskSettingLabels() {
  std::vector<std::string> labels;
  for (const std::string& name : check::TaskSettingNames()) {
    if (name != "cache" && name != "cpu_limit") labels.push_back(name);
  }
  labels.push_back("env");
  return labels;
}

// The labels at the start of a value in pipeline `training`: its input, its tasks, `run` and the
// keywords that may start a value.
const std::vector<std::string> kTrainingValueLabels = {"rows", "prepared", "trained", "run",
                                                       "true", "false",    "none",    "not"};

// Checks `labels` where the parser may have dropped the settings that the block already has:
// every label of TaskSettingLabels() and nothing but task settings and `env`.
void ExpectTaskSettings(const std::vector<std::string>& labels) {
  for (const std::string& label : TaskSettingLabels()) EXPECT_TRUE(Offers(labels, label)) << label;
  for (const std::string& label : labels) {
    EXPECT_TRUE(label == "env" || Offers(check::TaskSettingNames(), label)) << label;
  }
}

TEST(LspCompletion, TaskBlockOffersTaskSettings) {
  json completion = CompleteAt(TaskBlock("|"));
  std::vector<std::string> labels = Labels(completion);
  EXPECT_EQ(labels, TaskSettingLabels());
  for (const char* setting : {"cpu_request", "retry", "after", "toleration", "env"}) {
    EXPECT_TRUE(Offers(labels, setting)) << setting;
  }
  // Components, task bindings, statement keywords and pipeline settings belong to the pipeline
  // body, not to a task's block.
  for (const char* other :
       {"train", "prepared", "trained", "return", "if", "for", "description", "pipeline_root"}) {
    EXPECT_FALSE(Offers(labels, other)) << other;
  }
  ASSERT_FALSE(completion["items"].empty());
  EXPECT_EQ(completion["items"][0],
            (json{{"label", "display_name"}, {"kind", 10}, {"detail", "task setting"}}));
  EXPECT_EQ(completion["items"].back(),
            (json{{"label", "env"}, {"kind", 14}, {"detail", "env NAME = value"}}));
}

TEST(LspCompletion, LoneCarriageReturnsEndLines) {
  // A line ends with LF, CR LF or a lone CR, and the items do not depend on which.
  for (const std::string line_end : {"\r\n", "\r"}) {
    EXPECT_EQ(Labels(RequestAt("textDocument/completion", TaskBlock("|"), line_end)),
              TaskSettingLabels());
    // A `//` comment ends at the line end, so the names after it are still read.
    std::string after_comment = Replace(TaskBlock("// a comment\n    |"), "cpu_limit", "cpu_lim");
    EXPECT_TRUE(Offers(Labels(RequestAt("textDocument/completion", after_comment, line_end)),
                       "memory_limit"))
        << line_end.size();
  }
}

TEST(LspCompletion, HashedRawStringMayHoldTripleQuotes) {
  // The Python docstring's `"""` and `(` are inside the string, which ends at `"""#`.
  const std::string source = R"kf(component py(x: int) -> int {
  python = #"""
def py(x: int) -> int:
    """Returns (x plus one."""
    return x + 1
"""#
}

pipeline p() {
  |
}
)kf";
  std::vector<std::string> labels = Labels(CompleteAt(source));
  EXPECT_TRUE(Offers(labels, "py"));
  EXPECT_TRUE(Offers(labels, "return"));
  EXPECT_FALSE(Offers(labels, "cpu_request"));
}

TEST(LspCompletion, RunOffersEveryPlaceholder) {
  std::vector<std::string> labels = Labels(CompleteAt(TaskBlock("display_name = run.|")));
  for (const std::string& name : check::RunPlaceholderNames()) {
    EXPECT_TRUE(Offers(labels, name)) << name;
  }
  EXPECT_TRUE(Offers(labels, "workspace_path"));
}

TEST(LspCompletion, InterpolationInStrings) {
  // In a component, `{...}` names an input or an output, and `{name.` a member of an artifact.
  const std::string component = R"(component train(data: string, epochs: int) -> (model: Model) {
  image = "python:3.11"
  command = ["train", @]
}
pipeline p(rows: int) {
  first = train(data = "a", epochs = 1)
  second = train(data = @, epochs = 2)
}
)";
  auto in_component = [&](const std::string& text) {
    std::string marked = Replace(component, "@", text);
    return Labels(CompleteAt(marked.replace(marked.find('@'), 1, "x")));
  };
  EXPECT_EQ(in_component("\"--epochs={|}\""),
            (std::vector<std::string>{"data", "epochs", "model"}));
  EXPECT_EQ(in_component("\"--epochs={ ep|}\""),
            (std::vector<std::string>{"data", "epochs", "model"}));
  EXPECT_EQ(in_component("\"--out={model.|}\""),
            (std::vector<std::string>{"path", "uri", "metadata"}));
  // An input parameter, an unknown name and `run` have no members in a component.
  EXPECT_EQ(in_component("\"{epochs.|}\""), std::vector<std::string>{});
  EXPECT_EQ(in_component("\"{nope.|}\""), std::vector<std::string>{});
  EXPECT_EQ(in_component("\"{run.|}\""), std::vector<std::string>{});
  // Outside a `{...}`, after a closed one and after an escaped brace, nothing.
  EXPECT_EQ(in_component("\"--epochs=|\""), std::vector<std::string>{});
  EXPECT_EQ(in_component("\"{data} |\""), std::vector<std::string>{});
  EXPECT_EQ(in_component("\"\\{|\""), std::vector<std::string>{});
  EXPECT_EQ(in_component("\"{data + |}\""), std::vector<std::string>{});
  // A string that ends in a backslash ends with its line, so the next line is code again.
  std::vector<std::string> after_backslash = in_component("\"a\\\n    , \"{|}\"");
  EXPECT_TRUE(Offers(after_backslash, "epochs"));
  EXPECT_FALSE(Offers(after_backslash, "true"));
  // Outside strings, the outputs are values of `command` and `args` too.
  EXPECT_TRUE(Offers(in_component("mo|"), "model"));

  // In a pipeline: its inputs, the tasks, `run`, and no keywords; `{task.` gives the outputs.
  auto in_pipeline = [&](const std::string& text) {
    std::string marked = Replace(component, "@", "x");
    return Labels(CompleteAt(marked.replace(marked.find('@'), 1, text)));
  };
  EXPECT_EQ(in_pipeline("\"rows-{|}\""),
            (std::vector<std::string>{"rows", "first", "second", "run"}));
  EXPECT_EQ(in_pipeline("\"{first.|}\""), std::vector<std::string>{"model"});
  EXPECT_TRUE(Offers(in_pipeline("\"{run.|}\""), "job_name"));
}

TEST(LspCompletion, TaskBlockLeavesOutGivenSettings) {
  std::vector<std::string> labels =
      Labels(CompleteAt(TaskBlock("toleration { key = \"a\" }\n    |")));
  EXPECT_FALSE(Offers(labels, "cache"));
  EXPECT_FALSE(Offers(labels, "cpu_limit"));
  // A block that may be written more than once is offered again.
  EXPECT_TRUE(Offers(labels, "toleration"));
  // On the name of a setting that is there, that name is still offered.
  EXPECT_TRUE(
      Offers(Labels(CompleteAt(Replace(TaskBlock(""), "cpu_lim", "cpu_l|im"))), "cpu_limit"));
}

TEST(LspCompletion, AndOrOnlyAfterAnOperand) {
  const std::string source = R"(component step(x: bool) {
  image = "alpine"
  command = ["echo", x]
}

pipeline p(a: bool = true) {
  step(x = @)
}
)";
  std::vector<std::string> at_start = Labels(CompleteAt(Replace(source, "@", "|")));
  EXPECT_FALSE(Offers(at_start, "and"));
  EXPECT_FALSE(Offers(at_start, "or"));
  EXPECT_TRUE(Offers(at_start, "not"));
  EXPECT_TRUE(Offers(at_start, "a"));
  std::vector<std::string> after_operand = Labels(CompleteAt(Replace(source, "@", "a |")));
  EXPECT_TRUE(Offers(after_operand, "and"));
  EXPECT_TRUE(Offers(after_operand, "or"));
  // After a keyword that takes an operand, the operand comes first.
  for (const char* before : {"not |", "a and |", "a or |"}) {
    std::vector<std::string> labels = Labels(CompleteAt(Replace(source, "@", before)));
    EXPECT_FALSE(Offers(labels, "and")) << before;
    EXPECT_FALSE(Offers(labels, "or")) << before;
  }
}

TEST(LspCompletion, LoopItemsInScope) {
  const std::string source = R"(component step(x: string) {
  image = "alpine"
  command = ["echo", x]
}

pipeline p(names: list<string> = ["a"]) {
  for n in names {
    if n == "a" {
      for m in names {
        step(x = @) {
          memory_limit = #
        }
      }
    }
  }
  step(x = $)
}
)";
  auto at = [&](const char* marker) {
    std::string text = Replace(source, marker, "|");
    for (const char* other : {"@", "#", "$"}) {
      if (std::string(other) != marker) text = Replace(text, other, "\"\"");
    }
    return Labels(CompleteAt(text));
  };
  for (const char* inside : {"@", "#"}) {
    std::vector<std::string> labels = at(inside);
    EXPECT_TRUE(Offers(labels, "n")) << inside;
    EXPECT_TRUE(Offers(labels, "m")) << inside;
    EXPECT_TRUE(Offers(labels, "names")) << inside;
  }
  std::vector<std::string> outside = at("$");
  EXPECT_FALSE(Offers(outside, "n"));
  EXPECT_FALSE(Offers(outside, "m"));
  EXPECT_TRUE(Offers(outside, "names"));
}

TEST(LspCompletion, PipelineSettingsOnlyAtTopLevel) {
  const std::string source = R"(component step() {
  image = "alpine"
  command = ["true"]
}

pipeline p(n: int = 1) {
  @
}
)";
  EXPECT_TRUE(Offers(Labels(CompleteAt(Replace(source, "@", "|"))), "pipeline_root"));
  for (const char* body : {"if n == 1 {\n    |\n  }", "for x in [1] {\n    |\n  }",
                           "try {\n    |\n  } finally {\n    step()\n  }"}) {
    std::vector<std::string> labels = Labels(CompleteAt(Replace(source, "@", body)));
    EXPECT_FALSE(Offers(labels, "pipeline_root")) << body;
    EXPECT_FALSE(Offers(labels, "display_name")) << body;
    EXPECT_TRUE(Offers(labels, "step")) << body;
  }
}

TEST(LspCompletion, PipelineAndArtifactLeaveOutGivenSettings) {
  const std::string source = R"(artifact Table {
  schema_title = "system.Dataset"
  @
}

pipeline p() {
  description = "d"
  #
}
)";
  std::vector<std::string> artifact = Labels(CompleteAt(Replace(source, "@", "|")));
  EXPECT_FALSE(Offers(artifact, "schema_title"));
  EXPECT_EQ(artifact, (std::vector<std::string>{"schema_version", "python_module"}));
  std::vector<std::string> pipeline = Labels(CompleteAt(Replace(source, "#", "|")));
  EXPECT_FALSE(Offers(pipeline, "description"));
  EXPECT_TRUE(Offers(pipeline, "pipeline_root"));
}

TEST(LspCompletion, WorkspaceFields) {
  const std::string source = R"(pipeline p() {
  workspace {
    size = "1Gi"
    @
  }
}
)";
  EXPECT_EQ(Labels(CompleteAt(Replace(source, "@", "|"))),
            (std::vector<std::string>{"access_modes", "storage_class_name"}));
}

TEST(LspCompletion, TaskBlockHalfTypedName) {
  // `ret` is not a setting yet, so the block has a syntax error.
  std::vector<std::string> labels = Labels(CompleteAt(TaskBlock("ret|")));
  EXPECT_EQ(labels, TaskSettingLabels());
  EXPECT_TRUE(Offers(labels, "retry"));
  EXPECT_FALSE(Offers(labels, "return"));
  EXPECT_FALSE(Offers(labels, "train"));
  // The same without the closing braces of the task and the pipeline.
  std::string unclosed = TaskBlock("ret|");
  unclosed = unclosed.substr(0, unclosed.find("ret|") + 4);
  ExpectTaskSettings(Labels(CompleteAt(unclosed)));
  // The same with the half-typed name before the other settings, in a task inside a loop, and
  // in a task with an unfinished argument, which the parser drops.
  EXPECT_EQ(Labels(CompleteAt(Replace(TaskBlock(""), "cache", "ret|\n    cache"))),
            TaskSettingLabels());
  EXPECT_EQ(Labels(CompleteAt(Replace(TaskBlock("ret|"), "  trained = train(data = \"b\") {",
                                      "  for x in [1, 2] {\n  trained = train(data = \"b\") {"))),
            TaskSettingLabels());
  ExpectTaskSettings(Labels(CompleteAt(Replace(TaskBlock("ret|"), "data = \"b\"", "data = "))));
}

TEST(LspCompletion, TaskBlockNestedSettings) {
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("retry {\n      |\n    }"))),
            (std::vector<std::string>{"max", "backoff", "factor", "max_backoff"}));
  // `max` is given, so it is left out.
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("retry { max = 2\n      back|\n    }"))),
            (std::vector<std::string>{"backoff", "factor", "max_backoff"}));
  json retry_item = CompleteAt(TaskBlock("retry { | }"))["items"][0];
  EXPECT_EQ(retry_item, (json{{"label", "max"}, {"kind", 10}, {"detail", "retry setting"}}));
  // After the nested block closes, the task's settings but `retry` are offered again.
  std::vector<std::string> without_retry = TaskSettingLabels();
  without_retry.erase(std::find(without_retry.begin(), without_retry.end(), "retry"));
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("retry { max = 2 }\n    |"))), without_retry);
}

TEST(LspCompletion, TolerationFields) {
  const std::vector<std::string> fields = {"key", "operator", "value", "effect", "seconds"};
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("toleration {\n      |\n    }"))), fields);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("toleration { key = \"gpu\"\n      op|\n    }"))),
            fields);
  json item = CompleteAt(TaskBlock("toleration { | }"))["items"][0];
  EXPECT_EQ(item, (json{{"label", "key"}, {"kind", 10}, {"detail", "toleration field"}}));
}

TEST(LspCompletion, VolumeSettingFields) {
  struct Case {
    std::string block;
    std::vector<std::string> fields;
  };
  // KubernetesBlocksMatchChecker covers the other volume and environment settings.
  const Case cases[] = {
      {"pvc_mount", {"pvc", "mount_path", "sub_path"}},
      {"secret_env", {"secret", "keys", "optional"}},
      {"config_map_volume", {"config_map", "mount_path", "optional"}},
      {"empty_dir_mount", {"volume_name", "mount_path", "medium", "size_limit"}},
  };
  for (const Case& test : cases) {
    json completion = CompleteAt(TaskBlock(test.block + " {\n      |\n    }"));
    EXPECT_EQ(Labels(completion), test.fields) << test.block;
    ASSERT_FALSE(completion["items"].empty()) << test.block;
    EXPECT_EQ(completion["items"][0]["kind"], 10) << test.block;
    EXPECT_EQ(completion["items"][0]["detail"], test.block + " field") << test.block;
  }
}

TEST(LspCompletion, NodeAffinityFields) {
  const std::vector<std::string> affinity = {"match_expression", "match_field", "weight"};
  const std::vector<std::string> requirement = {"key", "operator", "values"};
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("node_affinity {\n      |\n    }"))), affinity);

  // The blocks inside `node_affinity` offer the fields of a node selector requirement.
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("node_affinity { match_expression { | } }"))),
            requirement);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("node_affinity {\n      weight = 5\n"
                                        "      match_field {\n        |\n      }\n    }"))),
            requirement);
  json item = CompleteAt(TaskBlock("node_affinity { match_expression { | } }"))["items"][0];
  EXPECT_EQ(item, (json{{"label", "key"}, {"kind", 10}, {"detail", "match_expression field"}}));

  // After a nested block closes, the fields of `node_affinity` are offered again.
  EXPECT_EQ(Labels(CompleteAt(
                TaskBlock("node_affinity { match_field { key = \"k\" }\n      |\n    }"))),
            affinity);
}

TEST(LspCompletion, SecurityContextFields) {
  json completion =
      CompleteAt(TaskBlock("security_context {\n      run_as_user = 1000\n      |\n    }"));
  EXPECT_EQ(Labels(completion),
            (std::vector<std::string>{"run_as_user", "run_as_group", "run_as_non_root"}));
  ASSERT_FALSE(completion["items"].empty());
  EXPECT_EQ(completion["items"][0]["detail"], "security_context field");
}

TEST(LspCompletion, InitContainerFields) {
  EXPECT_EQ(Labels(CompleteAt(
                TaskBlock("init_container {\n      name = \"prepare\"\n      |\n    }"))),
            (std::vector<std::string>{"name", "image", "command", "args", "env", "volume_mounts",
                                      "restart_policy", "resource_requests",
                                      "resource_limits"}));
  // `env` and `volume_mounts` are maps, not blocks, so a line inside one takes a value.
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("init_container { volume_mounts = {\n      |\n    } }"))),
            kTrainingValueLabels);
}

TEST(LspCompletion, KubernetesBlocksMatchChecker) {
  // Each Kubernetes block setting offers the fields that the checker reads, and a setting
  // written `name = value`, such as `node_selector`, offers none.
  for (const std::string& setting : check::KubernetesSettingNames()) {
    const std::vector<std::string>* fields = check::KubernetesBlockFields(setting);
    EXPECT_EQ(Labels(CompleteAt(TaskBlock(setting + " { | }"))),
              fields ? *fields : std::vector<std::string>{})
        << setting;
  }
  EXPECT_EQ(check::KubernetesBlockFields("node_selector"), nullptr);
  EXPECT_EQ(check::KubernetesBlockFields("init_container.env"), nullptr);
  EXPECT_NE(check::KubernetesBlockFields("toleration"), nullptr);
  EXPECT_NE(check::KubernetesBlockFields("node_affinity.match_field"), nullptr);
}

TEST(LspCompletion, KubernetesFieldValue) {
  // Where a field starts, the block offers its fields, but after `field =` a value goes.
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("toleration { key = \"gpu\"\n      |\n    }"))),
            (std::vector<std::string>{"key", "operator", "value", "effect", "seconds"}));
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("toleration { key = | }"))), kTrainingValueLabels);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("toleration {\n      key = |\n    }"))),
            kTrainingValueLabels);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("node_affinity { match_expression { operator = | } }"))),
            kTrainingValueLabels);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("pvc_mount { pvc = prepared.| }"))),
            std::vector<std::string>{"model"});
}

TEST(LspCompletion, UnknownBlockOffersNothing) {
  // The known block offers its fields, and the misspelt and nested unknown ones offer nothing.
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("pvc_mount {\n      |\n    }"))),
            (std::vector<std::string>{"pvc", "mount_path", "sub_path"}));
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("pvc_mounts {\n      |\n    }"))),
            std::vector<std::string>{});
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("toleration { key { | } }"))), std::vector<std::string>{});
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("node_affinity { weight { | } }"))),
            std::vector<std::string>{});
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("retry { max { | } }"))), std::vector<std::string>{});
}

TEST(LspCompletion, TaskBlockValueAfterEquals) {
  // A setting's value is an expression, so the pipeline's values are offered, not components.
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("cpu_request = |"))), kTrainingValueLabels);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("display_name = na|"))), kTrainingValueLabels);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("after = [|]"))), kTrainingValueLabels);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("retry { max = | }"))), kTrainingValueLabels);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("pod_labels = {\n      |\n    }"))),
            kTrainingValueLabels);
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("env MODE = |"))), kTrainingValueLabels);
  // A new environment variable's name is the user's to choose.
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("env |"))), std::vector<std::string>{});
  // Task outputs after `task.` as before.
  EXPECT_EQ(Labels(CompleteAt(TaskBlock("display_name = prepared.|"))),
            std::vector<std::string>{"model"});
}

TEST(LspCompletion, PipelineBodyAroundTaskBlock) {
  // Outside the block, the pipeline's statement items are still offered.
  std::vector<std::string> labels =
      Labels(CompleteAt(Replace(kTaskBlockSource, "    @\n  }\n", "  }\n  |\n")));
  EXPECT_EQ(labels, (std::vector<std::string>{"train", "return", "if", "for", "try", "description",
                                              "display_name", "pipeline_root", "target",
                                              "workspace", "name"}));
  // `name = |` in the body starts a task.
  EXPECT_EQ(Labels(CompleteAt(Replace(kTaskBlockSource, "    @\n  }\n", "  }\n  x = |\n"))),
            labels);
}

// The markdown of a hover, or "" when the server returns null.
std::string HoverAt(const std::string& marked) {
  json hover = RequestAt("textDocument/hover", marked);
  return hover.is_null() ? "" : hover["contents"]["value"].get<std::string>();
}

// The hover on the second character of the first `word` in `source`.
std::string HoverOnWord(const std::string& source, const std::string& word) {
  size_t at = source.find(word);
  EXPECT_NE(at, std::string::npos) << word;
  return HoverAt(source.substr(0, at + 1) + "|" + source.substr(at + 1));
}

TEST(LspHover, WorkspaceBlock) {
  const std::string source = R"(pipeline p() {
  workspace {
    size = "1Gi"
    storage_class_name = "standard"
  }
}
)";
  EXPECT_NE(HoverOnWord(source, "workspace").find("`pipelineConfig.workspace`"), std::string::npos)
      << HoverOnWord(source, "workspace");
  EXPECT_NE(HoverOnWord(source, "storage_class_name").find("`pvcSpecPatch.storageClassName`"),
            std::string::npos)
      << HoverOnWord(source, "storage_class_name");
}

TEST(LspHover, SettingNames) {
  const std::string source = R"(artifact Table {
  schema_title = "acme.Table"
}

component step(x: string) {
  image = "alpine"
  command = ["echo", x]
}

pipeline p() {
  display_name = "P"
  step(x = "a") {
    cpu_limit = "1"
    retry { max = 2 }
    toleration { key = "k" operator = "Exists" }
    env LEVEL = "debug"
  }
}
)";
  auto hover_on = [&](const std::string& word) { return HoverOnWord(source, word); };
  EXPECT_EQ(hover_on("schema_title"),
            "```kf\n(artifact type setting) schema_title\n```\n\nThe schema title of the "
            "artifact type, such as `\"acme.TabularData\"` (`artifactType.schemaTitle`).");
  EXPECT_NE(hover_on("image").find("(component setting) image"), std::string::npos);
  EXPECT_NE(hover_on("display_name").find("(pipeline setting) display_name"), std::string::npos);
  EXPECT_NE(hover_on("cpu_limit").find("(`resources.cpuLimit`)"), std::string::npos);
  EXPECT_NE(hover_on("max").find("(retry field) max"), std::string::npos);
  EXPECT_EQ(hover_on("key"),
            "```kf\n(toleration field) key\n```\n\nThe label key of the taint that the pod "
            "tolerates.");
  // `env` and its variable's name stand for the setting `env`; a value is not a setting name.
  EXPECT_NE(hover_on("LEVEL").find("(task setting) env"), std::string::npos);
  EXPECT_NE(hover_on("env").find("(task setting) env"), std::string::npos);
  EXPECT_EQ(hover_on("debug"), "");
  EXPECT_EQ(hover_on("Exists"), "");
}

TEST(LspHover, UnknownSettingHasNoHover) {
  EXPECT_EQ(HoverAt("component c() {\n  image = \"alpine\"\n  imag|e_tag = \"x\"\n}\n"), "");
  const std::string component =
      "component s() {\n  image = \"alpine\"\n  command = [\"true\"]\n}\n";
  // A field that its block does not have, and a block made of a setting that takes a value.
  EXPECT_EQ(HoverAt(component + "pipeline p() {\n  s() {\n    toleration { f|oo = 1 }\n  }\n}\n"),
            "");
  EXPECT_EQ(HoverAt(component + "pipeline p() {\n  s() {\n    cache { m|ax = 1 }\n  }\n}\n"), "");
  // A pipeline setting inside `if`, which the checker rejects.
  EXPECT_EQ(
      HoverAt(component + "pipeline p(n: int = 1) {\n  if n == 1 {\n    display_n|ame = \"x\"\n"
                          "  }\n}\n"),
      "");
}

TEST(LspHover, LoopAndTryKeywords) {
  const std::string source = R"(component step() {
  image = "alpine"
  command = ["true"]
}

pipeline p(items: list<string> = ["a"]) {
  try "cleanup" {
    for item in items parallelism = 2 {
      step()
    }
  } finally {
    step()
  }
}
)";
  auto hover_on = [&](const std::string& word) { return HoverOnWord(source, word); };
  EXPECT_NE(hover_on("parallelism").find("(loop setting) parallelism"), std::string::npos);
  EXPECT_NE(hover_on("parallelism").find("`iteratorPolicy.parallelismLimit`"), std::string::npos);
  EXPECT_NE(hover_on("try").find("(keyword) try"), std::string::npos);
  EXPECT_NE(hover_on("finally").find("(keyword) finally"), std::string::npos);
  // The loop variable and the iterable keep their own hovers.
  EXPECT_NE(hover_on("item in").find("(loop variable) item"), std::string::npos);
  EXPECT_NE(hover_on("items parallelism").find("(input) items"), std::string::npos);
}

TEST(LspHover, IncompleteImageIsNotHovered) {
  // `image =` with no value reads the next setting's name as its value.
  std::string hover = HoverAt("component s(x: string) {\n  image = \n  comm|and = [\"x\", x]\n}\n");
  EXPECT_EQ(hover.find("(image)"), std::string::npos) << hover;
}

TEST(LspHover, EverySettingIsDocumented) {
  auto sorted = [](std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    return names;
  };
  EXPECT_EQ(sorted(DocumentedSettings(SettingOwner::kComponent)),
            sorted(check::ComponentSettingNames()));
  EXPECT_EQ(sorted(DocumentedSettings(SettingOwner::kArtifact)),
            sorted(check::ArtifactSettingNames()));
  EXPECT_EQ(sorted(DocumentedSettings(SettingOwner::kPipeline)),
            sorted(check::PipelineSettingNames()));
  EXPECT_EQ(sorted(DocumentedSettings(SettingOwner::kPipeline, "workspace")),
            sorted(check::WorkspaceFieldNames()));
  std::vector<std::string> task_settings = check::TaskSettingNames();
  task_settings.push_back("env");  // `env NAME = value`, which the list leaves out
  EXPECT_EQ(sorted(DocumentedSettings(SettingOwner::kTask)), sorted(task_settings));
  EXPECT_EQ(sorted(DocumentedSettings(SettingOwner::kTask, "retry")),
            sorted(check::RetrySettingNames()));
  // Every field of every Kubernetes block, nested blocks included.
  std::vector<std::string> blocks = {"node_affinity.match_expression", "node_affinity.match_field"};
  for (const std::string& name : check::TaskSettingNames()) blocks.push_back(name);
  for (const std::string& block : blocks) {
    const std::vector<std::string>* fields = check::KubernetesBlockFields(block);
    if (fields == nullptr) continue;
    EXPECT_EQ(sorted(DocumentedSettings(SettingOwner::kTask, block)), sorted(*fields)) << block;
  }
}

TEST(LspCompletion, ElseAndFinallyOnlyAfterTheirBlock) {
  const std::string source = R"(component step() {
  image = "alpine"
  command = ["true"]
}

pipeline p(n: int = 1) {
  @
}
)";
  auto offers_at = [&](const std::string& body, const char* keyword) {
    return Offers(Labels(CompleteAt(Replace(source, "@", body))), keyword);
  };
  // At the start of a statement that follows no block, neither keyword.
  EXPECT_FALSE(offers_at("|", "else"));
  EXPECT_FALSE(offers_at("|", "finally"));
  EXPECT_TRUE(offers_at("|", "if"));
  // After the block of an `if` or an `else if`, on the same line or the next.
  EXPECT_TRUE(offers_at("if n == 1 {\n    step()\n  } |", "else"));
  EXPECT_TRUE(offers_at("if n == 1 {\n    step()\n  }\n  el|", "else"));
  EXPECT_TRUE(
      offers_at("if n == 1 {\n    step()\n  } else if n == 2 {\n    step()\n  } |", "else"));
  EXPECT_FALSE(offers_at("if n == 1 {\n    step()\n  } |", "finally"));
  // After a final `else` block, after a `for` block and after a task's block, no `else`.
  EXPECT_FALSE(offers_at("if n == 1 {\n    step()\n  } else {\n    step()\n  } |", "else"));
  EXPECT_FALSE(offers_at("for x in [1, 2] {\n    step()\n  }\n  |", "else"));
  EXPECT_FALSE(offers_at("step() {\n    cache = false\n  }\n  |", "else"));
  // After the block of a `try`, with or without a name, `finally` and not `else`.
  EXPECT_TRUE(offers_at("try {\n    step()\n  } |", "finally"));
  EXPECT_TRUE(offers_at("try \"cleanup\" {\n    step()\n  }\n  fin|", "finally"));
  EXPECT_FALSE(offers_at("try {\n    step()\n  } |", "else"));
  // Comments, multi-line conditions and a `{` on its own line between header and keyword.
  EXPECT_TRUE(offers_at("if n == 1 {\n    step()\n  } // done\n  el|", "else"));
  EXPECT_TRUE(offers_at("if n == 1 {\n    step()\n  }\n  // other\n  el|", "else"));
  EXPECT_TRUE(offers_at("if n == 1 and\n     n != 2 {\n    step()\n  } el|", "else"));
  EXPECT_TRUE(offers_at("if (n == 1 or\n      n == 2) {\n    step()\n  } el|", "else"));
  EXPECT_TRUE(offers_at("if n == 1\n  {\n    step()\n  } el|", "else"));
  EXPECT_TRUE(offers_at("try {\n    step()\n  } // c\n  fin|", "finally"));
  EXPECT_TRUE(offers_at("try\n  {\n    step()\n  }\n  fin|", "finally"));
  EXPECT_TRUE(offers_at("try \"a{b}\" {\n    step()\n  } fin|", "finally"));
  // Inside the body of an `if` or a `try`, after a nested block, neither keyword.
  EXPECT_FALSE(offers_at("if n == 1 { t = step() {\n    cache = false\n  }\n  |\n  }", "else"));
  EXPECT_FALSE(offers_at("if n == 1 { for i in [1] {\n    step()\n  }\n  |\n  }", "else"));
  EXPECT_FALSE(
      offers_at("try { t = step() {\n    cache = false\n  }\n  |\n  } finally {\n"
                "    step()\n  }",
                "finally"));
}

TEST(LspCompletion, ComponentBlockOffersComponentSettings) {
  const std::string source = R"(component load(rows: int) -> (table: Dataset) {
  image = "alpine"
  @
}
)";
  // `image` is given, so it is left out.
  std::vector<std::string> settings = {"command", "args",     "description",    "name",
                                       "python",  "packages", "pip_index_urls", "pip_trusted_hosts",
                                       "use_venv"};
  EXPECT_EQ(Labels(CompleteAt(Replace(source, "@", "|"))), settings);
  EXPECT_EQ(Labels(CompleteAt(Replace(source, "@", "com|"))), settings);
  // On the name of the given setting, that name is still offered.
  EXPECT_TRUE(Offers(Labels(CompleteAt(Replace(source, "image", "im|age"))), "image"));
  // A value after `=` or inside a list is not a setting name.
  std::vector<std::string> values = {"rows", "true", "false", "none", "not"};
  EXPECT_EQ(Labels(CompleteAt(Replace(source, "@", "description = |"))), values);
  EXPECT_EQ(Labels(CompleteAt(Replace(source, "@", "command = [\n    |\n  ]"))),
            (std::vector<std::string>{"rows", "table", "true", "false", "none", "not"}));
  EXPECT_EQ(Labels(CompleteAt(Replace(source, "@", "command = [table.|]"))),
            (std::vector<std::string>{"path", "uri", "metadata"}));
  // With `command`, only the container settings; with `python`, only the Python ones.
  EXPECT_EQ(Labels(CompleteAt(Replace(source, "@", "command = [\"x\"]\n  |"))),
            (std::vector<std::string>{"args", "description", "name"}));
  std::vector<std::string> python =
      Labels(CompleteAt(Replace(source, "@", "python = \"def load(rows: int): pass\"\n  |")));
  EXPECT_FALSE(Offers(python, "command"));
  EXPECT_FALSE(Offers(python, "args"));
  EXPECT_TRUE(Offers(python, "packages"));
}

TEST_F(LspProject, DocumentSymbolsWithTasks) {
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(main_uri_, kMainSource)}),
                         Frames({Request(2, "textDocument/documentSymbol",
                                         {{"textDocument", {{"uri", main_uri_}}}})})});
  json symbols = session.Response(2)["result"];
  ASSERT_EQ(symbols.size(), 3u);
  EXPECT_EQ(symbols[0], (json{{"name", "Tabular"}, {"detail", "artifact Tabular"}, {"kind", 23},
                              {"range", RangeJson(2, 0, 4, 1)},
                              {"selectionRange", RangeJson(2, 9, 2, 16)}}));
  EXPECT_EQ(symbols[1]["name"], "load");
  EXPECT_EQ(symbols[1]["kind"], 12);
  EXPECT_EQ(symbols[1]["range"], RangeJson(7, 0, 10, 1));
  EXPECT_EQ(symbols[2]["name"], "training");
  EXPECT_EQ(symbols[2]["kind"], 2);
  EXPECT_EQ(symbols[2]["children"],
            (json{{{"name", "loaded"}, {"detail", "load(...)"}, {"kind", 13},
                   {"range", RangeJson(13, 2, 13, 28)}, {"selectionRange", RangeJson(13, 2, 13, 8)}},
                  {{"name", "trained"}, {"detail", "train(...)"}, {"kind", 13},
                   {"range", RangeJson(14, 2, 14, 50)},
                   {"selectionRange", RangeJson(14, 2, 14, 9)}}}));
}

TEST_F(LspProject, RequestsOnUnknownDocument) {
  Session session = RunSession({InitializeFrames(),
                         Frames({Request(2, "textDocument/hover", PositionParams("file:///none.kf", 0, 0)),
                                 Request(3, "textDocument/documentSymbol",
                                         {{"textDocument", {{"uri", "file:///none.kf"}}}})})});
  EXPECT_EQ(session.Response(2)["result"], nullptr);
  EXPECT_EQ(session.Response(3)["result"], json::array());
}

// ---------------------------------------------------------------------------------------------
// Architecture passes: kfpc.yaml and kfpc.lock beside the document
// ---------------------------------------------------------------------------------------------

// A project directory with `.git` (so the search for kfpc.yaml stops in it), a kfpc.yaml that
// selects graviton4, and a kfpc.lock. main.kf exists only in the editor.
class LspPasses : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("kfpc_lsp_passes_" + std::to_string(::getpid()) + "_" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(directory_ / ".git");
    WriteFile("kfpc.yaml", "version: 1\ndefault_target: graviton4\n");
    WriteFile("kfpc.lock", LockText(false));
    uri_ = PathToUri((directory_ / "main.kf").string());
  }

  void TearDown() override { std::filesystem::remove_all(directory_); }

  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(directory_ / name) << text;
  }

  static std::string Digest(char c) { return "sha256:" + std::string(64, c); }

  // python:3.11 has an arm64 manifest and amd-only:1 has none; with `with_alpine`, alpine:3.19
  // is locked too.
  static std::string LockText(bool with_alpine) {
    json images = {
        {"amd-only:1",
         {{"digest", Digest('d')},
          {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
          {"platforms", {{"linux/amd64", Digest('d')}}},
          {"repository", "docker.io/library/amd-only"}}},
        {"python:3.11",
         {{"digest", Digest('a')},
          {"mediaType", "application/vnd.oci.image.index.v1+json"},
          {"platforms", {{"linux/amd64", Digest('b')}, {"linux/arm64/v8", Digest('c')}}},
          {"repository", "docker.io/library/python"}}}};
    if (with_alpine) {
      images["alpine:3.19"] = {{"digest", Digest('e')},
                               {"mediaType", "application/vnd.oci.image.index.v1+json"},
                               {"platforms", {{"linux/arm64", Digest('f')}}},
                               {"repository", "docker.io/library/alpine"}};
    }
    return json{{"images", images}, {"version", 1}}.dump(2) + "\n";
  }

  static constexpr const char* kSource = R"(component train(rows: int) -> (model: Model) {
  image   = "python:3.11"
  command = ["train", rows, model.path]
}

component load(rows: int) -> (table: Dataset) {
  image   = "alpine:3.19"
  command = ["load", rows, table.path]
}

component amd(rows: int) {
  image   = "amd-only:1"
  command = ["run", rows]
}

pipeline training(rows: int = 5) {
  loaded = load(rows = rows)
  trained = train(rows = 3)
  amd(rows = 1)
}
)";

  std::filesystem::path directory_;
  std::string uri_;
};

// Returns the code and range of each diagnostic, in order.
std::vector<std::pair<std::string, json>> CodesAndRanges(const json& diagnostics) {
  std::vector<std::pair<std::string, json>> found;
  for (const json& diagnostic : diagnostics) {
    found.emplace_back(diagnostic["code"].get<std::string>(), diagnostic["range"]);
  }
  return found;
}

TEST_F(LspPasses, PassDiagnosticsPublished) {
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri_, kSource)})});
  std::vector<json> published = session.Published(uri_);
  ASSERT_EQ(published.size(), 1u);
  const json& diagnostics = published[0]["diagnostics"];
  using Found = std::vector<std::pair<std::string, json>>;
  // In the order the image pass reports them: by executor name, `exec-amd` before `exec-load`.
  EXPECT_EQ(CodesAndRanges(diagnostics),
            (Found{{"E0707", RangeJson(11, 12, 11, 24)}, {"E0709", RangeJson(6, 12, 6, 25)}}));
  ASSERT_EQ(diagnostics.size(), 2u);
  EXPECT_EQ(diagnostics[0]["severity"], 1);
  EXPECT_EQ(diagnostics[0]["message"],
            "image `amd-only:1` has no `linux/arm64` manifest; it has linux/amd64\n"
            "help: use a multi-platform image, or build and push one for linux/arm64");
  EXPECT_EQ(diagnostics[1]["severity"], 2);
  EXPECT_EQ(diagnostics[1]["message"],
            "image `alpine:3.19` is not in `kfpc.lock`, so it is not pinned\n"
            "help: run `kfpc lock` to resolve it, and commit the lock file");
}

TEST_F(LspPasses, PlacementConflictPublished) {
  // A task that requests an NVIDIA GPU cannot run on graviton4 nodes.
  std::string text = Replace(kSource, "  amd(rows = 1)\n",
                             "  amd(rows = 1) {\n    accelerator_type = \"nvidia.com/gpu\"\n"
                             "    accelerator_count = 1\n  }\n");
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri_, text)})});
  std::vector<json> published = session.Published(uri_);
  ASSERT_EQ(published.size(), 1u);
  std::vector<std::string> codes;
  for (const json& diagnostic : published[0]["diagnostics"]) codes.push_back(diagnostic["code"]);
  EXPECT_NE(std::find(codes.begin(), codes.end(), "E0773"), codes.end())
      << published[0]["diagnostics"].dump(2);
}

TEST_F(LspPasses, LockChangeOnDiskRechecks) {
  // Between the batches, the lock file gains alpine:3.19: the warning goes away without an edit.
  json hover = Request(2, "textDocument/hover", PositionParams(uri_, 6, 15));
  Session session = RunSession(
      {InitializeFrames(), Frames({OpenDocument(uri_, kSource)}), Frames({hover})}, {},
      [&](size_t batch) {
        if (batch == 2) WriteFile("kfpc.lock", LockText(true));
      });
  std::vector<json> published = session.Published(uri_);
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0]["diagnostics"].size(), 2u);
  using Found = std::vector<std::pair<std::string, json>>;
  EXPECT_EQ(CodesAndRanges(published[1]["diagnostics"]),
            (Found{{"E0707", RangeJson(11, 12, 11, 24)}}));
  // The hover in that batch already read the new lock file.
  std::string value = session.Response(2)["result"]["contents"]["value"];
  EXPECT_NE(value.find("`docker.io/library/alpine@" + Digest('f') + "`"), std::string::npos)
      << value;
}

TEST_F(LspPasses, NoTargetMeansNoPassDiagnostics) {
  WriteFile("kfpc.yaml", "version: 1\n");
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri_, kSource)})});
  std::vector<json> published = session.Published(uri_);
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(published[0]["diagnostics"], json::array());
}

TEST_F(LspPasses, ConfigErrorPublishedOnConfigFile) {
  WriteFile("kfpc.yaml", "version: 2\n");
  std::string config_uri = PathToUri((directory_ / "kfpc.yaml").string());
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri_, kSource)})});
  ASSERT_EQ(session.Published(uri_).size(), 1u);
  EXPECT_EQ(session.Published(uri_)[0]["diagnostics"], json::array());
  std::vector<json> config = session.Published(config_uri);
  ASSERT_EQ(config.size(), 1u);
  ASSERT_EQ(config[0]["diagnostics"].size(), 1u);
  const json& diagnostic = config[0]["diagnostics"][0];
  EXPECT_EQ(diagnostic["code"], "E0771");
  EXPECT_EQ(diagnostic["range"], RangeJson(0, 9, 0, 10));
  EXPECT_EQ(diagnostic["message"],
            "invalid `kfpc.yaml`: `version` must be 1\nhelp: start the file with `version: 1`");
}

TEST_F(LspPasses, HoverImageShowsDigestAndPlatforms) {
  std::string lock = (directory_ / "kfpc.lock").string();
  std::vector<std::string> hovers = Frames({Request(2, "textDocument/hover", PositionParams(uri_, 1, 16)),
                        Request(3, "textDocument/hover", PositionParams(uri_, 6, 16)),
                        Request(4, "textDocument/hover", PositionParams(uri_, 11, 16))});
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri_, kSource)}),
                                hovers});
  EXPECT_EQ(session.Response(2)["result"],
            Markdown("```kf\n(image) python:3.11\n```\n\nIn `" + lock + "`:\n"
                     "- linux/arm64 (target): `docker.io/library/python@" + Digest('c') + "`\n"
                     "- platforms: linux/amd64, linux/arm64/v8",
                     RangeJson(1, 12, 1, 25)));
  EXPECT_EQ(session.Response(3)["result"],
            Markdown("```kf\n(image) alpine:3.19\n```\n\nNot in `" + lock +
                         "`, so it is not pinned; `kfpc lock` adds it.",
                     RangeJson(6, 12, 6, 25)));
  EXPECT_EQ(session.Response(4)["result"],
            Markdown("```kf\n(image) amd-only:1\n```\n\nIn `" + lock + "`:\n"
                     "- linux/arm64 (target): no manifest\n- platforms: linux/amd64",
                     RangeJson(11, 12, 11, 24)));
}

TEST_F(LspPasses, HoverImageWithoutTargetListsEveryPlatform) {
  WriteFile("kfpc.yaml", "version: 1\n");
  std::string lock = (directory_ / "kfpc.lock").string();
  Session session =
      RunSession({InitializeFrames(), Frames({OpenDocument(uri_, kSource)}),
                  Frames({Request(2, "textDocument/hover", PositionParams(uri_, 1, 16))})});
  EXPECT_EQ(session.Response(2)["result"],
            Markdown("```kf\n(image) python:3.11\n```\n\nIn `" + lock + "`:\n"
                     "- linux/amd64: `docker.io/library/python@" + Digest('b') + "`\n"
                     "- linux/arm64/v8: `docker.io/library/python@" + Digest('c') + "`\n\n"
                     "No task that runs this image has a target, so it is not pinned.",
                     RangeJson(1, 12, 1, 25)));
}

TEST_F(LspPasses, HoverTaskShowsCacheKey) {
  std::vector<std::string> hovers = Frames({Request(2, "textDocument/hover", PositionParams(uri_, 17, 4)),
                        Request(3, "textDocument/hover", PositionParams(uri_, 18, 3))});
  Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri_, kSource)}),
                                hovers});
  std::string trained = session.Response(2)["result"]["contents"]["value"];
  std::smatch match;
  std::regex key_line("Cache key of `root/train` \\(target `graviton4`, platform linux/arm64\\): "
                      "`(sha256:[0-9a-f]{64})`");
  ASSERT_TRUE(std::regex_search(trained, match, key_line)) << trained;
  EXPECT_NE(trained.find("Calls component `train`."), std::string::npos) << trained;
  EXPECT_NE(trained.find("Covers: component interface; image `docker.io/library/python@" +
                         Digest('c') + "`; command and args (3 parts); platform linux/arm64; "
                         "constant inputs `rows`."),
            std::string::npos)
      << trained;
  EXPECT_NE(trained.find("`cachingOptions.cacheKey` not written (KFP backend 2.14 ignores "
                         "`cachingOptions.cacheKey`)."),
            std::string::npos)
      << trained;

  // An unbound task: the hover on its callee has the component and the task's key.
  std::string amd = session.Response(3)["result"]["contents"]["value"];
  EXPECT_NE(amd.find("```kf\ncomponent amd(rows: int)\n```"), std::string::npos) << amd;
  EXPECT_TRUE(std::regex_search(amd, std::regex("Cache key of `root/amd` \\(target `graviton4`, "
                                                "platform linux/arm64\\): `sha256:[0-9a-f]{64}`")))
      << amd;
  EXPECT_EQ(amd.find(match[1].str()), std::string::npos) << "two tasks share one key";
}

TEST_F(LspPasses, HoverFindsKeysOfEveryPipeline) {
  // Two pipelines and no `--pipeline`: the tasks of the second one have keys too.
  const std::string text = R"(component step(rows: int) {
  image = "python:3.11"
  command = ["python", "-c", "pass"]
}

pipeline first() {
  step(rows = 1)
}

pipeline second() {
  step(rows = 2)
}
)";
  Session session = RunSession(
      {InitializeFrames(), Frames({OpenDocument(uri_, text)}),
       Frames({Request(2, "textDocument/hover", PositionParams(uri_, 6, 3)),
               Request(3, "textDocument/hover", PositionParams(uri_, 10, 3))})});
  for (int id : {2, 3}) {
    std::string hover = session.Response(id)["result"]["contents"]["value"];
    EXPECT_TRUE(std::regex_search(hover, std::regex("Cache key of `root/step` \\(target "
                                                    "`graviton4`, platform linux/arm64\\)")))
        << id << ": " << hover;
  }
  EXPECT_NE(session.Response(2)["result"]["contents"]["value"],
            session.Response(3)["result"]["contents"]["value"])
      << "the two tasks pass different constants, so their keys differ";
}

TEST_F(LspPasses, CacheSaltChangesHoveredKey) {
  auto key_of = [&](const std::string& text) {
    Session session = RunSession({InitializeFrames(), Frames({OpenDocument(uri_, text)}),
                                  Frames({Request(2, "textDocument/hover",
                                                  PositionParams(uri_, 17, 4))})});
    std::string value = session.Response(2)["result"]["contents"]["value"];
    std::smatch match;
    EXPECT_TRUE(std::regex_search(value, match, std::regex("`(sha256:[0-9a-f]{64})`"))) << value;
    return match.size() > 1 ? match[1].str() : "";
  };
  std::string salted = Replace(kSource, "trained = train(rows = 3)",
                               "trained = train(rows = 3) {\n    cache_salt = \"v2\"\n  }");
  std::string plain_key = key_of(kSource);
  EXPECT_FALSE(plain_key.empty());
  EXPECT_NE(plain_key, key_of(salted));
}

}  // namespace
}  // namespace kfpc::lsp
