// `kfpc lock` against a real CNCF distribution registry started on 127.0.0.1. Each suite pushes
// its test images over the registry's HTTP API, so every digest below is the SHA-256 of bytes
// this file produced.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "compiler/images/lock_command.h"
#include "compiler/images/lock_file.h"
#include "compiler/images/oci_client.h"
#include "tests/integration/registry_fixture.h"
#include "tests/integration/test_http_server.h"

namespace kfpc::testing {
namespace {

using images::LockOptions;

constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  std::stringstream text;
  text << input.rdbuf();
  return text.str();
}

// The digests of everything the suite pushed.
struct PushedImages {
  PushedManifest multi_amd64, multi_arm64, attestation, list_amd64, list_arm64, arm_only,
      amd64_only;
  std::string multi_index, docker_list;
};

// Pushes the suite's images; returns false with `*error` on the first failure.
bool PushImages(TestRegistry& registry, PushedImages* images, std::string* error) {
  PushedImages& p = *images;
  bool pushed =
      PushPlatformImage(registry, "kfpc/multi", "linux", "amd64", "", kOciManifest, &p.multi_amd64,
                        error) &&
      PushPlatformImage(registry, "kfpc/multi", "linux", "arm64", "v8", kOciManifest,
                        &p.multi_arm64, error) &&
      // Stands in for a build attestation, which indexes list as platform unknown/unknown.
      PushPlatformImage(registry, "kfpc/multi", "unknown", "unknown", "", kOciManifest,
                        &p.attestation, error) &&
      PushPlatformImage(registry, "kfpc/dockerlist", "linux", "amd64", "", kDockerManifest,
                        &p.list_amd64, error) &&
      PushPlatformImage(registry, "kfpc/dockerlist", "linux", "arm64", "", kDockerManifest,
                        &p.list_arm64, error) &&
      PushPlatformImage(registry, "kfpc/armonly", "linux", "arm64", "", kDockerManifest,
                        &p.arm_only, error) &&
      PushPlatformImage(registry, "kfpc/amd64only", "linux", "amd64", "", kOciManifest,
                        &p.amd64_only, error);
  if (!pushed) return false;
  p.multi_index = IndexJson(
      kOciIndex, {{p.multi_amd64, R"({"architecture":"amd64","os":"linux"})"},
                  {p.multi_arm64, R"({"architecture":"arm64","os":"linux","variant":"v8"})"},
                  {p.attestation, R"({"architecture":"unknown","os":"unknown"})"}});
  p.docker_list =
      IndexJson(kDockerList, {{p.list_amd64, R"({"architecture":"amd64","os":"linux"})"},
                              {p.list_arm64, R"({"architecture":"arm64","os":"linux"})"}});
  return registry.PushManifest("kfpc/multi", "1.0", kOciIndex, p.multi_index, error) &&
         registry.PushManifest("kfpc/dockerlist", "2.0", kDockerList, p.docker_list, error) &&
         registry.PushManifest("kfpc/armonly", "latest", kDockerManifest, p.arm_only.bytes,
                               error) &&
         registry.PushManifest("kfpc/amd64only", "3.0", kOciManifest, p.amd64_only.bytes, error);
}

class RegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!RegistryInstalled()) return;
    registry_ = new TestRegistry();
    images_ = new PushedImages();
    std::string error;
    if (!registry_->Start("", &error) || !PushImages(*registry_, images_, &error)) {
      setup_error_ = new std::string(error);
    }
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete images_;
    delete setup_error_;
    registry_ = nullptr;
  }

  void SetUp() override {
    if (!RegistryInstalled()) {
      GTEST_SKIP() << "registry binary " << RegistryBinary()
                   << " is not installed; run scripts/test-registry install";
    }
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_;
    char pattern[] = "/tmp/kfpc-lock-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    options_.lock_path = (directory_ / "kfpc.lock").string();
  }
  void TearDown() override {
    std::error_code ignored;
    if (!directory_.empty()) std::filesystem::remove_all(directory_, ignored);
  }

  std::string Ref(const std::string& rest) const { return registry_->authority() + "/" + rest; }

  bool Lock(std::vector<images::ImageUse> images) {
    options_.images = std::move(images);
    sink_.Clear();
    report_.clear();
    return images::RunLock(options_, sources_, sink_, &report_);
  }

  // Returns the one diagnostic of the last run, rendered, after checking its kind.
  std::string OnlyDiagnostic(diag::Kind kind) const {
    EXPECT_EQ(sink_.diagnostics().size(), 1u) << diag::RenderAll(sources_, sink_.diagnostics());
    if (sink_.diagnostics().empty()) return "";
    EXPECT_EQ(diag::Info(sink_.diagnostics()[0].kind).code, diag::Info(kind).code);
    return sink_.diagnostics()[0].message;
  }

  static TestRegistry* registry_;
  static PushedImages* images_;
  static std::string* setup_error_;
  std::filesystem::path directory_;
  LockOptions options_;
  diag::SourceManager sources_;
  diag::DiagnosticSink sink_;
  std::string report_;
};

TestRegistry* RegistryTest::registry_ = nullptr;
PushedImages* RegistryTest::images_ = nullptr;
std::string* RegistryTest::setup_error_ = nullptr;

// Formats one lock entry the way SerializeLockFile indents it.
std::string Entry(const std::string& reference, const std::string& repository,
                  const std::string& digest, std::string_view media_type,
                  const std::vector<std::pair<std::string, std::string>>& platforms) {
  std::string text = "    \"" + reference + "\": {\n      \"digest\": \"" + digest +
                     "\",\n      \"mediaType\": \"" + std::string(media_type) +
                     "\",\n      \"platforms\": {\n";
  for (size_t i = 0; i < platforms.size(); ++i) {
    text += "        \"" + platforms[i].first + "\": \"" + platforms[i].second + "\"" +
            (i + 1 < platforms.size() ? ",\n" : "\n");
  }
  return text + "      },\n      \"repository\": \"" + repository + "\"\n    }";
}

TEST_F(RegistryTest, LocksIndexListAndSingleManifest) {
  const PushedImages& p = *images_;
  std::string index_digest = TestSha256(p.multi_index);
  std::string by_digest = Ref("kfpc/multi@" + index_digest);
  ASSERT_TRUE(
      Lock({Ref("kfpc/multi:1.0"), Ref("kfpc/dockerlist:2.0"), Ref("kfpc/armonly"), by_digest}))
      << diag::RenderAll(sources_, sink_.diagnostics());
  EXPECT_TRUE(sink_.diagnostics().empty());

  std::string expected =
      "{\n  \"images\": {\n" +
      Entry(Ref("kfpc/armonly"), Ref("kfpc/armonly"), p.arm_only.digest, kDockerManifest,
            {{"linux/arm64", p.arm_only.digest}}) +
      ",\n" +
      Entry(Ref("kfpc/dockerlist:2.0"), Ref("kfpc/dockerlist"), TestSha256(p.docker_list),
            kDockerList,
            {{"linux/amd64", p.list_amd64.digest}, {"linux/arm64", p.list_arm64.digest}}) +
      ",\n" +
      Entry(Ref("kfpc/multi:1.0"), Ref("kfpc/multi"), index_digest, kOciIndex,
            {{"linux/amd64", p.multi_amd64.digest}, {"linux/arm64/v8", p.multi_arm64.digest}}) +
      ",\n" +
      Entry(by_digest, Ref("kfpc/multi"), index_digest, kOciIndex,
            {{"linux/amd64", p.multi_amd64.digest}, {"linux/arm64/v8", p.multi_arm64.digest}}) +
      "\n  },\n  \"version\": 1\n}\n";
  EXPECT_EQ(ReadText(options_.lock_path), expected);
  EXPECT_NE(report_.find("locked " + Ref("kfpc/multi:1.0") + " " + index_digest + "\n"),
            std::string::npos)
      << report_;

  // A second run resolves nothing new and leaves the bytes alone.
  ASSERT_TRUE(Lock({Ref("kfpc/multi:1.0")}));
  EXPECT_EQ(report_, "unchanged " + Ref("kfpc/multi:1.0") + " " + index_digest + "\n");
  EXPECT_EQ(ReadText(options_.lock_path), expected);

  // The offline reader used by `kfpc build` pins the arm64 manifest.
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  images::LockFile lock;
  ASSERT_TRUE(images::LoadLockFile(options_.lock_path, sources, sink, &lock));
  std::string pinned;
  ASSERT_TRUE(images::PinImage(lock, Ref("kfpc/multi:1.0"), diag::Span{}, sink, &pinned));
  EXPECT_EQ(pinned, Ref("kfpc/multi") + "@" + p.multi_arm64.digest);
  ASSERT_TRUE(images::PinImage(lock, Ref("kfpc/dockerlist:2.0"), diag::Span{}, sink, &pinned));
  EXPECT_EQ(pinned, Ref("kfpc/dockerlist") + "@" + p.list_arm64.digest);
}

TEST_F(RegistryTest, Amd64OnlyImageListsItsPlatforms) {
  images::ImageUse use(Ref("kfpc/amd64only:3.0"));
  use.platforms["linux/arm64"] = "task `a` has target `graviton4`";
  EXPECT_FALSE(Lock({use}));
  EXPECT_EQ(OnlyDiagnostic(diag::Kind::kImageMissingPlatform),
            "image `" + Ref("kfpc/amd64only:3.0") +
                "` has no `linux/arm64` manifest; it has linux/amd64");
  EXPECT_FALSE(std::filesystem::exists(options_.lock_path));
}

TEST_F(RegistryTest, NoRequiredPlatformLocksAnyImage) {
  images::ImageUse use(Ref("kfpc/amd64only:3.0"));
  use.platforms["linux/amd64"] = "task `a` has target `amd64`";
  ASSERT_TRUE(Lock({Ref("kfpc/multi:1.0"), use}))
      << diag::RenderAll(sources_, sink_.diagnostics());
  EXPECT_NE(ReadText(options_.lock_path).find("\"linux/amd64\""), std::string::npos);

  // An image already locked is checked against the platforms again, without a request.
  use.platforms["linux/arm64"] = "task `b` has target `graviton4`";
  EXPECT_FALSE(Lock({use}));
  EXPECT_EQ(OnlyDiagnostic(diag::Kind::kImageMissingPlatform),
            "image `" + Ref("kfpc/amd64only:3.0") +
                "` has no `linux/arm64` manifest; it has linux/amd64");
}

TEST_F(RegistryTest, IndexEntriesAreCheckedAgainstTheirImages) {
  // A repository of its own, so that the tags pushed here do not show up in other tests.
  const std::string repository = "kfpc/checks";
  std::string error;
  PushedManifest amd64, arm64, second, inner_amd64;
  ASSERT_TRUE(PushPlatformImage(*registry_, repository, "linux", "amd64", "", kOciManifest, &amd64,
                                &error) &&
              PushPlatformImage(*registry_, repository, "linux", "arm64", "", kOciManifest, &arm64,
                                &error) &&
              PushPlatformImage(*registry_, repository, "linux", "arm64", "v9", kOciManifest,
                                &second, &error))
      << error;

  // An index that lists the amd64 image as linux/arm64, and nothing else, fails whole.
  std::string wrong = IndexJson(kOciIndex, {{amd64, R"({"architecture":"arm64","os":"linux"})"}});
  ASSERT_TRUE(registry_->PushManifest(repository, "wrong", kOciIndex, wrong, &error)) << error;
  EXPECT_FALSE(Lock({Ref(repository + ":wrong")}));
  EXPECT_EQ(OnlyDiagnostic(diag::Kind::kInvalidRegistryResponse),
            "cannot lock `" + Ref(repository + ":wrong") + "`: the index of `" +
                Ref(repository + ":wrong") + "` lists `" + amd64.digest +
                "` as `linux/arm64`, but that image's config says `linux/amd64`");
  EXPECT_FALSE(std::filesystem::exists(options_.lock_path));

  // An index that lists another index for a platform.
  std::string inner_index =
      IndexJson(kOciIndex, {{arm64, R"({"architecture":"arm64","os":"linux"})"}});
  ASSERT_TRUE(registry_->PushManifest(repository, "inner", kOciIndex, inner_index, &error))
      << error;
  PushedManifest inner{inner_index, TestSha256(inner_index), std::string(kOciIndex)};
  std::string nested = IndexJson(kOciIndex, {{inner, R"({"architecture":"arm64","os":"linux"})"}});
  ASSERT_TRUE(registry_->PushManifest(repository, "nested", kOciIndex, nested, &error)) << error;
  EXPECT_FALSE(Lock({Ref(repository + ":nested")}));
  EXPECT_EQ(OnlyDiagnostic(diag::Kind::kInvalidRegistryResponse),
            "cannot lock `" + Ref(repository + ":nested") + "`: the index of `" +
                Ref(repository + ":nested") + "` lists `linux/arm64` as `" + inner.digest +
                "`, which is a `" + std::string(kOciIndex) + "`, not an image manifest");

  // An entry that gives another media type than its manifest's.
  PushedManifest mislabelled = arm64;
  mislabelled.media_type = std::string(kDockerManifest);
  std::string mislabel =
      IndexJson(kOciIndex, {{mislabelled, R"({"architecture":"arm64","os":"linux"})"}});
  ASSERT_TRUE(registry_->PushManifest(repository, "mislabel", kOciIndex, mislabel, &error))
      << error;
  EXPECT_FALSE(Lock({Ref(repository + ":mislabel")}));
  EXPECT_EQ(OnlyDiagnostic(diag::Kind::kInvalidRegistryResponse),
            "cannot lock `" + Ref(repository + ":mislabel") + "`: the index of `" +
                Ref(repository + ":mislabel") + "` lists `linux/arm64` as `" + arm64.digest +
                "` of media type `" + std::string(kDockerManifest) + "`, but that manifest is a `" +
                std::string(kOciManifest) + "`");

  // A broken entry for a platform that no task needs is left out with a warning.
  std::string partly =
      IndexJson(kOciIndex, {{arm64, R"({"architecture":"arm64","os":"linux"})"},
                            {amd64, R"({"architecture":"ppc64le","os":"linux"})"}});
  ASSERT_TRUE(registry_->PushManifest(repository, "partly", kOciIndex, partly, &error)) << error;
  images::ImageUse use(Ref(repository + ":partly"));
  use.platforms = {{"linux/arm64", "task `a` has target `graviton4`"}};
  ASSERT_TRUE(Lock({use})) << diag::RenderAll(sources_, sink_.diagnostics());
  ASSERT_EQ(sink_.diagnostics().size(), 1u);
  EXPECT_EQ(sink_.diagnostics()[0].severity, diag::Severity::kWarning);
  EXPECT_EQ(
      sink_.diagnostics()[0].notes,
      std::vector<std::string>{"no task needs linux/ppc64le, so the lock file leaves it out"});
  std::string partly_lock = ReadText(options_.lock_path);
  EXPECT_NE(partly_lock.find(arm64.digest), std::string::npos) << partly_lock;
  EXPECT_EQ(partly_lock.find("ppc64le"), std::string::npos) << partly_lock;
  std::filesystem::remove(options_.lock_path);

  // Two entries for one platform: the first is pinned.
  std::string twice = IndexJson(kOciIndex, {{arm64, R"({"architecture":"arm64","os":"linux"})"},
                                            {second, R"({"architecture":"arm64","os":"linux"})"}});
  ASSERT_TRUE(registry_->PushManifest(repository, "twice", kOciIndex, twice, &error)) << error;
  ASSERT_TRUE(Lock({Ref(repository + ":twice")})) << diag::RenderAll(sources_, sink_.diagnostics());
  std::string lock = ReadText(options_.lock_path);
  EXPECT_NE(lock.find("\"linux/arm64\": \"" + arm64.digest + "\""), std::string::npos) << lock;
  EXPECT_EQ(lock.find(second.digest), std::string::npos) << lock;
}

TEST_F(RegistryTest, MissingTagIsTagNotFound) {
  EXPECT_FALSE(Lock({Ref("kfpc/multi:9.9")}));
  EXPECT_EQ(OnlyDiagnostic(diag::Kind::kImageTagNotFound),
            "cannot lock `" + Ref("kfpc/multi:9.9") + "`: tag `9.9` not found in repository `" +
                Ref("kfpc/multi") + "`");
  ASSERT_EQ(sink_.diagnostics().size(), 1u);
  EXPECT_EQ(sink_.diagnostics()[0].help.rfind("the repository has the tags `1.0`", 0), 0u)
      << sink_.diagnostics()[0].help;
}

TEST_F(RegistryTest, MissingDigestIsTagNotFound) {
  std::string digest = "sha256:" + std::string(64, '0');
  EXPECT_FALSE(Lock({Ref("kfpc/multi@" + digest)}));
  EXPECT_EQ(OnlyDiagnostic(diag::Kind::kImageTagNotFound),
            "cannot lock `" + Ref("kfpc/multi@" + digest) + "`: digest `" + digest +
                "` not found in repository `" + Ref("kfpc/multi") + "`");
}

TEST_F(RegistryTest, MissingRepositoryIsRepositoryNotFound) {
  EXPECT_FALSE(Lock({Ref("kfpc/nothing:1.0")}));
  EXPECT_EQ(OnlyDiagnostic(diag::Kind::kImageRepositoryNotFound),
            "cannot lock `" + Ref("kfpc/nothing:1.0") + "`: repository `" + Ref("kfpc/nothing") +
                "` not found");
}

TEST_F(RegistryTest, OneFailureWritesNothing) {
  EXPECT_FALSE(Lock({Ref("kfpc/multi:1.0"), Ref("kfpc/multi:9.9")}));
  EXPECT_FALSE(std::filesystem::exists(options_.lock_path));
}

TEST_F(RegistryTest, UpdateFollowsMovedTag) {
  const PushedImages& p = *images_;
  std::string error;
  ASSERT_TRUE(registry_->PushManifest("kfpc/multi", "moving", kOciIndex, p.multi_index, &error))
      << error;
  ASSERT_TRUE(Lock({Ref("kfpc/multi:moving")}));

  std::string list_only_arm =
      IndexJson(kOciIndex, {{p.multi_arm64, R"({"architecture":"arm64","os":"linux"})"}});
  ASSERT_TRUE(registry_->PushManifest("kfpc/multi", "moving", kOciIndex, list_only_arm, &error))
      << error;
  ASSERT_TRUE(Lock({Ref("kfpc/multi:moving")}));
  EXPECT_EQ(report_,
            "unchanged " + Ref("kfpc/multi:moving") + " " + TestSha256(p.multi_index) + "\n");

  options_.update = true;
  ASSERT_TRUE(Lock({Ref("kfpc/multi:moving")}));
  EXPECT_EQ(report_,
            "updated " + Ref("kfpc/multi:moving") + " " + TestSha256(list_only_arm) + "\n");
  EXPECT_NE(ReadText(options_.lock_path).find(TestSha256(list_only_arm)), std::string::npos);
}

TEST_F(RegistryTest, PruneDropsUnlistedImages) {
  ASSERT_TRUE(Lock({Ref("kfpc/multi:1.0"), Ref("kfpc/armonly")}));
  options_.prune = true;
  ASSERT_TRUE(Lock({Ref("kfpc/armonly")}));
  EXPECT_NE(report_.find("removed " + Ref("kfpc/multi:1.0") + "\n"), std::string::npos);
  EXPECT_EQ(ReadText(options_.lock_path).find("kfpc/multi"), std::string::npos);
}

TEST_F(RegistryTest, ResponseOverLimitIsRejected) {
  options_.limits.max_body_bytes = 64;
  EXPECT_FALSE(Lock({Ref("kfpc/multi:1.0")}));
  std::string message = OnlyDiagnostic(diag::Kind::kRegistryRequestFailed);
  EXPECT_NE(message.find("the response is larger than 64 bytes"), std::string::npos) << message;
}

TEST_F(RegistryTest, MalformedLockFileIsKept) {
  std::ofstream(options_.lock_path) << "{\n  \"version\": 1,\n  \"images\": {,}\n}\n";
  EXPECT_FALSE(Lock({Ref("kfpc/multi:1.0")}));
  ASSERT_EQ(sink_.diagnostics().size(), 1u);
  EXPECT_EQ(diag::Render(sources_, sink_.diagnostics()[0]).substr(0, options_.lock_path.size() + 7),
            options_.lock_path + ":3:14: ");
  EXPECT_EQ(ReadText(options_.lock_path), "{\n  \"version\": 1,\n  \"images\": {,}\n}\n");
}

TEST_F(RegistryTest, ClosedPortIsRequestFailure) {
  std::string authority = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
  EXPECT_FALSE(Lock({authority + "/kfpc/multi:1.0"}));
  std::string message = OnlyDiagnostic(diag::Kind::kRegistryRequestFailed);
  EXPECT_NE(message.find("Connection refused"), std::string::npos) << message;
}

// A proxy in front of the registry that appends a space to every manifest but keeps the
// registry's Docker-Content-Digest header, as a tampering middlebox would.
std::string TamperingProxy(const std::string& registry, const std::string& method,
                           const std::string& target, const std::string& headers) {
  images::HttpClient http(images::HttpClientOptions{});
  images::HttpRequest request;
  request.method = method;
  request.url = "http://" + registry + target;
  size_t accept = headers.find("Accept: ");
  if (accept != std::string::npos) {
    size_t end = headers.find("\r\n", accept);
    request.headers.emplace_back("Accept", headers.substr(accept + 8, end - accept - 8));
  }
  images::HttpResponse response;
  std::string error;
  if (!http.Send(request, &response, &error)) return FormatResponse(502, "text/plain", error);
  std::string body = response.body;
  if (target.find("/manifests/") != std::string::npos) body += " ";
  std::string digest = response.Header("docker-content-digest");
  return FormatResponse(response.status, response.Header("content-type"), body,
                        digest.empty() ? "" : "Docker-Content-Digest: " + digest + "\r\n");
}

TEST_F(RegistryTest, TamperedManifestIsDigestMismatch) {
  TestHttpServer proxy;
  std::string error;
  std::string registry = registry_->authority();
  ASSERT_TRUE(proxy.Start(
      [registry](const std::string& method, const std::string& target, const std::string& headers) {
        return TamperingProxy(registry, method, target, headers);
      },
      &error));
  EXPECT_FALSE(Lock({proxy.authority() + "/kfpc/multi:1.0"}));
  std::string message = OnlyDiagnostic(diag::Kind::kImageDigestMismatch);
  EXPECT_NE(message.find("not `" + TestSha256(images_->multi_index) + "`"), std::string::npos)
      << message;
}

// Locks `reference` and returns the diagnostics, for registries that need no fixture.
std::vector<diag::Diagnostic> LockOne(const std::string& reference,
                                      const std::filesystem::path& lock_path) {
  LockOptions options;
  options.lock_path = lock_path.string();
  options.images = {images::ImageUse(reference)};
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  std::string report;
  EXPECT_FALSE(images::RunLock(options, sources, sink, &report));
  return sink.diagnostics();
}

// A server that responds to every manifest request with `body` as an OCI manifest, standing in
// for a broken registry.
TEST(BrokenRegistry, InvalidManifestIsInvalidResponse) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[1, 2]", "the manifest of `{host}/kfpc/app:1` is not a JSON object"},
      {R"({"schemaVersion":1,"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"})",
       "`{host}/kfpc/app:1` has the unsupported manifest type "
       "`application/vnd.docker.distribution.manifest.v1+prettyjws`"},
      {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})",
       "the index of `{host}/kfpc/app:1` lists no platform images"},
      {R"({"schemaVersion":2,"config":{"digest":"sha256:12"}})",
       "the manifest of `{host}/kfpc/app:1` has no valid config digest"},
  };
  for (const auto& [body, message] : cases) {
    TestHttpServer server;
    std::string error;
    std::string manifest = body;
    ASSERT_TRUE(server.Start(
        [manifest](const std::string&, const std::string&, const std::string&) {
          return FormatResponse(200, "application/vnd.oci.image.manifest.v1+json", manifest);
        },
        &error));
    std::vector<diag::Diagnostic> diagnostics =
        LockOne(server.authority() + "/kfpc/app:1",
                std::filesystem::temp_directory_path() / "kfpc-broken-registry-test.lock");
    ASSERT_EQ(diagnostics.size(), 1u) << body;
    EXPECT_EQ(diagnostics[0].kind, diag::Kind::kInvalidRegistryResponse) << body;
    std::string expected = message;
    expected.replace(expected.find("{host}"), 6, server.authority());
    EXPECT_EQ(diagnostics[0].message,
              "cannot lock `" + server.authority() + "/kfpc/app:1`: " + expected);
  }
}

// Locks `reference` against a one-route test server and returns the only diagnostic.
diag::Diagnostic LockAgainst(TestHttpServer::Handler handler, const std::string& name,
                             LockOptions options = LockOptions{}) {
  TestHttpServer server;
  std::string error;
  EXPECT_TRUE(server.Start(std::move(handler), &error)) << error;
  std::filesystem::path lock_path =
      std::filesystem::temp_directory_path() / ("kfpc-hostile-registry-" + name + ".lock");
  std::filesystem::remove(lock_path);
  options.lock_path = lock_path.string();
  options.images = {server.authority() + "/kfpc/app:1"};
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  std::string report;
  EXPECT_FALSE(images::RunLock(options, sources, sink, &report));
  EXPECT_FALSE(std::filesystem::exists(lock_path));
  EXPECT_EQ(sink.diagnostics().size(), 1u);
  if (sink.diagnostics().empty()) return diag::Diagnostic{};
  diag::Diagnostic result = sink.diagnostics()[0];
  // Keep the authority out of the expected text: replace it with `{host}`.
  for (std::string* text : {&result.message, &result.help}) {
    size_t at = text->find(server.authority());
    while (at != std::string::npos) {
      text->replace(at, server.authority().size(), "{host}");
      at = text->find(server.authority());
    }
  }
  return result;
}

TEST(HostileRegistry, TokenRealmMustStayOnLoopback) {
  TestHttpServer other;
  std::atomic<int> token_requests{0};
  std::string error;
  ASSERT_TRUE(other.Start(
      [&](const std::string&, const std::string&, const std::string&) {
        ++token_requests;
        return FormatResponse(200, "application/json", R"({"token":"stolen"})");
      },
      &error));
  std::string port = std::to_string(other.port());
  for (const std::string& realm : {"https://0.0.0.0:" + port + "/token",
                                   "http://0.0.0.0:" + port + "/token"}) {
    diag::Diagnostic d = LockAgainst(
        [realm](const std::string&, const std::string&, const std::string&) {
          return FormatResponse(401, "application/json", "{}",
                                "WWW-Authenticate: Bearer realm=\"" + realm + "\"\r\n");
        },
        "realm");
    EXPECT_EQ(d.kind, diag::Kind::kRegistryRequestFailed) << realm;
    EXPECT_EQ(d.message, "cannot lock `{host}/kfpc/app:1`: token request to `" + realm +
                             "` failed: rejected host `0.0.0.0:" + port +
                             "`: a registry on a loopback address may redirect or send token "
                             "requests only to loopback hosts")
        << realm;
  }
  EXPECT_EQ(token_requests, 0);
}

TEST(HostileRegistry, ErrorCodeIsEscaped) {
  diag::Diagnostic d = LockAgainst(
      [](const std::string&, const std::string&, const std::string&) {
        return FormatResponse(
            500, "application/json",
            R"({"errors":[{"code":"E\u001b[2J\nerror: forged line","message":"m"}]})");
      },
      "code");
  EXPECT_EQ(d.kind, diag::Kind::kInvalidRegistryResponse);
  EXPECT_EQ(d.message,
            "cannot lock `{host}/kfpc/app:1`: registry `{host}` returned HTTP 500 for "
            "`{host}/kfpc/app:1` with error `E\\x1b[2J\\nerror: forged line`");
}

TEST(HostileRegistry, LongChallengeIsTruncated) {
  std::string realm(5000, 'r');
  diag::Diagnostic d = LockAgainst(
      [realm](const std::string&, const std::string&, const std::string&) {
        return FormatResponse(401, "application/json", "{}",
                              "WWW-Authenticate: Basic realm=\"" + realm + "\x1b[31m\"\r\n");
      },
      "challenge");
  EXPECT_EQ(d.kind, diag::Kind::kRegistryAuthFailed);
  std::string shown = ("Basic realm=\"" + realm).substr(0, 200) + "...";
  EXPECT_EQ(d.help,
            "kfpc supports anonymous pulls and bearer tokens only; the challenge was `" + shown +
                "`");
}

TEST(HostileRegistry, TagListIsEscapedAndTruncated) {
  std::string long_tag(100 * 1024, 't');
  diag::Diagnostic d = LockAgainst(
      [long_tag](const std::string&, const std::string& target, const std::string&) {
        if (target.find("/tags/list") != std::string::npos) {
          return FormatResponse(200, "application/json",
                                R"({"name":"kfpc/app","tags":["ok","bad\u001b]0;x\u0007\n",")" +
                                    long_tag + R"("]})");
        }
        return FormatResponse(404, "application/json",
                              R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})");
      },
      "tags");
  EXPECT_EQ(d.kind, diag::Kind::kImageTagNotFound);
  EXPECT_EQ(d.help, "the repository has the tags `ok`, `bad\\x1b]0;x\\x07\\n`, `" +
                        std::string(200, 't') + "...`");
}

TEST(HostileRegistry, InvalidIndexPlatformIsRejected) {
  std::string index =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","size":2,"digest":"sha256:)" +
      std::string(64, 'a') +
      R"(","platform":{"os":"linux","architecture":"arm64\"\n  evil: 1"}}]})";
  diag::Diagnostic d = LockAgainst(
      [index](const std::string&, const std::string&, const std::string&) {
        return FormatResponse(200, "application/vnd.oci.image.index.v1+json", index);
      },
      "platform");
  EXPECT_EQ(d.kind, diag::Kind::kInvalidRegistryResponse);
  EXPECT_EQ(d.message,
            "cannot lock `{host}/kfpc/app:1`: the index of `{host}/kfpc/app:1` lists the invalid "
            "platform `linux/arm64\"\\n  evil: 1`");
}

TEST(HostileRegistry, SlowRegistryHitsImageDeadline) {
  // Each response takes 300 ms and redirects again, so the five allowed redirects take 1.8 s,
  // past the 1 s limit for the image and well within the 30 s per request.
  LockOptions options;
  options.limits.image_timeout = std::chrono::milliseconds(1000);
  auto start = std::chrono::steady_clock::now();
  diag::Diagnostic d = LockAgainst(
      [](const std::string&, const std::string& target, const std::string&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        return FormatResponse(307, "text/plain", "", "Location: " + target + "x\r\n");
      },
      "deadline", options);
  EXPECT_EQ(d.kind, diag::Kind::kRegistryRequestFailed);
  EXPECT_EQ(d.message,
            "cannot lock `{host}/kfpc/app:1`: request to registry `{host}` timed out: resolving "
            "one image may take at most 1 s");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1700));
}

std::string PercentDecode(const std::string& text) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      decoded += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

// Returns the decoded value of query parameter `name` in `target`, or an empty string.
std::string QueryParameter(const std::string& target, const std::string& name) {
  size_t start =
      target.find((target.find('?' + name + '=') != std::string::npos ? "?" : "&") + name + "=");
  if (start == std::string::npos) return "";
  start += name.size() + 2;
  return PercentDecode(target.substr(start, target.find('&', start) - start));
}

// A registry with `auth.token` enabled, trusting tokens from a token server in this test.
class TokenAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RegistryInstalled()) {
      GTEST_SKIP() << "registry binary " << RegistryBinary()
                   << " is not installed; run scripts/test-registry install";
    }
    char pattern[] = "/tmp/kfpc-token-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
    std::string error;
    ASSERT_TRUE(issuer_.Init(directory_ / "token.pem", &error)) << error;
    ASSERT_TRUE(token_server_.Start(
        [this](const std::string&, const std::string& target, const std::string&) {
          std::lock_guard<std::mutex> lock(mutex_);
          token_targets_.push_back(target);
          if (deny_) return FormatResponse(401, "application/json", R"({"details":"denied"})");
          std::string token = issuer_.Issue(kIssuer, QueryParameter(target, "service"),
                                            QueryParameter(target, "scope"));
          return FormatResponse(200, "application/json", R"({"token":")" + token + "\"}");
        },
        &error))
        << error;
    std::string config = "auth:\n  token:\n    realm: http://" + token_server_.authority() +
                         "/token\n    service: " + kService + "\n    issuer: " + kIssuer +
                         "\n    rootcertbundle: " + (directory_ / "token.pem").string() + "\n";
    ASSERT_TRUE(registry_.Start(config, &error)) << error;
    options_.lock_path = (directory_ / "kfpc.lock").string();
  }
  void TearDown() override {
    std::error_code ignored;
    if (!directory_.empty()) std::filesystem::remove_all(directory_, ignored);
  }

  static constexpr const char* kIssuer = "kfpc-test-issuer";
  static constexpr const char* kService = "kfpc-test-registry";
  std::filesystem::path directory_;
  TokenIssuer issuer_;
  TestHttpServer token_server_;
  TestRegistry registry_;
  std::mutex mutex_;
  bool deny_ = false;
  std::vector<std::string> token_targets_;
  LockOptions options_;
  diag::SourceManager sources_;
  diag::DiagnosticSink sink_;
  std::string report_;
};

TEST_F(TokenAuthTest, LocksWithBearerToken) {
  std::string error;
  PushedManifest manifest;
  // Without a token the registry rejects the push, so authentication is really on.
  EXPECT_FALSE(PushPlatformImage(registry_, "kfpc/private", "linux", "arm64", "", kOciManifest,
                                 &manifest, &error));
  EXPECT_NE(error.find("returned 401"), std::string::npos) << error;

  registry_.set_authorization(
      "Bearer " + issuer_.Issue(kIssuer, kService, "repository:kfpc/private:pull,push"));
  ASSERT_TRUE(PushPlatformImage(registry_, "kfpc/private", "linux", "arm64", "", kOciManifest,
                                &manifest, &error))
      << error;
  ASSERT_TRUE(registry_.PushManifest("kfpc/private", "1.0", kOciManifest, manifest.bytes, &error))
      << error;

  std::string reference = registry_.authority() + "/kfpc/private:1.0";
  options_.images = {images::ImageUse(reference)};
  ASSERT_TRUE(images::RunLock(options_, sources_, sink_, &report_))
      << diag::RenderAll(sources_, sink_.diagnostics());
  EXPECT_EQ(report_, "locked " + reference + " " + manifest.digest + "\n");
  std::lock_guard<std::mutex> lock(mutex_);
  ASSERT_FALSE(token_targets_.empty());
  EXPECT_EQ(QueryParameter(token_targets_[0], "service"), kService);
  EXPECT_EQ(QueryParameter(token_targets_[0], "scope"), "repository:kfpc/private:pull");
}

TEST_F(TokenAuthTest, DeniedTokenIsAuthFailure) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    deny_ = true;
  }
  std::string reference = registry_.authority() + "/kfpc/private:1.0";
  options_.images = {images::ImageUse(reference)};
  EXPECT_FALSE(images::RunLock(options_, sources_, sink_, &report_));
  ASSERT_EQ(sink_.diagnostics().size(), 1u);
  EXPECT_EQ(sink_.diagnostics()[0].kind, diag::Kind::kRegistryAuthFailed);
  EXPECT_EQ(sink_.diagnostics()[0].message,
            "cannot lock `" + reference + "`: the token server `http://" +
                token_server_.authority() + "/token` gave no token for `" + registry_.authority() +
                "/kfpc/private` (HTTP 401)");
}

}  // namespace
}  // namespace kfpc::testing
