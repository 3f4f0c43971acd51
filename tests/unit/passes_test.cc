// Tests of the architecture-aware passes: each compiles a .kf source held in memory, runs the
// passes with a target, and asserts the Kubernetes config, the pinned images, the cache keys and
// the whole rendered diagnostics.
#include "compiler/passes/passes.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compiler/check/check.h"
#include "compiler/images/lock_file.h"
#include "compiler/lower/lower.h"
#include "compiler/passes/front_end.h"
#include "compiler/passes/image_pin.h"
#include "compiler/passes/project_config.h"
#include "runtime/yaml/ir_to_yaml.h"

namespace kfpc::passes {
namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestAmd = "sha256:" + std::string(64, 'b');
const std::string kDigestArm = "sha256:" + std::string(64, 'c');

constexpr std::string_view kPipeline = R"(
component prep(n: int) -> (out: string) {
  image   = "alpine:3.19"
  command = ["echo", "prep"]
}

component train(data: string, epochs: int) {
  image   = "alpine:3.19"
  command = ["echo", data]
}

pipeline p(epochs: int = 3) {
  a = prep(n = 3) { env MODE = "fast" }
  b = train(data = a.out, epochs = epochs)
}
)";

// A lock file with `alpine:3.19` for both platforms and an amd64-only image.
images::LockFile TestLock() {
  images::LockFile lock;
  lock.images["alpine:3.19"] = {"docker.io/library/alpine", kDigestA,
                                "application/vnd.oci.image.index.v1+json",
                                {{"linux/amd64", kDigestAmd}, {"linux/arm64/v8", kDigestArm}}};
  lock.images["example.com/tools:1.0"] = {"example.com/tools", kDigestAmd,
                                          "application/vnd.oci.image.manifest.v1+json",
                                          {{"linux/amd64", kDigestAmd}}};
  // References written with a digest, as `kfpc lock` records them.
  lock.images["example.com/tools@" + kDigestAmd] = lock.images["example.com/tools:1.0"];
  lock.images["alpine@" + kDigestA] = lock.images["alpine:3.19"];
  return lock;
}

// One compiled pipeline with the passes applied.
struct Compiled {
  diag::SourceManager sources;
  check::CheckResult checked;
  ir::Document document;
  diag::DiagnosticSink sink;
  PassResult result;
  std::string yaml;

  std::string Rendered() const { return diag::RenderAll(sources, sink.diagnostics()); }
  ir::Value::Struct& Config(const std::string& executor) {
    return std::get<ir::Value::Struct>(document.platform.executors.at(executor).kind);
  }
};

// Options for a build with `target` and the test lock file written to a temporary directory.
class PassesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("kfpc-passes-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(directory_);
    lock_path_ = (directory_ / "kfpc.lock").string();
    std::ofstream(lock_path_) << images::SerializeLockFile(TestLock());
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  PassOptions Options(std::optional<std::string> target) const {
    PassOptions options;
    options.target = std::move(target);
    options.lock_path = lock_path_;
    return options;
  }

  // Checks and lowers `source`, lets `prepare` edit the document (standing in for Kubernetes
  // settings), then runs the passes.
  std::unique_ptr<Compiled> Compile(std::string_view source, const PassOptions& options,
                                    const std::function<void(ir::Document&)>& prepare = {}) {
    auto compiled = std::make_unique<Compiled>();
    diag::FileId root = compiled->sources.AddFile("p.kf", std::string(source));
    compiled->checked = check::Check(compiled->sources, root,
                                     [](const std::string&) { return std::nullopt; },
                                     compiled->sink, check::CheckOptions{});
    EXPECT_FALSE(compiled->sink.has_errors()) << compiled->Rendered();
    compiled->document = lower::Lower(*compiled->checked.program,
                                      *compiled->checked.program->entry, lower::LowerOptions{});
    if (prepare) prepare(compiled->document);
    compiled->result = RunPasses(*compiled->checked.program, compiled->document, options,
                                 compiled->sources, compiled->sink);
    compiled->yaml = yaml::WriteDocument(compiled->document);
    return compiled;
  }

  const TaskCacheKey& Key(const Compiled& compiled, const std::string& task) {
    for (const TaskCacheKey& key : compiled.result.cache_keys) {
      if (key.task == task) return key;
    }
    ADD_FAILURE() << "no key for " << task;
    static const TaskCacheKey kNone;
    return kNone;
  }

  std::filesystem::path directory_;
  std::string lock_path_;
};

ir::Value::Struct Labels(ir::Value::Struct& config) {
  auto& selector = std::get<ir::Value::Struct>(config.at("nodeSelector").kind);
  return std::get<ir::Value::Struct>(selector.at("labels").kind);
}

TEST_F(PassesTest, NoTargetLeavesDocumentUnchanged) {
  auto plain = Compile(kPipeline, PassOptions{});
  std::string before = yaml::WriteDocument(lower::Lower(
      *plain->checked.program, *plain->checked.program->entry, lower::LowerOptions{}));
  EXPECT_EQ(plain->yaml, before);
  EXPECT_TRUE(plain->document.platform.empty());
  EXPECT_FALSE(plain->result.any_target);
  EXPECT_EQ(plain->Rendered(), "");
}

TEST_F(PassesTest, LockFlagsWithoutTargetAreReported) {
  // Without a target no image is pinned, so `--require-lock` would pass unpinned images in CI.
  PassOptions strict = Options(std::nullopt);
  strict.require_lock = true;
  auto required = Compile(kPipeline, strict);
  ASSERT_EQ(required->sink.diagnostics().size(), 1u) << required->Rendered();
  EXPECT_EQ(required->sink.diagnostics()[0].kind, diag::Kind::kLockWithoutTarget);
  EXPECT_TRUE(required->sink.has_errors());
  EXPECT_NE(required->Rendered().find("error: `--require-lock` pins no image"), std::string::npos)
      << required->Rendered();

  PassOptions named = Options(std::nullopt);
  named.lock_path_given = true;
  auto named_lock = Compile(kPipeline, named);
  EXPECT_FALSE(named_lock->sink.has_errors());
  EXPECT_NE(named_lock->Rendered().find("warning: `--lock " + lock_path_ + "` pins no image"),
            std::string::npos)
      << named_lock->Rendered();

  // A lock file found beside the source is only read when some task has a target.
  auto found = Compile(kPipeline, Options(std::nullopt));
  EXPECT_EQ(found->Rendered(), "");
  EXPECT_FALSE(PassesApply(Options(std::nullopt), *found->checked.program));
  EXPECT_TRUE(PassesApply(strict, *found->checked.program));
}

TEST_F(PassesTest, Graviton4SelectsArm64AndFamilies) {
  auto compiled = Compile(kPipeline, Options("graviton4"));
  EXPECT_EQ(compiled->Rendered(), "");
  ir::Value::Struct& config = compiled->Config("exec-prep");
  EXPECT_EQ(Labels(config).at("kubernetes.io/arch"), ir::Value::String("arm64"));
  const auto& terms = std::get<ir::Value::List>(config.at("nodeAffinity").kind);
  ASSERT_EQ(terms.size(), 1u);
  ir::Value expected = ir::Value::FromStruct(
      {{"matchExpressions",
        ir::Value::FromList({ir::Value::FromStruct(
            {{"key", ir::Value::String("karpenter.k8s.aws/instance-family")},
             {"operator", ir::Value::String("In")},
             {"values", ir::Value::FromList({ir::Value::String("c8g"), ir::Value::String("m8g"),
                                             ir::Value::String("r8g"),
                                             ir::Value::String("x8g")})}})})}});
  EXPECT_EQ(terms[0], expected);
}

TEST_F(PassesTest, TaskTargetOverridesBuildTarget) {
  std::string source(kPipeline);
  source.replace(source.find("b = train(data = a.out, epochs = epochs)"), 40,
                 "b = train(data = a.out, epochs = epochs) { target = \"amd64\" }");
  auto compiled = Compile(source, Options("graviton4"));
  EXPECT_EQ(compiled->Rendered(), "");
  EXPECT_EQ(Labels(compiled->Config("exec-train")).at("kubernetes.io/arch"),
            ir::Value::String("amd64"));
  EXPECT_EQ(compiled->Config("exec-train").count("nodeAffinity"), 0u);
  EXPECT_EQ(compiled->document.pipeline.executors.at("exec-train").container->image,
            "docker.io/library/alpine@" + kDigestAmd);
}

TEST_F(PassesTest, UserAmd64SelectorConflictsWithArm64Target) {
  auto compiled = Compile(kPipeline, Options("arm64"), [](ir::Document& document) {
    document.platform.executors["exec-prep"] = ir::Value::FromStruct(
        {{"nodeSelector", ir::Value::FromStruct({{"labels", ir::Value::FromStruct(
                              {{"kubernetes.io/arch", ir::Value::String("amd64")}})}})}});
  });
  EXPECT_EQ(compiled->Rendered(),
            "p.kf:13:3: error: task `a` selects nodes with `kubernetes.io/arch: amd64`, but "
            "target `arm64` needs `kubernetes.io/arch: arm64`\n"
            "13 |   a = prep(n = 3) { env MODE = \"fast\" }\n"
            "   |   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "help: set `target = \"amd64\"` on the task to run it on amd64 nodes, or remove the "
            "node selector\n");
}

TEST_F(PassesTest, UserFamilyOutsideProfileConflicts) {
  auto compiled = Compile(kPipeline, Options("graviton4"), [](ir::Document& document) {
    document.platform.executors["exec-prep"] = ir::Value::FromStruct(
        {{"nodeSelector",
          ir::Value::FromStruct({{"labels", ir::Value::FromStruct(
                                                {{"karpenter.k8s.aws/instance-family",
                                                  ir::Value::String("c7g")}})}})}});
  });
  EXPECT_NE(compiled->Rendered().find(
                "p.kf:13:3: error: task `a` selects `karpenter.k8s.aws/instance-family: c7g`, "
                "which target `graviton4` does not offer\n"),
            std::string::npos)
      << compiled->Rendered();
  EXPECT_NE(compiled->Rendered().find("help: select one of `c8g`, `m8g`, `r8g`, `x8g`\n"),
            std::string::npos);

  auto narrowed = Compile(kPipeline, Options("graviton4"), [](ir::Document& document) {
    document.platform.executors["exec-prep"] = ir::Value::FromStruct(
        {{"nodeSelector",
          ir::Value::FromStruct({{"labels", ir::Value::FromStruct(
                                                {{"karpenter.k8s.aws/instance-family",
                                                  ir::Value::String("m8g")}})}})}});
  });
  EXPECT_EQ(narrowed->Rendered(), "");
  EXPECT_EQ(narrowed->Config("exec-prep").count("nodeAffinity"), 0u);
}

TEST_F(PassesTest, UserAffinityAndTolerationsAreKept) {
  ir::Value user_term = ir::Value::FromStruct(
      {{"matchExpressions",
        ir::Value::FromList({ir::Value::FromStruct({{"key", ir::Value::String("zone")},
                                                    {"operator", ir::Value::String("In")},
                                                    {"values", ir::Value::FromList(
                                                                   {ir::Value::String("a")})}})})}});
  ir::Value toleration = ir::Value::FromStruct(
      {{"key", ir::Value::String("gpu")}, {"operator", ir::Value::String("Exists")}});
  auto compiled = Compile(kPipeline, Options("graviton4"), [&](ir::Document& document) {
    document.platform.executors["exec-prep"] = ir::Value::FromStruct(
        {{"nodeAffinity", ir::Value::FromList({user_term})},
         {"tolerations", ir::Value::FromList({toleration})}});
  });
  EXPECT_EQ(compiled->Rendered(), "");
  ir::Value::Struct& config = compiled->Config("exec-prep");
  const auto& terms = std::get<ir::Value::List>(config.at("nodeAffinity").kind);
  ASSERT_EQ(terms.size(), 1u);
  const auto& term = std::get<ir::Value::Struct>(terms[0].kind);
  const auto& expressions = std::get<ir::Value::List>(term.at("matchExpressions").kind);
  ASSERT_EQ(expressions.size(), 2u);
  EXPECT_EQ(std::get<ir::Value::Struct>(expressions[1].kind).at("key"),
            ir::Value::String("karpenter.k8s.aws/instance-family"));
  EXPECT_EQ(config.at("tolerations"), ir::Value::FromList({toleration}));
}

TEST_F(PassesTest, NvidiaAcceleratorOnGraviton4) {
  std::string source(kPipeline);
  source.replace(source.find("{ env MODE = \"fast\" }"), 21,
                 "{ accelerator_type = \"nvidia.com/gpu\"  accelerator_count = 1 }");
  auto compiled = Compile(source, Options("graviton4"));
  EXPECT_EQ(
      compiled->Rendered(),
      "p.kf:13:21: error: task `a` requests accelerator `nvidia.com/gpu`, but target "
      "`graviton4` has no NVIDIA GPUs\n"
      "13 |   a = prep(n = 3) { accelerator_type = \"nvidia.com/gpu\"  accelerator_count = 1 }\n"
      "   |                     ^~~~~~~~~~~~~~~~\n"
      "help: set `target = \"amd64\"` (or a GPU target from `kfpc.yaml`) on the task to run "
      "it on a GPU pool\n");
}

TEST_F(PassesTest, ResourcesBeyondLargestInstance) {
  std::string source(kPipeline);
  source.replace(source.find("{ env MODE = \"fast\" }"), 21,
                 "{ cpu_request = \"200\"  memory_request = \"1000Gi\" }");
  auto compiled = Compile(source, Options("graviton4"));
  EXPECT_NE(compiled->Rendered().find(
                "error: task `a` requests 200 CPU and 1000Gi of memory, which no instance type "
                "of target `graviton4` offers\n"),
            std::string::npos)
      << compiled->Rendered();
  EXPECT_NE(compiled->Rendered().find("note: the largest are `c8g.48xlarge` with 192 vCPUs and "
                                      "`x8g.48xlarge` with 3072 GiB\n"),
            std::string::npos);

  source = std::string(kPipeline);
  source.replace(source.find("{ env MODE = \"fast\" }"), 21,
                 "{ cpu_request = \"100\"  memory_request = \"1500Gi\" }");
  EXPECT_EQ(Compile(source, Options("graviton4"))->Rendered(), "");
}

TEST_F(PassesTest, RuntimeRequestIsNotChecked) {
  // The request comes when the task runs, and the scheduler goes by it, so the large limit is
  // not taken for the request.
  std::string source(kPipeline);
  source.replace(source.find("pipeline p(epochs: int = 3) {"), 29,
                 "pipeline p(epochs: int = 3, cores: string = \"2\") {");
  source.replace(source.find("{ env MODE = \"fast\" }"), 21,
                 "{ cpu_request = cores  cpu_limit = \"500\" }");
  auto compiled = Compile(source, Options("graviton4"));
  EXPECT_EQ(compiled->Rendered(), "");
  // A constant request of that size is reported.
  source.replace(source.find("cpu_request = cores"), 19, "cpu_request = \"500\"");
  EXPECT_NE(Compile(source, Options("graviton4"))->Rendered().find("requests 500 CPU"),
            std::string::npos);
}

TEST_F(PassesTest, FamiliesLimitResourceCheck) {
  PassOptions options = Options("team");
  diag::SourceManager config_sources;
  diag::DiagnosticSink config_sink;
  diag::FileId file = config_sources.AddFile(
      "kfpc.yaml", "version: 1\ntargets:\n  team: {base: graviton4, families: [c8g, m8g]}\n");
  ASSERT_TRUE(ParseProjectConfig(config_sources, file, config_sink, &options.config))
      << diag::RenderAll(config_sources, config_sink.diagnostics());
  for (const InstanceType& type : options.config.targets.at("team").instance_types) {
    EXPECT_TRUE(type.name.rfind("c8g.", 0) == 0 || type.name.rfind("m8g.", 0) == 0) << type.name;
  }

  // The largest m8g has 768 GiB, so 1500Gi fits only the r8g and x8g families.
  std::string source(kPipeline);
  source.replace(source.find("{ env MODE = \"fast\" }"), 21, "{ memory_request = \"1500Gi\" }");
  std::string rendered = Compile(source, options)->Rendered();
  EXPECT_NE(rendered.find("error: task `a` requests 1500Gi of memory, which no instance type of "
                          "target `team` offers\n"),
            std::string::npos)
      << rendered;

  source = std::string(kPipeline);
  source.replace(source.find("{ env MODE = \"fast\" }"), 21, "{ cpu_request = \"256\" }");
  rendered = Compile(source, options)->Rendered();
  EXPECT_NE(rendered.find("note: the largest are `c8g.48xlarge` with 192 vCPUs and "
                          "`m8g.48xlarge` with 768 GiB\n"),
            std::string::npos)
      << rendered;
  EXPECT_EQ(rendered.find("x8g"), std::string::npos) << rendered;

  source = std::string(kPipeline);
  source.replace(source.find("{ env MODE = \"fast\" }"), 21, "{ memory_request = \"700Gi\" }");
  EXPECT_EQ(Compile(source, options)->Rendered(), "");
}

constexpr std::string_view kPvcPipeline = R"(
component prep(n: int) -> (out: string) {
  image   = "alpine:3.19"
  command = ["echo", "prep"]
}

pipeline p() {
  claim = CreatePVC(access_modes = ["ReadWriteOnce"], size = "1Gi", pvc_name_suffix = "-data")
  a = prep(n = 3) { after = [claim] }
  DeletePVC(pvc_name = claim.name) { after = [a] }
}
)";

TEST_F(PassesTest, KfpBackendExecutorsAreLeftAlone) {
  PassOptions options = Options("graviton4");
  options.require_lock = true;
  auto compiled = Compile(kPvcPipeline, options);
  EXPECT_EQ(compiled->Rendered(), "");
  const auto& executors = compiled->document.pipeline.executors;
  EXPECT_EQ(executors.at("exec-createpvc").container->image, "argostub/createpvc");
  EXPECT_EQ(executors.at("exec-deletepvc").container->image, "argostub/deletepvc");
  EXPECT_EQ(compiled->document.platform.executors.count("exec-createpvc"), 0u) << compiled->yaml;
  EXPECT_EQ(compiled->document.platform.executors.count("exec-deletepvc"), 0u) << compiled->yaml;
  EXPECT_EQ(executors.at("exec-prep").container->image, "docker.io/library/alpine@" + kDigestArm);
  EXPECT_EQ(Labels(compiled->Config("exec-prep")).at("kubernetes.io/arch"),
            ir::Value::String("arm64"));
  EXPECT_EQ(Key(*compiled, "root/createpvc").static_key_reason,
            "the KFP backend runs `argostub/createpvc` itself, without a pod");
  EXPECT_FALSE(Key(*compiled, "root/createpvc").annotated);
  EXPECT_TRUE(Key(*compiled, "root/prep").annotated);
}

constexpr std::string_view kMixedPipeline = R"(
component prepare() {
  image   = "alpine:3.19"
  command = ["echo", "prepare"]
}

component train() {
  image   = "example.com/tools:1.0"
  command = ["echo", "train"]
}

component report() {
  image   = "alpine:3.19"
  command = ["echo", "report"]
}

pipeline training() {
  target = "graviton4"
  prepare()
  train() {
    accelerator_type = "nvidia.com/gpu"
    accelerator_count = 1
    target = "amd64"
  }
  claim = CreatePVC(access_modes = ["ReadWriteOnce"], size = "1Gi", pvc_name_suffix = "-data")
}
)";

// Checks `source` and collects the images `kfpc lock` resolves for it.
std::vector<images::ImageUse> LockUses(std::string_view source, const PassOptions& options,
                                       std::string* rendered) {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  diag::FileId root = sources.AddFile("p.kf", std::string(source));
  check::CheckResult checked = check::Check(
      sources, root, [](const std::string&) { return std::nullopt; }, sink, check::CheckOptions{});
  std::vector<images::ImageUse> uses;
  if (checked.program) CollectImageUses(*checked.program, options, sink, &uses);
  *rendered = diag::RenderAll(sources, sink.diagnostics());
  return uses;
}

TEST(CollectImageUses, PlatformsOfTheTasksThatRunEachImage) {
  std::string rendered;
  std::vector<images::ImageUse> uses = LockUses(kMixedPipeline, PassOptions{}, &rendered);
  EXPECT_EQ(rendered, "");
  ASSERT_EQ(uses.size(), 2u);  // no `argostub/createpvc`
  EXPECT_EQ(uses[0].reference, "alpine:3.19");
  EXPECT_EQ(uses[0].platforms,
            (std::map<std::string, std::string>{
                {"linux/arm64", "task `prepare` has target `graviton4`"}}));
  EXPECT_EQ(uses[0].span.begin, kMixedPipeline.find("\"alpine:3.19\""));
  ASSERT_EQ(uses[0].other_uses.size(), 1u);
  EXPECT_EQ(uses[0].other_uses[0].begin, kMixedPipeline.rfind("\"alpine:3.19\""));
  EXPECT_EQ(uses[1].reference, "example.com/tools:1.0");
  EXPECT_EQ(uses[1].platforms,
            (std::map<std::string, std::string>{{"linux/amd64", "task `train` has target `amd64`"}}));
}

TEST(CollectImageUses, NoTargetRequiresNothing) {
  std::string rendered;
  std::vector<images::ImageUse> uses = LockUses(kPipeline, PassOptions{}, &rendered);
  EXPECT_EQ(rendered, "");
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_TRUE(uses[0].platforms.empty());

  PassOptions options;
  options.target = "arm64";
  uses = LockUses(kPipeline, options, &rendered);
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0].platforms.count("linux/arm64"), 1u);
}

TEST_F(PassesTest, PinsDigestOfTargetPlatform) {
  auto arm = Compile(kPipeline, Options("graviton4"));
  auto amd = Compile(kPipeline, Options("amd64"));
  EXPECT_EQ(arm->document.pipeline.executors.at("exec-prep").container->image,
            "docker.io/library/alpine@" + kDigestArm);
  EXPECT_EQ(amd->document.pipeline.executors.at("exec-prep").container->image,
            "docker.io/library/alpine@" + kDigestAmd);
}

TEST_F(PassesTest, ImageWithoutArm64ListsPlatforms) {
  std::string source(kPipeline);
  source.replace(source.find("\"alpine:3.19\""), 13, "\"example.com/tools:1.0\"");
  auto compiled = Compile(source, Options("graviton4"));
  EXPECT_EQ(compiled->Rendered(),
            "p.kf:3:13: error: image `example.com/tools:1.0` has no `linux/arm64` manifest; it "
            "has linux/amd64\n"
            "3 |   image   = \"example.com/tools:1.0\"\n"
            "  |             ^~~~~~~~~~~~~~~~~~~~~~~\n"
            "help: use a multi-platform image, or build and push one for linux/arm64\n");
}

TEST_F(PassesTest, MissingFromLockWarnsOrFails) {
  std::string source(kPipeline);
  source.replace(source.find("\"alpine:3.19\""), 13, "\"busybox:1.36\"");
  auto warned = Compile(source, Options("graviton4"));
  EXPECT_FALSE(warned->sink.has_errors());
  EXPECT_NE(warned->Rendered().find(
                "p.kf:3:13: warning: image `busybox:1.36` is not in `kfpc.lock`, so it is not "
                "pinned\n"),
            std::string::npos);
  EXPECT_EQ(warned->document.pipeline.executors.at("exec-prep").container->image, "busybox:1.36");

  PassOptions strict = Options("graviton4");
  strict.require_lock = true;
  auto failed = Compile(source, strict);
  EXPECT_NE(failed->Rendered().find("p.kf:3:13: error: image `busybox:1.36` is not in"),
            std::string::npos);

  // A lock file given with `--lock` is named, and so is the command that writes it.
  PassOptions named = Options("graviton4");
  named.lock_path_given = true;
  std::string rendered = Compile(source, named)->Rendered();
  EXPECT_NE(rendered.find("image `busybox:1.36` is not in `" + lock_path_ + "`"), std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("help: run `kfpc lock --lock " + lock_path_ + "` with the pipeline's"),
            std::string::npos)
      << rendered;
}

TEST_F(PassesTest, DigestReferencesAreCheckedAgainstLock) {
  // Locked and offering linux/arm64: kept as written, no diagnostic.
  std::string source(kPipeline);
  source.replace(source.find("\"alpine:3.19\""), 13, "\"alpine@" + kDigestA + "\"");
  PassOptions strict = Options("graviton4");
  strict.require_lock = true;
  auto locked = Compile(source, strict);
  EXPECT_EQ(locked->Rendered(), "");
  EXPECT_EQ(locked->document.pipeline.executors.at("exec-prep").container->image,
            "alpine@" + kDigestA);

  // Locked without linux/arm64: the same error as for a tag.
  std::string amd64(kPipeline);
  amd64.replace(amd64.find("\"alpine:3.19\""), 13, "\"example.com/tools@" + kDigestAmd + "\"");
  auto missing = Compile(amd64, Options("graviton4"));
  ASSERT_FALSE(missing->sink.diagnostics().empty());
  EXPECT_EQ(missing->sink.diagnostics()[0].kind, diag::Kind::kImageMissingPlatform)
      << missing->Rendered();

  // Not locked: silent without `--require-lock`, an error with it.
  std::string unlocked(kPipeline);
  unlocked.replace(unlocked.find("\"alpine:3.19\""), 13, "\"busybox@" + kDigestA + "\"");
  EXPECT_EQ(Compile(unlocked, Options("graviton4"))->Rendered(), "");
  auto required = Compile(unlocked, strict);
  EXPECT_NE(required->Rendered().find("p.kf:3:13: error: image `busybox@" + kDigestA +
                                      "` is not in `kfpc.lock`, so its platforms are not checked"),
            std::string::npos)
      << required->Rendered();
}

TEST_F(PassesTest, ArchitectureTagIsReported) {
  EXPECT_EQ(ArchitectureInTag("python:3.11-slim-bookworm-arm64"), "arm64");
  EXPECT_EQ(ArchitectureInTag("pytorch/pytorch:2.3.0-cpu-arm64"), "arm64");
  EXPECT_EQ(ArchitectureInTag("python:3.11-slim"), "");
  EXPECT_EQ(ArchitectureInTag("example.com/arm64/tool:1.0"), "");
  std::string source(kPipeline);
  source.replace(source.find("\"alpine:3.19\""), 13, "\"pytorch/pytorch:2.3.0-cpu-arm64\"");
  auto compiled = Compile(source, Options("graviton4"));
  EXPECT_NE(compiled->Rendered().find(
                "help: use the multi-platform tag `pytorch/pytorch:2.3.0-cpu` and run `kfpc "
                "lock`, which pins the manifest of each target platform\n"),
            std::string::npos)
      << compiled->Rendered();

  // The architecture at the start of the tag: the suggestion does not start with `-`.
  std::string leading(kPipeline);
  leading.replace(leading.find("\"alpine:3.19\""), 13, "\"python:arm64-3.11\"");
  std::string rendered = Compile(leading, Options("graviton4"))->Rendered();
  EXPECT_NE(rendered.find("help: use the multi-platform tag `python:3.11` and run"),
            std::string::npos)
      << rendered;

  // An OS and a variant beside the architecture leave no tag to suggest.
  std::string platform_only(kPipeline);
  platform_only.replace(platform_only.find("\"alpine:3.19\""), 13, "\"foo/bar:linux-arm64-v8\"");
  rendered = Compile(platform_only, Options("graviton4"))->Rendered();
  EXPECT_NE(rendered.find("help: use the multi-platform tag and run `kfpc lock`"),
            std::string::npos)
      << rendered;
}

TEST_F(PassesTest, CacheKeyDiffersBetweenArchitectures) {
  auto arm = Compile(kPipeline, Options("arm64"));
  auto amd = Compile(kPipeline, Options("amd64"));
  EXPECT_NE(Key(*arm, "root/prep").key, Key(*amd, "root/prep").key);
  // The backend's own fingerprint covers the image string, which now differs too.
  EXPECT_NE(arm->document.pipeline.executors.at("exec-prep").container->image,
            amd->document.pipeline.executors.at("exec-prep").container->image);
  ir::Value::Struct& metadata =
      std::get<ir::Value::Struct>(arm->Config("exec-prep").at("podMetadata").kind);
  EXPECT_EQ(std::get<ir::Value::Struct>(metadata.at("annotations").kind)
                .at(std::string(kCacheKeyAnnotation)),
            ir::Value::String(Key(*arm, "root/prep").key));
}

TEST_F(PassesTest, CacheKeyCoversEnvAndDigest) {
  auto base = Compile(kPipeline, Options("arm64"));
  std::string changed_env(kPipeline);
  changed_env.replace(changed_env.find("\"fast\""), 6, "\"slow\"");
  auto env = Compile(changed_env, Options("arm64"));
  EXPECT_NE(Key(*base, "root/prep").key, Key(*env, "root/prep").key);
  // The downstream task covers the upstream key, so it changes too.
  EXPECT_NE(Key(*base, "root/train").key, Key(*env, "root/train").key);

  images::LockFile lock = TestLock();
  lock.images["alpine:3.19"].platforms["linux/arm64/v8"] = "sha256:" + std::string(64, 'd');
  std::ofstream(lock_path_) << images::SerializeLockFile(lock);
  auto digest = Compile(kPipeline, Options("arm64"));
  EXPECT_NE(Key(*base, "root/prep").key, Key(*digest, "root/prep").key);
}

TEST_F(PassesTest, CacheKeyIsDeterministicAndSalted) {
  auto first = Compile(kPipeline, Options("arm64"));
  auto second = Compile(kPipeline, Options("arm64"));
  EXPECT_EQ(Key(*first, "root/prep").key, Key(*second, "root/prep").key);
  EXPECT_EQ(Key(*first, "root/prep").key.size(), 7u + 64u);
  std::string salted(kPipeline);
  salted.replace(salted.find("{ env MODE = \"fast\" }"), 21,
                 "{ env MODE = \"fast\"  cache_salt = \"v2\" }");
  EXPECT_NE(Key(*first, "root/prep").key, Key(*Compile(salted, Options("arm64")), "root/prep").key);
}

TEST_F(PassesTest, NoAnnotationBeforeBackend21) {
  // KFP 2.0 cannot read `podMetadata` and would drop the placement with it.
  PassOptions old_backend = Options("arm64");
  old_backend.kfp_backend = {2, 0};
  old_backend.kfp_backend_given = true;
  auto compiled = Compile(kPipeline, old_backend);
  EXPECT_EQ(compiled->Rendered(), "");
  EXPECT_FALSE(Key(*compiled, "root/prep").annotated);
  EXPECT_EQ(compiled->Config("exec-prep").count("podMetadata"), 0u) << compiled->yaml;
  EXPECT_EQ(Labels(compiled->Config("exec-prep")).at("kubernetes.io/arch"),
            ir::Value::String("arm64"));

  PassOptions first_reading = old_backend;
  first_reading.kfp_backend = {2, 1};
  auto annotated = Compile(kPipeline, first_reading);
  EXPECT_TRUE(Key(*annotated, "root/prep").annotated);
  EXPECT_EQ(annotated->Config("exec-prep").count("podMetadata"), 1u) << annotated->yaml;
}

TEST_F(PassesTest, CacheKeyCoversVolumesAndSecrets) {
  // The backend's own fingerprint covers PVC names, and a static key replaces it, so the key
  // covers the objects a task reads, and a PVC named at run time blocks the static key.
  PassOptions options = Options("arm64");
  options.kfp_backend = {2, 18};
  std::string source(kPvcPipeline);
  source.replace(source.find("{ after = [claim] }"), 19,
                 "{ pvc_mount { pvc = \"data-2024\"  mount_path = \"/data\" } }");
  auto first = Compile(source, options);
  EXPECT_EQ(first->Rendered(), "");
  std::string other = source;
  other.replace(other.find("data-2024"), 9, "data-2025");
  auto second = Compile(other, options);
  EXPECT_NE(Key(*first, "root/prep").key, Key(*second, "root/prep").key);
  EXPECT_TRUE(Key(*first, "root/prep").static_key) << Key(*first, "root/prep").static_key_reason;
  const std::vector<std::string>& covers = Key(*first, "root/prep").covers;
  EXPECT_NE(std::find(covers.begin(), covers.end(), "Kubernetes fields `pvcMount`"), covers.end());

  std::string secrets = source;
  const std::string mount = "pvc_mount { pvc = \"data-2024\"  mount_path = \"/data\" }";
  secrets.replace(secrets.find(mount), mount.size(),
                  "secret_env { secret = \"creds-a\"  keys = {\"token\": \"TOKEN\"} }");
  std::string other_secret = secrets;
  other_secret.replace(other_secret.find("creds-a"), 7, "creds-b");
  EXPECT_NE(Key(*Compile(secrets, options), "root/prep").key,
            Key(*Compile(other_secret, options), "root/prep").key);

  std::string runtime(kPvcPipeline);
  runtime.replace(runtime.find("{ after = [claim] }"), 19,
                  "{ pvc_mount { pvc = claim.name  mount_path = \"/data\" } }");
  auto created = Compile(runtime, options);
  EXPECT_EQ(created->Rendered(), "");
  EXPECT_FALSE(Key(*created, "root/prep").static_key);
  EXPECT_EQ(Key(*created, "root/prep").static_key_reason,
            "a PVC, Secret or ConfigMap named only at run time in `pvcMount`");
  EXPECT_EQ(created->document.pipeline.root.dag->tasks.at("prep").caching_options->cache_key, "");
}

TEST_F(PassesTest, StaticCacheKeyOnlyForConstantInputs) {
  PassOptions options = Options("arm64");
  options.kfp_backend = {2, 18};
  auto compiled = Compile(kPipeline, options);
  const ir::Dag& dag = *compiled->document.pipeline.root.dag;
  EXPECT_TRUE(Key(*compiled, "root/prep").static_key);
  EXPECT_EQ(dag.tasks.at("prep").caching_options->cache_key, Key(*compiled, "root/prep").key);
  EXPECT_FALSE(Key(*compiled, "root/train").static_key);
  EXPECT_EQ(dag.tasks.at("train").caching_options->cache_key, "");
  EXPECT_EQ(Key(*compiled, "root/train").static_key_reason,
            "inputs known only at run time: `data`, `epochs`");

  auto released = Compile(kPipeline, Options("arm64"));
  EXPECT_FALSE(Key(*released, "root/prep").static_key);
  EXPECT_EQ(released->document.pipeline.root.dag->tasks.at("prep").caching_options->cache_key, "");
}

TEST_F(PassesTest, FieldsTheBackendCannotRead) {
  PassOptions options = Options("graviton4");
  options.kfp_backend = {2, 13};
  auto compiled = Compile(kPipeline, options);
  EXPECT_NE(compiled->Rendered().find("error: task `a` needs the Kubernetes field `nodeAffinity`, "
                                      "which KFP backend 2.13 cannot read\n"),
            std::string::npos)
      << compiled->Rendered();
  // The affinity comes from the target's families, so the help offers a profile with one.
  EXPECT_NE(compiled->Rendered().find(
                "note: the task's target allows several instance families, which kfpc places "
                "with a node affinity\n"),
            std::string::npos)
      << compiled->Rendered();
  EXPECT_NE(compiled->Rendered().find("give the target one family in a `kfpc.yaml` profile "
                                      "(`families: [c8g]`)"),
            std::string::npos)
      << compiled->Rendered();

  PassOptions plain;
  plain.kfp_backend_given = true;
  auto unknown = Compile(kPipeline, plain, [](ir::Document& document) {
    document.platform.executors["exec-prep"] =
        ir::Value::FromStruct({{"initContainers", ir::Value::FromList({})}});
  });
  EXPECT_NE(unknown->Rendered().find("help: remove the setting; no released KFP backend reads it"),
            std::string::npos);
}

TEST_F(PassesTest, DefaultBackendFieldsAreWarnings) {
  const char* source = R"(component step() {
  image = "alpine:3.19"
  command = ["true"]
}

pipeline p() {
  guarded = step() {
    security_context {
      run_as_user = 1000
    }
  }
  step() {
    node_selector = {"pool": "ml"}
  }
}
)";
  // No target and no `--kfp-version`: the passes run for the Kubernetes settings alone.
  PassOptions options;
  auto compiled = Compile(source, options);
  EXPECT_FALSE(compiled->sink.has_errors()) << compiled->Rendered();
  // At the setting that writes the field, not at the task.
  EXPECT_NE(
      compiled->Rendered().find("p.kf:8:5: warning: task `guarded` needs the Kubernetes field "
                                "`securityContext`, which KFP backend 2.14 cannot read\n"),
      std::string::npos)
      << compiled->Rendered();
  EXPECT_NE(compiled->Rendered().find("note: KFP 2.14 is the default backend; `--kfp-version` "
                                      "or a target other than `none` makes this an error\n"),
            std::string::npos)
      << compiled->Rendered();
  // nodeSelector is read by every release, so only one diagnostic.
  EXPECT_EQ(compiled->sink.diagnostics().size(), 1u) << compiled->Rendered();
  // The output is the one without passes.
  std::string plain = yaml::WriteDocument(lower::Lower(
      *compiled->checked.program, *compiled->checked.program->entry, lower::LowerOptions{}));
  EXPECT_EQ(compiled->yaml, plain);

  // podMetadata comes from `pod_labels` or, as here, `pod_annotations` alone.
  PassOptions old_backend;
  old_backend.kfp_backend = {2, 0};
  old_backend.kfp_backend_given = true;
  std::string annotated(source);
  annotated.replace(annotated.find("node_selector = {\"pool\": \"ml\"}"), 30,
                    "pod_annotations = {\"a\": \"b\"}");
  auto annotations = Compile(annotated, old_backend);
  EXPECT_NE(annotations->Rendered().find("p.kf:13:5: error: task `step` needs the Kubernetes field "
                                         "`podMetadata`"),
            std::string::npos)
      << annotations->Rendered();

  // With `--kfp-version 2.14` the same field is an error.
  options.kfp_backend_given = true;
  auto strict = Compile(source, options);
  EXPECT_NE(strict->Rendered().find("error: task `guarded` needs the Kubernetes field "
                                    "`securityContext`"),
            std::string::npos)
      << strict->Rendered();
}

TEST_F(PassesTest, UnknownTargetIsReported) {
  auto compiled = Compile(kPipeline, Options("graviton5"));
  EXPECT_EQ(compiled->Rendered(),
            "kfpc: error: unknown target `graviton5`\n"
            "help: the targets are `amd64`, `arm64`, `graviton4`, `none`; declare others under "
            "`targets:` in `kfpc.yaml`\n");
}

// Parses `text` as kfpc.yaml and returns the rendered diagnostics.
std::string ParseConfig(const std::string& text, ProjectConfig* config) {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  diag::FileId file = sources.AddFile("kfpc.yaml", text);
  ParseProjectConfig(sources, file, sink, config);
  return diag::RenderAll(sources, sink.diagnostics());
}

TEST(ProjectConfigTest, ReadsProfile) {
  ProjectConfig config;
  EXPECT_EQ(ParseConfig("version: 1\n"
                        "default_target: team\n"
                        "targets:\n"
                        "  team:\n"
                        "    base: graviton4\n"
                        "    labels: {instance_family: example.com/family}\n"
                        "    families: [m8g]\n"
                        "    node_selector: {example.com/pool: ml}\n"
                        "    tolerations: [{key: arch, value: arm64, effect: NoSchedule}]\n"
                        "    instance_types: [{name: m8g.xlarge, vcpus: 4, memory: 16Gi}]\n",
                        &config),
            "");
  EXPECT_EQ(config.default_target, "team");
  const TargetProfile& team = config.targets.at("team");
  EXPECT_EQ(team.architecture, "arm64");
  EXPECT_EQ(team.family_label, "example.com/family");
  EXPECT_EQ(team.families, std::vector<std::string>{"m8g"});
  EXPECT_EQ(team.node_labels.at("example.com/pool"), "ml");
  ASSERT_EQ(team.tolerations.size(), 1u);
  EXPECT_EQ(team.tolerations[0], (Toleration{"arch", "Equal", "arm64", "NoSchedule"}));
  ASSERT_EQ(team.instance_types.size(), 1u);
  EXPECT_EQ(team.instance_types[0].memory_mib, 16 * 1024);
  EXPECT_FALSE(team.nvidia_gpus);
}

TEST(ProjectConfigTest, EmptyFileMarksRootWithoutSettings) {
  // An empty kfpc.yaml is the natural way to mark the project root.
  for (const char* text : {"", "\n", "# the project root\n", "---\n"}) {
    ProjectConfig config;
    EXPECT_EQ(ParseConfig(text, &config), "") << text;
    EXPECT_FALSE(config.default_target) << text;
    EXPECT_TRUE(config.targets.empty()) << text;
  }
  ProjectConfig config;
  EXPECT_NE(ParseConfig("[]\n", &config).find("`kfpc.yaml` must be a mapping"), std::string::npos);
}

TEST(ProjectConfigTest, RejectsAnchorsAndAliases) {
  ProjectConfig config;
  EXPECT_EQ(ParseConfig("version: 1\ntargets:\n  a: &x {base: arm64}\n", &config),
            "kfpc.yaml:3:6: error: invalid `kfpc.yaml`: anchors (`&name`) are not allowed\n"
            "3 |   a: &x {base: arm64}\n"
            "  |      ^\n"
            "help: write each value out in full\n");
  // yaml-cpp rejects an alias of an unknown anchor itself; either way the file is invalid.
  EXPECT_NE(ParseConfig("version: 1\ntargets:\n  a: *x\n", &config)
                .find("error: invalid `kfpc.yaml`: "),
            std::string::npos);
}

TEST(ProjectConfigTest, RejectsDeepAndUnknown) {
  ProjectConfig config;
  EXPECT_NE(ParseConfig("version: 1\nx: [[[[[[[[[[1]]]]]]]]]]\n", &config)
                .find("values are nested more than 8 deep"),
            std::string::npos);
  EXPECT_NE(ParseConfig("version: 1\ntargets:\n  t: {architecture: arm64, color: red}\n", &config)
                .find("unknown key `color` in `targets.t`"),
            std::string::npos);
  EXPECT_NE(ParseConfig("targets: {}\n", &config).find("`version` must be 1"), std::string::npos);
  EXPECT_NE(ParseConfig("version: 1\ntargets:\n  arm64: {architecture: arm64}\n", &config)
                .find("target `arm64` is a built-in target"),
            std::string::npos);
  EXPECT_NE(ParseConfig("version: 1\ntargets:\n  t: {families: [c8g]}\n", &config)
                .find("target `t` has no `architecture`"),
            std::string::npos);
  EXPECT_NE(ParseConfig("version: 1\ntargets: [\n", &config).find("error: invalid `kfpc.yaml`"),
            std::string::npos);
}

TEST(ProjectConfigTest, FindStopsAtRepositoryRoot) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("kfpc-config-" + std::to_string(::getpid()));
  fs::create_directories(root / "repo" / ".git");
  fs::create_directories(root / "repo" / "pipelines" / "team");
  std::ofstream(root / "kfpc.yaml") << "version: 1\n";
  std::string source = (root / "repo" / "pipelines" / "team" / "p.kf").string();
  EXPECT_EQ(FindProjectConfig(source), "");
  std::ofstream(root / "repo" / "kfpc.yaml") << "version: 1\n";
  EXPECT_EQ(FindProjectConfig(source), (root / "repo" / "kfpc.yaml").string());
  fs::remove_all(root);
}

TEST(QuantityTest, ParsesKubernetesQuantities) {
  EXPECT_EQ(ParseCpuMillis("500m"), 500);
  EXPECT_EQ(ParseCpuMillis("4"), 4000);
  EXPECT_EQ(ParseCpuMillis("0.5"), 500);
  EXPECT_EQ(ParseCpuMillis("four"), std::nullopt);
  EXPECT_EQ(ParseMemoryMib("16Gi"), 16 * 1024);
  EXPECT_EQ(ParseMemoryMib("512Mi"), 512);
  EXPECT_EQ(ParseMemoryMib("1G"), 954);
  EXPECT_EQ(ParseMemoryMib("lots"), std::nullopt);
}

// Found by fuzz_project_config: std::stod threw std::out_of_range on these, and a double beyond
// int64_t was converted to int64_t.
TEST(QuantityTest, OutOfRangeQuantitiesAreInvalid) {
  const std::string digits(400, '9');
  EXPECT_EQ(ParseCpuMillis(digits), std::nullopt);
  EXPECT_EQ(ParseCpuMillis(digits + "m"), std::nullopt);
  EXPECT_EQ(ParseCpuMillis("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseMemoryMib(digits + "Gi"), std::nullopt);
  EXPECT_EQ(ParseMemoryMib("1e999"), std::nullopt);
  EXPECT_EQ(ParseMemoryMib("1e30Pi"), std::nullopt);
  EXPECT_EQ(ParseCpuMillis("4000000000000"), 4'000'000'000'000'000);
  // std::regex_match recursed once per character and overflowed the stack.
  EXPECT_EQ(ParseCpuMillis(std::string(200000, '1')), std::nullopt);
  EXPECT_EQ(ParseMemoryMib(std::string(200000, '1')), std::nullopt);
}

TEST(ProjectConfigTest, OutOfRangeInstanceTypeIsReported) {
  ProjectConfig config;
  std::string rendered =
      ParseConfig("version: 1\ntargets:\n  t:\n    architecture: arm64\n"
                  "    instance_types: [{name: x, vcpus: " + std::string(400, '9') +
                      ", memory: 1e999}]\n",
                  &config);
  EXPECT_NE(rendered.find("is not a valid CPU quantity"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("`memory` value `1e999` is not a valid memory quantity"),
            std::string::npos)
      << rendered;
  EXPECT_EQ(config.targets.count("t"), 0u);
}

TEST(ProjectConfigTest, ReportsEveryErrorInOneRun) {
  ProjectConfig config;
  std::string rendered = ParseConfig("version: 1\n"
                                     "targets:\n"
                                     "  team:\n"
                                     "    familes: [m8g]\n"
                                     "    base: graviton5\n"
                                     "    tolerations: [{key: a, operator: Equals}]\n"
                                     "    instance_types: [{name: x, vcpus: sixteen, memory: 1Gi}]\n",
                                     &config);
  EXPECT_NE(rendered.find("unknown key `familes` in `targets.team`\n"), std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("help: did you mean `families`\n"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("`base` must name a built-in target, found `graviton5`"),
            std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("help: did you mean `graviton4`?"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("toleration operator `Equals` is invalid"), std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("`vcpus` value `sixteen` is not a valid CPU quantity"),
            std::string::npos)
      << rendered;
  EXPECT_EQ(config.targets.count("team"), 0u);
}

TEST(ProjectConfigTest, ProfileValuesFollowKubernetesRules) {
  // The values a profile adds to every executor get the checks that a task's own settings get.
  ProjectConfig config;
  std::string rendered = ParseConfig(
      "version: 1\n"
      "targets:\n"
      "  team:\n"
      "    base: graviton4\n"
      "    node_selector: {\"Bad Key!\": v, pool: \"a b\"}\n"
      "    tolerations:\n"
      "      - {key: a, operator: Exists, value: x}\n"
      "      - {key: \"\", operator: Equal, value: x}\n"
      "      - {key: b, operator: Exists, effect: Sometimes}\n"
      "      - {key: \"bad key!\", operator: Exists}\n"
      "      - {key: ok, operator: Equal, value: arm64}\n",
      &config);
  for (const char* message :
       {"node label key `Bad Key!` is invalid", "node label value `a b` is invalid",
        "a toleration with operator `Exists` has no value",
        "a toleration without a key must have operator `Exists`",
        "taint effect `Sometimes` is invalid", "toleration key `bad key!` is invalid"}) {
    EXPECT_NE(rendered.find(message), std::string::npos) << message << "\n" << rendered;
  }
  EXPECT_EQ(config.targets.count("team"), 0u);

  ProjectConfig families;
  rendered = ParseConfig(
      "version: 1\n"
      "targets:\n"
      "  team:\n"
      "    base: graviton4\n"
      "    families: [c8g, c7g]\n",
      &families);
  EXPECT_NE(rendered.find("kfpc.yaml:5:21: error: invalid `kfpc.yaml`: instance family `c7g` is "
                          "not one of the base target's"),
            std::string::npos)
      << rendered;
  EXPECT_EQ(rendered.find("`c8g`"), std::string::npos) << rendered;

  // A profile that contradicts itself is reported in kfpc.yaml, not at each task.
  ProjectConfig contradiction;
  rendered = ParseConfig(
      "version: 1\n"
      "targets:\n"
      "  team:\n"
      "    base: graviton4\n"
      "    node_selector: {kubernetes.io/arch: amd64}\n",
      &contradiction);
  EXPECT_NE(rendered.find("kfpc.yaml:5:41: error: invalid `kfpc.yaml`: `node_selector` selects "
                          "`kubernetes.io/arch: amd64`, but target `team` has architecture "
                          "`arm64`"),
            std::string::npos)
      << rendered;
}

TEST(ProjectConfigTest, DuplicateKeysAreReported) {
  ProjectConfig config;
  std::string rendered = ParseConfig("version: 1\n"
                                     "default_target: graviton4\n"
                                     "default_target: amd64\n"
                                     "targets:\n"
                                     "  team:\n"
                                     "    base: arm64\n"
                                     "  team:\n"
                                     "    base: amd64\n",
                                     &config);
  EXPECT_NE(rendered.find("kfpc.yaml:3:1: error: invalid `kfpc.yaml`: duplicate key "
                          "`default_target` in `kfpc.yaml`\n"),
            std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find(":7:3: error: invalid `kfpc.yaml`: duplicate key `team` in `targets`\n"),
            std::string::npos)
      << rendered;
  EXPECT_NE(rendered.find("help: remove one of the two entries\n"), std::string::npos)
      << rendered;
}

TEST(KfpVersionTest, ParsesAndGates) {
  EXPECT_EQ(ParseKfpVersion("2.14"), (KfpVersion{2, 14}));
  EXPECT_EQ(ParseKfpVersion("2.15.1"), (KfpVersion{2, 15}));
  EXPECT_EQ(ParseKfpVersion("two"), std::nullopt);
  EXPECT_EQ(FirstVersionReading("nodeAffinity"), (KfpVersion{2, 14}));
  EXPECT_EQ(FirstVersionReading("initContainers"), std::nullopt);
  EXPECT_FALSE(HonoursCustomCacheKey({2, 15}));
  EXPECT_FALSE(HonoursCustomCacheKey({2, 17}));
}

TEST_F(PassesTest, WorkspaceNeedsBackend215) {
  const char* source = R"(component write(path: string) {
  image = "alpine"
  command = ["write", path]
}

pipeline p() {
  workspace {
    size = "1Gi"
  }
  write(path = run.workspace_path)
}
)";
  // The default backend: a warning, and the output still has the workspace.
  auto by_default = Compile(source, PassOptions{});
  EXPECT_FALSE(by_default->sink.has_errors()) << by_default->Rendered();
  EXPECT_NE(by_default->Rendered().find("p.kf:7:3: warning: KFP backend 2.14 creates the "
                                        "workspace volume but does not mount it in the tasks\n"),
            std::string::npos)
      << by_default->Rendered();
  EXPECT_NE(by_default->yaml.find("    pipelineConfig:\n      workspace:\n"), std::string::npos)
      << by_default->yaml;
  EXPECT_NE(by_default->yaml.find("constant: '{{$.workspace_path}}'"), std::string::npos)
      << by_default->yaml;
  // `--kfp-version 2.14` given: an error. 2.15 reads it.
  PassOptions old_backend;
  old_backend.kfp_backend_given = true;
  EXPECT_TRUE(Compile(source, old_backend)->sink.has_errors());
  PassOptions new_backend;
  new_backend.kfp_backend = {2, 15};
  new_backend.kfp_backend_given = true;
  auto supported = Compile(source, new_backend);
  EXPECT_TRUE(supported->sink.diagnostics().empty()) << supported->Rendered();
}

TEST_F(PassesTest, RuntimeResourceNeedsBackend24) {
  const char* source = R"(component work() {
  image = "alpine"
  command = ["work"]
}

pipeline p(cores: string = "2") {
  work() {
    cpu_limit = cores
  }
}
)";
  PassOptions old_backend;
  old_backend.kfp_backend = {2, 3};
  old_backend.kfp_backend_given = true;
  auto old = Compile(source, old_backend);
  EXPECT_NE(old->Rendered().find("p.kf:8:17: error: KFP backend 2.3 reads `cpu_limit` only as a "
                                 "constant\n"),
            std::string::npos)
      << old->Rendered();
  PassOptions new_backend;
  new_backend.kfp_backend = {2, 4};
  new_backend.kfp_backend_given = true;
  EXPECT_TRUE(Compile(source, new_backend)->sink.diagnostics().empty());
}

}  // namespace
}  // namespace kfpc::passes
