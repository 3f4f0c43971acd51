#pragma once

#include <string>
#include <string_view>

// The token flow of the distribution spec: a registry responds with 401 and
// `WWW-Authenticate: Bearer realm="...",service="...",scope="..."`, the client GETs a token from
// the realm and repeats the request with `Authorization: Bearer <token>`.
namespace kfpc::images {

struct AuthChallenge {
  std::string scheme;  // lowercase: `bearer`, `basic`
  std::string realm;
  std::string service;
  std::string scope;
};

// Parses the first challenge of a WWW-Authenticate value (RFC 9110 auth-params, quoted or
// token values, in any order). Returns false when the value has no scheme or a malformed
// parameter.
bool ParseAuthChallenge(std::string_view header, AuthChallenge* challenge);

// Returns the token request URL: the realm with `service` and `scope` added as query
// parameters, percent-encoded. `scope` defaults to pull access to `repository` when the
// challenge names none.
std::string TokenRequestUrl(const AuthChallenge& challenge, std::string_view repository);

// Reads `token`, or else `access_token`, from a token server's JSON response. Returns false
// when neither is a non-empty string.
bool ParseTokenResponse(std::string_view body, std::string* token);

}  // namespace kfpc::images
