#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kfpc::images {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // `https://host[:port]/path?query` or `http://...`
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names in lowercase, in the order received
  std::string body;
  std::string url;  // the URL that produced this response, after redirects

  // Returns the first value of the header `name` (lowercase), or an empty string.
  std::string Header(std::string_view name) const;
};

// Limits that keep a slow or hostile server from stalling or exhausting kfpc.
struct HttpLimits {
  // Per request and again per redirect hop: from connecting to the last byte of the response.
  std::chrono::milliseconds timeout{30'000};
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 8 * 1024 * 1024;  // manifests are kilobytes; config blobs rarely more
  int max_redirects = 5;
};

struct HttpClientOptions {
  HttpLimits limits;
  // `host:port` entries that may be reached over plain HTTP in addition to loopback hosts.
  std::vector<std::string> insecure_hosts;
  // Directory or file of CA certificates; empty uses the system store (OpenSSL's defaults).
  std::string ca_path;
};

// The parts of an absolute http or https URL.
struct Url {
  std::string scheme;     // `http` or `https`
  std::string host;       // without brackets for IPv6
  int port = 0;           // 80 or 443 unless given
  std::string authority;  // `host[:port]` as written, brackets kept
  std::string target;     // path and query, at least `/`
};

// Parses an absolute URL. Returns false for other schemes, user info, or a bad port.
bool ParseUrl(std::string_view text, Url* url);

// Resolves `location` (absolute, or a path starting with `/`) against `base`.
std::string ResolveLocation(const Url& base, std::string_view location);

// An HTTP/1.1 client for registry calls: one connection per request (`Connection: close`),
// HTTPS with certificate verification, and plain HTTP only to loopback or listed hosts.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and follows redirects (301, 302, 303, 307, 308) up to the limit, dropping
  // `Authorization` when a redirect leaves the original host. Returns false and sets `*error` on
  // a network, TLS, protocol or limit failure; any HTTP status counts as success.
  bool Send(const HttpRequest& request, HttpResponse* response, std::string* error);

  // Returns true when plain HTTP to `authority` (`host[:port]`) is allowed.
  bool AllowsPlainHttp(std::string_view authority) const;

 private:
  bool SendOnce(const HttpRequest& request, const Url& url, HttpResponse* response,
                std::string* error);
  SSL_CTX* TlsContext(std::string* error);

  HttpClientOptions options_;
  SSL_CTX* tls_context_ = nullptr;  // created on the first HTTPS request
};

}  // namespace kfpc::images
