#include "compiler/lsp/server.h"

#include <thread>


#include "compiler/images/json_limits.h"

namespace kfpc::lsp {

namespace {

constexpr int kMaxJsonDepth = 128;

bool IsValidId(const nlohmann::json& id) { return id.is_number_integer() || id.is_string(); }

nlohmann::json Capabilities(PositionEncoding encoding) {
  return {
      {"positionEncoding", encoding == PositionEncoding::kUtf8 ? "utf-8" : "utf-16"},
      // TextDocumentSyncKind 2: incremental changes.
      {"textDocumentSync",
       {{"openClose", true}, {"change", 2}, {"save", {{"includeText", false}}}}},
      {"hoverProvider", true},
      {"definitionProvider", true},
      {"completionProvider", {{"triggerCharacters", {".", ":", "(", ","}}}},
      {"documentSymbolProvider", true},
      {"documentFormattingProvider", true},
      {"codeActionProvider", {{"codeActionKinds", {"quickfix"}}}},
  };
}

}  // namespace

Server::Server(std::ostream& out, std::ostream& log, ServerOptions options)
    : out_(out), log_(log), options_(options) {
  requests_ = {
      {"initialize", &Server::Initialize},
      {"shutdown", &Server::Shutdown},
      {"textDocument/hover", &Server::HoverRequest},
      {"textDocument/definition", &Server::DefinitionRequest},
      {"textDocument/completion", &Server::CompletionRequest},
      {"textDocument/documentSymbol", &Server::DocumentSymbolRequest},
      {"textDocument/formatting", &Server::FormattingRequest},
      {"textDocument/codeAction", &Server::CodeActionRequest},
  };
  notifications_ = {
      {"initialized", &Server::Initialized},
      {"exit", &Server::Exit},
      {"textDocument/didOpen", &Server::DidOpen},
      {"textDocument/didChange", &Server::DidChange},
      {"textDocument/didSave", &Server::DidSave},
      {"textDocument/didClose", &Server::DidClose},
  };
}

int Server::Run(std::istream& in) {
  log_ << "kfpc lsp: started\n";
  MessageReader reader(in, options_.max_message_bytes);
  while (!exit_) {
    std::vector<Incoming> batch;
    if (!ReadOne(reader, &batch)) break;
    // Everything that has already arrived is one batch: its edits are checked once, and a
    // cancellation in it reaches the requests before it.
    while (reader.HasBufferedInput() && ReadOne(reader, &batch)) {
    }
    HandleBatch(batch);
    if (exit_) break;
    if (!unpublished_.empty() && options_.debounce.count() > 0) {
      auto now = std::chrono::steady_clock::now();
      if (!unpublished_since_) unpublished_since_ = now;
      std::this_thread::sleep_for(options_.debounce);
      // More edits arrived: check after them, unless the diagnostics have waited long enough.
      bool waited =
          std::chrono::steady_clock::now() - *unpublished_since_ >= options_.debounce_limit;
      if (reader.HasBufferedInput() && !waited) continue;
    }
    unpublished_since_.reset();
    MarkStaleProjectFiles();
    PublishPending();
  }
  int code = state_ == State::kShutDown ? 0 : 1;
  log_ << "kfpc lsp: stopped" << (exit_ ? "" : " at the end of the input") << ", exit code "
       << code << "\n";
  return code;
}

// Reads one message into `batch`; returns false at the end of the stream.
bool Server::ReadOne(MessageReader& reader, std::vector<Incoming>* batch) {
  std::string body;
  std::string error;
  switch (reader.Read(&body, &error)) {
    case ReadStatus::kEndOfStream:
      if (!error.empty()) log_ << "kfpc lsp: " << error << "\n";
      return false;
    case ReadStatus::kBadHeader:
      batch->push_back({nullptr, kParseError, error});
      return true;
    case ReadStatus::kTooLarge:
      batch->push_back({nullptr, kInvalidRequest, error});
      return true;
    case ReadStatus::kMessage: break;
  }
  // LSP messages nest only a few levels. nlohmann::json copies and destroys values recursively,
  // so the depth limit keeps a hostile message from exhausting the stack.
  nlohmann::json message;
  std::string parse_error;
  size_t error_offset = 0;
  if (!images::ParseJsonWithLimits(body, kMaxJsonDepth, &message, &parse_error, &error_offset)) {
    bool too_deep = parse_error.rfind("arrays and objects nest", 0) == 0;
    batch->push_back({nullptr, kParseError,
                      too_deep ? "invalid JSON in message body: " + parse_error
                               : std::string("invalid JSON in message body")});
  } else {
    batch->push_back({std::move(message), 0, ""});
  }
  return true;
}

void Server::HandleBatch(const std::vector<Incoming>& batch) {
  for (const Incoming& incoming : batch) {
    const nlohmann::json& message = incoming.message;
    if (incoming.error_code == 0 && message.is_object() && message.contains("method") &&
        message["method"] == "$/cancelRequest" && message.contains("params") &&
        message["params"].is_object() && message["params"].contains("id")) {
      cancelled_.insert(message["params"]["id"].dump());
    }
  }
  for (const Incoming& incoming : batch) {
    if (exit_) return;
    if (incoming.error_code != 0) {
      // The id of a message that could not be read is unknown, so the error carries null.
      SendError(nullptr, incoming.error_code, incoming.error);
      continue;
    }
    HandleMessage(incoming.message);
  }
  cancelled_.clear();  // a cancellation for a request not in the batch has nothing left to stop
}

void Server::HandleMessage(const nlohmann::json& message) {
  if (!message.is_object() || !message.contains("jsonrpc") || message["jsonrpc"] != "2.0") {
    nlohmann::json id = message.is_object() && message.contains("id") ? message["id"] : nullptr;
    return SendError(IsValidId(id) ? id : nullptr, kInvalidRequest,
                     "message is not a JSON-RPC 2.0 object");
  }
  bool has_id = message.contains("id");
  const nlohmann::json id = has_id ? message["id"] : nlohmann::json();
  auto method = message.find("method");
  if (method == message.end()) {
    // A response: the server sends no requests, so there is nothing to match it with.
    if (has_id && (message.contains("result") || message.contains("error"))) return;
    return SendError(IsValidId(id) ? id : nullptr, kInvalidRequest, "message has no `method`");
  }
  // JSON-RPC lets a message omit `params`, and LSP clients send null for methods without params
  // (`shutdown`, `exit`), so both become an empty object.
  nlohmann::json params = nlohmann::json::object();
  if (message.contains("params") && !message["params"].is_null()) params = message["params"];
  if (!method->is_string() || (has_id && !IsValidId(id)) ||
      !(params.is_object() || params.is_array())) {
    if (!has_id) return;  // JSON-RPC sends no response to a notification
    return SendError(IsValidId(id) ? id : nullptr, kInvalidRequest,
                     "invalid `method`, `id` or `params`");
  }
  if (has_id) {
    HandleRequest(id, method->get<std::string>(), params);
  } else {
    HandleNotification(method->get<std::string>(), params);
  }
}

void Server::HandleRequest(const nlohmann::json& id, const std::string& method,
                           const nlohmann::json& params) {
  if (cancelled_.erase(id.dump()) > 0) return SendError(id, kRequestCancelled, "request cancelled");
  if (state_ != State::kUninitialized && method == "initialize") {
    return SendError(id, kInvalidRequest, "server is already initialized");
  }
  if (state_ == State::kUninitialized && method != "initialize") {
    return SendError(id, kServerNotInitialized, "server is not initialized");
  }
  if (state_ == State::kShutDown && method != "shutdown") {
    return SendError(id, kInvalidRequest, "server is shut down; only `exit` is accepted");
  }
  auto handler = requests_.find(method);
  if (handler == requests_.end()) {
    return SendError(id, kMethodNotFound, "method not found: " + method);
  }
  try {
    Send(MakeResult(id, (this->*handler->second)(params)));
  } catch (const nlohmann::json::exception& error) {
    log_ << "kfpc lsp: invalid params for " << method << ": " << error.what() << "\n";
    SendError(id, kInvalidParams, std::string("invalid params: ") + error.what());
  }
}

void Server::HandleNotification(const std::string& method, const nlohmann::json& params) {
  auto handler = notifications_.find(method);
  if (handler == notifications_.end()) return;  // unknown notifications, $/ included, are ignored
  if (state_ != State::kRunning && method != "exit") return;  // LSP: dropped until initialized
  try {
    (this->*handler->second)(params);
  } catch (const nlohmann::json::exception& error) {
    log_ << "kfpc lsp: invalid params for " << method << ": " << error.what() << "\n";
  }
}

void Server::Send(const nlohmann::json& message) { WriteMessage(out_, message); }

void Server::SendError(const nlohmann::json& id, int code, const std::string& message) {
  if (code == kParseError || code == kInvalidRequest) log_ << "kfpc lsp: " << message << "\n";
  Send(MakeError(id, code, message));
}

nlohmann::json Server::Initialize(const nlohmann::json& params) {
  encoding_ = PositionEncoding::kUtf16;
  const nlohmann::json* encodings = nullptr;
  if (params.contains("capabilities") && params["capabilities"].contains("general")) {
    const nlohmann::json& general = params["capabilities"]["general"];
    if (general.contains("positionEncodings")) encodings = &general["positionEncodings"];
  }
  if (encodings && encodings->is_array()) {
    for (const nlohmann::json& encoding : *encodings) {
      if (encoding == "utf-8") encoding_ = PositionEncoding::kUtf8;
    }
  }
  state_ = State::kRunning;
  return {{"capabilities", Capabilities(encoding_)},
          {"serverInfo", {{"name", "kfpc"}, {"version", KFPC_VERSION}}}};
}

void Server::Initialized(const nlohmann::json&) {}

nlohmann::json Server::Shutdown(const nlohmann::json&) {
  // A second shutdown gets the same null result, because a client may resend it after a timeout.
  state_ = State::kShutDown;
  return nullptr;
}

void Server::Exit(const nlohmann::json&) { exit_ = true; }

int RunServer(std::istream& in, std::ostream& out, std::ostream& log) {
  ServerOptions options;
  // Long enough to merge a burst of changes that an editor sends at once. Edits that arrive while
  // a check runs are merged too, because the next batch takes every message already buffered. The
  // target is diagnostics within 30 ms of a change to a 2,000-line file (bench/lsp_latency.py),
  // and checking that file alone takes longer, so a 50 ms wait could never meet it.
  options.debounce = std::chrono::milliseconds(5);
  return Server(out, log, options).Run(in);
}

}  // namespace kfpc::lsp
