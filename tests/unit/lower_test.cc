// Tests of lowering: each builds a checked program by hand and asserts the IR fields that the
// KFP SDK 2.14 writes for the equivalent Python pipeline.

#include "compiler/lower/lower.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "compiler/lower/container.h"
#include "compiler/lower/naming.h"
#include "compiler/lower/pipeline_builder.h"
#include "compiler/lower/placeholders.h"
#include "compiler/lower/python_component.h"

namespace kfpc::lower {
namespace {

using sema::CommandArg;
using sema::CommandPart;

sema::Type Param(sema::ParamType type) {
  sema::Type t;
  t.param = type;
  return t;
}

sema::Type Artifact(const std::string& name) {
  sema::Type t;
  t.is_artifact = true;
  t.artifact.schema_title = "system." + name;
  t.artifact.name = name;
  return t;
}

sema::Constant Int(int64_t v) { return sema::Constant{v}; }

CommandArg Text(const std::string& text) {
  CommandPart part;
  part.text = text;
  return CommandArg{{part}, {}};
}

CommandArg Part(CommandPart::Kind kind, const std::string& name) {
  CommandPart part;
  part.kind = kind;
  part.text = name;
  return CommandArg{{part}, {}};
}

// A program under construction with helpers for components, tasks and groups.
struct ProgramBuilder {
  sema::Program program;
  sema::Pipeline* pipeline = nullptr;

  explicit ProgramBuilder(const std::string& name) { pipeline = NewPipeline(name); }

  sema::Pipeline* NewPipeline(const std::string& name) {
    program.pipelines.push_back(std::make_unique<sema::Pipeline>());
    program.pipelines.back()->name = name;
    if (program.entry == nullptr) program.entry = program.pipelines.back().get();
    return program.pipelines.back().get();
  }

  sema::Component* Container(const std::string& name) {
    program.components.push_back(std::make_unique<sema::Component>());
    sema::Component* c = program.components.back().get();
    c->name = name;
    c->image = "alpine";
    c->command = {Text("echo")};
    return c;
  }

  sema::Component* Python(const std::string& name, const std::string& source) {
    sema::Component* c = Container(name);
    c->kind = sema::Component::Kind::kPython;
    c->image.clear();
    c->command.clear();
    c->python.emplace();
    c->python->function_name = name;
    c->python->source = source;
    return c;
  }

  sema::Task* AddTask(const sema::Component* component, sema::Pipeline* into = nullptr,
                      sema::Group* group = nullptr) {
    sema::Pipeline* p = into ? into : pipeline;
    p->tasks.push_back(std::make_unique<sema::Task>());
    sema::Task* task = p->tasks.back().get();
    task->component = component;
    task->parent = group;
    if (group) {
      group->members.emplace_back(static_cast<const sema::Task*>(task));
    } else {
      p->members.emplace_back(static_cast<const sema::Task*>(task));
    }
    return task;
  }

  sema::Group* AddGroup(sema::Group::Kind kind, sema::Group* parent = nullptr) {
    pipeline->groups.push_back(std::make_unique<sema::Group>());
    sema::Group* group = pipeline->groups.back().get();
    group->kind = kind;
    group->parent = parent;
    if (parent) {
      parent->members.emplace_back(static_cast<const sema::Group*>(group));
    } else {
      pipeline->members.emplace_back(static_cast<const sema::Group*>(group));
    }
    return group;
  }

  ir::Document Lower() {
    LowerOptions options;
    options.kfpc_version = "0.1.0";
    return lower::Lower(program, *program.entry, options);
  }
};

void AddInput(sema::Component* c, const std::string& name, sema::Type type) {
  sema::InputDef input;
  input.name = name;
  input.type = type;
  c->inputs.push_back(input);
}

void AddOutput(sema::Component* c, const std::string& name, sema::Type type) {
  sema::OutputDef output;
  output.name = name;
  output.type = type;
  c->outputs.push_back(output);
}

void Pass(sema::Task* task, const std::string& input, sema::ValueRef value) {
  task->arguments.push_back(sema::Argument{input, {}, std::move(value)});
}

sema::ValueRef ConstantRef(sema::Constant c, sema::Type type = Param(sema::ParamType::kString)) {
  sema::ValueRef v;
  v.kind = sema::ValueRef::Kind::kConstant;
  v.constant = std::move(c);
  v.type = type;
  return v;
}

sema::ValueRef OutputRef(const sema::Task* task, const std::string& name, sema::Type type) {
  sema::ValueRef v;
  v.kind = sema::ValueRef::Kind::kTaskOutput;
  v.task = task;
  v.name = name;
  v.type = type;
  return v;
}

sema::ValueRef InputRef(const std::string& name, sema::Type type) {
  sema::ValueRef v;
  v.kind = sema::ValueRef::Kind::kPipelineInput;
  v.name = name;
  v.type = type;
  return v;
}

TEST(Naming, SanitizesLikeTheSdk) {
  EXPECT_EQ(SanitizeK8sName("add_numbers"), "add-numbers");
  EXPECT_EQ(SanitizeK8sName("Print Op"), "print-op");
  EXPECT_EQ(SanitizeK8sName("__a--b__"), "a-b");
  EXPECT_EQ(SanitizeK8sName("___"), "");
}

TEST(Naming, UniqueNamesAddIndices) {
  UniqueNames names;
  EXPECT_EQ(names.Claim("a"), "a");
  EXPECT_EQ(names.Claim("a"), "a-2");
  names.Add("a-3");
  EXPECT_EQ(names.Claim("a"), "a-4");
  EXPECT_EQ(names.Claim("a-2"), "a-2-2");
  EXPECT_EQ(names.Peek("a"), "a-5");
}

TEST(Naming, TenThousandClaimsStayFast) {
  UniqueNames names;
  std::string last;
  for (int i = 0; i < 10000; ++i) last = names.Claim("task");
  EXPECT_EQ(last, "task-10000");
}

TEST(Lower, ReusedComponentGetsIndexedNames) {
  ProgramBuilder b("pipeline_with_reused_component");
  sema::Component* add = b.Container("add_numbers");
  AddInput(add, "a", Param(sema::ParamType::kInt));
  AddOutput(add, "Output", Param(sema::ParamType::kInt));
  sema::Task* first = b.AddTask(add);
  Pass(first, "a", ConstantRef(Int(3), Param(sema::ParamType::kInt)));
  sema::Task* second = b.AddTask(add);
  Pass(second, "a", OutputRef(first, "Output", Param(sema::ParamType::kInt)));
  b.AddTask(add)->after = {second};

  ir::Document doc = b.Lower();
  const ir::PipelineSpec& spec = doc.pipeline;
  EXPECT_EQ(spec.pipeline_info.name, "pipeline-with-reused-component");
  ASSERT_EQ(spec.components.size(), 3u);
  EXPECT_EQ(spec.components.at("comp-add-numbers-2").executor_label, "exec-add-numbers-2");
  EXPECT_EQ(spec.executors.count("exec-add-numbers-3"), 1u);
  const auto& tasks = spec.root.dag->tasks;
  EXPECT_EQ(tasks.at("add-numbers").component_ref, "comp-add-numbers");
  EXPECT_EQ(tasks.at("add-numbers").inputs.parameters.at("a").runtime_value,
            ir::Value::Number(3.0));
  const ir::TaskSpec& t2 = tasks.at("add-numbers-2");
  EXPECT_EQ(t2.task_info_name, "add-numbers-2");
  EXPECT_EQ(t2.dependent_tasks, std::vector<std::string>{"add-numbers"});
  EXPECT_EQ(t2.inputs.parameters.at("a").task_output_parameter->producer_task, "add-numbers");
  EXPECT_EQ(t2.inputs.parameters.at("a").task_output_parameter->output_parameter_key, "Output");
  EXPECT_EQ(tasks.at("add-numbers-3").dependent_tasks, std::vector<std::string>{"add-numbers-2"});
  EXPECT_TRUE(tasks.at("add-numbers").caching_options->enable_cache);
  EXPECT_EQ(spec.sdk_version, "kfpc-0.1.0");
}

TEST(Lower, InputDefinitionsCarryDefaults) {
  ProgramBuilder b("p");
  sema::InputDef a{"a", {}, Param(sema::ParamType::kInt), false, Int(2), "first"};
  sema::InputDef data{"data", {}, Artifact("Dataset"), true, std::nullopt, ""};
  sema::InputDef status{"status", {}, Param(sema::ParamType::kTaskFinalStatus), false, {}, ""};
  b.pipeline->inputs = {a, data};
  sema::Component* c = b.Container("c");
  c->inputs = {status};
  b.AddTask(c);
  ir::Document doc = b.Lower();
  const ir::InputParameterDef& def = doc.pipeline.root.input_definitions.parameters.at("a");
  EXPECT_EQ(def.parameter_type, ir::ParameterType::kNumberInteger);
  EXPECT_TRUE(def.is_optional);
  EXPECT_EQ(def.default_value, ir::Value::Number(2.0));
  EXPECT_EQ(def.description, "first");
  const ir::InputArtifactDef& art = doc.pipeline.root.input_definitions.artifacts.at("data");
  EXPECT_EQ(art.artifact_type.schema_title, "system.Dataset");
  EXPECT_EQ(art.artifact_type.schema_version, "0.0.1");
  EXPECT_TRUE(art.is_optional);
  const auto& status_def = doc.pipeline.components.at("comp-c").input_definitions.parameters.at(
      "status");
  EXPECT_EQ(status_def.parameter_type, ir::ParameterType::kTaskFinalStatus);
  EXPECT_TRUE(status_def.is_optional);
}

TEST(Lower, TaskInputsFromPipelineAndArtifacts) {
  ProgramBuilder b("p");
  b.pipeline->inputs = {sema::InputDef{"msg", {}, Param(sema::ParamType::kString), false, {}, ""}};
  sema::Component* producer = b.Container("make");
  AddOutput(producer, "out", Artifact("Dataset"));
  sema::Component* consumer = b.Container("use");
  AddInput(consumer, "data", Artifact("Dataset"));
  AddInput(consumer, "msg", Param(sema::ParamType::kString));
  AddInput(consumer, "job", Param(sema::ParamType::kString));
  sema::Task* make = b.AddTask(producer);
  sema::Task* use = b.AddTask(consumer);
  Pass(use, "data", OutputRef(make, "out", Artifact("Dataset")));
  Pass(use, "msg", InputRef("msg", Param(sema::ParamType::kString)));
  sema::ValueRef job;
  job.kind = sema::ValueRef::Kind::kRunPlaceholder;
  job.name = "job_name";
  Pass(use, "job", job);
  sema::PipelineOutput result{"result", {}, OutputRef(make, "out", Artifact("Dataset"))};
  b.pipeline->returns = {result};
  b.pipeline->outputs = {sema::OutputDef{"result", {}, Artifact("Dataset"), ""}};

  ir::Document doc = b.Lower();
  const ir::TaskSpec& task = doc.pipeline.root.dag->tasks.at("use");
  EXPECT_EQ(task.inputs.artifacts.at("data").task_output_artifact->producer_task, "make");
  EXPECT_EQ(task.inputs.artifacts.at("data").task_output_artifact->output_artifact_key, "out");
  EXPECT_EQ(task.inputs.parameters.at("msg").component_input_parameter, "msg");
  EXPECT_EQ(task.inputs.parameters.at("job").runtime_value,
            ir::Value::String("{{$.pipeline_job_name}}"));
  const auto& selectors = doc.pipeline.root.dag->outputs.artifacts.at("result");
  ASSERT_EQ(selectors.size(), 1u);
  EXPECT_EQ(selectors[0].producer_subtask, "make");
  EXPECT_EQ(selectors[0].output_artifact_key, "out");
}

TEST(Lower, RetryDefaultsAndCacheOff) {
  ProgramBuilder b("p");
  sema::Task* task = b.AddTask(b.Container("c"));
  task->retry = sema::Retry{};
  task->retry->max_retry_count = 3;
  task->retry->backoff_duration = "2m";
  task->enable_cache = false;
  task->display_name = "Nice name";
  ir::Document doc = b.Lower();
  const ir::TaskSpec& spec = doc.pipeline.root.dag->tasks.at("c");
  ASSERT_TRUE(spec.retry_policy.has_value());
  EXPECT_EQ(spec.retry_policy->max_retry_count, 3);
  EXPECT_EQ(spec.retry_policy->backoff_duration, "120s");
  EXPECT_EQ(spec.retry_policy->backoff_factor, 2.0);
  EXPECT_EQ(spec.retry_policy->backoff_max_duration, "3600s");
  ASSERT_TRUE(spec.caching_options.has_value());
  EXPECT_FALSE(spec.caching_options->enable_cache);
  EXPECT_EQ(spec.task_info_name, "Nice name");
}

TEST(Lower, ResourcesWriteStringAndNumber) {
  ProgramBuilder b("p");
  sema::Task* task = b.AddTask(b.Container("c"));
  task->cpu_limit = "500m";
  task->cpu_request = "2";
  task->memory_limit = "16Gi";
  task->memory_request = "512M";
  task->accelerator_type = "nvidia.com/gpu";
  task->env = {{"A", "1"}, {"B", "2"}, {"A", "3"}};
  ir::Document doc = b.Lower();
  const ir::ContainerSpec& c = *doc.pipeline.executors.at("exec-c").container;
  EXPECT_EQ(c.resources.resource_cpu_limit, "500m");
  EXPECT_EQ(*c.resources.cpu_limit, 0.5);
  EXPECT_EQ(*c.resources.cpu_request, 2.0);
  EXPECT_EQ(c.resources.resource_memory_limit, "16Gi");
  EXPECT_EQ(*c.resources.memory_limit, 17.179869184);
  EXPECT_EQ(*c.resources.memory_request, 0.512);
  ASSERT_TRUE(c.resources.accelerator.has_value());
  EXPECT_EQ(c.resources.accelerator->type, "nvidia.com/gpu");
  EXPECT_EQ(c.resources.accelerator->resource_type, "nvidia.com/gpu");
  EXPECT_EQ(*c.resources.accelerator->count, 1);
  EXPECT_EQ(c.resources.accelerator->resource_count, "1");
  ASSERT_EQ(c.env.size(), 2u);
  EXPECT_EQ(c.env[0].name, "A");
  EXPECT_EQ(c.env[0].value, "3");
}

TEST(Placeholders, SimpleAndInterpolated) {
  CommandArg arg = Text("prefix-");
  arg.parts.push_back(Part(CommandPart::Kind::kInputValue, "p").parts[0]);
  EXPECT_EQ(CommandArgToString(arg), "prefix-{{$.inputs.parameters['p']}}");
  EXPECT_EQ(CommandArgToString(Part(CommandPart::Kind::kOutputParameterFile, "o")),
            "{{$.outputs.parameters['o'].output_file}}");
  EXPECT_EQ(CommandArgToString(Part(CommandPart::Kind::kInputPath, "d")),
            "{{$.inputs.artifacts['d'].path}}");
  EXPECT_EQ(CommandArgToString(Part(CommandPart::Kind::kExecutorInput, "")), "{{$}}");
}

TEST(Placeholders, ConcatAndIfPresentJson) {
  CommandPart concat;
  concat.kind = CommandPart::Kind::kConcat;
  concat.items = {Text("prefix-"), Part(CommandPart::Kind::kInputValue, "text1"),
                  Part(CommandPart::Kind::kOutputUri, "text2")};
  EXPECT_EQ(CommandArgToString(CommandArg{{concat}, {}}),
            "{\"Concat\": [\"prefix-\", \"{{$.inputs.parameters['text1']}}\", "
            "\"{{$.outputs.artifacts['text2'].uri}}\"]}");

  CommandPart if_present;
  if_present.kind = CommandPart::Kind::kIfPresent;
  if_present.text = "opt";
  if_present.then_items = {Text("--arg"), Part(CommandPart::Kind::kInputValue, "opt")};
  EXPECT_EQ(CommandArgToString(CommandArg{{if_present}, {}}),
            "{\"IfPresent\": {\"InputName\": \"opt\", \"Then\": [\"--arg\", "
            "\"{{$.inputs.parameters['opt']}}\"]}}");
  if_present.has_else = true;
  if_present.else_items = {Text("bye")};
  EXPECT_EQ(CommandArgToString(CommandArg{{if_present}, {}}),
            "{\"IfPresent\": {\"InputName\": \"opt\", \"Then\": [\"--arg\", "
            "\"{{$.inputs.parameters['opt']}}\"], \"Else\": [\"bye\"]}}");
}

TEST(Placeholders, JsonEscapesLikePython) {
  std::string out;
  AppendJsonString("a\"b\\c\n\x01\xC3\xA9\xF0\x9F\x98\x80", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\\u00e9\\ud83d\\ude00\"");
}

TEST(Python, ReprQuotesLikePython) {
  EXPECT_EQ(PythonRepr("yapf"), "'yapf'");
  EXPECT_EQ(PythonRepr("a'b"), "\"a'b\"");
  EXPECT_EQ(PythonRepr("x<\"3.9\""), "'x<\"3.9\"'");
  EXPECT_EQ(PythonRepr("a'\"b"), "'a\\'\"b'");
}

TEST(Python, ModuleSourceOfOnlyFunction) {
  // The text that the SDK embeds for the same function: dedented, one final newline.
  EXPECT_EQ(ModuleSource("\n  def f():\n      return 1\n\n\n"), "def f():\n    return 1\n");
}

TEST(Python, ModuleSourceKeepsTopLevelStatements) {
  std::string source =
      "import numpy as np\nSCALE = 2.0\ndef helper(v):\n    return v * SCALE\n\n"
      "def score(x: float) -> float:\n    return float(np.sqrt(helper(x)))\n";
  EXPECT_EQ(ModuleSource(source), source);
}

TEST(Python, ModuleSourceKeepsDecoratorsAndComments) {
  EXPECT_EQ(ModuleSource("    # note\n    @functools.cache\n    def f():\n        return 1\n"),
            "# note\n@functools.cache\ndef f():\n    return 1\n");
}

TEST(Python, EmbeddedModuleKeepsImports) {
  ProgramBuilder b("score");
  sema::Component* c = b.Python(
      "score", "import math\nSCALE = 2.0\ndef score(x: float) -> float:\n    return math.sqrt(x)\n");
  b.AddTask(c);
  ir::Document doc = b.Lower();
  const ir::ContainerSpec& container = *doc.pipeline.executors.at("exec-score").container;
  EXPECT_NE(container.command.back().find(
                "from typing import *\n\nimport math\nSCALE = 2.0\ndef score(x: float)"),
            std::string::npos)
      << container.command.back();
}

TEST(Python, LightweightComponentCommand) {
  ProgramBuilder b("add_numbers");
  sema::Component* c =
      b.Python("add_numbers", "def add_numbers(a: int, b: int) -> int:\n    return a + b\n");
  b.AddTask(c);
  ir::Document doc = b.Lower();
  const ir::ContainerSpec& container = *doc.pipeline.executors.at("exec-add-numbers").container;
  EXPECT_EQ(container.image, "python:3.11");
  ASSERT_EQ(container.command.size(), 7u);
  EXPECT_EQ(container.command[3], "sh");
  EXPECT_EQ(container.command[4], "-ec");
  EXPECT_EQ(container.command[2],
            "\nif ! [ -x \"$(command -v pip)\" ]; then\n    python3 -m ensurepip || python3 -m "
            "ensurepip --user || apt-get install python3-pip\nfi\n\n"
            "PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet "
            "--no-warn-script-location 'kfp==2.14.6' '--no-deps' "
            "'typing-extensions>=3.7.4,<5; python_version<\"3.9\"' && \"$0\" \"$@\"\n");
  EXPECT_EQ(container.command[5],
            "program_path=$(mktemp -d)\n\nprintf \"%s\" \"$0\" > "
            "\"$program_path/ephemeral_component.py\"\n_KFP_RUNTIME=true python3 -m "
            "kfp.dsl.executor_main" + std::string(25, ' ') + "--component_module_path" +
                std::string(25, ' ') + "\"$program_path/ephemeral_component.py\"" +
                std::string(25, ' ') + "\"$@\"\n");
  EXPECT_EQ(container.command[6],
            "\nimport kfp\nfrom kfp import dsl\nfrom kfp.dsl import *\nfrom typing import *\n\n"
            "def add_numbers(a: int, b: int) -> int:\n    return a + b\n\n");
  EXPECT_EQ(container.args, (std::vector<std::string>{"--executor_input", "{{$}}",
                                                      "--function_to_execute", "add_numbers"}));
}

TEST(Python, ArtifactClassImportsFollowTheSdkImports) {
  ProgramBuilder b("use");
  sema::Component* c = b.Python("use", "def use(m: Input[VertexModel]):\n    pass\n");
  c->python->artifact_imports = {"from aiplatform import VertexModel", "import acme"};
  b.AddTask(c);
  ir::Document doc = b.Lower();
  const ir::ContainerSpec& container = *doc.pipeline.executors.at("exec-use").container;
  EXPECT_EQ(container.command.back(),
            "\nimport kfp\nfrom kfp import dsl\nfrom kfp.dsl import *\nfrom typing import *\n"
            "from aiplatform import VertexModel\nimport acme\n\n"
            "def use(m: Input[VertexModel]):\n    pass\n\n");
}

TEST(Python, PackagesIndexUrlsAndVenv) {
  sema::PythonFunction f;
  f.function_name = "f";
  f.source = "def f():\n    pass\n";
  f.packages = {"yapf"};
  f.pip_index_urls = {"https://a/simple", "https://b/simple"};
  f.pip_trusted_hosts = {"a"};
  f.use_venv = true;
  std::vector<std::string> command = PythonCommand(f, "2.14.6");
  std::string options = "--index-url https://a/simple --extra-index-url https://b/simple "
                        "--trusted-host a ";
  EXPECT_NE(command[2].find("--no-warn-script-location " + options + "'yapf'  &&  \nexport "
                            "PIP_DISABLE_PIP_VERSION_CHECK=1\ntmp=$(mktemp -d)\n"),
            std::string::npos)
      << command[2];
  EXPECT_NE(command[2].find("activate\"\n python3 -m pip install --quiet "
                            "--no-warn-script-location " + options + "'kfp==2.14.6'"),
            std::string::npos)
      << command[2];
  f.packages = {"kfp==2.0.0"};
  command = PythonCommand(f, "2.14.6");
  EXPECT_EQ(command[2].find("kfp==2.14.6"), std::string::npos);
  EXPECT_EQ(command[2].find("venv"), std::string::npos);
}

TEST(Python, Kfp213InstallsKfpFirst) {
  sema::PythonFunction f;
  f.function_name = "f";
  f.source = "def f():\n    pass\n";
  f.packages = {"pandas==2.2.0"};
  std::string install = "python3 -m pip install --quiet --no-warn-script-location ";
  std::string kfp = install +
                    "'kfp==2.13.0' '--no-deps' "
                    "'typing-extensions>=3.7.4,<5; python_version<\"3.9\"'";
  std::string pandas = install + "'pandas==2.2.0'";
  std::string bootstrap_head =
      "\nif ! [ -x \"$(command -v pip)\" ]; then\n    python3 -m ensurepip || python3 -m "
      "ensurepip --user || apt-get install python3-pip\nfi\n\nPIP_DISABLE_PIP_VERSION_CHECK=1 ";
  std::string tail = " && \"$0\" \"$@\"\n";
  EXPECT_EQ(PythonCommand(f, "2.13.0")[2], bootstrap_head + kfp + "  &&  " + pandas + tail);
  // From 2.14 the packages come first.
  std::string kfp_214 = install +
                        "'kfp==2.14.0' '--no-deps' "
                        "'typing-extensions>=3.7.4,<5; python_version<\"3.9\"'";
  EXPECT_EQ(PythonCommand(f, "2.14.0")[2], bootstrap_head + pandas + "  &&  " + kfp_214 + tail);
  // Without packages the order does not matter.
  f.packages.clear();
  EXPECT_EQ(PythonCommand(f, "2.13.0")[2], bootstrap_head + kfp + tail);
}

TEST(Lower, PipelineInPipelineMergesNames) {
  ProgramBuilder b("pipeline-in-pipeline");
  sema::Component* op1 = b.Container("print_op1");
  sema::Component* op2 = b.Container("print_op2");
  sema::Pipeline* inner = b.NewPipeline("inner-pipeline");
  b.AddTask(op1, inner);
  b.AddTask(op2, inner);
  sema::Component* inner_component = b.Container("inner_pipeline");
  inner_component->kind = sema::Component::Kind::kPipeline;
  inner_component->pipeline = inner;
  b.AddTask(op1);
  b.AddTask(inner_component);

  ir::Document doc = b.Lower();
  const ir::PipelineSpec& spec = doc.pipeline;
  EXPECT_EQ(spec.components.count("comp-print-op1"), 1u);
  EXPECT_EQ(spec.components.count("comp-print-op1-2"), 1u);
  EXPECT_EQ(spec.components.count("comp-print-op2"), 1u);
  EXPECT_EQ(spec.components.at("comp-print-op1-2").executor_label, "exec-print-op1-2");
  const ir::ComponentSpec& inner_spec = spec.components.at("comp-inner-pipeline");
  ASSERT_TRUE(inner_spec.dag.has_value());
  EXPECT_EQ(inner_spec.dag->tasks.at("print-op1").component_ref, "comp-print-op1-2");
  EXPECT_EQ(inner_spec.dag->tasks.at("print-op2").component_ref, "comp-print-op2");
  EXPECT_EQ(spec.root.dag->tasks.at("inner-pipeline").component_ref, "comp-inner-pipeline");
  EXPECT_EQ(spec.executors.size(), 3u);
}

TEST(Groups, IfElseChainAndLoop) {
  ProgramBuilder b("p");
  sema::Component* flip = b.Container("flip_coin");
  AddOutput(flip, "Output", Param(sema::ParamType::kString));
  sema::Component* show = b.Container("print_msg");
  AddInput(show, "msg", Param(sema::ParamType::kString));
  sema::Task* coin = b.AddTask(flip);

  auto condition = std::make_shared<sema::Group::Condition>();
  condition->op = "==";
  condition->left = OutputRef(coin, "Output", Param(sema::ParamType::kString));
  condition->right = ConstantRef(sema::Constant{std::string("heads")});
  sema::Group* then_branch = b.AddGroup(sema::Group::Kind::kCondition);
  then_branch->condition = condition;
  then_branch->chain_id = 0;
  Pass(b.AddTask(show, nullptr, then_branch), "msg",
       OutputRef(coin, "Output", Param(sema::ParamType::kString)));
  sema::Group* else_branch = b.AddGroup(sema::Group::Kind::kCondition);
  else_branch->previous_conditions = {condition};
  else_branch->chain_id = 0;
  b.AddTask(show, nullptr, else_branch);

  sema::Group* loop = b.AddGroup(sema::Group::Kind::kLoop);
  loop->iterable = ConstantRef(sema::Constant{sema::Constant::List{Int(1), Int(2)}});
  loop->parallelism = 2;
  sema::ValueRef item;
  item.kind = sema::ValueRef::Kind::kLoopItem;
  item.loop = loop;
  Pass(b.AddTask(show, nullptr, loop), "msg", item);

  ir::Document doc = b.Lower();
  const auto& root = doc.pipeline.root.dag->tasks;
  ASSERT_EQ(root.count("condition-branches-1"), 1u);
  const ir::TaskSpec& wrapper = root.at("condition-branches-1");
  EXPECT_EQ(wrapper.dependent_tasks, std::vector<std::string>{"flip-coin"});
  EXPECT_EQ(wrapper.inputs.parameters.at("pipelinechannel--flip-coin-Output")
                .task_output_parameter->producer_task,
            "flip-coin");
  const auto& branches = doc.pipeline.components.at("comp-condition-branches-1").dag->tasks;
  EXPECT_EQ(*branches.at("condition-2").trigger_condition,
            "inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads'");
  EXPECT_EQ(*branches.at("condition-3").trigger_condition,
            "!(inputs.parameter_values['pipelinechannel--flip-coin-Output'] == 'heads')");
  EXPECT_EQ(branches.at("condition-2")
                .inputs.parameters.at("pipelinechannel--flip-coin-Output")
                .component_input_parameter,
            "pipelinechannel--flip-coin-Output");
  const auto& inner = doc.pipeline.components.at("comp-condition-2").dag->tasks;
  EXPECT_EQ(inner.at("print-msg").inputs.parameters.at("msg").component_input_parameter,
            "pipelinechannel--flip-coin-Output");

  const ir::TaskSpec& for_loop = root.at("for-loop-5");
  ASSERT_TRUE(for_loop.parameter_iterator.has_value());
  EXPECT_EQ(*for_loop.parameter_iterator->items_raw, "[1, 2]");
  EXPECT_EQ(for_loop.parameter_iterator->item_input, "pipelinechannel--loop-item-param-4");
  EXPECT_EQ(*for_loop.parallelism_limit, 2);
  const auto& loop_tasks = doc.pipeline.components.at("comp-for-loop-5").dag->tasks;
  EXPECT_EQ(loop_tasks.at("print-msg-3").inputs.parameters.at("msg").component_input_parameter,
            "pipelinechannel--loop-item-param-4");
  EXPECT_EQ(doc.pipeline.components.at("comp-for-loop-5")
                .input_definitions.parameters.at("pipelinechannel--loop-item-param-4")
                .parameter_type,
            ir::ParameterType::kNumberInteger);
}

sema::ValueRef Collected(const sema::ValueRef& source, const sema::Group* loop) {
  sema::ValueRef v;
  v.kind = sema::ValueRef::Kind::kCollected;
  v.loop = loop;
  v.type = source.type;
  if (v.type.is_artifact) {
    v.type.is_list = true;
  } else {
    v.type = Param(sema::ParamType::kList);
  }
  v.alternatives = {source};
  return v;
}

sema::ValueRef LoopItem(const sema::Group* loop, const std::string& field = "") {
  sema::ValueRef v;
  v.kind = sema::ValueRef::Kind::kLoopItem;
  v.loop = loop;
  v.field = field;
  return v;
}

std::shared_ptr<sema::Group::Condition> Compare(sema::ValueRef left, const std::string& op,
                                                sema::ValueRef right) {
  auto condition = std::make_shared<sema::Group::Condition>();
  condition->op = op;
  condition->left = std::move(left);
  condition->right = std::move(right);
  return condition;
}

TEST(FanIn, CollectedThroughNestedLoops) {
  ProgramBuilder b("p");
  sema::Component* twice = b.Container("double");
  AddInput(twice, "num", Param(sema::ParamType::kInt));
  AddOutput(twice, "Output", Param(sema::ParamType::kInt));
  sema::Component* add = b.Container("add");
  AddInput(add, "nums", Param(sema::ParamType::kList));
  sema::OutputDef returned;
  returned.name = "Output";
  returned.type = Param(sema::ParamType::kList);
  b.pipeline->outputs.push_back(returned);

  sema::Group* outer = b.AddGroup(sema::Group::Kind::kLoop);
  outer->iterable = ConstantRef(sema::Constant{sema::Constant::List{Int(1), Int(2)}});
  sema::Group* inner = b.AddGroup(sema::Group::Kind::kLoop, outer);
  inner->iterable = ConstantRef(sema::Constant{sema::Constant::List{Int(3)}});
  sema::Task* doubled = b.AddTask(twice, nullptr, inner);
  Pass(doubled, "num", LoopItem(inner));
  sema::ValueRef output = OutputRef(doubled, "Output", Param(sema::ParamType::kInt));
  Pass(b.AddTask(add), "nums", Collected(output, inner));
  b.pipeline->returns.push_back({"Output", {}, Collected(output, inner)});

  ir::Document doc = b.Lower();
  const std::string key = "pipelinechannel--double-Output";
  const ir::TaskSpec& consumer = doc.pipeline.root.dag->tasks.at("add");
  EXPECT_EQ(consumer.dependent_tasks, std::vector<std::string>{"for-loop-2"});
  ASSERT_TRUE(consumer.inputs.parameters.at("nums").task_output_parameter.has_value());
  EXPECT_EQ(consumer.inputs.parameters.at("nums").task_output_parameter->producer_task,
            "for-loop-2");
  EXPECT_EQ(consumer.inputs.parameters.at("nums").task_output_parameter->output_parameter_key,
            key);

  const ir::ComponentSpec& outer_spec = doc.pipeline.components.at("comp-for-loop-2");
  EXPECT_EQ(outer_spec.output_definitions.parameters.at(key).parameter_type,
            ir::ParameterType::kList);
  const auto& outer_selectors = outer_spec.dag->outputs.parameters.at(key).selectors;
  ASSERT_EQ(outer_selectors.size(), 1u);
  EXPECT_EQ(outer_selectors[0].producer_subtask, "for-loop-4");
  EXPECT_EQ(outer_selectors[0].output_parameter_key, key);

  const ir::ComponentSpec& inner_spec = doc.pipeline.components.at("comp-for-loop-4");
  const auto& inner_selectors = inner_spec.dag->outputs.parameters.at(key).selectors;
  ASSERT_EQ(inner_selectors.size(), 1u);
  EXPECT_EQ(inner_selectors[0].producer_subtask, "double");
  EXPECT_EQ(inner_selectors[0].output_parameter_key, "Output");

  const auto& root_output = doc.pipeline.root.dag->outputs.parameters.at("Output");
  ASSERT_EQ(root_output.selectors.size(), 1u);
  EXPECT_EQ(root_output.selectors[0].producer_subtask, "for-loop-2");
  EXPECT_EQ(root_output.selectors[0].output_parameter_key, key);
  EXPECT_FALSE(root_output.from_oneof);
}

TEST(FanIn, CollectedArtifactsFormAList) {
  ProgramBuilder b("p");
  sema::Component* write = b.Container("write");
  AddOutput(write, "out", Artifact("Artifact"));
  sema::Component* read = b.Container("read");
  sema::Type list = Artifact("Artifact");
  list.is_list = true;
  AddInput(read, "artifacts", list);
  sema::Group* loop = b.AddGroup(sema::Group::Kind::kLoop);
  loop->iterable = ConstantRef(sema::Constant{sema::Constant::List{Int(0), Int(1)}});
  sema::Task* written = b.AddTask(write, nullptr, loop);
  sema::ValueRef out = OutputRef(written, "out", Artifact("Artifact"));
  Pass(b.AddTask(read), "artifacts", Collected(out, loop));

  ir::Document doc = b.Lower();
  const std::string key = "pipelinechannel--write-out";
  const ir::ComponentSpec& loop_spec = doc.pipeline.components.at("comp-for-loop-2");
  EXPECT_TRUE(loop_spec.output_definitions.artifacts.at(key).is_artifact_list);
  ASSERT_EQ(loop_spec.dag->outputs.artifacts.at(key).size(), 1u);
  EXPECT_EQ(loop_spec.dag->outputs.artifacts.at(key)[0].producer_subtask, "write");
  const ir::TaskInputArtifact& input =
      doc.pipeline.root.dag->tasks.at("read").inputs.artifacts.at("artifacts");
  ASSERT_TRUE(input.task_output_artifact.has_value());
  EXPECT_EQ(input.task_output_artifact->producer_task, "for-loop-2");
  EXPECT_EQ(input.task_output_artifact->output_artifact_key, key);
}

TEST(FanIn, OneOfChoosesAmongBranches) {
  ProgramBuilder b("p");
  sema::Component* flip = b.Container("flip_coin");
  AddOutput(flip, "Output", Param(sema::ParamType::kString));
  sema::Component* echo = b.Container("echo");
  AddInput(echo, "text", Param(sema::ParamType::kString));
  AddOutput(echo, "Output", Param(sema::ParamType::kString));
  sema::Task* coin = b.AddTask(flip);
  auto heads = Compare(OutputRef(coin, "Output", Param(sema::ParamType::kString)), "==",
                       ConstantRef(sema::Constant{std::string("heads")}));
  sema::Group* then_branch = b.AddGroup(sema::Group::Kind::kCondition);
  then_branch->condition = heads;
  then_branch->chain_id = 0;
  sema::Task* first = b.AddTask(echo, nullptr, then_branch);
  sema::Group* else_branch = b.AddGroup(sema::Group::Kind::kCondition);
  else_branch->previous_conditions = {heads};
  else_branch->chain_id = 0;
  sema::Task* second = b.AddTask(echo, nullptr, else_branch);
  sema::ValueRef one_of;
  one_of.kind = sema::ValueRef::Kind::kOneOf;
  one_of.type = Param(sema::ParamType::kString);
  one_of.alternatives = {OutputRef(first, "Output", one_of.type),
                         OutputRef(second, "Output", one_of.type)};
  Pass(b.AddTask(echo), "text", one_of);
  Pass(b.AddTask(echo), "text", one_of);  // the same one-of again: one output, not two

  ir::Document doc = b.Lower();
  const std::string key = "pipelinechannel--condition-branches-1-oneof-1";
  const ir::ComponentSpec& wrapper = doc.pipeline.components.at("comp-condition-branches-1");
  EXPECT_EQ(wrapper.output_definitions.parameters.size(), 1u);
  const auto& chosen = wrapper.dag->outputs.parameters.at(key);
  EXPECT_TRUE(chosen.from_oneof);
  ASSERT_EQ(chosen.selectors.size(), 2u);
  EXPECT_EQ(chosen.selectors[0].producer_subtask, "condition-2");
  EXPECT_EQ(chosen.selectors[0].output_parameter_key, "pipelinechannel--echo-Output");
  EXPECT_EQ(chosen.selectors[1].producer_subtask, "condition-3");
  EXPECT_EQ(chosen.selectors[1].output_parameter_key, "pipelinechannel--echo-2-Output");
  const auto& branch = doc.pipeline.components.at("comp-condition-3").dag->outputs.parameters;
  EXPECT_EQ(branch.at("pipelinechannel--echo-2-Output").selectors[0].producer_subtask, "echo-2");
  const ir::TaskSpec& consumer = doc.pipeline.root.dag->tasks.at("echo-4");
  EXPECT_EQ(consumer.dependent_tasks, std::vector<std::string>{"condition-branches-1"});
  EXPECT_EQ(consumer.inputs.parameters.at("text").task_output_parameter->output_parameter_key, key);
}

TEST(Groups, LoopOverTaskOutputWaitsForIt) {
  ProgramBuilder b("p");
  sema::Component* make = b.Container("make_list");
  AddOutput(make, "Output", Param(sema::ParamType::kList));
  sema::Component* show = b.Container("show");
  AddInput(show, "msg", Param(sema::ParamType::kString));
  sema::Task* made = b.AddTask(make);
  sema::Group* loop = b.AddGroup(sema::Group::Kind::kLoop);
  loop->iterable = OutputRef(made, "Output", Param(sema::ParamType::kList));
  Pass(b.AddTask(show, nullptr, loop), "msg", LoopItem(loop));

  ir::Document doc = b.Lower();
  const ir::TaskSpec& for_loop = doc.pipeline.root.dag->tasks.at("for-loop-1");
  EXPECT_EQ(for_loop.dependent_tasks, std::vector<std::string>{"make-list"});
  EXPECT_EQ(*for_loop.parameter_iterator->items_input_parameter,
            "pipelinechannel--make-list-Output");
  EXPECT_EQ(for_loop.parameter_iterator->item_input, "pipelinechannel--make-list-Output-loop-item");
}

TEST(Groups, LoopOverItemFieldReadsSubvar) {
  ProgramBuilder b("p");
  sema::Component* show = b.Container("show");
  AddInput(show, "msg", Param(sema::ParamType::kString));
  sema::InputDef rows;
  rows.name = "rows";
  rows.type = Param(sema::ParamType::kList);
  b.pipeline->inputs.push_back(rows);
  sema::Group* outer = b.AddGroup(sema::Group::Kind::kLoop);
  outer->iterable = InputRef("rows", Param(sema::ParamType::kList));
  sema::Group* inner = b.AddGroup(sema::Group::Kind::kLoop, outer);
  inner->iterable = LoopItem(outer, "cells");
  inner->iterable.type = Param(sema::ParamType::kList);
  Pass(b.AddTask(show, nullptr, inner), "msg", LoopItem(inner));

  ir::Document doc = b.Lower();
  const std::string subvar = "pipelinechannel--rows-loop-item-subvar-cells";
  const ir::TaskSpec& inner_task =
      doc.pipeline.components.at("comp-for-loop-1").dag->tasks.at("for-loop-2");
  const ir::TaskInputParameter& list = inner_task.inputs.parameters.at(subvar);
  EXPECT_EQ(*list.component_input_parameter, "pipelinechannel--rows-loop-item");
  EXPECT_EQ(list.parameter_expression_selector, "parseJson(string_value)[\"cells\"]");
  EXPECT_EQ(*inner_task.parameter_iterator->items_input_parameter, subvar);
  EXPECT_EQ(inner_task.parameter_iterator->item_input, subvar + "-loop-item");
  const auto& inputs = doc.pipeline.components.at("comp-for-loop-2").input_definitions.parameters;
  EXPECT_EQ(inputs.at(subvar).parameter_type, ir::ParameterType::kString);
  EXPECT_EQ(inputs.at(subvar + "-loop-item").parameter_type, ir::ParameterType::kString);
  EXPECT_EQ(inputs.count("pipelinechannel--rows-loop-item"), 1u);
}

TEST(Groups, EachExitTaskReadsItsOwnHandler) {
  ProgramBuilder b("p");
  sema::Component* work = b.Container("work");
  sema::Component* cleanup = b.Container("cleanup");
  sema::InputDef status;
  status.name = "status";
  status.type = Param(sema::ParamType::kTaskFinalStatus);
  status.optional = true;
  cleanup->inputs.push_back(status);
  for (int i = 0; i < 2; ++i) {
    sema::Group* handler = b.AddGroup(sema::Group::Kind::kExitHandler);
    b.AddTask(work, nullptr, handler);
    sema::Task* exit_task = b.AddTask(cleanup);
    sema::ValueRef final_status;
    final_status.kind = sema::ValueRef::Kind::kTaskFinalStatus;
    final_status.type = status.type;
    Pass(exit_task, "status", final_status);
    handler->exit_task = exit_task;
  }

  ir::Document doc = b.Lower();
  const auto& root = doc.pipeline.root.dag->tasks;
  ASSERT_EQ(root.count("cleanup-2"), 1u);
  EXPECT_EQ(*root.at("cleanup").inputs.parameters.at("status").task_final_status_producer,
            "exit-handler-1");
  EXPECT_EQ(*root.at("cleanup-2").inputs.parameters.at("status").task_final_status_producer,
            "exit-handler-2");
  EXPECT_EQ(root.at("cleanup-2").dependent_tasks, std::vector<std::string>{"exit-handler-2"});
  EXPECT_EQ(root.at("cleanup-2").trigger_strategy, "ALL_UPSTREAM_TASKS_COMPLETED");
}

// The SDK writes a string literal into CEL between single quotes as it is, so a literal such as
// `it's` would end the CEL string early and the condition would not parse at run time.
TEST(Cel, StringLiteralIsEscaped) {
  ProgramBuilder b("p");
  sema::Component* flip = b.Container("flip");
  AddOutput(flip, "Output", Param(sema::ParamType::kString));
  sema::Task* coin = b.AddTask(flip);
  sema::Group* branch = b.AddGroup(sema::Group::Kind::kCondition);
  branch->condition = Compare(OutputRef(coin, "Output", Param(sema::ParamType::kString)), "==",
                              ConstantRef(sema::Constant{std::string("it's a \\ test")}));
  b.AddTask(flip, nullptr, branch);

  ir::Document doc = b.Lower();
  EXPECT_EQ(*doc.pipeline.root.dag->tasks.at("condition-1").trigger_condition,
            "inputs.parameter_values['pipelinechannel--flip-Output'] == 'it\\'s a \\\\ test'");
}

TEST(Cel, ExplicitConversions) {
  ProgramBuilder b("p");
  sema::Component* source = b.Container("source");
  AddOutput(source, "text", Param(sema::ParamType::kString));
  AddOutput(source, "count", Param(sema::ParamType::kInt));
  sema::Task* task = b.AddTask(source);
  auto to_int = Compare(OutputRef(task, "text", Param(sema::ParamType::kString)), ">",
                        ConstantRef(Int(3), Param(sema::ParamType::kInt)));
  to_int->left_conversion = sema::ParamType::kInt;
  auto to_string = Compare(OutputRef(task, "count", Param(sema::ParamType::kInt)), "==",
                           ConstantRef(sema::Constant{std::string("3")}));
  to_string->left_conversion = sema::ParamType::kString;
  auto to_float = Compare(OutputRef(task, "text", Param(sema::ParamType::kString)), "<",
                          ConstantRef(sema::Constant{2.5}, Param(sema::ParamType::kFloat)));
  to_float->left_conversion = sema::ParamType::kFloat;
  for (const auto& condition : {to_int, to_string, to_float}) {
    sema::Group* branch = b.AddGroup(sema::Group::Kind::kCondition);
    branch->condition = condition;
    b.AddTask(source, nullptr, branch);
  }

  ir::Document doc = b.Lower();
  const auto& root = doc.pipeline.root.dag->tasks;
  EXPECT_EQ(*root.at("condition-1").trigger_condition,
            "int(inputs.parameter_values['pipelinechannel--source-text']) > 3");
  EXPECT_EQ(*root.at("condition-2").trigger_condition,
            "string(int(inputs.parameter_values['pipelinechannel--source-count'])) == '3'");
  EXPECT_EQ(*root.at("condition-3").trigger_condition,
            "double(inputs.parameter_values['pipelinechannel--source-text']) < 2.5");
}

TEST(Lower, ImporterWithConstantAndInputUri) {
  ProgramBuilder b("p");
  sema::InputDef uri_input;
  uri_input.name = "data_uri";
  uri_input.type = Param(sema::ParamType::kString);
  b.pipeline->inputs.push_back(uri_input);
  auto importer = [&](bool reimport) {
    sema::Component* c = b.Container("importer");
    c->kind = sema::Component::Kind::kImporter;
    AddInput(c, "uri", Param(sema::ParamType::kString));
    AddOutput(c, "artifact", Artifact("Dataset"));
    c->importer.emplace();
    c->importer->reimport = reimport;
    if (!reimport) {
      sema::Constant::Map metadata = {{"key", sema::Constant{std::string("value")}}};
      c->importer->metadata = sema::Constant{metadata};
    }
    return c;
  };
  Pass(b.AddTask(importer(false)), "uri", ConstantRef(sema::Constant{std::string("gs://a/b.txt")}));
  Pass(b.AddTask(importer(true)), "uri", InputRef("data_uri", Param(sema::ParamType::kString)));

  ir::Document doc = b.Lower();
  const ir::ImporterSpec& first = *doc.pipeline.executors.at("exec-importer").importer;
  EXPECT_EQ(*first.artifact_uri_constant, "gs://a/b.txt");
  EXPECT_FALSE(first.artifact_uri_runtime_parameter.has_value());
  EXPECT_EQ(first.type_schema.schema_title, "system.Dataset");
  EXPECT_FALSE(first.reimport);
  ASSERT_TRUE(first.metadata.has_value());
  const ir::ImporterSpec& second = *doc.pipeline.executors.at("exec-importer-2").importer;
  EXPECT_EQ(*second.artifact_uri_runtime_parameter, "uri");
  EXPECT_TRUE(second.reimport);
  EXPECT_FALSE(doc.pipeline.executors.at("exec-importer").container.has_value());
  const ir::TaskSpec& task = doc.pipeline.root.dag->tasks.at("importer-2");
  EXPECT_EQ(*task.inputs.parameters.at("uri").component_input_parameter, "data_uri");
  const ir::ComponentSpec& component = doc.pipeline.components.at("comp-importer");
  EXPECT_EQ(component.output_definitions.artifacts.at("artifact").artifact_type.schema_title,
            "system.Dataset");
}

TEST(Lower, DurationInSeconds) {
  EXPECT_EQ(DurationInSeconds("30s"), "30s");
  EXPECT_EQ(DurationInSeconds("5m"), "300s");
  EXPECT_EQ(DurationInSeconds("2w"), "1209600s");
  EXPECT_EQ(DurationInSeconds("1.5s"), "1.5s");
  // std::stoll threw std::out_of_range on more digits than an int64_t holds.
  EXPECT_EQ(DurationInSeconds("99999999999999999999s"), "99999999999999999999s");
  // The product overflowed int64_t.
  EXPECT_EQ(DurationInSeconds("9223372036854775807w"), "9223372036854775807w");
}

}  // namespace
}  // namespace kfpc::lower
