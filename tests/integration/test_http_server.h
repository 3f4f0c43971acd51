#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace kfpc::testing {

// A one-thread HTTP/1.1 server on 127.0.0.1 with a random port, for the parts of a registry
// setup that the registry binary does not provide: a token server and a proxy that alters
// responses. It reads request heads only (no bodies) and closes each connection after one
// response.
class TestHttpServer {
 public:
  // Returns the whole response text for a request line's method and target and its raw headers.
  using Handler = std::function<std::string(const std::string& method, const std::string& target,
                                            const std::string& headers)>;

  TestHttpServer() = default;
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  // Binds and starts serving. Returns false and sets `*error` when the socket cannot be bound.
  bool Start(Handler handler, std::string* error);
  int port() const { return port_; }
  std::string authority() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve();
  void ServeOne(int connection);

  Handler handler_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Formats a response with Content-Length and `Connection: close`. `extra_headers` are complete
// `Name: value\r\n` lines.
std::string FormatResponse(int status, const std::string& content_type, const std::string& body,
                           const std::string& extra_headers = "");

}  // namespace kfpc::testing
