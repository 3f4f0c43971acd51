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
  // Authority (`host[:port]`) of the registry that this request serves. Redirects and other
  // hosts are checked against it (see HttpClient::Send). Empty means the authority of `url`.
  // Token requests set it to the registry, so that a token realm obeys the redirect rules.
  std::string origin;
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
  // Per image in `kfpc lock`: all requests that resolve one reference, including token
  // requests, redirects and the manifests of an index, so that a registry that sends slowly
  // cannot stall the command for every request's full `timeout`.
  std::chrono::milliseconds image_timeout{120'000};
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

// Escapes registry-controlled text for a message: a backslash, control characters and bytes
// outside ASCII become `\\`, `\n`, `\r`, `\t` or `\xNN`, so that the text cannot move the
// cursor, color the terminal or start a new output line. Text longer than `max_bytes` is cut
// there and ends with `...`.
std::string EscapeRemoteText(std::string_view text, size_t max_bytes = 200);

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
  //
  // A request to another authority than the origin (a redirect, or a token realm) must stay on
  // loopback when the origin is a loopback host, and otherwise must use HTTPS and connect only
  // to an address that is not loopback, link-local, private or unspecified.
  bool Send(const HttpRequest& request, HttpResponse* response, std::string* error);

  // Sets the time after which every request fails with `timed out`, on top of the per-request
  // timeout. Requests made after it has passed fail before connecting.
  void set_deadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
  const HttpLimits& limits() const { return options_.limits; }

  // Returns true when plain HTTP to `authority` (`host[:port]`) is allowed.
  bool AllowsPlainHttp(std::string_view authority) const;

 private:
  bool SendOnce(const HttpRequest& request, const Url& url, bool public_only,
                HttpResponse* response, std::string* error);
  // Checks `target` against the rules for `origin` before connecting. Sets `*public_only` when
  // the connection may use public addresses only.
  bool CheckDestination(std::string_view origin, const Url& target, bool* public_only,
                        std::string* error) const;
  SSL_CTX* TlsContext(std::string* error);

  HttpClientOptions options_;
  SSL_CTX* tls_context_ = nullptr;  // created on the first HTTPS request
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace kfpc::images
