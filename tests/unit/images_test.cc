#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/diagnostics/diagnostic.h"
#include "compiler/images/connection.h"
#include "compiler/images/http_client.h"
#include "compiler/images/image_reference.h"
#include "compiler/images/json_limits.h"
#include "compiler/images/lock_command.h"
#include "compiler/images/lock_file.h"
#include "compiler/images/registry_auth.h"

namespace kfpc::images {
namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');
const std::string kDigestC = "sha256:" + std::string(64, 'c');

struct ReferenceCase {
  std::string text, domain, path, tag, digest, registry_host;
};

TEST(ImageReference, NormalizesLikeDocker) {
  const std::vector<ReferenceCase> cases = {
      {"python", "docker.io", "library/python", "latest", "", "registry-1.docker.io"},
      {"python:3.11", "docker.io", "library/python", "3.11", "", "registry-1.docker.io"},
      {"bitnami/redis:7", "docker.io", "bitnami/redis", "7", "", "registry-1.docker.io"},
      {"docker.io/python", "docker.io", "library/python", "latest", "", "registry-1.docker.io"},
      {"index.docker.io/library/python", "docker.io", "library/python", "latest", "",
       "registry-1.docker.io"},
      {"ghcr.io/org/team/app:v1.2-rc_3", "ghcr.io", "org/team/app", "v1.2-rc_3", "", "ghcr.io"},
      {"localhost/app", "localhost", "app", "latest", "", "localhost"},
      {"localhost:5000/app:dev", "localhost:5000", "app", "dev", "", "localhost:5000"},
      {"127.0.0.1:5000/a/b@" + kDigestA, "127.0.0.1:5000", "a/b", "", kDigestA, "127.0.0.1:5000"},
      {"[::1]:5000/app:1", "[::1]:5000", "app", "1", "", "[::1]:5000"},
      {"python:3.11@" + kDigestB, "docker.io", "library/python", "3.11", kDigestB,
       "registry-1.docker.io"},
      {"my-registry.example.com:443/a__b/c.d/e--f", "my-registry.example.com:443", "a__b/c.d/e--f",
       "latest", "", "my-registry.example.com:443"},
  };
  for (const ReferenceCase& c : cases) {
    ImageReference reference;
    std::string error;
    ASSERT_TRUE(ParseImageReference(c.text, &reference, &error)) << c.text << ": " << error;
    EXPECT_EQ(reference.domain, c.domain) << c.text;
    EXPECT_EQ(reference.path, c.path) << c.text;
    EXPECT_EQ(reference.tag, c.tag) << c.text;
    EXPECT_EQ(reference.digest, c.digest) << c.text;
    EXPECT_EQ(reference.RegistryHost(), c.registry_host) << c.text;
  }
}

TEST(ImageReference, ManifestReferencePrefersDigest) {
  ImageReference reference;
  std::string error;
  ASSERT_TRUE(ParseImageReference("python:3.11@" + kDigestA, &reference, &error));
  EXPECT_EQ(reference.ManifestReference(), kDigestA);
  EXPECT_EQ(reference.Repository(), "docker.io/library/python");
}

TEST(ImageReference, RejectsInvalidReferences) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the image reference is empty"},
      {"Python", "the repository name must be lowercase"},
      {"python:", "the tag after `:` is empty"},
      {"python:.hidden",
       "the tag `.hidden` is invalid; a tag has at most 128 letters, digits, "
       "`_`, `.` and `-` and does not start with `.` or `-`"},
      {"python@sha256:abc", "the digest must be `sha256:` followed by 64 lowercase hex digits"},
      {":3.11", "the image reference has no repository name"},
      {"a//b",
       "the repository name `a//b` is invalid; it is lowercase letters and digits "
       "separated by `/`, `.`, `_`, `__` or `-`"},
      {"-app",
       "the repository name `-app` is invalid; it is lowercase letters and digits "
       "separated by `/`, `.`, `_`, `__` or `-`"},
      {"host:port/app", "the registry `host:port` is not a valid host name"},
      {"host:65536/app", "the port `65536` of registry `host:65536` is not a TCP port, 1 to 65535"},
      {"host:123456/app",
       "the port `123456` of registry `host:123456` is not a TCP port, 1 to 65535"},
      {"host:0/app", "the port `0` of registry `host:0` is not a TCP port, 1 to 65535"},
      {std::string(64, 'f'), "a 64-digit hexadecimal string is an image ID, not a repository name"},
      {std::string(256, 'a'), "the repository name is longer than 255 characters"},
  };
  for (const auto& [text, message] : cases) {
    ImageReference reference;
    std::string error;
    EXPECT_FALSE(ParseImageReference(text, &reference, &error)) << text;
    EXPECT_EQ(error, message) << text;
  }
}

TEST(ImageReference, AcceptsReferencesAtDockersLimits) {
  std::string digest = "@sha256:" + std::string(64, 'a');
  // A reference of the maximum length: a 255-byte name, a 128-byte tag and a digest.
  std::string longest = std::string(255, 'a') + ":" + std::string(128, 't') + digest;
  // 64 hex digits are an image ID only as the whole reference, not as part of a name.
  const std::vector<std::string> valid = {longest,
                                          "reg.io/" + std::string(64, 'f'),
                                          std::string(64, 'f') + ":tag",
                                          "reg.io:65535/app",
                                          "reg.io:1/app",
                                          "reg.io:00443/app"};
  for (const std::string& text : valid) {
    ImageReference reference;
    std::string error;
    EXPECT_TRUE(ParseImageReference(text, &reference, &error)) << text << ": " << error;
  }
}

TEST(ImageReference, LoopbackHosts) {
  for (const char* host :
       {"localhost", "localhost:5000", "127.0.0.1", "127.1.2.3:80", "[::1]:5000"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"128.0.0.1", "127.0.0.256", "127.0.0", "localhost.example.com",
                           "10.0.0.1:5000", "[::2]:5000", "127.0.0.1:x", "ghcr.io"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(AuthChallenge, ParsesDockerHubBearer) {
  AuthChallenge challenge;
  ASSERT_TRUE(ParseAuthChallenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull")",
      &challenge));
  EXPECT_EQ(challenge.scheme, "bearer");
  EXPECT_EQ(challenge.realm, "https://auth.docker.io/token");
  EXPECT_EQ(challenge.service, "registry.docker.io");
  EXPECT_EQ(challenge.scope, "repository:library/python:pull");
  EXPECT_EQ(TokenRequestUrl(challenge, "library/python"),
            "https://auth.docker.io/token?service=registry.docker.io&"
            "scope=repository%3Alibrary%2Fpython%3Apull");
}

TEST(AuthChallenge, AcceptsAnyOrderSpacesAndEscapes) {
  AuthChallenge challenge;
  ASSERT_TRUE(ParseAuthChallenge(
      R"(bearer  service = reg , scope="repository:a/b:pull,push", realm="https://x/t\"q")",
      &challenge));
  EXPECT_EQ(challenge.service, "reg");
  EXPECT_EQ(challenge.scope, "repository:a/b:pull,push");
  EXPECT_EQ(challenge.realm, "https://x/t\"q");
}

TEST(AuthChallenge, DefaultsScopeAndKeepsRealmQuery) {
  AuthChallenge challenge;
  ASSERT_TRUE(ParseAuthChallenge(R"(Bearer realm="https://ghcr.io/token?x=1")", &challenge));
  EXPECT_EQ(TokenRequestUrl(challenge, "org/app"),
            "https://ghcr.io/token?x=1&scope=repository%3Aorg%2Fapp%3Apull");
}

TEST(AuthChallenge, ReportsBasicAndMalformed) {
  AuthChallenge challenge;
  ASSERT_TRUE(ParseAuthChallenge(R"(Basic realm="Registry Realm")", &challenge));
  EXPECT_EQ(challenge.scheme, "basic");
  EXPECT_FALSE(ParseAuthChallenge("", &challenge));
  EXPECT_FALSE(ParseAuthChallenge(R"(Bearer realm="unterminated)", &challenge));
  EXPECT_FALSE(ParseAuthChallenge(R"(Bearer realm="a" service="b")", &challenge));
}

TEST(AuthChallenge, ReadsTokenOrAccessToken) {
  std::string token;
  EXPECT_TRUE(ParseTokenResponse(R"({"token":"abc","expires_in":300})", &token));
  EXPECT_EQ(token, "abc");
  EXPECT_TRUE(ParseTokenResponse(R"({"access_token":"xyz"})", &token));
  EXPECT_EQ(token, "xyz");
  EXPECT_FALSE(ParseTokenResponse(R"({"token":""})", &token));
  EXPECT_FALSE(ParseTokenResponse("not json", &token));
}

TEST(Url, ParsesAndResolvesRedirects) {
  Url url;
  ASSERT_TRUE(ParseUrl("https://[::1]:5000/v2/a/manifests/1?x=y", &url));
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 5000);
  EXPECT_EQ(url.authority, "[::1]:5000");
  EXPECT_EQ(url.target, "/v2/a/manifests/1?x=y");
  ASSERT_TRUE(ParseUrl("http://127.0.0.1", &url));
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.target, "/");
  EXPECT_FALSE(ParseUrl("ftp://host/", &url));
  EXPECT_FALSE(ParseUrl("https://user@host/", &url));
  EXPECT_FALSE(ParseUrl("https://host:99999/", &url));

  ASSERT_TRUE(ParseUrl("https://r.io/v2/a/blobs/sha256:1", &url));
  EXPECT_EQ(ResolveLocation(url, "https://cdn.io/x"), "https://cdn.io/x");
  EXPECT_EQ(ResolveLocation(url, "//cdn.io/x"), "https://cdn.io/x");
  EXPECT_EQ(ResolveLocation(url, "/other"), "https://r.io/other");
  EXPECT_EQ(ResolveLocation(url, "sibling"), "https://r.io/v2/a/blobs/sibling");
}

TEST(HttpClient, RefusesPlainHttpOutsideLoopback) {
  // The policy check runs before name resolution, so this test sends nothing.
  HttpClient client(HttpClientOptions{});
  HttpRequest request;
  request.url = "http://registry.invalid/v2/";
  HttpResponse response;
  std::string error;
  EXPECT_FALSE(client.Send(request, &response, &error));
  EXPECT_EQ(error,
            "plain HTTP to `registry.invalid` is not allowed; only loopback hosts and "
            "insecure registries use HTTP");
  EXPECT_TRUE(client.AllowsPlainHttp("127.0.0.1:5000"));
  EXPECT_FALSE(client.AllowsPlainHttp("registry.invalid:5000"));
  HttpClientOptions options;
  options.insecure_hosts = {"registry.invalid:5000"};
  EXPECT_TRUE(HttpClient(options).AllowsPlainHttp("registry.invalid:5000"));
}

TEST(JsonLimits, RejectsDeepNestingBeforeParsing) {
  nlohmann::json value;
  std::string error;
  size_t offset = 0;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(ParseJsonWithLimits(deep, 8, &value, &error, &offset));
  EXPECT_EQ(error, "arrays and objects nest more than 8 levels deep");
  EXPECT_EQ(offset, 8u);
  EXPECT_TRUE(ParseJsonWithLimits(R"({"a":"[[[[[[[[[[[[[[["})", 2, &value, &error, &offset));
}

LockFile SampleLock() {
  LockFile lock;
  LockedImage& python = lock.images["python:3.11"];
  python.repository = "docker.io/library/python";
  python.digest = kDigestA;
  python.media_type = "application/vnd.oci.image.index.v1+json";
  python.platforms = {{"linux/arm64/v8", kDigestB}, {"linux/amd64", kDigestC}};
  LockedImage& tool = lock.images["ghcr.io/org/tool:1"];
  tool.repository = "ghcr.io/org/tool";
  tool.digest = kDigestC;
  tool.media_type = "application/vnd.docker.distribution.manifest.v2+json";
  tool.platforms = {{"linux/amd64", kDigestC}};
  return lock;
}

TEST(LockFile, SerializesSortedAndStable) {
  std::string text = SerializeLockFile(SampleLock());
  EXPECT_EQ(text,
            "{\n"
            "  \"images\": {\n"
            "    \"ghcr.io/org/tool:1\": {\n"
            "      \"digest\": \"" +
                kDigestC +
                "\",\n"
                "      \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
                "      \"platforms\": {\n"
                "        \"linux/amd64\": \"" +
                kDigestC +
                "\"\n"
                "      },\n"
                "      \"repository\": \"ghcr.io/org/tool\"\n"
                "    },\n"
                "    \"python:3.11\": {\n"
                "      \"digest\": \"" +
                kDigestA +
                "\",\n"
                "      \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
                "      \"platforms\": {\n"
                "        \"linux/amd64\": \"" +
                kDigestC +
                "\",\n"
                "        \"linux/arm64/v8\": \"" +
                kDigestB +
                "\"\n"
                "      },\n"
                "      \"repository\": \"docker.io/library/python\"\n"
                "    }\n"
                "  },\n"
                "  \"version\": 1\n"
                "}\n");

  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  LockFile parsed;
  ASSERT_TRUE(ParseLockFile(sources, sources.AddFile("kfpc.lock", text), sink, &parsed));
  EXPECT_EQ(parsed, SampleLock());
  EXPECT_EQ(SerializeLockFile(parsed), text);
}

// Parses `text` as a lock file and returns every diagnostic rendered.
std::string LockErrors(const std::string& text, LockFileLimits limits = {}) {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  LockFile lock;
  EXPECT_FALSE(ParseLockFile(sources, sources.AddFile("kfpc.lock", text), sink, &lock, limits));
  for (const diag::Diagnostic& d : sink.diagnostics()) {
    EXPECT_EQ(d.kind, diag::Kind::kInvalidLockFile) << d.message;
  }
  return diag::RenderAll(sources, sink.diagnostics());
}

TEST(LockFile, JsonSyntaxErrorHasLine) {
  EXPECT_EQ(LockErrors("{\n  \"version\": 1,\n  \"images\": {\n    \"a\": tru\n  }\n}\n"),
            "kfpc.lock:4:13: error: invalid lock file: syntax error while parsing value - "
            "invalid literal; last read: '\"a\": tru<U+000A>'\n"
            "4 |     \"a\": tru\n"
            "  |             ^\n"
            "help: fix the JSON, or delete the file and run `kfpc lock` to recreate it\n");
}

// Found by fuzz_lock_file: nlohmann::json throws out_of_range, not parse_error, for a number
// beyond a double, and the exception escaped ParseJsonWithLimits.
TEST(JsonLimits, NumberOverflowIsAnError) {
  nlohmann::json value;
  std::string error;
  size_t offset = 0;
  EXPECT_FALSE(ParseJsonWithLimits(R"({"version": 1e999})", 8, &value, &error, &offset));
  EXPECT_EQ(error, "number overflow parsing '1e999'");
  EXPECT_EQ(offset, 12u);
}

TEST(LockFile, NumberOverflowIsReported) {
  EXPECT_EQ(LockErrors("{\n  \"version\": 1e999\n}\n"),
            "kfpc.lock:2:14: error: invalid lock file: number overflow parsing '1e999'\n"
            "2 |   \"version\": 1e999\n"
            "  |              ^\n"
            "help: fix the JSON, or delete the file and run `kfpc lock` to recreate it\n");
}

TEST(LockFile, PlatformKeysAndMediaTypesAreChecked) {
  std::string text = SerializeLockFile(SampleLock());
  for (const std::string bad : {"linux/arm64/", "//", "linux/ARM64", "linux/arm64/v8/x"}) {
    std::string broken = text;
    broken.replace(broken.find("\"linux/arm64/v8\""), 16, "\"" + bad + "\"");
    EXPECT_NE(LockErrors(broken).find("error: the platform `" + bad +
                                      "` of `python:3.11` needs "
                                      "the form `os/architecture[/variant]`"),
              std::string::npos)
        << bad;
  }
  std::string media = text;
  media.replace(media.find("application/vnd.oci.image.index.v1+json"), 39, "text/html; evil");
  EXPECT_NE(LockErrors(media).find("error: the entry for `python:3.11` has the unsupported media "
                                   "type `text/html; evil`"),
            std::string::npos)
      << LockErrors(media);
  std::string number = text;
  number.replace(number.find("\"" + kDigestA + "\""), kDigestA.size() + 2, "5");
  EXPECT_NE(LockErrors(number).find("has an invalid digest `5`"), std::string::npos)
      << LockErrors(number);
}

TEST(LockFile, BadEntryPointsAtItsKey) {
  std::string text = SerializeLockFile(SampleLock());
  std::string broken = text;
  broken.replace(broken.find("\"linux/amd64\": \"" + kDigestC + "\"\n      },\n      \"repo"), 15,
                 "\"linux-amd64\": ");
  EXPECT_EQ(LockErrors(broken),
            "kfpc.lock:7:9: error: the platform `linux-amd64` of `ghcr.io/org/tool:1` needs the "
            "form `os/architecture[/variant]` and a sha256 digest\n"
            "7 |         \"linux-amd64\": \"" +
                kDigestC +
                "\"\n"
                "  |         ^~~~~~~~~~~~~\n"
                "help: fix or delete this entry, then run `kfpc lock` with the pipeline's files to "
                "resolve the image again\n");
}

TEST(LockFile, RejectsWrongRepositoryVersionAndFields) {
  std::string text = SerializeLockFile(SampleLock());
  text.replace(text.find("ghcr.io/org/tool\""), 16, "ghcr.io/org/other");
  text.replace(text.find("\"version\": 1"), 12, "\"version\": 2, \"extra\": 0");
  std::string errors = LockErrors(text);
  EXPECT_NE(errors.find("kfpc.lock:9:7: error: the entry for `ghcr.io/org/tool:1` has repository "
                        "`ghcr.io/org/other`, but the reference names `ghcr.io/org/tool`"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("error: unsupported lock file version: this kfpc reads version 1"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("error: unknown top-level field `extra`"), std::string::npos) << errors;
}

TEST(LockFile, DuplicateKeysReportedAsSuch) {
  std::string version = LockErrors("{\n  \"version\": 1,\n  \"version\": 1,\n  \"images\": {}\n}\n");
  EXPECT_NE(version.find("kfpc.lock:3:3: error: duplicate key `version` in the lock file"),
            std::string::npos)
      << version;
  EXPECT_EQ(version.find("unsupported lock file version"), std::string::npos) << version;

  std::string text = SerializeLockFile(SampleLock());
  text.replace(text.find("\"mediaType\""), 0, "\"digest\": \"sha256:0\",\n      ");
  std::string entry = LockErrors(text);
  EXPECT_NE(entry.find("error: duplicate key `digest` in the lock file"), std::string::npos)
      << entry;
}

TEST(LockFile, ControlCharactersEscapedInMessages) {
  std::string text("{\"version\": 1, \"images\": {}, \"a\0b\": 1}", 38);
  std::string errors = LockErrors(text);
  std::string message = errors.substr(0, errors.find('\n'));
  EXPECT_EQ(message.find('\0'), std::string::npos) << errors;

  std::string field = LockErrors("{\"version\": 1, \"images\": {}, \"a\\u0001b\": 1}");
  EXPECT_NE(field.find("unknown top-level field `a\\x01b`"), std::string::npos) << field;
}

TEST(LockFile, EnforcesSizeAndDepthLimits) {
  LockFileLimits limits;
  limits.max_bytes = 10;
  EXPECT_EQ(LockErrors("{\"images\": {}, \"version\": 1}", limits),
            "kfpc.lock:1:1: error: the lock file is larger than 10 bytes\n"
            "1 | {\"images\": {}, \"version\": 1}\n"
            "  | ^\n"
            "help: a lock file takes about 1 KB per image; check that the path names a kfpc "
            "lock file, or delete it and run `kfpc lock` to recreate it\n");
  std::string deep =
      "{\"images\": {\"a\": {\"platforms\": {\"x\": [[[[[[]]]]]]}}}, \"version\": 1}";
  std::string errors = LockErrors(deep);
  EXPECT_NE(errors.find("kfpc.lock:1:42: error: invalid lock file: arrays and objects nest more "
                        "than 8 levels deep"),
            std::string::npos)
      << errors;
}

TEST(LockFile, PinImageFindsArm64Variant) {
  LockFile lock = SampleLock();
  diag::DiagnosticSink sink;
  std::string pinned;
  ASSERT_TRUE(PinImage(lock, "python:3.11", diag::Span{}, sink, &pinned));
  EXPECT_EQ(pinned, "docker.io/library/python@" + kDigestB);
  EXPECT_TRUE(sink.diagnostics().empty());
}

TEST(LockFile, PinImageReportsMissingPlatformAndEntry) {
  LockFile lock = SampleLock();
  diag::DiagnosticSink sink;
  std::string pinned;
  EXPECT_FALSE(PinImage(lock, "ghcr.io/org/tool:1", diag::Span{}, sink, &pinned));
  EXPECT_FALSE(PinImage(lock, "python:3.12", diag::Span{}, sink, &pinned));
  ASSERT_EQ(sink.diagnostics().size(), 2u);
  EXPECT_EQ(sink.diagnostics()[0].kind, diag::Kind::kImageMissingPlatform);
  EXPECT_EQ(sink.diagnostics()[0].message,
            "image `ghcr.io/org/tool:1` has no `linux/arm64` manifest; it has linux/amd64");
  EXPECT_EQ(sink.diagnostics()[1].kind, diag::Kind::kImageNotLocked);
  EXPECT_EQ(sink.diagnostics()[1].message, "image `python:3.12` is not in `kfpc.lock`");
  EXPECT_EQ(sink.diagnostics()[1].help,
            "run `kfpc lock` to resolve it and commit the updated lock file");
}

TEST(LockFile, LoadReportsMissingFile) {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  LockFile lock;
  EXPECT_FALSE(LoadLockFile("/nonexistent/kfpc.lock", sources, sink, &lock));
  ASSERT_EQ(sink.diagnostics().size(), 1u);
  EXPECT_EQ(sink.diagnostics()[0].kind, diag::Kind::kReadFailed);
  EXPECT_EQ(sink.diagnostics()[0].message, "failed to read lock file `/nonexistent/kfpc.lock`: No such file or directory");
}

// Returns a lock file of `count` images named `reg.example/imgI`, each with two platforms.
LockFile ManyImages(size_t count) {
  LockFile lock;
  for (size_t i = 0; i < count; ++i) {
    std::string name = "reg.example/img" + std::to_string(i);
    LockedImage& image = lock.images[name];
    image.repository = name;
    image.digest = kDigestA;
    image.media_type = "application/vnd.oci.image.index.v1+json";
    image.platforms = {{"linux/amd64", kDigestB}, {"linux/arm64", kDigestC}};
  }
  return lock;
}

// Returns the `line:column` of byte `offset` of `text`, as diagnostics show it.
std::string LineColumnOf(const std::string& text, size_t offset) {
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  return std::to_string(std::count(text.begin(), text.begin() + offset, '\n') + 1) + ":" +
         std::to_string(offset - line_start + 1);
}

// Reading a lock file once searched the text from its start for each entry's key, so that 8,000
// images took seconds. This reads the documented maximum of 10,000 images and asserts no time.
TEST(LockFile, ReadsTheMaximumNumberOfImages) {
  LockFileLimits limits;
  LockFile lock = ManyImages(limits.max_images);
  // Real media types and two platforms: about 4.5 MB.
  std::string text = SerializeLockFile(lock);
  ASSERT_LE(text.size(), limits.max_bytes);
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  LockFile parsed;
  ASSERT_TRUE(ParseLockFile(sources, sources.AddFile("kfpc.lock", text), sink, &parsed, limits))
      << diag::RenderAll(sources, sink.diagnostics());
  EXPECT_EQ(parsed.images.size(), limits.max_images);
  EXPECT_EQ(parsed, lock);

  // One more image is over the limit.
  LockFileLimits fewer = limits;
  fewer.max_images = limits.max_images - 1;
  std::string errors = LockErrors(text, fewer);
  EXPECT_EQ(errors.substr(0, errors.find('\n')),
            "kfpc.lock:2:3: error: the lock file has more than 9999 images")
      << errors;
}

// A problem in the last of many entries is still reported at its own keys.
TEST(LockFile, LargeFileErrorsPointAtKeys) {
  std::string text = SerializeLockFile(ManyImages(5000));
  // "reg.example/img999" sorts last. Break its repository and its `linux/arm64` digest.
  std::string entry = "\"reg.example/img999\": {";
  ASSERT_NE(text.find(entry), std::string::npos);
  std::string repository = "\"repository\": \"reg.example/img999\"";
  text.replace(text.find(repository, text.find(entry)), repository.size(),
               "\"repository\": \"reg.example/img998\"");
  std::string platform = "\"linux/arm64\": \"" + kDigestC + "\"";
  text.replace(text.find(platform, text.find(entry)), platform.size(),
               "\"linux/arm64\": \"sha256:0\"");
  size_t repository_at = text.find("\"repository\"", text.find(entry));
  size_t platform_at = text.find("\"linux/arm64\"", text.find(entry));
  std::string errors = LockErrors(text);
  EXPECT_NE(errors.find("kfpc.lock:" + LineColumnOf(text, repository_at) +
                        ": error: the entry for `reg.example/img999` has repository "
                        "`reg.example/img998`, but the reference names `reg.example/img999`"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("kfpc.lock:" + LineColumnOf(text, platform_at) +
                        ": error: the platform `linux/arm64` of `reg.example/img999` needs the "
                        "form `os/architecture[/variant]` and a sha256 digest"),
            std::string::npos)
      << errors;
}

// A key written with escapes, such as `\n` or `\u202e`, differs from its decoded name, so
// searching the text for the name failed and the error pointed at 1:1.
TEST(LockFile, EscapedKeyErrorsPointAtKey) {
  std::string text =
      "{\n"
      "  \"images\": {\n"
      "    \"busybox:1.36\\n\\u202e\": {\n"
      "      \"digest\": \"" +
      kDigestA +
      "\",\n"
      "      \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
      "      \"platforms\": {\"linux/arm64\": \"" +
      kDigestB + "\", \"linux\\tarm64\": \"" + kDigestB +
      "\"},\n"
      "      \"repository\": \"docker.io/library/busybox\"\n"
      "    }\n"
      "  },\n"
      "  \"v\\u0065rsion\": 1,\n"
      "  \"\\u202e\": 1\n"
      "}\n";
  std::string errors = LockErrors(text);
  EXPECT_EQ(errors.substr(0, errors.find('\n', errors.find('\n', errors.find('\n') + 1) + 1)),
            "kfpc.lock:3:5: error: invalid image reference `busybox:1.36\\x0a\u202e` in the lock "
            "file: the tag `1.36\\x0a\u202e` is invalid; a tag has at most 128 letters, digits, "
            "`_`, `.` and `-` and does not start with `.` or `-`\n"
            "3 |     \"busybox:1.36\\n\\u202e\": {\n"
            "  |     ^~~~~~~~~~~~~~~~~~~~~~")
      << errors;
  EXPECT_NE(errors.find("kfpc.lock:11:3: error: unknown top-level field `\u202e`"),
            std::string::npos)
      << errors;
  // `v\u0065rsion` is `version`, which is valid.
  EXPECT_EQ(errors.find("lock file version"), std::string::npos) << errors;
  EXPECT_EQ(errors.find("field `version`"), std::string::npos) << errors;

  // A platform key written with an escape (`\t`) is reported at the key too.
  text.replace(text.find("busybox:1.36\\n\\u202e"), 20, "busybox:1.36");
  errors = LockErrors(text);
  EXPECT_NE(errors.find("kfpc.lock:" + LineColumnOf(text, text.find("\"linux\\tarm64\"")) +
                        ": error: the platform `linux\\x09arm64` of `busybox:1.36` "
                        "needs the form"),
            std::string::npos)
      << errors;

  // A duplicate written with escapes is reported at the second spelling.
  errors = LockErrors("{\n  \"images\": {},\n  \"version\": 1,\n  \"\\u0076ersion\": 1\n}\n");
  EXPECT_EQ(errors.substr(0, errors.find('\n')),
            "kfpc.lock:4:3: error: duplicate key `version` in the lock file")
      << errors;
}

// The key of an entry is found even when the same text appears earlier as a value.
TEST(LockFile, KeyNotConfusedWithEarlierValue) {
  std::string text =
      "{\n"
      "  \"images\": {\n"
      "    \"a\": {\n"
      "      \"digest\": \"" + kDigestA + "\",\n"
      "      \"mediaType\": \"docker.io/library/python\",\n"
      "      \"platforms\": {\"linux/arm64\": \"" + kDigestB + "\"},\n"
      "      \"repository\": \"docker.io/library/a\"\n"
      "    },\n"
      "    \"docker.io/library/python\": 1\n"
      "  },\n"
      "  \"version\": 1\n"
      "}\n";
  // The media type is also invalid, so the error for the key is not the first.
  std::string errors = LockErrors(text);
  EXPECT_NE(errors.find("kfpc.lock:9:5: error: the entry for `docker.io/library/python` must be "
                        "an object"),
            std::string::npos)
      << errors;
}

TEST(RunLock, InvalidReferenceWritesNothing) {
  // An invalid reference fails before any request, so this test sends nothing.
  LockOptions options;
  options.lock_path = (std::filesystem::temp_directory_path() / "kfpc-images-test.lock").string();
  std::filesystem::remove(options.lock_path);
  diag::SourceManager sources;
  diag::FileId file = sources.AddFile("p.kf", "image = \"Python:3.11\"\n");
  ImageUse use("Python:3.11");
  use.span = {file, 8, 21};
  options.images = {use};
  diag::DiagnosticSink sink;
  std::string report;
  EXPECT_FALSE(RunLock(options, sources, sink, &report));
  ASSERT_EQ(sink.diagnostics().size(), 1u);
  EXPECT_EQ(sink.diagnostics()[0].kind, diag::Kind::kInvalidImageReference);
  EXPECT_EQ(sink.diagnostics()[0].message,
            "invalid image reference `Python:3.11`: the repository name must be lowercase");
  EXPECT_EQ(sink.diagnostics()[0].span, use.span);
  EXPECT_EQ(diag::RenderAll(sources, sink.diagnostics()).rfind("p.kf:1:9: error: ", 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(options.lock_path));
  EXPECT_EQ(report, "");
}

TEST(EscapeRemoteText, EscapesControlCharacters) {
  EXPECT_EQ(EscapeRemoteText("plain text"), "plain text");
  EXPECT_EQ(EscapeRemoteText("a\x1b[31mred\nnext\r\t\\"), "a\\x1b[31mred\\nnext\\r\\t\\\\");
  EXPECT_EQ(EscapeRemoteText("\x7f\xc2\x9b"), "\\x7f\\xc2\\x9b");
}

TEST(EscapeRemoteText, TruncatesLongText) {
  std::string escaped = EscapeRemoteText(std::string(100 * 1024, 'a'));
  EXPECT_EQ(escaped, std::string(200, 'a') + "...");
  EXPECT_EQ(EscapeRemoteText(std::string(200, 'b')), std::string(200, 'b'));
  EXPECT_EQ(EscapeRemoteText("abcdef", 3), "abc...");
}

// Returns whether `policy` allows the IPv4 or IPv6 address `literal`.
bool Allowed(const char* literal, AddressPolicy policy) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, literal, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
  } else {
    EXPECT_EQ(inet_pton(AF_INET6, literal, &v6->sin6_addr), 1) << literal;
    v6->sin6_family = AF_INET6;
  }
  return IsAddressAllowed(reinterpret_cast<sockaddr*>(&storage), policy);
}

TEST(AddressPolicy, PublicOnlyRejectsInternalAddresses) {
  // Only the classification runs here; nothing connects to these addresses.
  for (const char* literal :
       {"0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1",
        "172.31.255.255", "192.168.1.1", "169.254.1.1", "100.64.0.1", "::", "::1", "fe80::1",
        "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:0.0.0.0"}) {
    EXPECT_FALSE(Allowed(literal, AddressPolicy::kPublicOnly)) << literal;
  }
  for (const char* literal : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "2001:db8::1"}) {
    EXPECT_TRUE(Allowed(literal, AddressPolicy::kPublicOnly)) << literal;
  }
}

TEST(AddressPolicy, LoopbackOnlyAcceptsLoopback) {
  EXPECT_TRUE(Allowed("127.0.0.1", AddressPolicy::kLoopbackOnly));
  EXPECT_TRUE(Allowed("::1", AddressPolicy::kLoopbackOnly));
  EXPECT_FALSE(Allowed("0.0.0.0", AddressPolicy::kLoopbackOnly));
  EXPECT_FALSE(Allowed("10.0.0.1", AddressPolicy::kLoopbackOnly));
  EXPECT_TRUE(Allowed("10.0.0.1", AddressPolicy::kAny));
}

TEST(HttpClient, RemoteOriginRefusesPlainHttpRealm) {
  // CheckDestination rejects the URL before any connection, so this test sends nothing.
  HttpClient client(HttpClientOptions{});
  HttpRequest request;
  request.url = "http://token.invalid/token";
  request.origin = "registry.invalid";
  HttpResponse response;
  std::string error;
  EXPECT_FALSE(client.Send(request, &response, &error));
  EXPECT_EQ(error,
            "rejected host `token.invalid`: redirects and token realms of a remote registry "
            "must use HTTPS");
}

TEST(RunLock, TemporaryFileSymlinkIsNotFollowed) {
  std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("kfpc-lock-write-" + std::to_string(getpid()));
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  std::filesystem::path victim = directory / "victim";
  std::ofstream(victim) << "keep me";
  // The name that earlier versions of `kfpc lock` wrote through.
  std::filesystem::create_symlink(victim, directory / "kfpc.lock.tmp");

  LockOptions options;
  options.lock_path = (directory / "kfpc.lock").string();
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  std::string report;
  EXPECT_TRUE(RunLock(options, sources, sink, &report));
  EXPECT_TRUE(sink.diagnostics().empty());

  std::ifstream victim_input(victim);
  std::stringstream victim_text;
  victim_text << victim_input.rdbuf();
  EXPECT_EQ(victim_text.str(), "keep me");
  EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::symlink_status(options.lock_path)));
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 3u) << "a temporary file was left behind";
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace kfpc::images
