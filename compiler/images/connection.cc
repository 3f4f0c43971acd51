#include "compiler/images/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace kfpc::images {
namespace {

bool IsLoopbackAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
  }
  if (address->sa_family == AF_INET6) {
    auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr) != 0;
  }
  return false;
}

bool IsPublicIpv4(uint32_t address) {
  uint32_t first = address >> 24;
  uint32_t second = (address >> 16) & 0xff;
  if (first == 0 || first == 10 || first == 127) return false;  // unspecified, private, loopback
  if (first == 169 && second == 254) return false;                // link-local
  if (first == 172 && second >= 16 && second < 32) return false;  // private
  if (first == 192 && second == 168) return false;                // private
  if (first == 100 && second >= 64 && second < 128) return false;  // carrier-grade NAT
  return true;
}

bool IsPublicAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return IsPublicIpv4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family != AF_INET6) return false;
  const in6_addr& v6 = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&v6) != 0 || IN6_IS_ADDR_V4COMPAT(&v6) != 0) {
    uint32_t v4 = (uint32_t{v6.s6_addr[12]} << 24) | (uint32_t{v6.s6_addr[13]} << 16) |
                  (uint32_t{v6.s6_addr[14]} << 8) | v6.s6_addr[15];
    return IsPublicIpv4(v4);
  }
  if (IN6_IS_ADDR_UNSPECIFIED(&v6) != 0 || IN6_IS_ADDR_LOOPBACK(&v6) != 0 ||
      IN6_IS_ADDR_LINKLOCAL(&v6) != 0 || IN6_IS_ADDR_SITELOCAL(&v6) != 0) {
    return false;
  }
  return (v6.s6_addr[0] & 0xfe) != 0xfc;  // fc00::/7, unique local
}

int RemainingMilliseconds(Deadline deadline) {
  // Rounded up, so that a poll that times out returns only once `deadline` has passed.
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "TLS error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  ERR_clear_error();
  return buffer;
}

// Connects a non-blocking socket to one address, waiting until `deadline`.
int ConnectOne(const addrinfo* address, Deadline deadline, std::string* error) {
  int fd = socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  address->ai_protocol);
  if (fd < 0) {
    *error = std::strerror(errno);
    return -1;
  }
  if (connect(fd, address->ai_addr, address->ai_addrlen) == 0) return fd;
  if (errno == EINPROGRESS) {
    pollfd entry{fd, POLLOUT, 0};
    int ready = poll(&entry, 1, RemainingMilliseconds(deadline));
    int status = 0;
    socklen_t length = sizeof status;
    if (ready == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length) == 0 && status == 0) {
      return fd;
    }
    *error = ready == 0 ? "connection timed out" : std::strerror(status != 0 ? status : errno);
  } else {
    *error = std::strerror(errno);
  }
  close(fd);
  return -1;
}

}  // namespace

bool IsAddressAllowed(const sockaddr* address, AddressPolicy policy) {
  switch (policy) {
    case AddressPolicy::kAny:
      return true;
    case AddressPolicy::kLoopbackOnly:
      return IsLoopbackAddress(address);
    case AddressPolicy::kPublicOnly:
      return IsPublicAddress(address);
  }
  return false;
}

std::unique_ptr<Connection> Connection::Open(const std::string& host, int port, SSL_CTX* tls,
                                             AddressPolicy policy, Deadline deadline,
                                             std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  std::string service = std::to_string(port);
  // NOTE: getaddrinfo blocks and ignores `deadline`; the resolver's own timeout applies.
  int status = getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses);
  if (status != 0) {
    *error = std::string("cannot resolve host: ") + gai_strerror(status);
    return nullptr;
  }
  int fd = -1;
  *error = "no address";
  for (addrinfo* address = addresses; address != nullptr && fd < 0; address = address->ai_next) {
    if (!IsAddressAllowed(address->ai_addr, policy)) {
      *error = policy == AddressPolicy::kLoopbackOnly
                   ? "the host resolves to an address outside the loopback network"
                   : "the host resolves to a loopback, link-local, private or unspecified "
                     "address, which a redirect or token server may not use";
      continue;
    }
    fd = ConnectOne(address, deadline, error);
  }
  freeaddrinfo(addresses);
  if (fd < 0) return nullptr;
  // The readers take an empty error at the end of the stream for a clean close, so the text of
  // an address tried before must not stay.
  error->clear();

  std::unique_ptr<Connection> connection(new Connection(fd, deadline));
  if (tls != nullptr && !connection->StartTls(tls, host, error)) return nullptr;
  return connection;
}

Connection::~Connection() {
  if (ssl_ != nullptr) SSL_free(ssl_);  // also frees both BIOs
  if (socket_ >= 0) close(socket_);
}

bool Connection::StartTls(SSL_CTX* context, const std::string& host, std::string* error) {
  ssl_ = SSL_new(context);
  tls_input_ = BIO_new(BIO_s_mem());
  tls_output_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || tls_input_ == nullptr || tls_output_ == nullptr) {
    *error = OpenSslError();
    return false;
  }
  SSL_set_bio(ssl_, tls_input_, tls_output_);
  SSL_set_tlsext_host_name(ssl_, host.c_str());
  // SSL_set1_host checks the certificate's DNS names, or its IP addresses for a literal.
  if (SSL_set1_host(ssl_, host.c_str()) != 1) {
    *error = OpenSslError();
    return false;
  }
  SSL_set_connect_state(ssl_);
  while (true) {
    int result = SSL_do_handshake(ssl_);
    if (result == 1) return FlushTls(error);
    int next = ContinueTls(result, error);
    if (next <= 0) {
      long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        *error = std::string("certificate verification failed: ") +
                 X509_verify_cert_error_string(verify);
      } else if (next == 0) {
        *error = "the server closed the connection during the TLS handshake";
      }
      return false;
    }
  }
}

bool Connection::WaitFor(short events, std::string* error) {
  pollfd entry{socket_, events, 0};
  while (true) {
    int ready = poll(&entry, 1, RemainingMilliseconds(deadline_));
    if (ready > 0) return true;
    if (ready == 0) {
      *error = "timed out";
      return false;
    }
    if (errno != EINTR) {
      *error = std::strerror(errno);
      return false;
    }
  }
}

bool Connection::SendRaw(std::string_view data, std::string* error) {
  while (!data.empty()) {
    ssize_t sent = send(socket_, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      data.remove_prefix(static_cast<size_t>(sent));
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!WaitFor(POLLOUT, error)) return false;
    } else {
      *error = std::strerror(errno);
      return false;
    }
  }
  return true;
}

bool Connection::FlushTls(std::string* error) {
  char buffer[16384];
  while (BIO_ctrl_pending(tls_output_) > 0) {
    int count = BIO_read(tls_output_, buffer, sizeof buffer);
    if (count <= 0) break;
    if (!SendRaw(std::string_view(buffer, static_cast<size_t>(count)), error)) return false;
  }
  return true;
}

bool Connection::FillTls(std::string* error) {
  char buffer[16384];
  while (true) {
    ssize_t received = recv(socket_, buffer, sizeof buffer, 0);
    if (received > 0) {
      BIO_write(tls_input_, buffer, static_cast<int>(received));
      return true;
    }
    if (received == 0) {
      BIO_set_mem_eof_return(tls_input_, 0);  // so that OpenSSL reads the end of the stream
      return true;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      *error = std::strerror(errno);
      return false;
    }
    if (!WaitFor(POLLIN, error)) return false;
  }
}

int Connection::ContinueTls(int result, std::string* error) {
  if (!FlushTls(error)) return -1;
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      return FillTls(error) ? 1 : -1;
    case SSL_ERROR_WANT_WRITE:
      return 1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    default:
      *error = OpenSslError();
      return -1;
  }
}

bool Connection::WriteAll(std::string_view data, std::string* error) {
  if (ssl_ == nullptr) return SendRaw(data, error);
  while (!data.empty()) {
    size_t written = 0;
    int result = SSL_write_ex(ssl_, data.data(), data.size(), &written);
    if (result == 1) {
      data.remove_prefix(written);
      if (!FlushTls(error)) return false;
      continue;
    }
    if (ContinueTls(result, error) != 1) {
      if (error->empty()) *error = "the server closed the connection";
      return false;
    }
  }
  return true;
}

long Connection::Read(char* buffer, size_t size, std::string* error) {
  if (ssl_ == nullptr) {
    while (true) {
      ssize_t received = recv(socket_, buffer, size, 0);
      if (received >= 0) return received;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        *error = std::strerror(errno);
        return -1;
      }
      if (!WaitFor(POLLIN, error)) return -1;
    }
  }
  while (true) {
    size_t received = 0;
    int result = SSL_read_ex(ssl_, buffer, size, &received);
    if (result == 1) return static_cast<long>(received);
    int next = ContinueTls(result, error);
    if (next <= 0) return next;
  }
}

}  // namespace kfpc::images
