// Tests that compile a small `.kf` program end to end and assert parts of the IR that the KFP SDK
// 2.14 writes for the equivalent Python pipeline, or where kfpc writes something else and why.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tests/unit/compile_source.h"

namespace kfpc {
namespace {

using testing::Compile;
using testing::Compiled;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::string kComponents = R"(
component sizes() -> string {
  image   = "alpine"
  command = ["sizes"]
}
component work(x: string = "") {
  image   = "alpine"
  command = ["echo", x]
}
)";

TEST(RuntimeResources, TaskOutputBecomesChannelInput) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  s = sizes()
  work() {
    memory_limit = s.output
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  // The executor reads the channel input; the deprecated numeric field is left out.
  EXPECT_TRUE(Contains(compiled.yaml,
                       "        resources:\n"
                       "          resourceMemoryLimit: "
                       "'{{$.inputs.parameters[''pipelinechannel--sizes-Output'']}}'\n"))
      << compiled.yaml;
  EXPECT_FALSE(Contains(compiled.yaml, "memoryLimit: 0")) << compiled.yaml;
  // The task gets the channel input and, as the SDK writes it, the setting's name as an input
  // that contains the placeholder.
  EXPECT_TRUE(Contains(compiled.yaml,
                       "            memory_limit:\n"
                       "              runtimeValue:\n"
                       "                constant: "
                       "'{{$.inputs.parameters[''pipelinechannel--sizes-Output'']}}'\n"
                       "            pipelinechannel--sizes-Output:\n"
                       "              taskOutputParameter:\n"
                       "                outputParameterKey: Output\n"
                       "                producerTask: sizes\n"))
      << compiled.yaml;
  // The SDK leaves the producer out of dependentTasks, so the Argo backend could start the task
  // before the output exists. kfpc lists it.
  EXPECT_TRUE(Contains(compiled.yaml, "        dependentTasks:\n        - sizes\n"))
      << compiled.yaml;
}

TEST(RuntimeResources, PipelineInputInsideCondition) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p(cores: string = "2", run_it: bool = true) {
  if run_it == true {
    work() {
      cpu_request = cores
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(Contains(compiled.yaml,
                       "          resourceCpuRequest: "
                       "'{{$.inputs.parameters[''pipelinechannel--cores'']}}'\n"))
      << compiled.yaml;
  // The condition's DAG receives the input, and the task reads it from there.
  EXPECT_TRUE(Contains(compiled.yaml,
                       "              pipelinechannel--cores:\n"
                       "                componentInputParameter: "
                       "pipelinechannel--cores\n"))
      << compiled.yaml;
  EXPECT_TRUE(Contains(compiled.yaml,
                       "            pipelinechannel--cores:\n"
                       "              componentInputParameter: cores\n"))
      << compiled.yaml;
}

TEST(RuntimeResources, AcceleratorTypeFromLoopItem) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  for kind in ["nvidia.com/gpu", "amd.com/gpu"] {
    work() {
      accelerator_type = kind
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  // The type implies a count of 1; only the string field of the type contains the placeholder.
  EXPECT_TRUE(Contains(compiled.yaml,
                       "          accelerator:\n"
                       "            count: '1'\n"
                       "            resourceCount: '1'\n"
                       "            resourceType: "
                       "'{{$.inputs.parameters[''pipelinechannel--loop-item-param-1'']}}'\n"
                       "pipelineInfo:\n"))
      << compiled.yaml;
}

TEST(RuntimeResources, SameNamedInputKeepsArgument) {
  // The SDK would replace the argument `cpu_limit = "1"` with the placeholder.
  Compiled compiled = Compile(kComponents + R"(
component limited(cpu_limit: string) {
  image   = "alpine"
  command = ["echo", cpu_limit]
}
pipeline p(cores: string = "2") {
  limited(cpu_limit = "1") {
    cpu_limit = cores
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(Contains(compiled.yaml,
                       "            cpu_limit:\n"
                       "              runtimeValue:\n"
                       "                constant: '1'\n"))
      << compiled.yaml;
  EXPECT_TRUE(Contains(compiled.yaml,
                       "          resourceCpuLimit: "
                       "'{{$.inputs.parameters[''pipelinechannel--cores'']}}'\n"))
      << compiled.yaml;
}

TEST(LoopItemConditions, ConstantIntListItemComparesAsInt) {
  // The SDK types the items of a constant list by the first one, and so does the loop item's
  // input. Compared with an int input, both sides are ints in CEL.
  Compiled compiled = Compile(kComponents + R"(
pipeline p(threshold: int = 2) {
  for y in [1, 2, 3] {
    if y >= threshold {
      work()
    }
    if y == 2 {
      work()
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(
      Contains(compiled.yaml,
               "condition: int(inputs.parameter_values['pipelinechannel--loop-item-param-1'])\n"
               "              >= int(inputs.parameter_values['pipelinechannel--threshold'])\n"))
      << compiled.yaml;
  EXPECT_TRUE(
      Contains(compiled.yaml,
               "condition: int(inputs.parameter_values['pipelinechannel--loop-item-param-1'])\n"
               "              == 2\n"))
      << compiled.yaml;
}

TEST(LoopItemConditions, ConstantStringListItemIsAString) {
  Compiled compiled = Compile(kComponents + R"(
pipeline p(limit: int = 2) {
  for y in ["a", "b"] {
    if y > limit {
      work()
    }
  }
}
)");
  // A string item against an int input is a comparison of different types.
  EXPECT_TRUE(Contains(compiled.errors, "error: ")) << compiled.errors;
  EXPECT_EQ(compiled.yaml, "");
}

TEST(Collect, NestedLoopsGiveListOfLists) {
  const std::string source = R"(
component double(num: int) -> int {
  image   = "alpine"
  command = ["double", num]
}
component add(nums: @) {
  image   = "alpine"
  command = ["add", nums]
}
pipeline p() {
  for x in [1, 2] {
    if x > 0 {
      for y in [3, 4] {
        d = double(num = y)
      }
    }
  }
  add(nums = collect(d.output))
}
)";
  auto with_type = [&](const std::string& type) {
    std::string text = source;
    text.replace(text.find('@'), 1, type);
    return Compile(text);
  };
  // One list for each loop that the value leaves; the condition between them adds none.
  EXPECT_EQ(with_type("list<list<int>>").errors, "");
  EXPECT_TRUE(Contains(with_type("list<int>").errors,
                       "error: expected `list<int>` for argument `nums`, found `list<list<int>>` "
                       "from `collect`"))
      << with_type("list<int>").errors;
}

TEST(FinalStatus, PassesToUntypedDictOnly) {
  const std::string source = R"(
component report(status: @) {
  image   = "alpine"
  command = ["report", status]
}
component step() {
  image   = "alpine"
  command = ["step"]
}
pipeline notify(status: PipelineTaskFinalStatus) {
  report(status = status)
}
pipeline p() {
  try {
    step()
  } finally {
    notify()
  }
}
)";
  auto with_type = [&](const std::string& type) {
    std::string text = source;
    text.replace(text.find('@'), 1, type);
    return Compile(text);
  };
  Compiled as_dict = with_type("dict");
  EXPECT_EQ(as_dict.errors, "");
  EXPECT_TRUE(Contains(as_dict.yaml,
                       "              status:\n"
                       "                componentInputParameter: status\n"))
      << as_dict.yaml;
  // A dict with a declared value type promises more than the status gives.
  for (const char* type : {"dict<string, string>", "string", "list"}) {
    EXPECT_TRUE(Contains(with_type(type).errors, "error: expected `")) << type;
  }
}

TEST(PythonSignature, UntypedPathsAreArtifacts) {
  Compiled compiled = Compile(R"(
component send_file() -> (outgoing: Artifact) {
  python = """
def send_file(outgoing: dsl.OutputPath()):
    open(outgoing, 'w').write('x')
"""
}
component receive_file(incoming: Artifact) {
  python = """
def receive_file(incoming: dsl.InputPath()):
    print(open(incoming).read())
"""
}
pipeline p() {
  s = send_file()
  receive_file(incoming = s.outgoing)
}
)");
  EXPECT_EQ(compiled.errors, "");
  // A declared parameter does not match an untyped path, which is an artifact.
  Compiled parameter = Compile(R"(
component send_file() -> (outgoing: string) {
  python = """
def send_file(outgoing: dsl.OutputPath()):
    open(outgoing, 'w').write('x')
"""
}
pipeline p() {
  send_file()
}
)");
  EXPECT_TRUE(Contains(parameter.errors, "error: ")) << parameter.errors;
}

TEST(LoopItemFields, EachFieldHasItsOwnInput) {
  // Two fields of one dict item, read in one task: each is a `-subvar-` input with its own
  // selector, as the SDK's LoopArgumentVariable, so neither replaces the other.
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  for d in [{"cpu": "1", "mem": "1Gi"}] {
    work(x = "{d.cpu}/{d.mem}") {
      memory_limit = d.mem
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(
      Contains(compiled.yaml,
               "              pipelinechannel--loop-item-param-1-subvar-cpu:\n"
               "                componentInputParameter: pipelinechannel--loop-item-param-1\n"
               "                parameterExpressionSelector: parseJson(string_value)[\"cpu\"]\n"
               "              pipelinechannel--loop-item-param-1-subvar-mem:\n"
               "                componentInputParameter: pipelinechannel--loop-item-param-1\n"
               "                parameterExpressionSelector: parseJson(string_value)[\"mem\"]\n"))
      << compiled.yaml;
  EXPECT_TRUE(Contains(
      compiled.yaml,
      "constant: '{{$.inputs.parameters[''pipelinechannel--loop-item-param-1-subvar-cpu'']}}/"
      "{{$.inputs.parameters[''pipelinechannel--loop-item-param-1-subvar-mem'']}}'"))
      << compiled.yaml;
  EXPECT_TRUE(
      Contains(compiled.yaml,
               "resourceMemoryLimit: "
               "'{{$.inputs.parameters[''pipelinechannel--loop-item-param-1-subvar-mem'']}}'"))
      << compiled.yaml;
}

TEST(LoopItemFields, ConditionReadsFieldThroughGroupInput) {
  // The field has the type of the first dict's first value, as in the SDK, and the condition's
  // DAG receives it as an input of its own.
  Compiled compiled = Compile(kComponents + R"(
pipeline p(n: int = 1) {
  for d in [{"a": 1}, {"a": 5}] {
    if d.a > n {
      work()
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(Contains(
      compiled.yaml,
      "condition: int(inputs.parameter_values['pipelinechannel--loop-item-param-1-subvar-a'])\n"
      "              > int(inputs.parameter_values['pipelinechannel--n'])\n"))
      << compiled.yaml;
  EXPECT_TRUE(
      Contains(compiled.yaml,
               "              pipelinechannel--loop-item-param-1-subvar-a:\n"
               "                componentInputParameter: pipelinechannel--loop-item-param-1\n"
               "                parameterExpressionSelector: parseJson(string_value)[\"a\"]\n"))
      << compiled.yaml;
  EXPECT_TRUE(Contains(compiled.yaml,
                       "        pipelinechannel--loop-item-param-1-subvar-a:\n"
                       "          parameterType: NUMBER_INTEGER\n"))
      << compiled.yaml;
}

TEST(ExitTask, HandlerWaitsForWhatTheExitTaskReads) {
  // The exit task reads an output of a task outside `try`. It lists only its handler, because
  // the Argo backend runs it as a hook of each task it lists, and the handler waits for the
  // producer, so the output exists before the exit task starts.
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  s = sizes()
  try {
    work()
  } finally {
    work(x = s.output) {
      cpu_limit = s.output
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(Contains(compiled.yaml,
                       "      exit-handler-1:\n"
                       "        componentRef:\n"
                       "          name: comp-exit-handler-1\n"
                       "        dependentTasks:\n"
                       "        - sizes\n"))
      << compiled.yaml;
  EXPECT_TRUE(Contains(compiled.yaml,
                       "        dependentTasks:\n"
                       "        - exit-handler-1\n"
                       "        inputs:\n"))
      << compiled.yaml;
  EXPECT_FALSE(Contains(compiled.yaml, "        - exit-handler-1\n        - sizes\n"))
      << compiled.yaml;
}

TEST(StructureArgument, TaskOutputsInsideListReachTheGroup) {
  // A list argument in a condition reads an output of a task outside it: the list is a constant
  // with the placeholder in it, the condition's DAG receives the output, and the condition waits
  // for the producer.
  Compiled compiled = Compile(R"(
component sizes() -> string {
  image   = "alpine"
  command = ["sizes"]
}
component use(specs: list) {
  image   = "alpine"
  command = ["use", specs]
}
pipeline p(go: string = "yes") {
  s = sizes()
  if go == "yes" {
    use(specs = [{"machine": "{s.output}", "count": 1}, s.output])
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(Contains(
      compiled.yaml,
      "              specs:\n"
      "                runtimeValue:\n"
      "                  constant:\n"
      "                  - count: 1.0\n"
      "                    machine: '{{$.inputs.parameters[''pipelinechannel--sizes-Output'']}}'\n"
      "                  - '{{$.inputs.parameters[''pipelinechannel--sizes-Output'']}}'\n"))
      << compiled.yaml;
  EXPECT_TRUE(Contains(compiled.yaml,
                       "              pipelinechannel--sizes-Output:\n"
                       "                componentInputParameter: "
                       "pipelinechannel--sizes-Output\n"))
      << compiled.yaml;
  EXPECT_TRUE(Contains(compiled.yaml, "        dependentTasks:\n        - sizes\n"))
      << compiled.yaml;
}

TEST(LoopItemFields, TypedDictListGivesFieldType) {
  // Over a `list<dict<string, int>>`, every field of an item is an `int`.
  Compiled compiled = Compile(kComponents + R"(
pipeline p(rows: list<dict<string, int>> = [{"a": 1}], n: int = 1) {
  for row in rows {
    if row.a >= n {
      work()
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(Contains(
      compiled.yaml,
      "condition: int(inputs.parameter_values['pipelinechannel--rows-loop-item-subvar-a'])"))
      << compiled.yaml;
}

TEST(LoopItemNames, InnerLoopOverSameListKeepsOuterItem) {
  // Both items would be `pipelinechannel--xs-loop-item`, as the SDK names them; the inner loop
  // reads the outer item, so its own item gets a number.
  Compiled compiled = Compile(R"(
component show(a: string, b: string) {
  image   = "alpine"
  command = ["show", a, b]
}
pipeline p(xs: list<string> = ["1", "2"]) {
  for a in xs {
    for b in xs {
      show(a = a, b = b)
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(Contains(compiled.yaml,
                       "              a:\n"
                       "                componentInputParameter: "
                       "pipelinechannel--xs-loop-item\n"
                       "              b:\n"
                       "                componentInputParameter: "
                       "pipelinechannel--xs-loop-item-2\n"))
      << compiled.yaml;
}

TEST(Volumes, EmptyStorageClassNameLeavesClassOut) {
  // kfp-kubernetes writes `defaultStorageClass` only for a missing name and drops an empty
  // `storageClassName`, so the backend makes a claim without a class.
  Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  work() {
    ephemeral_volume {
      volume_name        = "scratch"
      mount_path         = "/scratch"
      access_modes       = ["ReadWriteOnce"]
      size               = "1Gi"
      storage_class_name = ""
    }
  }
}
)");
  ASSERT_EQ(compiled.errors, "");
  EXPECT_TRUE(Contains(compiled.platform,
                       "            mountPath: /scratch\n"
                       "            size: 1Gi\n"
                       "            volumeName: scratch\n"))
      << compiled.platform;
  EXPECT_FALSE(Contains(compiled.platform, "StorageClass")) << compiled.platform;
}

TEST(TaskNames, TaskNamedLikeGroupIsNumberedAway) {
  // The SDK names groups without looking at task names: a component named `exit_handler_1` or
  // `for-loop-2` replaced the group in its DAG, so the group's tasks never ran.
  Compiled compiled = Compile(kComponents + R"(
component exit_handler_1() {
  image   = "alpine"
  command = ["x"]
}
component looped() {
  name    = "for-loop-2"
  image   = "alpine"
  command = ["y"]
}
pipeline p(xs: list<string> = ["a"]) {
  try {
    work(x = "body")
  } finally {
    work(x = "cleanup")
  }
  for x in xs {
    work(x = x)
  }
  exit_handler_1()
  looped()
}
)");
  ASSERT_EQ(compiled.errors, "");
  for (const char* task : {"exit-handler-1", "exit-handler-1-2", "for-loop-2", "for-loop-2-2"}) {
    EXPECT_TRUE(Contains(compiled.yaml, "\n      " + std::string(task) + ":\n")) << task;
  }
  EXPECT_TRUE(Contains(compiled.yaml, "          name: comp-exit-handler-1\n")) << compiled.yaml;
  EXPECT_TRUE(Contains(compiled.yaml, "          name: comp-for-loop-2\n")) << compiled.yaml;
}

TEST(TaskSettings, AcceleratorCountAsStringIsTheCount) {
  // set_accelerator_limit takes "4" as well as 4, and writes both as the string.
  auto with_count = [](const std::string& count) {
    return Compile(kComponents + R"(
pipeline p() {
  work() {
    accelerator_type  = "nvidia.com/gpu"
    accelerator_count = )" +
                   count + R"(
  }
}
)");
  };
  Compiled text = with_count("\"4\"");
  ASSERT_EQ(text.errors, "");
  EXPECT_TRUE(Contains(text.yaml, "            resourceCount: '4'\n")) << text.yaml;
  EXPECT_EQ(text.yaml, with_count("4").yaml);
}

TEST(TaskSettings, RetryDurationsAsTheSdkReadsThem) {
  // convert_duration_to_seconds takes spaces, days, weeks and unit words.
  const std::vector<std::pair<std::string, std::string>> durations = {
      {"1 hour", "3600s"}, {"1d", "86400s"}, {"2 weeks", "1209600s"}, {"90", ""},
      {"030s", "30s"},     {"1.5s", "1.5s"}, {"0.5m", "30s"},         {"5 minutes", "300s"}};
  for (const auto& [written, seconds] : durations) {
    Compiled compiled = Compile(kComponents + R"(
pipeline p() {
  work() {
    retry {
      max     = 1
      backoff = ")" + written + R"("
    }
  }
}
)");
    if (seconds.empty()) {
      EXPECT_NE(compiled.errors.find("invalid duration `" + written + "`"), std::string::npos)
          << compiled.errors;
      continue;
    }
    ASSERT_EQ(compiled.errors, "") << written;
    EXPECT_TRUE(Contains(compiled.yaml, "          backoffDuration: " + seconds + "\n"))
        << written << "\n"
        << compiled.yaml;
  }
}

}  // namespace
}  // namespace kfpc
