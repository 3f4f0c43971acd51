#include "compiler/images/http_client.h"

#include <openssl/err.h>

#include <algorithm>
#include <charconv>
#include <memory>

#include "compiler/images/connection.h"
#include "compiler/images/image_reference.h"

namespace kfpc::images {
namespace {

std::string Lowercase(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return result;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Reads an HTTP/1.1 response from a connection into a buffer, within the size limits.
class ResponseReader {
 public:
  ResponseReader(Connection& connection, const HttpLimits& limits)
      : connection_(connection), limits_(limits) {}

  bool ReadHead(HttpResponse* response, std::string* error);
  bool ReadBody(std::string_view method, HttpResponse* response, std::string* error);

 private:
  // Appends more bytes to the buffer; returns false at the end of the stream or on an error.
  bool Fill(std::string* error);
  bool ReadLine(std::string* line, std::string* error);
  bool ReadExactly(size_t count, std::string* out, std::string* error);
  bool ReadChunked(std::string* body, std::string* error);
  bool ReadToEnd(std::string* body, std::string* error);

  Connection& connection_;
  const HttpLimits& limits_;
  std::string buffer_;
  size_t position_ = 0;
  bool end_of_stream_ = false;
};

bool ResponseReader::Fill(std::string* error) {
  if (end_of_stream_) return false;
  char chunk[16384];
  long count = connection_.Read(chunk, sizeof chunk, error);
  if (count < 0) return false;
  if (count == 0) {
    end_of_stream_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(count));
  return true;
}

bool ResponseReader::ReadLine(std::string* line, std::string* error) {
  while (true) {
    size_t end = buffer_.find("\r\n", position_);
    if (end != std::string::npos) {
      *line = buffer_.substr(position_, end - position_);
      position_ = end + 2;
      return true;
    }
    if (buffer_.size() - position_ > limits_.max_header_bytes) {
      *error =
          "a response line is longer than " + std::to_string(limits_.max_header_bytes) + " bytes";
      return false;
    }
    if (!Fill(error)) {
      if (error->empty()) *error = "the server closed the connection mid-response";
      return false;
    }
  }
}

bool ResponseReader::ReadHead(HttpResponse* response, std::string* error) {
  std::string line;
  if (!ReadLine(&line, error)) return false;
  // Status line: `HTTP/1.1 200 OK`, with exactly three digits and then a space or the end.
  int status = 0;
  auto is_digit = [&](size_t i) { return line[i] >= '0' && line[i] <= '9'; };
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12 || !is_digit(7) || line[8] != ' ' ||
      !is_digit(9) || !is_digit(10) || !is_digit(11) || (line.size() > 12 && line[12] != ' ') ||
      std::from_chars(line.data() + 9, line.data() + 12, status).ec != std::errc()) {
    *error = "the server sent an invalid HTTP status line";
    return false;
  }
  response->status = status;
  size_t head_bytes = line.size();
  while (ReadLine(&line, error)) {
    if (line.empty()) return true;
    head_bytes += line.size();
    size_t colon = line.find(':');
    if (head_bytes > limits_.max_header_bytes || colon == std::string::npos) {
      *error = colon == std::string::npos ? "the server sent an invalid HTTP header"
                                          : "the response headers exceed the size limit";
      return false;
    }
    response->headers.emplace_back(Lowercase(Trim(std::string_view(line).substr(0, colon))),
                                   std::string(Trim(std::string_view(line).substr(colon + 1))));
  }
  return false;
}

bool ResponseReader::ReadExactly(size_t count, std::string* out, std::string* error) {
  while (buffer_.size() - position_ < count) {
    if (!Fill(error)) {
      if (error->empty()) *error = "the server closed the connection mid-response";
      return false;
    }
  }
  out->append(buffer_, position_, count);
  position_ += count;
  return true;
}

bool ResponseReader::ReadChunked(std::string* body, std::string* error) {
  std::string line;
  while (ReadLine(&line, error)) {
    size_t size = 0;
    auto [end, code] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (code != std::errc() || end == line.data()) {
      *error = "the server sent an invalid chunk size";
      return false;
    }
    if (size > limits_.max_body_bytes - body->size()) {
      *error = "the response is larger than " + std::to_string(limits_.max_body_bytes) + " bytes";
      return false;
    }
    if (size == 0) {
      // Trailer fields until an empty line; their values are not used.
      while (ReadLine(&line, error)) {
        if (line.empty()) return true;
      }
      return false;
    }
    if (!ReadExactly(size, body, error)) return false;
    std::string crlf;
    if (!ReadExactly(2, &crlf, error)) return false;
  }
  return false;
}

bool ResponseReader::ReadToEnd(std::string* body, std::string* error) {
  while (true) {
    body->append(buffer_, position_);
    position_ = buffer_.size();
    if (body->size() > limits_.max_body_bytes) {
      *error = "the response is larger than " + std::to_string(limits_.max_body_bytes) + " bytes";
      return false;
    }
    if (!Fill(error)) return error->empty();
  }
}

bool ResponseReader::ReadBody(std::string_view method, HttpResponse* response, std::string* error) {
  int status = response->status;
  if (method == "HEAD" || status == 204 || status == 304 || (status >= 100 && status < 200)) {
    return true;
  }
  if (Lowercase(response->Header("transfer-encoding")).find("chunked") != std::string::npos) {
    return ReadChunked(&response->body, error);
  }
  std::string length_text = response->Header("content-length");
  if (length_text.empty()) return ReadToEnd(&response->body, error);
  size_t length = 0;
  auto [end, code] =
      std::from_chars(length_text.data(), length_text.data() + length_text.size(), length);
  if (code != std::errc() || end != length_text.data() + length_text.size()) {
    *error = "the server sent an invalid Content-Length";
    return false;
  }
  if (length > limits_.max_body_bytes) {
    *error = "the response is larger than " + std::to_string(limits_.max_body_bytes) + " bytes";
    return false;
  }
  return ReadExactly(length, &response->body, error);
}

std::string FormatRequest(const HttpRequest& request, const Url& url) {
  std::string text = request.method + " " + url.target + " HTTP/1.1\r\nHost: " + url.authority +
                     "\r\nConnection: close\r\nUser-Agent: kfpc\r\n";
  for (const auto& [name, value] : request.headers) text += name + ": " + value + "\r\n";
  if (!request.body.empty() || request.method == "PUT" || request.method == "POST") {
    text += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  text += "\r\n";
  text += request.body;
  return text;
}

}  // namespace

std::string EscapeRemoteText(std::string_view text, size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool truncated = text.size() > max_bytes;
  if (truncated) text = text.substr(0, max_bytes);
  std::string escaped;
  for (unsigned char c : text) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (c == '\r') {
      escaped += "\\r";
    } else if (c == '\t') {
      escaped += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      escaped += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
    } else {
      escaped.push_back(static_cast<char>(c));
    }
  }
  if (truncated) escaped += "...";
  return escaped;
}

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

bool ParseUrl(std::string_view text, Url* url) {
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return false;
  url->scheme = Lowercase(text.substr(0, scheme_end));
  if (url->scheme != "http" && url->scheme != "https") return false;
  text.remove_prefix(scheme_end + 3);
  size_t path_start = text.find_first_of("/?");
  url->authority = std::string(text.substr(0, path_start));
  url->target = path_start == std::string_view::npos ? "/" : std::string(text.substr(path_start));
  if (url->target.front() == '?') url->target.insert(0, "/");
  std::string_view authority = url->authority;
  if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
  size_t colon = authority.front() == '[' ? authority.find("]:") : authority.rfind(':');
  if (authority.front() == '[' && colon != std::string_view::npos) ++colon;
  std::string_view host = authority.substr(0, colon);
  url->port = url->scheme == "https" ? 443 : 80;
  if (colon != std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    auto [end, code] = std::from_chars(port.data(), port.data() + port.size(), url->port);
    if (code != std::errc() || end != port.data() + port.size() || url->port <= 0 ||
        url->port > 65535) {
      return false;
    }
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  url->host = std::string(host);
  return !url->host.empty();
}

std::string ResolveLocation(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return std::string(location);
  if (location.rfind("//", 0) == 0) return base.scheme + ":" + std::string(location);
  std::string target(location);
  if (target.empty() || target.front() != '/') {
    // A relative path replaces the last segment of the base path.
    std::string path = base.target.substr(0, base.target.find('?'));
    target = path.substr(0, path.rfind('/') + 1) + target;
  }
  return base.scheme + "://" + base.authority + target;
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {}

HttpClient::~HttpClient() {
  if (tls_context_ != nullptr) SSL_CTX_free(tls_context_);
}

bool HttpClient::AllowsPlainHttp(std::string_view authority) const {
  if (IsLoopbackHost(authority)) return true;
  return std::find(options_.insecure_hosts.begin(), options_.insecure_hosts.end(), authority) !=
         options_.insecure_hosts.end();
}

SSL_CTX* HttpClient::TlsContext(std::string* error) {
  if (tls_context_ != nullptr) return tls_context_;
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) {
    *error = "cannot create a TLS context";
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  // Responses are framed by Content-Length or chunked encoding, and manifests are checked
  // against their digests, so a server that skips close_notify is accepted.
  SSL_CTX_set_options(context, SSL_OP_IGNORE_UNEXPECTED_EOF);
  int loaded = options_.ca_path.empty()
                   ? SSL_CTX_set_default_verify_paths(context)
                   : SSL_CTX_load_verify_locations(context, options_.ca_path.c_str(), nullptr);
  if (loaded != 1) {
    SSL_CTX_free(context);
    ERR_clear_error();
    *error = "cannot load the CA certificates";
    return nullptr;
  }
  tls_context_ = context;
  return tls_context_;
}

bool HttpClient::CheckDestination(std::string_view origin, const Url& target, bool* public_only,
                                  std::string* error) const {
  *public_only = false;
  if (target.authority == origin) return true;
  if (IsLoopbackHost(origin)) {
    if (IsLoopbackHost(target.authority)) return true;
    *error = "rejected host `" + EscapeRemoteText(target.authority) +
             "`: a registry on a loopback address may redirect or send token requests only to "
             "loopback hosts";
    return false;
  }
  if (target.scheme != "https") {
    *error = "rejected host `" + EscapeRemoteText(target.authority) +
             "`: redirects and token realms of a remote registry must use HTTPS";
    return false;
  }
  *public_only = true;
  return true;
}

bool HttpClient::SendOnce(const HttpRequest& request, const Url& url, bool public_only,
                          HttpResponse* response, std::string* error) {
  bool plain = url.scheme == "http";
  if (plain && !AllowsPlainHttp(url.authority)) {
    *error = "plain HTTP to `" + EscapeRemoteText(url.authority) +
             "` is not allowed; only loopback hosts and insecure registries use HTTP";
    return false;
  }
  SSL_CTX* tls = nullptr;
  if (!plain && (tls = TlsContext(error)) == nullptr) return false;
  auto now = std::chrono::steady_clock::now();
  if (now >= deadline_) {
    *error = "timed out";
    return false;
  }
  Deadline deadline = now + std::min<std::chrono::steady_clock::duration>(
                                options_.limits.timeout, deadline_ - now);
  bool listed = std::find(options_.insecure_hosts.begin(), options_.insecure_hosts.end(),
                          url.authority) != options_.insecure_hosts.end();
  // A loopback name must also resolve to loopback, so that plain HTTP never leaves the machine.
  AddressPolicy policy = AddressPolicy::kAny;
  if (public_only) {
    policy = AddressPolicy::kPublicOnly;
  } else if ((plain && !listed) || IsLoopbackHost(url.authority)) {
    policy = AddressPolicy::kLoopbackOnly;
  }
  std::unique_ptr<Connection> connection =
      Connection::Open(url.host, url.port, tls, policy, deadline, error);
  if (connection == nullptr) return false;
  if (!connection->WriteAll(FormatRequest(request, url), error)) return false;
  ResponseReader reader(*connection, options_.limits);
  *response = HttpResponse();
  response->url = request.url;
  return reader.ReadHead(response, error) && reader.ReadBody(request.method, response, error);
}

bool HttpClient::Send(const HttpRequest& request, HttpResponse* response, std::string* error) {
  error->clear();
  HttpRequest current = request;
  Url original;
  if (!ParseUrl(request.url, &original)) {
    *error = "invalid URL `" + EscapeRemoteText(request.url) + "`";
    return false;
  }
  const std::string origin = request.origin.empty() ? original.authority : request.origin;
  for (int redirects = 0;; ++redirects) {
    Url url;
    if (!ParseUrl(current.url, &url)) {
      *error = "invalid redirect URL `" + EscapeRemoteText(current.url) + "`";
      return false;
    }
    bool public_only = false;
    if (!CheckDestination(origin, url, &public_only, error)) return false;
    if (!SendOnce(current, url, public_only, response, error)) return false;
    if (!IsRedirect(response->status)) return true;
    std::string location = response->Header("location");
    if (location.empty()) return true;
    if (redirects == options_.limits.max_redirects) {
      *error = "more than " + std::to_string(options_.limits.max_redirects) + " redirects";
      return false;
    }
    current.url = ResolveLocation(url, location);
    if (response->status == 303) {
      current.method = "GET";
      current.body.clear();
    }
    Url next;
    if (ParseUrl(current.url, &next) && next.authority != original.authority) {
      // Credentials are for the registry only, never for the storage host it redirects to.
      std::erase_if(current.headers,
                    [](const auto& header) { return Lowercase(header.first) == "authorization"; });
    }
  }
}

}  // namespace kfpc::images
