#include "compiler/images/image_reference.h"

#include <cctype>

namespace kfpc::images {
namespace {

constexpr std::string_view kDockerHubDomain = "docker.io";
constexpr std::string_view kDockerHubHost = "registry-1.docker.io";
constexpr std::string_view kLegacyDockerHubDomain = "index.docker.io";
constexpr std::string_view kOfficialImagePrefix = "library/";
constexpr size_t kMaxNameLength = 255;  // the limit of Docker's reference package
constexpr size_t kMaxTagLength = 128;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }

// One path component: lowercase alphanumerics joined by `.`, `_`, `__` or runs of `-`.
bool IsPathComponent(std::string_view component) {
  if (component.empty() || !IsLowerAlnum(component.front()) || !IsLowerAlnum(component.back())) {
    return false;
  }
  for (size_t i = 0; i < component.size(); ++i) {
    char c = component[i];
    if (IsLowerAlnum(c)) continue;
    size_t end = i;
    while (end < component.size() && !IsLowerAlnum(component[end])) ++end;
    std::string_view separator = component.substr(i, end - i);
    bool dashes = separator.find_first_not_of('-') == std::string_view::npos;
    if (separator != "." && separator != "_" && separator != "__" && !dashes) return false;
    i = end - 1;
  }
  return true;
}

bool IsPath(std::string_view path) {
  while (true) {
    size_t slash = path.find('/');
    if (!IsPathComponent(path.substr(0, slash))) return false;
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

bool IsDomainComponent(std::string_view component) {
  if (component.empty() || !IsAlnum(component.front()) || !IsAlnum(component.back())) {
    return false;
  }
  for (char c : component) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

// Splits `host[:port]` or `[v6]:port`; returns false when the port is present but not numeric.
bool SplitHostPort(std::string_view host_port, std::string_view* host, std::string_view* port) {
  size_t colon = host_port.front() == '[' ? host_port.find("]:") : host_port.rfind(':');
  if (host_port.front() == '[' && colon != std::string_view::npos) ++colon;
  *host = host_port.substr(0, colon);
  *port = colon == std::string_view::npos ? std::string_view() : host_port.substr(colon + 1);
  if (colon != std::string_view::npos && port->empty()) return false;
  for (char c : *port) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Whether a numeric `port` is a TCP port, 1 to 65535.
bool IsPortNumber(std::string_view port) {
  size_t digits = port.find_first_not_of('0');
  if (digits == std::string_view::npos) return false;  // empty, 0 or 00...
  return port.size() - digits < 5 || (port.size() - digits == 5 && port.substr(digits) <= "65535");
}

bool IsDomain(std::string_view domain) {
  if (domain.empty()) return false;
  std::string_view host;
  std::string_view port;
  if (!SplitHostPort(domain, &host, &port)) return false;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    std::string_view address = host.substr(1, host.size() - 2);
    return !address.empty() &&
           address.find_first_not_of("0123456789abcdefABCDEF:") == std::string_view::npos;
  }
  while (true) {
    size_t dot = host.find('.');
    if (!IsDomainComponent(host.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    host.remove_prefix(dot + 1);
  }
}

bool IsTag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength || !IsWordChar(tag.front())) return false;
  for (char c : tag) {
    if (!IsWordChar(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool HasUppercase(std::string_view text) {
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// Docker treats the first component as a registry domain only when it looks like a host name:
// it contains `.` or `:`, is `localhost`, or has uppercase letters (which a path cannot have).
bool LooksLikeDomain(std::string_view first) {
  return first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
         HasUppercase(first);
}

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

}  // namespace

std::string ImageReference::RegistryHost() const {
  return domain == kDockerHubDomain ? std::string(kDockerHubHost) : domain;
}

std::string ImageReference::Repository() const { return domain + "/" + path; }

bool IsSha256Digest(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.size() != kPrefix.size() + 64 || digest.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  for (char c : digest.substr(kPrefix.size())) {
    if (!IsHex(c)) return false;
  }
  return true;
}

bool IsLoopbackHost(std::string_view host_port) {
  if (host_port.empty()) return false;
  std::string_view host;
  std::string_view port;
  if (!SplitHostPort(host_port, &host, &port)) return false;
  if (host == "localhost" || host == "[::1]") return true;
  // Dotted-quad IPv4 with first octet 127; each octet 0-255.
  int octets = 0;
  while (!host.empty()) {
    size_t dot = host.find('.');
    std::string_view octet = host.substr(0, dot);
    if (octet.empty() || octet.size() > 3 ||
        octet.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoi(std::string(octet)) > 255) {
      return false;
    }
    if (octets == 0 && octet != "127") return false;
    ++octets;
    host = dot == std::string_view::npos ? std::string_view() : host.substr(dot + 1);
  }
  return octets == 4;
}

bool ParseImageReference(std::string_view text, ImageReference* reference, std::string* error) {
  *reference = ImageReference();
  if (text.empty()) return Fail(error, "the image reference is empty");
  // A name, `:` and a tag, and `@sha256:` with 64 hex digits.
  if (text.size() > kMaxNameLength + 1 + kMaxTagLength + 72) {
    return Fail(error, "the image reference is longer than Docker allows");
  }
  std::string_view name = text;
  size_t at = name.find('@');
  if (at != std::string_view::npos) {
    reference->digest = std::string(name.substr(at + 1));
    name = name.substr(0, at);
    if (!IsSha256Digest(reference->digest)) {
      return Fail(error, "the digest must be `sha256:` followed by 64 lowercase hex digits");
    }
  }
  size_t last_slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    reference->tag = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
    if (reference->tag.empty()) return Fail(error, "the tag after `:` is empty");
    if (!IsTag(reference->tag)) {
      return Fail(error, "the tag `" + reference->tag +
                             "` is invalid; a tag has at most 128 letters, digits, `_`, `.` "
                             "and `-` and does not start with `.` or `-`");
    }
  }
  if (name.empty()) return Fail(error, "the image reference has no repository name");
  if (name.size() > kMaxNameLength) {
    return Fail(error, "the repository name is longer than 255 characters");
  }

  size_t slash = name.find('/');
  std::string_view path = name;
  if (slash != std::string_view::npos && LooksLikeDomain(name.substr(0, slash))) {
    reference->domain = std::string(name.substr(0, slash));
    path = name.substr(slash + 1);
    if (!IsDomain(reference->domain)) {
      return Fail(error, "the registry `" + reference->domain + "` is not a valid host name");
    }
    std::string_view host;
    std::string_view port;
    SplitHostPort(reference->domain, &host, &port);
    if (!port.empty() && !IsPortNumber(port)) {
      return Fail(error, "the port `" + std::string(port) + "` of registry `" + reference->domain +
                             "` is not a TCP port, 1 to 65535");
    }
  } else {
    reference->domain = std::string(kDockerHubDomain);
  }
  if (reference->domain == kLegacyDockerHubDomain) reference->domain = kDockerHubDomain;
  reference->path = std::string(path);
  if (reference->domain == kDockerHubDomain && path.find('/') == std::string_view::npos) {
    reference->path = std::string(kOfficialImagePrefix) + reference->path;
  }

  if (HasUppercase(path)) return Fail(error, "the repository name must be lowercase");
  if (!IsPath(path)) {
    return Fail(error, "the repository name `" + std::string(path) +
                           "` is invalid; it is lowercase letters and digits separated by "
                           "`/`, `.`, `_`, `__` or `-`");
  }
  // Docker rejects a whole reference of 64 hex digits, because it reads as an image ID. A path
  // component of 64 hex digits in a longer reference is a valid name.
  if (text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
    return Fail(error, "a 64-digit hexadecimal string is an image ID, not a repository name");
  }
  if (reference->tag.empty() && reference->digest.empty()) reference->tag = "latest";
  return true;
}

bool IsKfpBackendImage(std::string_view image) {
  return image == "argostub/createpvc" || image == "argostub/deletepvc";
}

}  // namespace kfpc::images
