#include "compiler/images/registry_auth.h"

#include <cctype>

#include "compiler/images/json_limits.h"

namespace kfpc::images {
namespace {

constexpr int kMaxTokenResponseDepth = 8;

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void SkipSpaces(std::string_view* text) {
  while (!text->empty() && (text->front() == ' ' || text->front() == '\t')) text->remove_prefix(1);
}

std::string ReadToken(std::string_view* text) {
  size_t end = 0;
  while (end < text->size() && IsTokenChar((*text)[end])) ++end;
  std::string token(text->substr(0, end));
  text->remove_prefix(end);
  return token;
}

// Reads a quoted-string starting at `"`, undoing backslash escapes.
bool ReadQuoted(std::string_view* text, std::string* value) {
  text->remove_prefix(1);
  value->clear();
  while (!text->empty()) {
    char c = text->front();
    text->remove_prefix(1);
    if (c == '"') return true;
    if (c == '\\') {
      if (text->empty()) return false;
      c = text->front();
      text->remove_prefix(1);
    }
    value->push_back(c);
  }
  return false;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return encoded;
}

}  // namespace

bool ParseAuthChallenge(std::string_view header, AuthChallenge* challenge) {
  *challenge = AuthChallenge();
  SkipSpaces(&header);
  challenge->scheme = ReadToken(&header);
  if (challenge->scheme.empty()) return false;
  for (char& c : challenge->scheme)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (true) {
    SkipSpaces(&header);
    if (header.empty()) return true;
    std::string name = ReadToken(&header);
    SkipSpaces(&header);
    // A parameter without `=` starts the next challenge.
    if (name.empty() || header.empty() || header.front() != '=') return !name.empty();
    header.remove_prefix(1);
    SkipSpaces(&header);
    std::string value;
    if (!header.empty() && header.front() == '"') {
      if (!ReadQuoted(&header, &value)) return false;
    } else {
      value = ReadToken(&header);
    }
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == "realm") challenge->realm = value;
    if (name == "service") challenge->service = value;
    if (name == "scope") challenge->scope = value;
    SkipSpaces(&header);
    if (!header.empty() && header.front() != ',') return false;
    if (!header.empty()) header.remove_prefix(1);
  }
}

std::string TokenRequestUrl(const AuthChallenge& challenge, std::string_view repository) {
  std::string scope =
      challenge.scope.empty() ? "repository:" + std::string(repository) + ":pull" : challenge.scope;
  std::string url = challenge.realm;
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  if (!challenge.service.empty()) {
    url += separator + std::string("service=") + PercentEncode(challenge.service);
    separator = '&';
  }
  url += separator + std::string("scope=") + PercentEncode(scope);
  return url;
}

bool ParseTokenResponse(std::string_view body, std::string* token) {
  nlohmann::json value;
  std::string error;
  size_t offset = 0;
  if (!ParseJsonWithLimits(body, kMaxTokenResponseDepth, &value, &error, &offset)) return false;
  *token = StringMember(value, "token");
  if (token->empty()) *token = StringMember(value, "access_token");
  return !token->empty();
}

}  // namespace kfpc::images
