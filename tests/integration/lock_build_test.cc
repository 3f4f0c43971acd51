// `kfpc lock` and `kfpc build --target graviton4` end to end: the kfpc binary locks images that a
// real CNCF distribution registry on 127.0.0.1 serves, then builds with the lock file.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/integration/registry_fixture.h"

namespace kfpc::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";

std::string ReadText(const fs::path& path) {
  std::ifstream input(path, std::ios::binary);
  std::stringstream text;
  text << input.rdbuf();
  return text.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

struct KfpcRun {
  int status = -1;
  std::string out, err;
};

// Runs kfpc with `args` in `directory`, capturing stdout and stderr through files.
KfpcRun Kfpc(const fs::path& directory, const std::string& args) {
  std::string command = "cd '" + directory.string() + "' && '" + KFPC_BINARY + "' " + args +
                        " >kfpc.out 2>kfpc.err";
  KfpcRun run;
  int status = std::system(command.c_str());
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadText(directory / "kfpc.out");
  run.err = ReadText(directory / "kfpc.err");
  return run;
}

class LockBuildTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!RegistryInstalled()) return;
    registry_ = new TestRegistry();
    std::string error;
    if (!registry_->Start("", &error) || !PushImages(&error)) setup_error_ = new std::string(error);
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete setup_error_;
    registry_ = nullptr;
    setup_error_ = nullptr;
  }

  // Pushes `kfpc/multi:1.0` (linux/amd64 and linux/arm64) and `kfpc/amd64only:3.0`.
  static bool PushImages(std::string* error) {
    PushedManifest amd64, arm64, only;
    bool pushed =
        PushPlatformImage(*registry_, "kfpc/multi", "linux", "amd64", "", kOciManifest, &amd64,
                          error) &&
        PushPlatformImage(*registry_, "kfpc/multi", "linux", "arm64", "", kOciManifest, &arm64,
                          error) &&
        PushPlatformImage(*registry_, "kfpc/amd64only", "linux", "amd64", "", kOciManifest, &only,
                          error);
    if (!pushed) return false;
    arm64_digest_ = new std::string(arm64.digest);
    std::string index = IndexJson(kOciIndex, {{amd64, R"({"architecture":"amd64","os":"linux"})"},
                                              {arm64, R"({"architecture":"arm64","os":"linux"})"}});
    return registry_->PushManifest("kfpc/multi", "1.0", kOciIndex, index, error) &&
           registry_->PushManifest("kfpc/amd64only", "3.0", kOciManifest, only.bytes, error);
  }

  void SetUp() override {
    if (!RegistryInstalled()) {
      GTEST_SKIP() << "registry binary " << RegistryBinary()
                   << " is not installed; run scripts/test-registry install";
    }
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_;
    char pattern[] = "/tmp/kfpc-lock-build-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    if (!directory_.empty()) fs::remove_all(directory_, ignored);
  }

  std::string Ref(const std::string& rest) const { return registry_->authority() + "/" + rest; }
  std::string Insecure() const { return "--insecure-registry " + registry_->authority(); }

  static TestRegistry* registry_;
  static std::string* setup_error_;
  static std::string* arm64_digest_;
  fs::path directory_;
};

TestRegistry* LockBuildTest::registry_ = nullptr;
std::string* LockBuildTest::setup_error_ = nullptr;
std::string* LockBuildTest::arm64_digest_ = nullptr;

std::string Pipeline(const std::string& image) {
  return "component hello() {\n"
         "  image   = \"" + image + "\"\n"
         "  command = [\"echo\", \"hello\"]\n"
         "}\n"
         "\n"
         "pipeline p() {\n"
         "  hello()\n"
         "}\n";
}

TEST_F(LockBuildTest, LockThenBuildPinsArm64Digest) {
  WriteText(directory_ / "p.kf", Pipeline(Ref("kfpc/multi:1.0")));
  KfpcRun before = Kfpc(directory_, "build p.kf --target graviton4 --require-lock");
  EXPECT_EQ(before.status, 1);
  EXPECT_NE(before.err.find("error: image `" + Ref("kfpc/multi:1.0") + "` is not in `kfpc.lock`"),
            std::string::npos)
      << before.err;

  KfpcRun lock = Kfpc(directory_, "lock p.kf " + Insecure());
  ASSERT_EQ(lock.status, 0) << lock.err;
  EXPECT_NE(lock.out.find("locked " + Ref("kfpc/multi:1.0")), std::string::npos) << lock.out;
  ASSERT_TRUE(fs::exists(directory_ / "kfpc.lock"));

  KfpcRun build = Kfpc(directory_, "build p.kf --target graviton4 --require-lock");
  ASSERT_EQ(build.status, 0) << build.err;
  EXPECT_EQ(build.err, "");
  EXPECT_NE(build.out.find("image: " + Ref("kfpc/multi") + "@" + *arm64_digest_),
            std::string::npos)
      << build.out;
  EXPECT_NE(build.out.find("kubernetes.io/arch: arm64"), std::string::npos);

  // The lock step is idempotent and a second run leaves the file as it was.
  std::string locked = ReadText(directory_ / "kfpc.lock");
  KfpcRun again = Kfpc(directory_, "lock p.kf " + Insecure());
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("unchanged " + Ref("kfpc/multi:1.0")), std::string::npos);
  EXPECT_EQ(ReadText(directory_ / "kfpc.lock"), locked);
}

TEST_F(LockBuildTest, LockUsesTheProjectLockFile) {
  // kfpc.yaml at the root and two files in sub/: locking one file writes the lock file beside
  // kfpc.yaml, which `kfpc build` reads for both, not a sub/kfpc.lock that would hide it.
  WriteText(directory_ / "kfpc.yaml", "version: 1\ndefault_target: graviton4\n");
  fs::create_directory(directory_ / "sub");
  WriteText(directory_ / "sub" / "p.kf", Pipeline(Ref("kfpc/multi:1.0")));
  WriteText(directory_ / "sub" / "q.kf", Pipeline(Ref("kfpc/multi:1.0")));
  KfpcRun lock = Kfpc(directory_, "lock sub/p.kf " + Insecure());
  ASSERT_EQ(lock.status, 0) << lock.err;
  EXPECT_TRUE(fs::exists(directory_ / "kfpc.lock"));
  EXPECT_FALSE(fs::exists(directory_ / "sub" / "kfpc.lock"));
  KfpcRun build = Kfpc(directory_, "build sub/q.kf --require-lock");
  EXPECT_EQ(build.status, 0) << build.err;

  // Locking again finds the same file, so the image is unchanged.
  KfpcRun again = Kfpc(directory_, "lock sub/q.kf " + Insecure());
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("unchanged " + Ref("kfpc/multi:1.0")), std::string::npos) << again.out;
  EXPECT_FALSE(fs::exists(directory_ / "sub" / "kfpc.lock"));

  // Files whose builds read different lock files: the run writes one and warns about the others.
  fs::create_directory(directory_ / "other");
  WriteText(directory_ / "other" / "kfpc.yaml", "version: 1\ndefault_target: graviton4\n");
  WriteText(directory_ / "other" / "o.kf", Pipeline(Ref("kfpc/multi:1.0")));
  KfpcRun split = Kfpc(directory_, "lock sub/p.kf other/o.kf " + Insecure());
  EXPECT_EQ(split.status, 0) << split.err;
  EXPECT_NE(split.err.find("warning: `other/o.kf` reads the lock file `" +
                           (directory_ / "other" / "kfpc.lock").string() +
                           "`, but this run writes `" + (directory_ / "kfpc.lock").string() + "`"),
            std::string::npos)
      << split.err;
  EXPECT_EQ(split.err.find("`sub/p.kf` reads"), std::string::npos) << split.err;

  // A file that uses no image, with --prune, empties the lock file.
  WriteText(directory_ / "sub" / "none.kf", "pipeline empty() {\n}\n");
  KfpcRun prune = Kfpc(directory_, "lock sub/none.kf --prune " + Insecure());
  EXPECT_EQ(prune.status, 0) << prune.err;
  EXPECT_NE(prune.out.find("removed " + Ref("kfpc/multi:1.0")), std::string::npos) << prune.out;
  EXPECT_EQ(ReadText(directory_ / "kfpc.lock").find("kfpc/multi"), std::string::npos);
}

TEST_F(LockBuildTest, Amd64OnlyImageIsRejectedAtItsUse) {
  std::string source = Pipeline(Ref("kfpc/amd64only:3.0"));
  source.replace(source.find("pipeline p() {\n"), 15, "pipeline p() {\n  target = \"graviton4\"\n");
  WriteText(directory_ / "p.kf", source);
  KfpcRun lock = Kfpc(directory_, "lock p.kf " + Insecure());
  EXPECT_EQ(lock.status, 1);
  EXPECT_NE(lock.err.find("p.kf:2:13: error: image `" + Ref("kfpc/amd64only:3.0") +
                          "` has no `linux/arm64` manifest; it has linux/amd64\n"),
            std::string::npos)
      << lock.err;
  EXPECT_NE(lock.err.find("note: task `hello` has target `graviton4`, so the image must offer "
                          "linux/arm64\n"),
            std::string::npos)
      << lock.err;
  EXPECT_NE(lock.err.find("help: use a multi-platform image"), std::string::npos) << lock.err;
  EXPECT_FALSE(fs::exists(directory_ / "kfpc.lock"));
}

TEST_F(LockBuildTest, TargetOptionSetsRequiredPlatform) {
  // The pipeline names no target: only `--target` makes linux/arm64 a requirement.
  WriteText(directory_ / "p.kf", Pipeline(Ref("kfpc/amd64only:3.0")));
  KfpcRun with_target = Kfpc(directory_, "lock p.kf --target graviton4 " + Insecure());
  EXPECT_EQ(with_target.status, 1);
  EXPECT_NE(with_target.err.find("has no `linux/arm64` manifest; it has linux/amd64\n"),
            std::string::npos)
      << with_target.err;
  EXPECT_FALSE(fs::exists(directory_ / "kfpc.lock"));

  KfpcRun without_target = Kfpc(directory_, "lock p.kf " + Insecure());
  EXPECT_EQ(without_target.status, 0) << without_target.err;
  EXPECT_TRUE(fs::exists(directory_ / "kfpc.lock"));
}

TEST_F(LockBuildTest, MixedTargetsLockEachImageForItsTasks) {
  // The pipeline runs on graviton4 and its GPU task on amd64 with an amd64-only image.
  WriteText(directory_ / "mixed.kf",
            "component prepare() {\n"
            "  image   = \"" + Ref("kfpc/multi:1.0") + "\"\n"
            "  command = [\"echo\", \"prepare\"]\n"
            "}\n"
            "\n"
            "component train() {\n"
            "  image   = \"" + Ref("kfpc/amd64only:3.0") + "\"\n"
            "  command = [\"echo\", \"train\"]\n"
            "}\n"
            "\n"
            "pipeline training() {\n"
            "  target = \"graviton4\"\n"
            "  prepare()\n"
            "  train() {\n"
            "    accelerator_type = \"nvidia.com/gpu\"\n"
            "    accelerator_count = 1\n"
            "    target = \"amd64\"\n"
            "  }\n"
            "  claim = CreatePVC(access_modes = [\"ReadWriteOnce\"], size = \"1Gi\", "
            "pvc_name_suffix = \"-data\")\n"
            "}\n");
  KfpcRun lock = Kfpc(directory_, "lock mixed.kf --lock mixed.lock " + Insecure());
  ASSERT_EQ(lock.status, 0) << lock.err;
  EXPECT_NE(lock.out.find("locked " + Ref("kfpc/amd64only:3.0")), std::string::npos) << lock.out;
  EXPECT_EQ(lock.out.find("argostub"), std::string::npos) << lock.out;
  ASSERT_TRUE(fs::exists(directory_ / "mixed.lock"));

  KfpcRun build = Kfpc(directory_, "build mixed.kf --lock mixed.lock --require-lock");
  ASSERT_EQ(build.status, 0) << build.err;
  EXPECT_EQ(build.err, "");
  EXPECT_NE(build.out.find("image: " + Ref("kfpc/multi") + "@" + *arm64_digest_),
            std::string::npos)
      << build.out;
  EXPECT_NE(build.out.find("image: " + Ref("kfpc/amd64only") + "@sha256:"), std::string::npos)
      << build.out;
  EXPECT_NE(build.out.find("image: argostub/createpvc"), std::string::npos) << build.out;
}

TEST_F(LockBuildTest, BuildReadsDigestsFromLockFile) {
  // The build reads digests from the lock file only: after the file's arm64 digest is replaced,
  // the build pins the replacement, which the registry does not have.
  WriteText(directory_ / "p.kf", Pipeline(Ref("kfpc/multi:1.0")));
  ASSERT_EQ(Kfpc(directory_, "lock p.kf " + Insecure()).status, 0);
  std::string lock = ReadText(directory_ / "kfpc.lock");
  std::string fake = "sha256:" + std::string(64, 'e');
  lock = std::regex_replace(lock, std::regex(*arm64_digest_), fake);
  WriteText(directory_ / "kfpc.lock", lock);
  KfpcRun build = Kfpc(directory_, "build p.kf --target arm64 --require-lock");
  ASSERT_EQ(build.status, 0) << build.err;
  EXPECT_NE(build.out.find("@" + fake), std::string::npos);
}

TEST_F(LockBuildTest, Cifar10BuildsForGraviton4) {
  fs::copy(fs::path(KFPC_SOURCE_DIR) / "examples" / "cifar10", directory_ / "cifar10",
           fs::copy_options::recursive);
  fs::path example = directory_ / "cifar10";
  std::regex image_setting("image = \"[^\"]*\"");
  for (const auto& entry : fs::recursive_directory_iterator(example)) {
    if (entry.path().extension() != ".kf") continue;
    std::string text = std::regex_replace(ReadText(entry.path()), image_setting,
                                          "image = \"" + Ref("kfpc/multi:1.0") + "\"");
    WriteText(entry.path(), text);
  }
  KfpcRun lock = Kfpc(example, "lock cifar10.kf " + Insecure());
  ASSERT_EQ(lock.status, 0) << lock.err;
  KfpcRun build = Kfpc(example, "build cifar10.kf --target graviton4 --require-lock --cache-report");
  ASSERT_EQ(build.status, 0) << build.err;
  EXPECT_EQ(build.out.find(Ref("kfpc/multi:1.0")), std::string::npos) << "an image was not pinned";
  EXPECT_NE(build.out.find("karpenter.k8s.aws/instance-family"), std::string::npos);
  EXPECT_NE(build.err.find("annotation kfpc.dev/cache-key: written"), std::string::npos);
}

}  // namespace
}  // namespace kfpc::testing
