// Drives the language server in-process: framed JSON-RPC messages in, the exact responses and
// notifications out.

#include "compiler/lsp/server.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <streambuf>

#include <gtest/gtest.h>

#include "compiler/lsp/json_rpc.h"
#include "compiler/lsp/position.h"
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
class ChunkedInput : public std::streambuf {
 public:
  explicit ChunkedInput(std::vector<std::string> chunks) : chunks_(std::move(chunks)) {}

 protected:
  int_type underflow() override {
    while (next_ < chunks_.size()) {
      std::string& chunk = chunks_[next_++];
      if (chunk.empty()) continue;
      setg(chunk.data(), chunk.data(), chunk.data() + chunk.size());
      return traits_type::to_int_type(*gptr());
    }
    return traits_type::eof();
  }

 private:
  std::vector<std::string> chunks_;
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
Session RunSession(const std::vector<std::vector<std::string>>& batches, ServerOptions options = {}) {
  std::vector<std::string> chunks;
  for (const auto& batch : batches) {
    std::string chunk;
    for (const std::string& frame : batch) chunk += frame;
    chunks.push_back(chunk);
  }
  ChunkedInput input(chunks);
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
      "documentFormattingProvider": true
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

// A project on disk: main.kf is opened from memory and imports lib.kf from the disk.
class LspProject : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::path(::testing::TempDir()) /
                 ("kfpc_lsp_" + std::string(::testing::UnitTest::GetInstance()
                                                ->current_test_info()->name()));
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
  EXPECT_EQ(Labels(completion),
            (std::vector<std::string>{"load", "train", "return", "if", "else", "for", "try",
                                      "finally", "description", "display_name", "pipeline_root"}));
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

}  // namespace
}  // namespace kfpc::lsp
