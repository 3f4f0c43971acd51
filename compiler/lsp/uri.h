#pragma once

// Conversion between `file://` URIs (RFC 8089) and file system paths.

#include <string>

namespace kfpc::lsp {

// Returns the decoded path of a `file://` URI ("file:///a%20b/x.kf" -> "/a b/x.kf"), or the URI
// itself for other schemes, so that an unsaved buffer still has a unique path.
std::string UriToPath(const std::string& uri);

// Returns the `file://` URI of an absolute path, percent-encoding every byte outside the RFC 3986
// unreserved set and `/`.
std::string PathToUri(const std::string& path);

}  // namespace kfpc::lsp
