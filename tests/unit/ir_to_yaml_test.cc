#include "runtime/yaml/ir_to_yaml.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// Builds the IR of reference pipelines by hand and requires WriteDocument to give the bytes the
// KFP SDK wrote, apart from the sdkVersion line.

namespace kfpc::yaml {
namespace {

using ir::ParameterType;
using ir::Value;

std::filesystem::path ReferenceDir() {
  if (const char* dir = std::getenv("KFPC_KFP_REFERENCE")) return dir;
  return std::filesystem::path(KFPC_SOURCE_DIR) / ".." / "shared" / "kfp-reference";
}

// Drops the sdkVersion line, the one line where kfpc differs on purpose.
std::string WithoutSdkVersion(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.rfind("sdkVersion: ", 0) != 0) out += line + "\n";
  }
  return out;
}

// Compares with the reference file, or skips when the reference data is absent.
#define EXPECT_MATCHES_REFERENCE(relative, actual)                                          \
  do {                                                                                      \
    std::filesystem::path path = ReferenceDir() / (relative);                               \
    if (!std::filesystem::exists(path)) {                                                   \
      GTEST_SKIP() << "reference file " << path << " not found; set KFPC_KFP_REFERENCE";    \
    }                                                                                       \
    std::ifstream file(path, std::ios::binary);                                             \
    std::stringstream expected;                                                             \
    expected << file.rdbuf();                                                               \
    EXPECT_EQ(WithoutSdkVersion(actual), WithoutSdkVersion(expected.str()));                \
  } while (false)

ir::TaskSpec Task(const std::string& name, const std::string& component) {
  ir::TaskSpec task;
  task.task_info_name = name;
  task.component_ref = component;
  task.caching_options.emplace().enable_cache = true;
  return task;
}

ir::TaskInputParameter FromComponentInput(const std::string& name) {
  ir::TaskInputParameter input;
  input.component_input_parameter = name;
  return input;
}

// The command the SDK writes for a lightweight Python component.
std::vector<std::string> PythonCommand(const std::string& kfp_version,
                                       const std::string& function_source) {
  return {
      "sh",
      "-c",
      "\nif ! [ -x \"$(command -v pip)\" ]; then\n    python3 -m ensurepip || python3 -m "
      "ensurepip --user || apt-get install python3-pip\nfi\n\nPIP_DISABLE_PIP_VERSION_CHECK=1 "
      "python3 -m pip install --quiet --no-warn-script-location 'kfp==" +
          kfp_version +
          "' '--no-deps' 'typing-extensions>=3.7.4,<5; python_version<\"3.9\"' && \"$0\" "
          "\"$@\"\n",
      "sh",
      "-ec",
      "program_path=$(mktemp -d)\n\nprintf \"%s\" \"$0\" > "
      "\"$program_path/ephemeral_component.py\"\n_KFP_RUNTIME=true python3 -m "
      "kfp.dsl.executor_main                         --component_module_path                "
      "         \"$program_path/ephemeral_component.py\"                         \"$@\"\n",
      "\nimport kfp\nfrom kfp import dsl\nfrom kfp.dsl import *\nfrom typing import *\n\n" +
          function_source + "\n\n",
  };
}

ir::ExecutorSpec PythonExecutor(const std::string& function, const std::string& kfp_version,
                                const std::string& source) {
  ir::ContainerSpec container;
  container.image = "python:3.11";
  container.args = {"--executor_input", "{{$}}", "--function_to_execute", function};
  container.command = PythonCommand(kfp_version, source);
  ir::ExecutorSpec executor;
  executor.container = container;
  return executor;
}

TEST(IrToYamlTest, HelloWorld) {
  ir::Document document;
  ir::PipelineSpec& spec = document.pipeline;
  spec.pipeline_info.name = "echo";
  spec.components["comp-echo"].executor_label = "exec-echo";
  ir::ContainerSpec container;
  container.image = "registry.access.redhat.com/ubi9/python-311:latest";
  container.command = {"echo"};
  container.args = {"hello world"};
  spec.executors["exec-echo"].container = container;
  spec.root.dag.emplace().tasks["echo"] = Task("echo", "comp-echo");
  spec.sdk_version = "kfpc-0.1.0";
  EXPECT_MATCHES_REFERENCE("hello_world.yaml", WriteDocument(document));
}

TEST(IrToYamlTest, TwoStepPipeline) {
  ir::Document document;
  ir::PipelineSpec& spec = document.pipeline;
  spec.pipeline_info.name = "simple-two-step-pipeline";
  const ir::ArtifactTypeSchema kArtifact{"system.Artifact", "0.0.1"};
  ir::ComponentSpec& read = spec.components["comp-read-from-gcs"];
  read.executor_label = "exec-read-from-gcs";
  read.input_definitions.artifacts["input_gcs_path"].artifact_type = kArtifact;
  ir::ComponentSpec& write = spec.components["comp-write-to-gcs"];
  write.executor_label = "exec-write-to-gcs";
  write.input_definitions.parameters["text"].parameter_type = ParameterType::kString;
  write.output_definitions.artifacts["output_gcs_path"].artifact_type = kArtifact;

  ir::ContainerSpec read_container;
  read_container.image = "google/cloud-sdk:slim";
  read_container.command = {"sh", "-c", "set -e -x\ngsutil cat \"$0\"\n",
                            "{{$.inputs.artifacts['input_gcs_path'].uri}}"};
  spec.executors["exec-read-from-gcs"].container = read_container;
  ir::ContainerSpec write_container;
  write_container.image = "google/cloud-sdk:slim";
  write_container.command = {"sh", "-c", "set -e -x\necho \"$0\" | gsutil cp - \"$1\"\n",
                             "{{$.inputs.parameters['text']}}",
                             "{{$.outputs.artifacts['output_gcs_path'].uri}}"};
  spec.executors["exec-write-to-gcs"].container = write_container;

  ir::Dag& dag = spec.root.dag.emplace();
  ir::TaskSpec consumer = Task("Consumer", "comp-read-from-gcs");
  consumer.dependent_tasks = {"write-to-gcs"};
  consumer.inputs.artifacts["input_gcs_path"].task_output_artifact =
      ir::TaskInputArtifact::TaskOutput{"write-to-gcs", "output_gcs_path"};
  dag.tasks["read-from-gcs"] = consumer;
  ir::TaskSpec producer = Task("Producer", "comp-write-to-gcs");
  producer.inputs.parameters["text"] = FromComponentInput("text");
  dag.tasks["write-to-gcs"] = producer;
  ir::InputParameterDef text;
  text.parameter_type = ParameterType::kString;
  text.default_value = Value::String("Hello KFP!");
  text.is_optional = true;
  spec.root.input_definitions.parameters["text"] = text;
  EXPECT_MATCHES_REFERENCE("two_step_pipeline.yaml", WriteDocument(document));
}

TEST(IrToYamlTest, PipelineWithRetry) {
  ir::Document document;
  ir::PipelineSpec& spec = document.pipeline;
  spec.pipeline_info.name = "test-pipeline";
  ir::ComponentSpec& add = spec.components["comp-add"];
  add.executor_label = "exec-add";
  add.input_definitions.parameters["a"].parameter_type = ParameterType::kNumberDouble;
  add.input_definitions.parameters["b"].parameter_type = ParameterType::kNumberDouble;
  add.output_definitions.parameters["Output"].parameter_type = ParameterType::kNumberDouble;
  spec.executors["exec-add"] = PythonExecutor(
      "add", "2.14.3", "def add(a: float, b: float) -> float:\n    return a + b");
  ir::TaskSpec task = Task("add", "comp-add");
  task.inputs.parameters["a"] = FromComponentInput("a");
  task.inputs.parameters["b"] = FromComponentInput("b");
  task.retry_policy = ir::RetryPolicy{3, "0s", 2.0, "3600s"};
  spec.root.dag.emplace().tasks["add"] = task;
  for (auto [name, value] : {std::pair{"a", 1.0}, std::pair{"b", 7.0}}) {
    ir::InputParameterDef def;
    def.parameter_type = ParameterType::kNumberDouble;
    def.default_value = Value::Number(value);
    def.is_optional = true;
    spec.root.input_definitions.parameters[name] = def;
  }
  EXPECT_MATCHES_REFERENCE("critical/pipeline_with_retry.yaml", WriteDocument(document));
}

TEST(IrToYamlTest, ContainerWithIfPlaceholder) {
  ir::Document document;
  ir::PipelineSpec& spec = document.pipeline;
  spec.pipeline_info.name = "container-with-if-placeholder";
  ir::InputParameterDef optional_input;
  optional_input.parameter_type = ParameterType::kString;
  optional_input.default_value = Value::String("default");
  optional_input.is_optional = true;
  ir::OutputsSpec outputs;
  outputs.artifacts["dataset"].artifact_type = {"system.Dataset", "0.0.1"};
  outputs.parameters["output_path"].parameter_type = ParameterType::kString;
  ir::ComponentSpec& component = spec.components["comp-container-with-if-placeholder"];
  component.executor_label = "exec-container-with-if-placeholder";
  component.input_definitions.parameters["optional_input"] = optional_input;
  component.output_definitions = outputs;
  ir::ContainerSpec container;
  container.image = "registry.access.redhat.com/ubi9/python-311:latest";
  container.args = {"--output_path", "{{$.outputs.parameters['output_path'].output_file}}"};
  container.command = {
      "my_program",
      "{\"IfPresent\": {\"InputName\": \"optional_input\", \"Then\": "
      "[\"{{$.inputs.parameters['optional_input']}}\"], \"Else\": [\"bye\"]}}",
      "--dataset",
      "{\"IfPresent\": {\"InputName\": \"optional_input\", \"Then\": "
      "[\"{{$.outputs.artifacts['dataset'].uri}}\"], \"Else\": [\"bye\"]}}"};
  spec.executors["exec-container-with-if-placeholder"].container = container;
  ir::Dag& dag = spec.root.dag.emplace();
  const std::string kTask = "container-with-if-placeholder";
  dag.outputs.artifacts["dataset"] = {{kTask, "dataset"}};
  dag.outputs.parameters["output_path"].selectors = {{kTask, "output_path"}};
  ir::TaskSpec task = Task(kTask, "comp-" + kTask);
  task.inputs.parameters["optional_input"] = FromComponentInput("optional_input");
  dag.tasks[kTask] = task;
  spec.root.input_definitions.parameters["optional_input"] = optional_input;
  spec.root.output_definitions = outputs;
  EXPECT_MATCHES_REFERENCE("container_with_if_placeholder.yaml", WriteDocument(document));
}

TEST(IrToYamlTest, KubernetesPlatformSpecDocument) {
  ir::Document document;
  ir::PipelineSpec& spec = document.pipeline;
  spec.pipeline_info.name = "my-pipeline";
  spec.components["comp-comp"].executor_label = "exec-comp";
  spec.executors["exec-comp"] = PythonExecutor("comp", "2.14.6", "def comp():\n    pass");
  spec.root.dag.emplace().tasks["comp"] = Task("comp", "comp-comp");
  Value::Struct labels = {
      {"cloud.google.com/gke-accelerator", Value::String("nvidia-tesla-p4")}};
  document.platform.executors["exec-comp"] = Value::FromStruct(
      {{"nodeSelector", Value::FromStruct({{"labels", Value::FromStruct(labels)}})}});
  EXPECT_MATCHES_REFERENCE("kubernetes/node_selector.yaml", WriteDocument(document));
}

TEST(IrToYamlTest, HeaderWithMultiLineDescription) {
  ir::PipelineSpec spec;
  spec.pipeline_info.name = "dataset-joiner";
  spec.header_description =
      "Concatenate dataset_a and dataset_b.\nAlso returns the concatenated string.";
  const ir::ArtifactTypeSchema kDataset{"system.Dataset", "0.0.1"};
  spec.root.input_definitions.artifacts["dataset_b"].artifact_type = kDataset;
  spec.root.input_definitions.artifacts["dataset_a"].artifact_type = kDataset;
  spec.root.output_definitions.parameters["Output"].parameter_type = ParameterType::kString;
  spec.root.output_definitions.artifacts["out_dataset"].artifact_type = kDataset;
  std::vector<std::string> expected = {
      "# PIPELINE DEFINITION",
      "# Name: dataset-joiner",
      "# Description: Concatenate dataset_a and dataset_b.",
      "#              Also returns the concatenated string.",
      "# Inputs:",
      "#    dataset_a: system.Dataset",
      "#    dataset_b: system.Dataset",
      "# Outputs:",
      "#    Output: str",
      "#    out_dataset: system.Dataset",
  };
  EXPECT_EQ(HeaderLines(spec), expected);
}

TEST(IrToYamlTest, HeaderDefaultsUsePythonRepr) {
  ir::PipelineSpec spec;
  spec.pipeline_info.name = "p";
  auto add = [&spec](const std::string& name, ParameterType type, Value value) {
    ir::InputParameterDef def;
    def.parameter_type = type;
    def.default_value = std::move(value);
    spec.root.input_definitions.parameters[name] = def;
  };
  add("naptime_secs", ParameterType::kNumberInteger, Value::Number(900));
  add("flag", ParameterType::kBoolean, Value::Bool(true));
  add("text", ParameterType::kString, Value::String("it's"));
  add("dict", ParameterType::kStruct,
      Value::FromStruct({{"A", Value::Number(1)}, {"B", Value::String("it's")}}));
  add("list", ParameterType::kList,
      Value::FromList({Value::String("a"), Value::Null(), Value::Number(1e-05)}));
  std::vector<std::string> expected = {
      "# PIPELINE DEFINITION",
      "# Name: p",
      "# Inputs:",
      "#    dict: dict [Default: {'A': 1.0, 'B': \"it's\"}]",
      "#    flag: bool [Default: True]",
      "#    list: list [Default: ['a', None, 1e-05]]",
      "#    naptime_secs: int [Default: 900.0]",
      "#    text: str [Default: 'it's']",
  };
  EXPECT_EQ(HeaderLines(spec), expected);
}

// The SDK quotes a string default without escaping it, so a line break in the default would end
// the comment and the rest would be read as YAML. kfpc escapes such a default instead.
TEST(IrToYamlTest, HeaderEscapesLineBreaksInDefaults) {
  ir::PipelineSpec spec;
  spec.pipeline_info.name = "p";
  spec.pipeline_info.description = "a\x1b" "b";
  ir::InputParameterDef def;
  def.parameter_type = ParameterType::kString;
  def.default_value = Value::String("x\ninjected: 1\xe2\x80\xa8q: 2");
  spec.root.input_definitions.parameters["s"] = def;
  std::vector<std::string> expected = {
      "# PIPELINE DEFINITION",
      "# Name: p",
      "# Description: a\\x1bb",
      "# Inputs:",
      "#    s: str [Default: 'x\\ninjected: 1\\u2028q: 2']",
  };
  EXPECT_EQ(HeaderLines(spec), expected);
}

}  // namespace
}  // namespace kfpc::yaml
