#include "compiler/lsp/uri.h"

#include <cctype>
#include <filesystem>
#include <string_view>

namespace kfpc::lsp {

namespace {

constexpr std::string_view kFileScheme = "file://";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UriToPath(const std::string& uri) {
  if (uri.compare(0, kFileScheme.size(), kFileScheme) != 0) return uri;
  // Skip the authority: "file:///x" has an empty one, "file://localhost/x" names the host.
  size_t path_start = uri.find('/', kFileScheme.size());
  if (path_start == std::string::npos) return uri;
  std::string path;
  for (size_t i = path_start; i < uri.size(); ++i) {
    int high = i + 2 < uri.size() ? HexValue(uri[i + 1]) : -1;
    int low = i + 2 < uri.size() ? HexValue(uri[i + 2]) : -1;
    if (uri[i] == '%' && high >= 0 && low >= 0) {
      path.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      path.push_back(uri[i]);
    }
  }
  return path;
}

std::string PathToUri(const std::string& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  // A relative path, such as an import of an unsaved document, which resolves from the server's
  // working directory, would otherwise give `file://lib/x.kf`, whose host is `lib`.
  std::string absolute = path;
  if (!path.empty() && path.front() != '/') {
    std::error_code error;
    absolute = std::filesystem::absolute(path, error).lexically_normal().string();
  }
  std::string uri(kFileScheme);
  for (unsigned char c : absolute) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      uri.push_back(static_cast<char>(c));
    } else {
      uri.push_back('%');
      uri.push_back(kHex[c >> 4]);
      uri.push_back(kHex[c & 15]);
    }
  }
  return uri;
}

}  // namespace kfpc::lsp
