// Tests of Kubernetes settings: each compiles a `.kf` source in memory through the checker, the
// lowering and the YAML writer, and asserts the PlatformSpec document that kfp-kubernetes writes
// for the equivalent Python pipeline, or the whole rendered diagnostics.

#include <gtest/gtest.h>

#include <string>

#include "compiler/check/check.h"
#include "compiler/check/kubernetes_fields.h"
#include "tests/unit/compile_source.h"

namespace kfpc {
namespace {

using testing::Compile;
using testing::Compiled;

// A container component and a component with one string output, for the tests' pipelines.
const std::string kComponents = R"(
component work(x: string = "") {
  image   = "alpine"
  command = ["echo", x]
}
component name_of() -> string {
  image   = "alpine"
  command = ["echo"]
}
)";

TEST(KubernetesQuantity, ValueOfEachForm) {
  using check::k8s::QuantityValue;
  EXPECT_EQ(QuantityValue("2"), 2.0L);
  EXPECT_EQ(QuantityValue("500m"), 0.5L);
  EXPECT_EQ(QuantityValue("1.5"), 1.5L);
  EXPECT_EQ(QuantityValue(".5"), 0.5L);
  EXPECT_EQ(QuantityValue("1Ki"), 1024.0L);
  EXPECT_EQ(QuantityValue("1Gi"), QuantityValue("1024Mi"));
  EXPECT_EQ(QuantityValue("2G"), 2e9L);
  EXPECT_EQ(QuantityValue("3e2"), 300.0L);
  EXPECT_EQ(QuantityValue("3E"), 3e18L);
  EXPECT_EQ(QuantityValue("-1k"), -1000.0L);
  EXPECT_LT(QuantityValue("100u"), QuantityValue("1m"));
  EXPECT_LT(QuantityValue("1000n"), QuantityValue("2u"));
}

TEST(KubernetesLower, SecretNameFromEachSource) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p(secret_input: string = "s1") {
  generated = name_of()
  work() {
    secret_env { secret = "s2"  keys = {"password": "PASSWORD", "user": "USER"} }
    secret_env { secret = secret_input  keys = {"k": "A"}  optional = true }
    secret_volume { secret = generated.output  mount_path = "/secret" }
  }
}
)");
  EXPECT_EQ(compiled.errors, "");
  EXPECT_EQ(compiled.platform, R"(platforms:
  kubernetes:
    deploymentSpec:
      executors:
        exec-work:
          secretAsEnv:
          - keyToEnv:
            - envVar: PASSWORD
              secretKey: password
            - envVar: USER
              secretKey: user
            optional: false
            secretName: s2
            secretNameParameter:
              runtimeValue:
                constant: s2
          - keyToEnv:
            - envVar: A
              secretKey: k
            optional: true
            secretNameParameter:
              componentInputParameter: secret_input
          secretAsVolume:
          - mountPath: /secret
            optional: false
            secretNameParameter:
              taskOutputParameter:
                outputParameterKey: Output
                producerTask: name-of
)");
  // The task waits for the task whose output names the Secret, as `task.after` in the SDK.
  EXPECT_NE(compiled.yaml.find("dependentTasks:\n        - name-of"), std::string::npos);
}

TEST(KubernetesLower, LoopTakesNamesAsGroupInputs) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p(claim: string = "data") {
  generated = name_of()
  for item in ["a", "b"] {
    work(x = item) {
      pvc_mount { pvc = claim  mount_path = "/data" }
      config_map_env { config_map = generated.output  keys = {"k": "K"} }
    }
  }
}
)");
  EXPECT_EQ(compiled.errors, "");
  EXPECT_EQ(compiled.platform, R"(platforms:
  kubernetes:
    deploymentSpec:
      executors:
        exec-work:
          configMapAsEnv:
          - configMapNameParameter:
              componentInputParameter: pipelinechannel--name-of-Output
            keyToEnv:
            - configMapKey: k
              envVar: K
            optional: false
          pvcMount:
          - componentInputParameter: pipelinechannel--claim
            mountPath: /data
            pvcNameParameter:
              componentInputParameter: pipelinechannel--claim
)");
  // The loop's DAG takes both names as inputs and waits for the task that makes one.
  EXPECT_NE(compiled.yaml.find("        pipelinechannel--claim:\n          parameterType: STRING"),
            std::string::npos);
  EXPECT_NE(compiled.yaml.find("            pipelinechannel--name-of-Output:\n"
                               "              taskOutputParameter:"),
            std::string::npos);
  EXPECT_NE(compiled.yaml.find("        dependentTasks:\n        - name-of"), std::string::npos);
}

TEST(KubernetesLower, Int64FieldsAreStrings) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  work() {
    toleration { key = "k"  operator = "Equal"  value = "v"  effect = "NoExecute"  seconds = 10 }
    node_affinity {
      match_expression { key = "zone"  operator = "In"  values = ["a"] }
      match_field { key = "metadata.name"  operator = "NotIn"  values = ["node-1"] }
      weight = 50
    }
    timeout = 20
    security_context { run_as_user = 65534  run_as_group = 0  run_as_non_root = true }
  }
}
)");
  EXPECT_EQ(compiled.errors, "");
  EXPECT_EQ(compiled.platform, R"(platforms:
  kubernetes:
    deploymentSpec:
      executors:
        exec-work:
          activeDeadlineSeconds: '20'
          nodeAffinity:
          - matchExpressions:
            - key: zone
              operator: In
              values:
              - a
            matchFields:
            - key: metadata.name
              operator: NotIn
              values:
              - node-1
            weight: 50.0
          securityContext:
            runAsGroup: '0'
            runAsNonRoot: true
            runAsUser: '65534'
          tolerations:
          - effect: NoExecute
            key: k
            operator: Equal
            tolerationSeconds: '10'
            value: v
)");
}

TEST(KubernetesLower, PodAndImageSettings) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p(selector: dict = {"disk": "ssd"}, registry_secret: string = "pull") {
  work() {
    node_selector = {"kubernetes.io/arch": "arm64"}
    pod_labels = {"team": "ml"}
    pod_annotations = {"example.com/owner": "someone@example.com"}
    image_pull_secrets = ["registry", registry_secret]
    image_pull_policy = "Always"
    field_path_env { name = "POD_NAME"  field_path = "metadata.name" }
    empty_dir_mount { volume_name = "scratch"  mount_path = "/scratch" }
    ephemeral_volume {
      volume_name = "cache"  mount_path = "/cache"  access_modes = ["ReadWriteOnce"]
      size = "1Gi"  storage_class_name = "fast"  labels = {"a": "b"}
    }
  }
  work() {
    node_selector = selector
  }
}
)");
  EXPECT_EQ(compiled.errors, "");
  EXPECT_EQ(compiled.platform, R"(platforms:
  kubernetes:
    deploymentSpec:
      executors:
        exec-work:
          emptyDirMounts:
          - mountPath: /scratch
            volumeName: scratch
          fieldPathAsEnv:
          - fieldPath: metadata.name
            name: POD_NAME
          genericEphemeralVolume:
          - accessModes:
            - ReadWriteOnce
            metadata:
              labels:
                a: b
            mountPath: /cache
            size: 1Gi
            storageClassName: fast
            volumeName: cache
          imagePullPolicy: Always
          imagePullSecret:
          - secretName: registry
            secretNameParameter:
              runtimeValue:
                constant: registry
          - secretNameParameter:
              componentInputParameter: registry_secret
          nodeSelector:
            labels:
              kubernetes.io/arch: arm64
          podMetadata:
            annotations:
              example.com/owner: someone@example.com
            labels:
              team: ml
        exec-work-2:
          nodeSelector:
            nodeSelectorJson:
              componentInputParameter: selector
)");
}

TEST(KubernetesLower, CalledPipelineKeepsConfigUnderRenamedExecutor) {
  Compiled compiled = Compile(kComponents + R"(
pipeline inner() {
  work() { timeout = 60 }
}
pipeline outer() {
  work() { timeout = 30 }
  inner()
}
)");
  EXPECT_EQ(compiled.errors, "");
  EXPECT_EQ(compiled.platform, R"(platforms:
  kubernetes:
    deploymentSpec:
      executors:
        exec-work:
          activeDeadlineSeconds: '30'
        exec-work-2:
          activeDeadlineSeconds: '60'
)");
}

TEST(KubernetesLower, NoSettingsWriteNoPlatformDocument) {
  Compiled compiled = Compile(kComponents + "pipeline p() {\n  work()\n}\n");
  EXPECT_EQ(compiled.errors, "");
  EXPECT_NE(compiled.yaml, "");
  EXPECT_EQ(compiled.yaml.find("---"), std::string::npos);
}

TEST(KubernetesLower, CreateAndDeletePvcComponents) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  claim = CreatePVC(pvc_name = "shared", access_modes = ["ReadWriteOnce"], size = "1Gi")
  used = work() { pvc_mount { pvc = claim.name  mount_path = "/data"  sub_path = "run" } }
  DeletePVC(pvc_name = claim.name) { after = [used] }
}
)");
  EXPECT_EQ(compiled.errors, "");
  EXPECT_NE(compiled.yaml.find("    exec-createpvc:\n      container:\n"
                               "        image: argostub/createpvc\n"),
            std::string::npos);
  EXPECT_NE(compiled.yaml.find("    exec-deletepvc:\n      container:\n"
                               "        image: argostub/deletepvc\n"),
            std::string::npos);
  EXPECT_NE(compiled.yaml.find("        storage_class_name:\n          defaultValue: ''\n"),
            std::string::npos);
  EXPECT_EQ(compiled.platform, R"(platforms:
  kubernetes:
    deploymentSpec:
      executors:
        exec-work:
          pvcMount:
          - mountPath: /data
            pvcNameParameter:
              taskOutputParameter:
                outputParameterKey: name
                producerTask: createpvc
            subPath: run
            taskOutputParameter:
              outputParameterKey: name
              producerTask: createpvc
)");
}

TEST(KubernetesCheck, DeclarationShadowsBuiltinComponent) {
  Compiled compiled = Compile(R"(
component CreatePVC(size: string) {
  image   = "alpine"
  command = ["echo", size]
}
pipeline p() {
  CreatePVC(size = "1Gi")
}
)");
  EXPECT_EQ(compiled.errors, "");
  EXPECT_NE(compiled.yaml.find("        image: alpine\n"), std::string::npos);
  EXPECT_EQ(compiled.yaml.find("argostub"), std::string::npos);
}

TEST(KubernetesCheck, BareMapKeyGetsQuoteFix) {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  diag::FileId root = sources.AddFile("main.kf", kComponents + R"(
pipeline p() {
  work() {
    pod_labels = {team: "ml"}
  }
}
)");
  check::Check(
      sources, root, [](const std::string&) { return std::nullopt; }, sink);
  ASSERT_EQ(sink.diagnostics().size(), 1u) << diag::RenderAll(sources, sink.diagnostics());
  const diag::Diagnostic& d = sink.diagnostics()[0];
  EXPECT_EQ(d.message, "setting `pod_labels` expects a map of strings, found `team` as a key");
  EXPECT_EQ(d.help, "write `\"team\"` in quotes");
  ASSERT_TRUE(d.fix.has_value());
  EXPECT_EQ(d.fix->replacement, "\"team\"");
  EXPECT_EQ(sources.contents(root).substr(d.fix->span.begin, d.fix->span.end - d.fix->span.begin),
            "team");

  // A name as a value may be an input, which quoting would turn into a constant: no fix.
  diag::DiagnosticSink value_sink;
  diag::FileId value_root = sources.AddFile("value.kf", kComponents + R"(
pipeline p(pool: string = "ml") {
  work() {
    node_selector = {"pool": pool}
  }
}
)");
  check::Check(
      sources, value_root, [](const std::string&) { return std::nullopt; }, value_sink);
  ASSERT_EQ(value_sink.diagnostics().size(), 1u);
  EXPECT_FALSE(value_sink.diagnostics()[0].fix.has_value());
}

TEST(KubernetesCheck, BareLabelKeyWithSlashGetsQuoteFix) {
  // `/` cannot be in a name, so the lexer reports it; the fix quotes the whole key.
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  diag::FileId root = sources.AddFile("main.kf", kComponents + R"(
pipeline p() {
  work() {
    node_selector = {kubernetes.io/arch: "arm64"}
  }
}
)");
  check::Check(
      sources, root, [](const std::string&) { return std::nullopt; }, sink);
  ASSERT_FALSE(sink.diagnostics().empty());
  const diag::Diagnostic& d = sink.diagnostics()[0];
  EXPECT_EQ(d.message, "unexpected character `/`");
  EXPECT_EQ(d.help, "quote the map key: `\"kubernetes.io/arch\"`");
  ASSERT_TRUE(d.fix.has_value());
  EXPECT_EQ(d.fix->replacement, "\"kubernetes.io/arch\"");
  EXPECT_EQ(d.fix->title, "quote `kubernetes.io/arch`");
  EXPECT_EQ(sources.contents(root).substr(d.fix->span.begin, d.fix->span.end - d.fix->span.begin),
            "kubernetes.io/arch");

  // A keyword inside the key and a key with two `/`: one error each, with one fix for the key.
  diag::DiagnosticSink keys_sink;
  diag::FileId keys = sources.AddFile("keys.kf", kComponents + R"(
pipeline p() {
  work() {
    pod_labels = {app.kubernetes.io/component: "x", a.io/b/c: "y", team-2.example.com/owner: "z"}
  }
}
)");
  check::Check(
      sources, keys, [](const std::string&) { return std::nullopt; }, keys_sink);
  // `-2.example.com` is a malformed number, which the key's error covers.
  ASSERT_EQ(keys_sink.diagnostics().size(), 3u)
      << diag::RenderAll(sources, keys_sink.diagnostics());
  const char* expected[] = {"\"app.kubernetes.io/component\"", "\"a.io/b/c\"",
                            "\"team-2.example.com/owner\""};
  for (size_t i = 0; i < 3; ++i) {
    const diag::Diagnostic& key = keys_sink.diagnostics()[i];
    ASSERT_TRUE(key.fix.has_value()) << i;
    EXPECT_EQ(key.fix->replacement, expected[i]);
  }

  // A `/` that is not in a key before `:` gets the help about operators and no fix.
  diag::DiagnosticSink division_sink;
  diag::FileId division = sources.AddFile("division.kf", kComponents + R"(
pipeline p(a: int = 4) {
  work(n = a / 2)
}
)");
  check::Check(
      sources, division, [](const std::string&) { return std::nullopt; }, division_sink);
  ASSERT_FALSE(division_sink.diagnostics().empty());
  EXPECT_EQ(division_sink.diagnostics()[0].help, "kfpc expressions have no arithmetic operators");
  EXPECT_FALSE(division_sink.diagnostics()[0].fix.has_value());
}

TEST(KubernetesCheck, RepeatableSettingsAndDuplicates) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  work() {
    toleration { key = "a"  operator = "Exists" }
    toleration { key = "b"  operator = "Exists" }
    timeout = 10
    timeout = 20
  }
}
)");
  EXPECT_EQ(compiled.errors, R"(main.kf:16:5: error: setting `timeout` is set twice
16 |     timeout = 20
   |     ^~~~~~~
main.kf:15:5: note: first set here
15 |     timeout = 10
   |     ^~~~~~~
help: remove one of the two
)");
}

TEST(KubernetesCheck, MisspeltFieldIsReportedOnce) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  work() {
    empty_dir_mount { volume_name = "v"  mount_pth = "/v" }
  }
}
)");
  EXPECT_EQ(compiled.errors, R"(main.kf:13:42: error: unknown setting `mount_pth` in `empty_dir_mount`
13 |     empty_dir_mount { volume_name = "v"  mount_pth = "/v" }
   |                                          ^~~~~~~~~
help: did you mean `mount_path`
)");
}

TEST(KubernetesCheck, NamesAreValidatedOnlyWhenConstant) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p(claim: string = "Not_A_Valid_Name") {
  work() {
    pvc_mount { pvc = claim  mount_path = "/a" }
    pvc_mount { pvc = "Not_Valid"  mount_path = "/b" }
  }
}
)");
  EXPECT_EQ(compiled.errors, R"(main.kf:14:23: error: invalid PVC name `Not_Valid`
14 |     pvc_mount { pvc = "Not_Valid"  mount_path = "/b" }
   |                       ^~~~~~~~~~~
help: a name is at most 253 lowercase letters, digits, `-` and `.` that start and end with a letter or digit, such as `my-secret`
)");
}

TEST(KubernetesCheck, OneOfCannotNameSecret) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p(flag: string) {
  if flag == "a" {
    a = name_of()
  } else {
    b = name_of()
  }
  work() {
    secret_env { secret = one_of(a.output, b.output)  keys = {"k": "K"} }
  }
}
)");
  EXPECT_EQ(compiled.errors, R"(main.kf:18:27: error: a call of `one_of` cannot be used as the Secret name
18 |     secret_env { secret = one_of(a.output, b.output)  keys = {"k": "K"} }
   |                           ^~~~~~~~~~~~~~~~~~~~~~~~~~
help: pass a constant, a pipeline input, a task output or a loop item
)");
}

}  // namespace
}  // namespace kfpc
