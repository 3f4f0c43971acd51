#include "compiler/images/oci_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>

#include "compiler/images/json_limits.h"
#include "compiler/images/registry_auth.h"

namespace kfpc::images {
namespace {

constexpr int kMaxManifestDepth = 16;
// An index with more platforms than this is rejected rather than fetched manifest by manifest.
constexpr size_t kMaxIndexEntries = 64;
constexpr size_t kMaxTagsInHelp = 10;

RegistryError MakeError(diag::Kind kind, std::string message, std::string help = "") {
  return RegistryError{kind, std::move(message), std::move(help)};
}

// Returns `120 s`, or `500 ms` for a duration that is not whole seconds.
std::string FormatDuration(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
  return std::to_string(duration.count()) + " ms";
}

std::string Name(const ImageReference& reference) {
  return reference.Repository() + ":" + reference.ManifestReference();
}

// Returns the first `errors[].code` of a distribution error body, or an empty string.
std::string ErrorCode(const std::string& body) {
  nlohmann::json value;
  std::string error;
  size_t offset = 0;
  if (!ParseJsonWithLimits(body, kMaxManifestDepth, &value, &error, &offset)) return "";
  if (!value.is_object() || !value.contains("errors") || !value["errors"].is_array() ||
      value["errors"].empty()) {
    return "";
  }
  return StringMember(value["errors"][0], "code");
}

RegistryError StatusError(const ImageReference& reference, const HttpResponse& response) {
  std::string code = ErrorCode(response.body);
  std::string repository = reference.Repository();
  if (code == "NAME_UNKNOWN") {
    return MakeError(diag::Kind::kImageRepositoryNotFound,
                     "repository `" + repository + "` not found",
                     "check the image name and registry in the reference");
  }
  if (code == "MANIFEST_UNKNOWN" || (response.status == 404 && code.empty())) {
    std::string missing = reference.digest.empty() ? "tag `" + reference.tag + "`"
                                                   : "digest `" + reference.digest + "`";
    return MakeError(diag::Kind::kImageTagNotFound,
                     missing + " not found in repository `" + repository + "`",
                     "check the tag or digest against the repository");
  }
  if (response.status == 401 || response.status == 403) {
    return MakeError(diag::Kind::kRegistryAuthFailed,
                     "registry `" + reference.RegistryHost() + "` denied access to `" + repository +
                         "` (HTTP " + std::to_string(response.status) + ")",
                     "kfpc pulls anonymously; the repository may not exist or may be private");
  }
  return MakeError(diag::Kind::kInvalidRegistryResponse,
                   "registry `" + reference.RegistryHost() + "` returned HTTP " +
                       std::to_string(response.status) + " for `" + Name(reference) + "`" +
                       (code.empty() ? "" : " with error `" + EscapeRemoteText(code) + "`"));
}

// Returns true for an os, architecture or variant as the OCI image spec and Go name them
// (`linux`, `arm64`, `v8`, `ppc64le`): 1 to 32 lowercase letters, digits, `.`, `_` or `-`,
// starting with a letter or digit.
bool IsPlatformComponent(std::string_view text) {
  if (text.empty() || text.size() > 32 || text.front() == '.' || text.front() == '_' ||
      text.front() == '-') {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// Returns `os/architecture[/variant]`, or an empty string when os or architecture is missing.
// Sets `*valid` to false when a component has characters outside IsPlatformComponent.
std::string PlatformKey(const nlohmann::json& platform, bool* valid) {
  std::string os = StringMember(platform, "os");
  std::string architecture = StringMember(platform, "architecture");
  std::string variant = StringMember(platform, "variant");
  *valid = true;
  if (os.empty() || architecture.empty()) return "";
  *valid = IsPlatformComponent(os) && IsPlatformComponent(architecture) &&
           (variant.empty() || IsPlatformComponent(variant));
  return os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
}

// Returns the media type from the body's `mediaType`, else the Content-Type header, else the
// shape of the document (OCI allows omitting `mediaType`).
std::string MediaType(const nlohmann::json& manifest, const HttpResponse& response) {
  std::string type = StringMember(manifest, "mediaType");
  if (!type.empty()) return type;
  type = response.Header("content-type");
  type = type.substr(0, type.find(';'));
  if (type == kOciIndex || type == kDockerManifestList || type == kOciManifest ||
      type == kDockerManifest) {
    return type;
  }
  if (manifest.is_object() && manifest.contains("manifests")) return std::string(kOciIndex);
  if (manifest.is_object() && manifest.contains("config")) return std::string(kOciManifest);
  return type;
}

bool ParseManifest(const ImageReference& reference, const std::string& body,
                   nlohmann::json* manifest, RegistryError* error) {
  std::string reason;
  size_t offset = 0;
  if (ParseJsonWithLimits(body, kMaxManifestDepth, manifest, &reason, &offset) &&
      manifest->is_object()) {
    return true;
  }
  *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                     "the manifest of `" + Name(reference) + "` is not a JSON object" +
                         (reason.empty() ? "" : ": " + EscapeRemoteText(reason)));
  return false;
}

}  // namespace

std::string Sha256Digest(std::string_view bytes) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), hash, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digest = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    digest += kHex[hash[i] >> 4];
    digest += kHex[hash[i] & 15];
  }
  return digest;
}

bool OciClient::FetchToken(const ImageReference& reference, std::string_view challenge_header,
                           RegistryError* error) {
  AuthChallenge challenge;
  if (!ParseAuthChallenge(challenge_header, &challenge) || challenge.scheme != "bearer" ||
      challenge.realm.empty()) {
    *error = MakeError(diag::Kind::kRegistryAuthFailed,
                       "registry `" + reference.RegistryHost() + "` requires credentials for `" +
                           reference.Repository() + "`",
                       "kfpc supports anonymous pulls and bearer tokens only; the challenge was `" +
                           EscapeRemoteText(challenge_header) + "`");
    return false;
  }
  HttpRequest request;
  request.url = TokenRequestUrl(challenge, reference.path);
  // The realm must obey the redirect rules of the registry that named it.
  request.origin = reference.RegistryHost();
  HttpResponse response;
  std::string reason;
  if (!http_.Send(request, &response, &reason)) {
    *error = MakeError(diag::Kind::kRegistryRequestFailed,
                       "token request to `" + EscapeRemoteText(challenge.realm) +
                           "` failed: " + reason);
    return false;
  }
  std::string token;
  if (response.status != 200 || !ParseTokenResponse(response.body, &token)) {
    *error =
        MakeError(diag::Kind::kRegistryAuthFailed,
                  "the token server `" + EscapeRemoteText(challenge.realm) +
                      "` gave no token for `" +
                      reference.Repository() + "` (HTTP " + std::to_string(response.status) + ")");
    return false;
  }
  tokens_[reference.RegistryHost() + "/" + reference.path] = token;
  return true;
}

bool OciClient::Get(const ImageReference& reference, const std::string& suffix,
                    std::string_view accept, HttpResponse* response, RegistryError* error) {
  std::string host = reference.RegistryHost();
  std::string scheme = http_.AllowsPlainHttp(host) ? "http" : "https";
  // NOTE: loopback and insecure registries are reached over plain HTTP only; Docker tries
  // HTTPS first and falls back to HTTP for them.
  HttpRequest request;
  request.url = scheme + "://" + host + "/v2/" + reference.path + "/" + suffix;
  if (!accept.empty()) request.headers.emplace_back("Accept", std::string(accept));
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto token = tokens_.find(host + "/" + reference.path);
    std::erase_if(request.headers, [](const auto& h) { return h.first == "Authorization"; });
    if (token != tokens_.end()) {
      request.headers.emplace_back("Authorization", "Bearer " + token->second);
    }
    std::string reason;
    if (!http_.Send(request, response, &reason)) {
      if (std::chrono::steady_clock::now() >= deadline_) {
        *error = MakeError(
            diag::Kind::kRegistryRequestFailed,
            "request to registry `" + host + "` timed out: resolving one image may take at most " +
                FormatDuration(http_.limits().image_timeout),
            "check the network and the registry; a registry that sends slowly stalls every "
            "request");
        return false;
      }
      *error = MakeError(diag::Kind::kRegistryRequestFailed,
                         "request to registry `" + host + "` failed: " + reason,
                         "check the network and the registry host name");
      return false;
    }
    std::string challenge = response->Header("www-authenticate");
    if (response->status != 401 || challenge.empty() || token != tokens_.end()) return true;
    if (!FetchToken(reference, challenge, error)) return false;
  }
  return true;
}

bool OciClient::FetchManifest(const ImageReference& reference,
                              const std::string& manifest_reference,
                              const std::string& expected_digest, HttpResponse* response,
                              RegistryError* error) {
  std::string accept = std::string(kOciIndex) + ", " + std::string(kDockerManifestList) + ", " +
                       std::string(kOciManifest) + ", " + std::string(kDockerManifest);
  if (!Get(reference, "manifests/" + manifest_reference, accept, response, error)) return false;
  if (response->status != 200) {
    *error = StatusError(reference, *response);
    return false;
  }
  std::string actual = Sha256Digest(response->body);
  std::string header = response->Header("docker-content-digest");
  // A registry may state the digest with another algorithm, which this check cannot compare.
  if (header.rfind("sha256:", 0) != 0) header.clear();
  for (const std::string& claimed : {expected_digest, header}) {
    if (claimed.empty() || claimed == actual) continue;
    *error = MakeError(diag::Kind::kImageDigestMismatch,
                       "the manifest `" + manifest_reference + "` of `" + reference.Repository() +
                           "` hashes to `" + actual + "`, not `" + EscapeRemoteText(claimed) +
                           "`",
                       "the registry or a proxy altered the manifest; do not use this image "
                       "until the digests agree");
    return false;
  }
  return true;
}

void OciClient::ExplainNotFound(const ImageReference& reference, RegistryError* error) {
  // The distribution registry returns MANIFEST_UNKNOWN for a missing repository as well, so
  // the tag list distinguishes the two cases.
  HttpResponse response;
  RegistryError ignored;
  if (!Get(reference, "tags/list", "application/json", &response, &ignored)) return;
  if (response.status == 404 && ErrorCode(response.body) == "NAME_UNKNOWN") {
    *error = StatusError(reference, response);
    return;
  }
  nlohmann::json list;
  std::string reason;
  size_t offset = 0;
  if (response.status != 200 ||
      !ParseJsonWithLimits(response.body, kMaxManifestDepth, &list, &reason, &offset) ||
      !list.is_object() || !list.contains("tags") || !list["tags"].is_array()) {
    return;
  }
  std::string tags;
  size_t listed = 0;
  for (const nlohmann::json& tag : list["tags"]) {
    if (!tag.is_string() || listed == kMaxTagsInHelp) continue;
    tags += (tags.empty() ? "`" : ", `") + EscapeRemoteText(tag.get<std::string>()) + "`";
    ++listed;
  }
  if (tags.empty()) return;
  error->help =
      "the repository has the tags " + tags + (list["tags"].size() > listed ? " and others" : "");
}

bool OciClient::Resolve(const ImageReference& reference, ResolvedImage* image,
                        RegistryError* error) {
  *image = ResolvedImage();
  deadline_ = std::chrono::steady_clock::now() + http_.limits().image_timeout;
  http_.set_deadline(deadline_);
  HttpResponse response;
  if (!FetchManifest(reference, reference.ManifestReference(), reference.digest, &response,
                     error)) {
    if (error->kind == diag::Kind::kImageTagNotFound) ExplainNotFound(reference, error);
    return false;
  }
  nlohmann::json manifest;
  if (!ParseManifest(reference, response.body, &manifest, error)) return false;
  image->repository = reference.Repository();
  image->digest = Sha256Digest(response.body);
  image->media_type = MediaType(manifest, response);
  if (image->media_type == kOciIndex || image->media_type == kDockerManifestList) {
    return ResolveIndex(reference, response.body, image, error);
  }
  if (image->media_type != kOciManifest && image->media_type != kDockerManifest) {
    *error = MakeError(
        diag::Kind::kInvalidRegistryResponse,
        "`" + Name(reference) + "` has the unsupported manifest type `" +
            EscapeRemoteText(image->media_type) + "`",
        "push the image as an OCI image or a Docker v2 schema 2 manifest");
    return false;
  }
  std::string platform;
  if (!ReadPlatform(reference, response.body, &platform, error)) return false;
  image->platforms[platform] = image->digest;
  return true;
}

bool OciClient::ResolveIndex(const ImageReference& reference, const std::string& body,
                             ResolvedImage* image, RegistryError* error) {
  nlohmann::json index;
  if (!ParseManifest(reference, body, &index, error)) return false;
  const nlohmann::json* entries = index.contains("manifests") ? &index["manifests"] : nullptr;
  if (entries == nullptr || !entries->is_array() || entries->size() > kMaxIndexEntries) {
    *error = MakeError(diag::Kind::kInvalidRegistryResponse, "the index of `" + Name(reference) +
                                                                 "` has no `manifests` array of at "
                                                                 "most " +
                                                                 std::to_string(kMaxIndexEntries) +
                                                                 " entries");
    return false;
  }
  for (const nlohmann::json& entry : *entries) {
    std::string digest = StringMember(entry, "digest");
    bool valid = true;
    std::string platform =
        entry.contains("platform") ? PlatformKey(entry["platform"], &valid) : "";
    if (!valid) {
      *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                         "the index of `" + Name(reference) + "` lists the invalid platform `" +
                             EscapeRemoteText(platform) + "`",
                         "an os, architecture or variant has only lowercase letters, digits, "
                         "`.`, `_` and `-`");
      return false;
    }
    // Build attestations are listed with platform `unknown/unknown`; they are not images.
    if (platform.empty() || platform.rfind("unknown/", 0) == 0) continue;
    if (!IsSha256Digest(digest)) {
      *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                         "the index of `" + Name(reference) + "` lists `" + platform +
                             "` with the invalid digest `" + EscapeRemoteText(digest) + "`");
      return false;
    }
    // An index that lists a platform twice is pinned to the first entry, the first match of a
    // puller that walks the list in order. NOTE: which entry containerd pulls was not checked.
    if (image->platforms.count(platform)) continue;
    if (image->rejected.count(platform)) continue;
    HttpResponse response;
    RegistryError entry_error;
    bool entry_ok = FetchManifest(reference, digest, digest, &response, &entry_error);
    if (!entry_ok && entry_error.kind == diag::Kind::kImageTagNotFound) {
      entry_error.kind = diag::Kind::kInvalidRegistryResponse;
      entry_error.message = "the index of `" + Name(reference) + "` lists `" + platform + "` as `" +
                            digest + "`, which the registry does not have";
      entry_error.help = "push that image again, or ask the image's maintainers to fix the index";
    } else if (entry_ok) {
      entry_ok = CheckIndexEntry(reference, platform, digest, StringMember(entry, "mediaType"),
                                 response, &entry_error);
    }
    if (!entry_ok) {
      // A broken entry is left out, so that it fails only the tasks that need its platform. A
      // network failure or an altered manifest fails the whole image.
      if (entry_error.kind != diag::Kind::kInvalidRegistryResponse) {
        *error = std::move(entry_error);
        return false;
      }
      image->rejected[platform] = std::move(entry_error);
      continue;
    }
    image->platforms[platform] = digest;
  }
  if (image->platforms.empty() && !image->rejected.empty()) {
    *error = image->rejected.begin()->second;
    return false;
  }
  if (image->platforms.empty()) {
    *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                       "the index of `" + Name(reference) + "` lists no platform images");
    return false;
  }
  return true;
}

bool OciClient::CheckIndexEntry(const ImageReference& reference, const std::string& platform,
                                const std::string& digest, const std::string& listed_media_type,
                                const HttpResponse& response, RegistryError* error) {
  nlohmann::json manifest;
  if (!ParseManifest(reference, response.body, &manifest, error)) return false;
  std::string media_type = MediaType(manifest, response);
  if (media_type != kOciManifest && media_type != kDockerManifest) {
    *error =
        MakeError(diag::Kind::kInvalidRegistryResponse,
                  "the index of `" + Name(reference) + "` lists `" + platform + "` as `" + digest +
                      "`, which is a `" + EscapeRemoteText(media_type) + "`, not an image manifest",
                  "pin an image whose index lists one image manifest for each platform");
    return false;
  }
  // An index entry must give the media type of what it points to (OCI image spec, descriptors).
  // A puller may parse the manifest as the type the index gives, so a mismatch is a broken index.
  if (!listed_media_type.empty() && listed_media_type != media_type) {
    *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                       "the index of `" + Name(reference) + "` lists `" + platform + "` as `" +
                           digest + "` of media type `" + EscapeRemoteText(listed_media_type) +
                           "`, but that manifest is a `" + media_type + "`",
                       "push the index again so that each entry gives its manifest's media type");
    return false;
  }
  // The index's platform field is only a claim, and the image's own config names the platform it
  // was built for. The config often leaves out the variant that the index gives
  // (`linux/arm64/v8`), so a variant is compared only when both name one.
  std::string actual;
  if (!ReadPlatform(reference, response.body, &actual, error)) return false;
  auto split = [](const std::string& key) {
    std::vector<std::string> parts;
    for (size_t begin = 0;;) {
      size_t end = key.find('/', begin);
      parts.push_back(key.substr(begin, end - begin));
      if (end == std::string::npos) return parts;
      begin = end + 1;
    }
  };
  std::vector<std::string> listed = split(platform), found = split(actual);
  bool same = listed[0] == found[0] && listed[1] == found[1] &&
              (listed.size() < 3 || found.size() < 3 || listed[2] == found[2]);
  if (!same) {
    *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                       "the index of `" + Name(reference) + "` lists `" + digest + "` as `" +
                           platform + "`, but that image's config says `" + actual + "`",
                       "the index is wrong, so the image would not run on `" + platform +
                           "`; push the image again with the right platform");
    return false;
  }
  return true;
}

bool OciClient::ReadPlatform(const ImageReference& reference, const std::string& manifest_body,
                             std::string* platform, RegistryError* error) {
  nlohmann::json manifest;
  if (!ParseManifest(reference, manifest_body, &manifest, error)) return false;
  std::string config_digest =
      manifest.contains("config") ? StringMember(manifest["config"], "digest") : "";
  if (!IsSha256Digest(config_digest)) {
    *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                       "the manifest of `" + Name(reference) + "` has no valid config digest");
    return false;
  }
  HttpResponse response;
  if (!Get(reference, "blobs/" + config_digest, "", &response, error)) return false;
  if (response.status != 200) {
    *error = StatusError(reference, response);
    error->message += " while reading config blob `" + config_digest + "`";
    return false;
  }
  if (Sha256Digest(response.body) != config_digest) {
    *error = MakeError(diag::Kind::kImageDigestMismatch,
                       "the config blob of `" + Name(reference) + "` hashes to `" +
                           Sha256Digest(response.body) + "`, not `" + config_digest + "`");
    return false;
  }
  nlohmann::json config;
  if (!ParseManifest(reference, response.body, &config, error)) return false;
  bool valid = true;
  *platform = PlatformKey(config, &valid);
  if (!valid) {
    *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                       "the config blob of `" + Name(reference) + "` names the invalid platform `" +
                           EscapeRemoteText(*platform) + "`");
    return false;
  }
  if (platform->empty()) {
    *error = MakeError(diag::Kind::kInvalidRegistryResponse,
                       "the config blob of `" + Name(reference) + "` names no os and architecture");
    return false;
  }
  return true;
}

bool IsPlatformKey(std::string_view key) {
  size_t parts = 0;
  for (size_t begin = 0;; ++parts) {
    size_t end = key.find('/', begin);
    if (!IsPlatformComponent(key.substr(begin, end - begin))) return false;
    if (end == std::string_view::npos) return parts + 1 >= 2 && parts + 1 <= 3;
    begin = end + 1;
  }
}

}  // namespace kfpc::images
