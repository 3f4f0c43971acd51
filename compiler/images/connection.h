#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace kfpc::images {

using Deadline = std::chrono::steady_clock::time_point;

// The rule for the resolved addresses a connection may use. The check runs on each address that
// is passed to connect(), so a name that resolves differently later cannot bypass it.
enum class AddressPolicy {
  kAny,
  kLoopbackOnly,  // 127.0.0.0/8 and ::1
  // Not loopback, link-local (169.254.0.0/16, fe80::/10), private (10.0.0.0/8, 172.16.0.0/12,
  // 192.168.0.0/16, 100.64.0.0/10, fc00::/7) or unspecified (0.0.0.0/8, ::), also when written
  // as an IPv4-mapped IPv6 address.
  kPublicOnly,
};

// Returns true when `policy` allows connecting to `address` (AF_INET or AF_INET6).
bool IsAddressAllowed(const sockaddr* address, AddressPolicy policy);

// One TCP connection, plain or TLS, where every operation fails once `deadline` passes. TLS
// runs over memory BIOs so that the socket is written with MSG_NOSIGNAL: a peer that closes
// early yields an error, never SIGPIPE.
class Connection {
 public:
  // Connects to `host`:`port` (an IPv6 host without brackets). With `tls` set, runs the TLS
  // handshake with SNI and verifies the certificate chain and the host name. Connects only to
  // addresses that `policy` allows. Returns null and sets `*error`.
  static std::unique_ptr<Connection> Open(const std::string& host, int port, SSL_CTX* tls,
                                          AddressPolicy policy, Deadline deadline,
                                          std::string* error);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool WriteAll(std::string_view data, std::string* error);
  // Reads up to `size` bytes. Returns the count, 0 at the end of the stream, -1 with `*error`.
  long Read(char* buffer, size_t size, std::string* error);

 private:
  Connection(int socket, Deadline deadline) : socket_(socket), deadline_(deadline) {}
  bool StartTls(SSL_CTX* context, const std::string& host, std::string* error);
  bool WaitFor(short events, std::string* error);
  bool SendRaw(std::string_view data, std::string* error);
  bool FlushTls(std::string* error);
  // Moves bytes from the socket into the TLS input BIO; returns false on error or timeout.
  bool FillTls(std::string* error);
  // Continues a TLS operation that returned `result` <= 0. Returns 1 to retry, 0 at a clean
  // end of stream, -1 on error.
  int ContinueTls(int result, std::string* error);

  int socket_ = -1;
  Deadline deadline_;
  SSL* ssl_ = nullptr;
  BIO* tls_input_ = nullptr;   // bytes received from the peer, read by OpenSSL
  BIO* tls_output_ = nullptr;  // bytes OpenSSL wants sent
};

}  // namespace kfpc::images
