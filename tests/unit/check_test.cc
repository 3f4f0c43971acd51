#include "compiler/check/check.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "compiler/check/python_signature.h"

namespace kfpc::check {
namespace {

using sema::CommandPart;
using sema::ValueRef;

// One checked compilation over in-memory files; `loads` counts the loader's calls per path.
struct Checked {
  diag::SourceManager sources;
  diag::DiagnosticSink sink;
  CheckResult result;
  std::map<std::string, int> loads;

  std::string Errors() const { return diag::RenderAll(sources, sink.diagnostics()); }
  const sema::Program& program() const { return *result.program; }
  const sema::Component* Component(const std::string& name) const {
    for (const auto& component : result.program->components) {
      if (component->name == name && component->kind != sema::Component::Kind::kPipeline) {
        return component.get();
      }
    }
    return nullptr;
  }
};

// Checks `files["main.kf"]` with a loader that reads the other entries of `files`.
std::unique_ptr<Checked> CheckFiles(const std::map<std::string, std::string>& files,
                                    const CheckOptions& options = {}) {
  auto checked = std::make_unique<Checked>();
  Checked* raw = checked.get();
  FileLoader loader = [files, raw](const std::string& path) -> std::optional<std::string> {
    ++raw->loads[path];
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
  diag::FileId root = checked->sources.AddFile("main.kf", files.at("main.kf"));
  checked->result = Check(checked->sources, root, loader, checked->sink, options);
  return checked;
}

std::unique_ptr<Checked> CheckText(const std::string& text, const CheckOptions& options = {}) {
  return CheckFiles({{"main.kf", text}}, options);
}

std::unique_ptr<Checked> CheckValid(const std::string& text) {
  auto checked = CheckText(text);
  EXPECT_EQ(checked->Errors(), "");
  return checked;
}

// Renders a command element as KFP placeholders, to compare whole lists in one assertion.
std::string Show(const sema::CommandArg& arg);

std::string ShowPart(const CommandPart& part) {
  using Kind = CommandPart::Kind;
  switch (part.kind) {
    case Kind::kText: return part.text;
    case Kind::kInputValue: return "{in:" + part.text + "}";
    case Kind::kInputPath: return "{in-path:" + part.text + "}";
    case Kind::kInputUri: return "{in-uri:" + part.text + "}";
    case Kind::kInputMetadata: return "{in-meta:" + part.text + "}";
    case Kind::kOutputPath: return "{out-path:" + part.text + "}";
    case Kind::kOutputUri: return "{out-uri:" + part.text + "}";
    case Kind::kOutputMetadata: return "{out-meta:" + part.text + "}";
    case Kind::kOutputParameterFile: return "{out-file:" + part.text + "}";
    case Kind::kExecutorInput: return "{$}";
    case Kind::kConcat: {
      std::string out = "concat(";
      for (const auto& item : part.items) out += Show(item) + ";";
      return out + ")";
    }
    case Kind::kIfPresent: {
      std::string out = "if_present(" + part.text + " then ";
      for (const auto& item : part.then_items) out += Show(item) + ";";
      if (part.has_else) out += " else ";
      for (const auto& item : part.else_items) out += Show(item) + ";";
      return out + ")";
    }
  }
  return "?";
}

std::string Show(const sema::CommandArg& arg) {
  std::string out;
  for (const CommandPart& part : arg.parts) out += ShowPart(part);
  return out;
}

std::vector<std::string> ShowAll(const std::vector<sema::CommandArg>& args) {
  std::vector<std::string> out;
  for (const auto& arg : args) out.push_back(Show(arg));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Declarations and components
// ---------------------------------------------------------------------------------------------

TEST(CheckComponent, ContainerPlaceholders) {
  auto c = CheckValid(R"(
component train(data: Dataset, epochs: int = 10, tag: string?) -> (model: Model, score: float) {
  image   = "trainer:1"
  command = ["python3", "/app/train.py", executor_input]
  args    = ["--data", data.path, "--uri", data.uri, "--meta", data.metadata,
             "--epochs", epochs, "--model", model.path, "--model-uri", model.uri,
             "--score", score.path, "--name=run-{epochs}-{data.path}",
             concat("a", epochs, "b"),
             if_present(tag, then = ["--tag", tag], else = ["--no-tag"])]
}
)");
  const sema::Component* train = c->Component("train");
  ASSERT_NE(train, nullptr);
  EXPECT_EQ(train->kind, sema::Component::Kind::kContainer);
  EXPECT_EQ(train->image, "trainer:1");
  EXPECT_EQ(ShowAll(train->command),
            (std::vector<std::string>{"python3", "/app/train.py", "{$}"}));
  EXPECT_EQ(ShowAll(train->args),
            (std::vector<std::string>{
                "--data", "{in-path:data}", "--uri", "{in-uri:data}", "--meta", "{in-meta:data}",
                "--epochs", "{in:epochs}", "--model", "{out-path:model}", "--model-uri",
                "{out-uri:model}", "--score", "{out-file:score}",
                "--name=run-{in:epochs}-{in-path:data}", "concat(a;{in:epochs};b;)",
                "if_present(tag then --tag;{in:tag}; else --no-tag;)"}));
}

TEST(CheckComponent, InterfaceDefaultsAndDocs) {
  auto c = CheckValid(R"(
/// Trains a model.
component train(
  /// Learning rate.
  rate: float = 1,
  epochs: int = 3,
  flags: list<string> = ["a", "b"],
  tag: string?,
) -> Model {
  image = "trainer:1"
}
)");
  const sema::Component* train = c->Component("train");
  ASSERT_NE(train, nullptr);
  EXPECT_EQ(train->description, "Trains a model.");
  ASSERT_EQ(train->inputs.size(), 4u);
  EXPECT_EQ(train->inputs[0].description, "Learning rate.");
  ASSERT_TRUE(train->inputs[0].default_value.has_value());
  EXPECT_EQ(std::get<double>(train->inputs[0].default_value->value), 1.0);
  EXPECT_EQ(std::get<int64_t>(train->inputs[1].default_value->value), 3);
  EXPECT_EQ(train->inputs[2].type.ToString(), "list<string>");
  EXPECT_EQ(std::get<sema::Constant::List>(train->inputs[2].default_value->value).size(), 2u);
  EXPECT_TRUE(train->inputs[3].optional);
  EXPECT_FALSE(train->inputs[3].default_value.has_value());
  ASSERT_EQ(train->outputs.size(), 1u);
  EXPECT_EQ(train->outputs[0].name, "Output");
  EXPECT_EQ(train->outputs[0].type.artifact.schema_title, "system.Model");
}

TEST(CheckComponent, ArtifactTypeDefaults) {
  auto c = CheckValid(R"(
artifact Tabular { schema_title = "acme.Tabular" }
artifact Image { schema_title = "acme.Image"  schema_version = "0.0.2" }
component load(table: Tabular, image: Image) {
  image = "loader:1"
}
)");
  const sema::Component* load = c->Component("load");
  ASSERT_NE(load, nullptr);
  EXPECT_EQ(load->inputs[0].type.artifact,
            (sema::ArtifactType{"acme.Tabular", "0.0.1", "Tabular", ""}));
  EXPECT_EQ(load->inputs[1].type.artifact,
            (sema::ArtifactType{"acme.Image", "0.0.2", "Image", ""}));
}

TEST(CheckComponent, PythonDefaults) {
  auto c = CheckValid(R"(
component add(a: float, b: float) -> float {
  packages = ["numpy==1.26.4"]
  pip_index_urls = ["https://pypi.org/simple"]
  use_venv = true
  python = """
def add(a: float, b: float) -> float:
    return a + b
"""
}
)");
  const sema::Component* add = c->Component("add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->kind, sema::Component::Kind::kPython);
  EXPECT_EQ(add->image, "python:3.11");
  ASSERT_TRUE(add->python.has_value());
  EXPECT_EQ(add->python->function_name, "add");
  EXPECT_EQ(add->python->packages, std::vector<std::string>{"numpy==1.26.4"});
  EXPECT_EQ(add->python->pip_index_urls, std::vector<std::string>{"https://pypi.org/simple"});
  EXPECT_TRUE(add->python->use_venv);
  EXPECT_EQ(add->python->source, "def add(a: float, b: float) -> float:\n    return a + b\n");
}

TEST(CheckComponent, PythonArtifactsAndNamedTuple) {
  CheckValid(R"(
component stats(data: Dataset, limit: int = 3, tags: list<string>?) -> (model: Model,
    path_out: string, count: int, mean: float) {
  python = """
from typing import NamedTuple

def stats(
    data: Input[Dataset],  # the rows, "quoted" (and bracketed)
    model: dsl.Output[dsl.Model],
    path_out: OutputPath(str),
    limit: int = max(1, (2 + 1)),
    tags: Optional[List[str]] = None,
) -> NamedTuple('Outputs', [('count', int), ('mean', float)]):
    pass
"""
}
)");
}

TEST(CheckComponent, PythonArtifactClassImports) {
  // The SDK's order: the parameters in the signature, then the return annotation; each import
  // once. A list or an optional names its element's class; a type without `python_module` and a
  // built-in type bring nothing.
  auto c = CheckValid(R"(
artifact Tabular {
  schema_title = "acme.Tabular"
  python_module = "acme.types"
}
artifact Vertex {
  schema_title = "google.Vertex"
  python_module = "google.cloud.aiplatform"
}
artifact Plain {
  schema_title = "acme.Plain"
}
component f(a: list<Tabular>, b: Tabular?, p: Plain, d: Dataset) -> (m: Vertex, n: Vertex,
    r: Tabular) {
  python = """
def f(a: Input[List[Tabular]], m: Output[aiplatform.Vertex], b: Optional[Input[types.Tabular]],
      p: Input[Plain], d: Input[Dataset], n: Output[google.cloud.aiplatform.Vertex],
      ) -> NamedTuple('Outputs', [('r', acme.types.Tabular)]):
    pass
"""
}
)");
  const sema::Component* f = c->Component("f");
  ASSERT_NE(f, nullptr);
  ASSERT_TRUE(f->python.has_value());
  EXPECT_EQ(f->python->artifact_imports,
            (std::vector<std::string>{"from acme.types import Tabular",
                                      "from google.cloud import aiplatform",
                                      "from acme import types", "import google", "import acme"}));
}

TEST(CheckComponent, PythonUnionWithNoneSpellings) {
  // `Union[T, None]` and `None | T` are `Optional[T]`, for the interface and the import.
  auto c = CheckValid(R"(
artifact VM {
  schema_title = "g.VM"
  python_module = "aiplatform"
}
component f(a: VM?, b: VM?, n: int?) {
  python = """
def f(a: Union[Input[VM], None] = None, b: None | Input[aiplatform.VM] = None,
      n: Union[None, int] = None):
    pass
"""
}
)");
  const sema::Component* f = c->Component("f");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->python->artifact_imports,
            (std::vector<std::string>{"from aiplatform import VM", "import aiplatform"}));
}

TEST(CheckComponent, PythonClassMustBeAName) {
  // A number, a call, a negated name or a union of two types does not name the class.
  for (std::string annotation :
       {"Input[1.VM]", "Input[VM()]", "Input[-VM]", "Input[VM | Dataset]", "Input[VM | int]"}) {
    auto c = CheckText(
        "artifact VM {\n  schema_title = \"g.VM\"\n}\ncomponent f(m: VM) {\n"
        "  python = \"\"\"\ndef f(m: " +
        annotation + "):\n    pass\n\"\"\"\n}\n");
    EXPECT_NE(c->Errors().find("error:"), std::string::npos) << annotation;
  }
}

TEST(CheckComponent, PythonArtifactClassAliasIsAnError) {
  auto c = CheckText(R"(artifact Vertex {
  schema_title = "google.Vertex"
  python_module = "aiplatform"
}
component f(m: Vertex) {
  python = """
def f(m: Input[ap.Vertex]):
    pass
"""
}
)");
  EXPECT_EQ(c->Errors(),
            "main.kf:7:16: error: `ap.Vertex` does not reach artifact class `aiplatform.Vertex` "
            "through its module path, so its import cannot be generated\n"
            "7 | def f(m: Input[ap.Vertex]):\n"
            "  |                ^~~~~~~~~\n"
            "help: write `Vertex` or `aiplatform.Vertex`, without an alias, or change "
            "`python_module` of artifact type `Vertex`\n");
}

TEST(CheckComponent, PythonMismatchesPointIntoSource) {
  auto c = CheckText(R"(component add(a: float, b: float) -> (sum: float, n: int) {
  python = """
def add(a: int, c: float) -> NamedTuple('Outputs', sum=str):
    return a
"""
}
)");
  EXPECT_EQ(c->Errors(),
            "main.kf:3:5: error: function `add` has no parameter for input `b`\n"
            "3 | def add(a: int, c: float) -> NamedTuple('Outputs', sum=str):\n"
            "  |     ^~~\n"
            "help: add `b: float` to its parameters\n"
            "main.kf:3:5: error: function `add` does not produce output `n`\n"
            "3 | def add(a: int, c: float) -> NamedTuple('Outputs', sum=str):\n"
            "  |     ^~~\n"
            "help: add `n: OutputPath(int)` to its parameters, or return it in a `NamedTuple`\n"
            "main.kf:3:12: error: parameter `a` has type `int` but input `a` is declared `float`\n"
            "3 | def add(a: int, c: float) -> NamedTuple('Outputs', sum=str):\n"
            "  |            ^~~\n"
            "help: annotate it `a: float` or change the declared type\n"
            "main.kf:3:17: error: parameter `c` is not an input of component `add`\n"
            "3 | def add(a: int, c: float) -> NamedTuple('Outputs', sum=str):\n"
            "  |                 ^\n"
            "help: declare `c: float` as an input of `add` or remove the parameter\n"
            "main.kf:3:56: error: output `sum` has type `str` in the function but is declared "
            "`float`\n"
            "3 | def add(a: int, c: float) -> NamedTuple('Outputs', sum=str):\n"
            "  |                                                        ^~~\n"
            "help: change the type of field `sum` to `float` or change the declared type\n");
}

TEST(PythonSignature, ScansMultiLineSignature) {
  PyScanResult scan = ScanPythonSignature(
      "import os\n\n@decorator\ndef f(\n    a: Dict[str, List[int]] = {'k': [1, (2)]},\n"
      "    *, b: 'str' = \"x,)\",  # comment (\n    **rest,\n) -> None:\n  pass\n");
  ASSERT_TRUE(scan.signature.has_value()) << scan.error.message;
  const PySignature& s = *scan.signature;
  EXPECT_EQ(s.name, "f");
  ASSERT_EQ(s.params.size(), 3u);
  EXPECT_EQ(s.params[0].name, "a");
  EXPECT_EQ(s.params[0].annotation->kind, PyExpr::Kind::kSubscript);
  EXPECT_EQ(s.params[0].annotation->args.size(), 2u);
  EXPECT_TRUE(s.params[0].has_default);
  EXPECT_EQ(s.params[1].name, "b");
  EXPECT_EQ(s.params[1].annotation->kind, PyExpr::Kind::kString);
  EXPECT_TRUE(s.params[2].is_variadic);
  ASSERT_TRUE(s.returns.has_value());
  EXPECT_EQ(s.returns->text, "None");
}

// Found by fuzz_compile: `def ` with only spaces after it at the end of the source threw
// std::out_of_range from std::string_view::substr.
TEST(PythonSignature, DefAtEndOfSourceIsAnError) {
  for (std::string_view source : {"def ", "x = 1\ndef  \t", "async def "}) {
    SCOPED_TRACE(source);
    PyScanResult scan = ScanPythonSignature(source, "f");
    EXPECT_FALSE(scan.signature.has_value());
    EXPECT_FALSE(scan.error.message.empty());
  }
}

TEST(PythonSignature, LastTopLevelDefOfTheNameWins) {
  PyScanResult scan = ScanPythonSignature(
      "def train(a: int) -> int:\n    def train(inner: str):\n        pass\n    return a\n"
      "def helper(x: int):\n    pass\n"
      "def train(b: float) -> float:\n    return b\n",
      "train");
  ASSERT_TRUE(scan.signature.has_value()) << scan.error.message;
  EXPECT_EQ(scan.signature->name, "train");
  ASSERT_EQ(scan.signature->params.size(), 1u);
  EXPECT_EQ(scan.signature->params[0].name, "b");
}

TEST(PythonSignature, DefInStringsAndCommentsIgnored) {
  PyScanResult scan = ScanPythonSignature(
      "'''\ndef train(doc: int):\n'''\n"
      "# def train(comment: int):\n"
      "TEMPLATE = \"\"\"\ndef train(template: int):\n\"\"\"\n"
      "x = 'def train(single: int):'\n"
      "def train(real: int) -> int:\n    return real\n",
      "train");
  ASSERT_TRUE(scan.signature.has_value()) << scan.error.message;
  ASSERT_EQ(scan.signature->params.size(), 1u);
  EXPECT_EQ(scan.signature->params[0].name, "real");
}

TEST(PythonSignature, FirstDefWhenNoneHasTheName) {
  PyScanResult scan =
      ScanPythonSignature("def first(a: int):\n    pass\ndef second():\n    pass\n", "train");
  ASSERT_TRUE(scan.signature.has_value()) << scan.error.message;
  EXPECT_EQ(scan.signature->name, "first");
}

TEST(PythonSignature, CrLfSourcePointsAtTheRightColumn) {
  auto checked = CheckText(
      "component add(a: int) -> int {\r\n  python = \"\"\"\r\n"
      "def add(a: int, c: float) -> int:\r\n    return a\r\n\"\"\"\r\n}\r\n");
  EXPECT_EQ(checked->Errors(),
            "main.kf:3:17: error: parameter `c` is not an input of component `add`\n"
            "3 | def add(a: int, c: float) -> int:\n"
            "  |                 ^\n"
            "help: declare `c: float` as an input of `add` or remove the parameter\n");
}

TEST(PythonSignature, DeepNestingIsAnErrorNotACrash) {
  for (const auto& [open, close] : {std::pair{"List[", "]"}, {"(", ")"}, {"-", ""}}) {
    std::string opens, closes;
    for (int i = 0; i < 50000; ++i) opens += open, closes += close;
    std::string annotation = opens + "int" + closes;
    PyScanResult scan = ScanPythonSignature("def f(a: " + annotation + "):\n    pass\n");
    EXPECT_FALSE(scan.signature.has_value()) << open;
    EXPECT_EQ(scan.error.message, "the signature nests brackets or `-` more than 100 levels deep")
        << open;
  }
  // 100 levels are fine.
  std::string annotation = "int";
  for (int i = 0; i < 100; ++i) annotation = "List[" + annotation + "]";
  EXPECT_TRUE(ScanPythonSignature("def f(a: " + annotation + "):\n    pass\n").signature);
}

TEST(PythonSignature, ReportsUnclosedParameters) {
  PyScanResult scan = ScanPythonSignature("def f(a: int\n");
  EXPECT_FALSE(scan.signature.has_value());
  EXPECT_EQ(scan.error.message, "expected `)` to close the parameters");
}

// ---------------------------------------------------------------------------------------------
// Pipelines
// ---------------------------------------------------------------------------------------------

const char kComponents[] = R"(
component prep(n: int, rate: float = 0.5) -> (data: Dataset, count: int) {
  image = "prep:1"
}
component train(data: Dataset, count: int, note: string = "") -> Model {
  image = "train:1"
}
)";

const char kStepComponents[] = R"(
component flip() -> string {
  image = "flip:1"
}
component step() {
  image = "step:1"
}
)";

TEST(CheckAfter, TaskInLoopFromOutsideAccepted) {
  auto c = CheckValid(std::string(kStepComponents) + R"(
pipeline p() {
  for item in [1, 2] {
    each = step()
  }
  last = step() { after = [each] }
}
)");
  const sema::Pipeline& p = *c->program().pipelines.at(0);
  ASSERT_EQ(p.tasks.size(), 2u);
  EXPECT_EQ(p.tasks[1]->after, std::vector<const sema::Task*>{p.tasks[0].get()});
}

TEST(CheckAfter, TaskInSameBranchAccepted) {
  CheckValid(std::string(kStepComponents) + R"(
pipeline p() {
  coin = flip()
  if coin.output == "heads" {
    first = step()
    step() { after = [first] }
  }
}
)");
}

TEST(CheckAfter, TaskInBranchInsideLoopFromLoopBodyRejected) {
  auto c = CheckText(std::string(kStepComponents) + R"(
pipeline p() {
  coin = flip()
  for item in [1, 2] {
    if coin.output == "heads" {
      inner = step()
    }
    step() { after = [inner] }
  }
}
)");
  EXPECT_NE(c->Errors().find("error: task `inner` runs inside an `if` branch, so a task outside "
                             "it cannot run after it"),
            std::string::npos)
      << c->Errors();
}

TEST(CheckAfter, LoopInsideBranchFromOutsideRejected) {
  // The outermost group left is the `if`, which may not run at all.
  auto c = CheckText(std::string(kStepComponents) + R"(
pipeline p() {
  coin = flip()
  if coin.output == "heads" {
    for item in [1, 2] {
      each = step()
    }
  }
  step() { after = [each] }
}
)");
  EXPECT_NE(c->Errors().find("error: task `each` runs inside an `if` branch"), std::string::npos)
      << c->Errors();
}

TEST(CheckAfter, FinallyTaskAfterBodyTaskRejected) {
  auto c = CheckText(std::string(kStepComponents) + R"(
pipeline p() {
  try {
    body = step()
  } finally {
    step() { after = [body] }
  }
}
)");
  EXPECT_NE(c->Errors().find("error: task `body` runs inside a `try` body"), std::string::npos)
      << c->Errors();
  EXPECT_NE(c->Errors().find("the `finally` task already runs after the whole `try` body"),
            std::string::npos)
      << c->Errors();
}

TEST(CheckPipeline, TasksArgumentsAndSettings) {
  auto c = CheckValid(std::string(kComponents) + R"(
pipeline p(size: int = 3) -> (model: Model) {
  display_name = "P"
  description = "Trains."
  a = prep(n = size, rate = 2)
  b = train(data = a.data, count = a.count, note = run.job_name) {
    display_name = "fit"
    cpu_limit = 2
    memory_limit = "16Gi"
    accelerator_type = "nvidia.com/gpu"
    accelerator_count = 1
    env REGION = "us-east-1"
    cache = false
    retry { max = 3  backoff = "2m"  factor = 3  max_backoff = "1h" }
    after = [a]
  }
  return model = b.output
}
)");
  const sema::Pipeline* p = c->program().entry;
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->display_name, "P");
  EXPECT_EQ(p->description, "Trains.");
  ASSERT_EQ(p->tasks.size(), 2u);
  const sema::Task& a = *p->tasks[0];
  const sema::Task& b = *p->tasks[1];
  ASSERT_EQ(a.arguments.size(), 2u);
  EXPECT_EQ(a.arguments[0].value.kind, ValueRef::Kind::kPipelineInput);
  EXPECT_EQ(a.arguments[1].value.kind, ValueRef::Kind::kConstant);
  EXPECT_EQ(std::get<double>(a.arguments[1].value.constant.value), 2.0);
  ASSERT_EQ(b.arguments.size(), 3u);
  EXPECT_EQ(b.arguments[0].value.kind, ValueRef::Kind::kTaskOutput);
  EXPECT_EQ(b.arguments[0].value.task, &a);
  EXPECT_EQ(b.arguments[0].value.name, "data");
  EXPECT_EQ(b.arguments[2].value.kind, ValueRef::Kind::kRunPlaceholder);
  EXPECT_EQ(b.arguments[2].value.name, "job_name");
  EXPECT_EQ(b.display_name, "fit");
  EXPECT_EQ(b.cpu_limit, "2");
  EXPECT_EQ(b.memory_limit, "16Gi");
  EXPECT_EQ(b.accelerator_type, "nvidia.com/gpu");
  EXPECT_EQ(b.accelerator_count, 1);
  EXPECT_EQ(b.env, (std::vector<std::pair<std::string, std::string>>{{"REGION", "us-east-1"}}));
  EXPECT_FALSE(b.enable_cache);
  ASSERT_TRUE(b.retry.has_value());
  EXPECT_EQ(b.retry->max_retry_count, 3);
  EXPECT_EQ(b.retry->backoff_duration, "120s");
  EXPECT_EQ(b.retry->backoff_factor, 3.0);
  EXPECT_EQ(b.retry->backoff_max_duration, "3600s");
  EXPECT_EQ(b.after, std::vector<const sema::Task*>{&a});
  ASSERT_EQ(p->returns.size(), 1u);
  EXPECT_EQ(p->returns[0].value.task, &b);
  EXPECT_EQ(p->returns[0].value.name, "Output");
}

// Checks one task of `train` with `settings` in its block.
std::unique_ptr<Checked> CheckTaskSettings(const std::string& settings) {
  return CheckText(R"(
component train() {
  image = "train:1"
}
pipeline p() {
  train() {
    )" + settings + R"(
  }
}
)");
}

TEST(CheckTaskSettings, QuantitiesTheSdkAccepts) {
  // _validate_cpu_request_limit and _validate_memory_request_limit of the SDK accept these.
  for (const std::string cpu : {"2", "0.5", ".5", "500m", "0.5m", "16", "0"}) {
    auto c = CheckTaskSettings("cpu_limit = \"" + cpu + "\"");
    EXPECT_EQ(c->Errors(), "") << cpu;
    EXPECT_EQ(c->program().entry->tasks[0]->cpu_limit, cpu);
  }
  for (const std::string memory : {"4Gi", "512M", "1G", "1024", "0", "3Ei", "2E", "7Pi", "1P",
                                   "1Ti", "1T", "64Mi", "100Ki", "100K"}) {
    auto c = CheckTaskSettings("memory_limit = \"" + memory + "\"");
    EXPECT_EQ(c->Errors(), "") << memory;
    EXPECT_EQ(c->program().entry->tasks[0]->memory_limit, memory);
  }
  // A number for CPUs is written as in the source.
  auto c = CheckTaskSettings("cpu_request = 0.25\n cpu_limit = 2");
  EXPECT_EQ(c->Errors(), "");
  EXPECT_EQ(c->program().entry->tasks[0]->cpu_request, "0.25");
  EXPECT_EQ(c->program().entry->tasks[0]->cpu_limit, "2");
}

TEST(CheckTaskSettings, QuantitiesTheSdkRejects) {
  for (const std::string cpu : {"2 cores", "-1", "2.", "1e3", "1.5.2", "m", "", "500M", " 2",
                                "2\\n", "1/2", "+1"}) {
    auto c = CheckTaskSettings("cpu_limit = \"" + cpu + "\"");
    EXPECT_NE(c->Errors().find("is not a CPU quantity"), std::string::npos) << cpu;
  }
  for (const std::string memory : {"4 GB", "4GB", "lots", "-1", "1.5Gi", "512m", "4gi", "Gi",
                                   "", "1e9", "4Gi ", "0x10", "1k", "4GiB"}) {
    auto c = CheckTaskSettings("memory_limit = \"" + memory + "\"");
    EXPECT_NE(c->Errors().find("is not a memory quantity"), std::string::npos) << memory;
  }
  // Memory is never a bare number, and a CPU number follows the same pattern as the string.
  EXPECT_NE(CheckTaskSettings("memory_limit = 4")->Errors().find("expects a string"),
            std::string::npos);
  EXPECT_NE(CheckTaskSettings("cpu_limit = 1e3")->Errors().find("`1e3` is not a CPU quantity"),
            std::string::npos);
}

TEST(CheckTaskSettings, MemoryHelpSuggestsTheQuantity) {
  const std::pair<std::string, std::string> cases[] = {
      {"4 GB", "4G"}, {"4GiB", "4Gi"}, {"512mb", "512M"}, {"1.5Gi", "1536Mi"}, {"0.5G", "500M"},
      {"2 gi", "2Gi"}};
  for (const auto& [written, suggested] : cases) {
    auto c = CheckTaskSettings("memory_limit = \"" + written + "\"");
    EXPECT_NE(c->Errors().find("help: write `memory_limit = \"" + suggested + "\"`"),
              std::string::npos)
        << c->Errors();
  }
  auto c = CheckTaskSettings("memory_limit = \"lots\"");
  EXPECT_NE(c->Errors().find("such as \"4Gi\", \"512M\" or \"1G\""), std::string::npos)
      << c->Errors();
}

TEST(CheckTaskSettings, RequestAboveLimit) {
  struct Case {
    std::string settings;
    bool over;
  };
  const Case cases[] = {
      {"memory_request = \"8Gi\"\n memory_limit = \"4G\"", true},
      {"memory_request = \"4Gi\"\n memory_limit = \"4G\"", true},
      {"memory_request = \"4G\"\n memory_limit = \"4Gi\"", false},
      {"memory_request = \"1Gi\"\n memory_limit = \"1024Mi\"", false},
      {"memory_request = \"1000M\"\n memory_limit = \"1G\"", false},
      {"memory_request = \"1001M\"\n memory_limit = \"1G\"", true},
      {"memory_request = \"1E\"\n memory_limit = \"1Ei\"", false},
      {"memory_request = \"2\"\n memory_limit = \"1K\"", false},
      {"cpu_request = \"4\"\n cpu_limit = \"2\"", true},
      {"cpu_request = \"1500m\"\n cpu_limit = 1", true},
      {"cpu_request = \"1000m\"\n cpu_limit = \"1\"", false},
      {"cpu_request = 0.5\n cpu_limit = \"500m\"", false},
      {"cpu_request = \"0.51\"\n cpu_limit = \"500m\"", true},
      {"cpu_request = \"8\"", false},
      {"memory_limit = \"1Mi\"", false},
  };
  for (const Case& test : cases) {
    auto c = CheckTaskSettings(test.settings);
    bool reported = c->Errors().find("is more than the limit") != std::string::npos;
    EXPECT_EQ(reported, test.over) << test.settings << "\n" << c->Errors();
  }
  auto c = CheckTaskSettings("memory_request = \"8Gi\"\n memory_limit = \"4G\"");
  ASSERT_EQ(c->sink.diagnostics().size(), 1u);
  const diag::Diagnostic& d = c->sink.diagnostics()[0];
  EXPECT_EQ(d.kind, diag::Kind::kResourceRequestOverLimit);
  ASSERT_EQ(d.labels.size(), 1u);
  EXPECT_EQ(d.labels[0].message, "the limit is set here");
  EXPECT_NE(c->Errors().find("`8Gi` is 8589934592 bytes and `4G` is 4000000000 bytes ("),
            std::string::npos)
      << c->Errors();
}

TEST(CheckTaskSettings, AcceleratorCount) {
  for (int count : {0, 1, 2, 4, 8, 16}) {
    auto c = CheckTaskSettings("accelerator_type = \"nvidia.com/gpu\"\n accelerator_count = " +
                               std::to_string(count));
    EXPECT_EQ(c->Errors(), "") << count;
    EXPECT_EQ(c->program().entry->tasks[0]->accelerator_count, count);
  }
  for (int count : {3, 5, 32}) {
    auto c = CheckTaskSettings("accelerator_type = \"nvidia.com/gpu\"\n accelerator_count = " +
                               std::to_string(count));
    EXPECT_NE(c->Errors().find("does not accept an accelerator count of " +
                               std::to_string(count)),
              std::string::npos)
        << c->Errors();
  }
  EXPECT_NE(CheckTaskSettings("accelerator_type = \"x\"\n accelerator_count = 3")
                ->Errors()
                .find("such as `accelerator_count = 4`"),
            std::string::npos);
  // A count without a type is written as the SDK writes it, with a warning.
  auto c = CheckTaskSettings("accelerator_count = 1");
  EXPECT_EQ(c->sink.error_count(), 0u);
  ASSERT_EQ(c->sink.diagnostics().size(), 1u);
  EXPECT_EQ(c->sink.diagnostics()[0].kind, diag::Kind::kAcceleratorCountWithoutType);
  EXPECT_EQ(c->sink.diagnostics()[0].severity, diag::Severity::kWarning);
  EXPECT_EQ(c->program().entry->tasks[0]->accelerator_count, 1);
}

TEST(CheckTaskSettings, TimeoutHelpNamesSeconds) {
  const std::pair<std::string, std::string> cases[] = {
      {"\"1h\"", "`timeout = 3600` for `1h`"},
      {"\"30m\"", "`timeout = 1800` for `30m`"},
      {"\"90s\"", "`timeout = 90` for `90s`"},
      {"\"2d\"", "`timeout = 172800` for `2d`"},
      {"1.5", "write a whole number of seconds, such as `timeout = 3600` for one hour"},
      {"\"soon\"", "write a whole number of seconds, such as `timeout = 3600` for one hour"},
  };
  for (const auto& [written, help] : cases) {
    auto c = CheckTaskSettings("timeout = " + written);
    EXPECT_NE(c->Errors().find(help), std::string::npos) << c->Errors();
  }
}

// Checks a component with `image = "<image>"`.
std::unique_ptr<Checked> CheckImage(const std::string& image) {
  return CheckText("component c() {\n  image = \"" + image +
                   "\"\n}\npipeline p() {\n  c()\n}\n");
}

TEST(CheckImage, ReferencesNoRegistryResolves) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty image"},
      {"https://ghcr.io/org/train:1", "remove the scheme: `image = \"ghcr.io/org/train:1\"`"},
      {"docker://python:3.11", "remove the scheme: `image = \"python:3.11\"`"},
      {"python: 3.11", "contains white space"},
      {" python:3.11", "remove it: `image = \"python:3.11\"`"},
      {"python:3.11\\t", "a control character or tab"},
      {"MyOrg/train:1", "write it in lower case: `image = \"myorg/train:1\"`"},
      {"ghcr.io/MyOrg/Train:Latest", "write it in lower case: `image = \"ghcr.io/myorg/train:Latest\"`"},
      {"Python", "the repository `Python` has upper case letters"},
  };
  for (const auto& [image, expected] : cases) {
    auto c = CheckImage(image);
    EXPECT_NE(c->Errors().find(expected), std::string::npos) << image << "\n" << c->Errors();
    ASSERT_FALSE(c->sink.diagnostics().empty());
    EXPECT_EQ(c->sink.diagnostics()[0].kind, diag::Kind::kInvalidImageReference);
  }
}

TEST(CheckImage, ValidReferences) {
  for (const std::string image :
       {"python:3.11", "python", "ghcr.io/org/train:V1-GPU", "localhost:5000/train",
        "Registry.Example.com/org/train:1", "[::1]:5000/train:1",
        "python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "argostub/createpvc"}) {
    auto c = CheckImage(image);
    EXPECT_EQ(c->Errors(), "") << image;
    EXPECT_EQ(c->Component("c")->image, image);
  }
}

TEST(CheckPipeline, PipelineCalledAsComponent) {
  auto c = CheckValid(std::string(kComponents) + R"(
pipeline inner(n: int) -> (data: Dataset) {
  a = prep(n = n)
  return data = a.data
}
pipeline outer() {
  i = inner(n = 1)
  train(data = i.data, count = 2)
}
)");
  const sema::Pipeline* outer = c->program().entry;
  ASSERT_NE(outer, nullptr);
  EXPECT_EQ(outer->name, "outer");
  const sema::Component* callee = outer->tasks[0]->component;
  EXPECT_EQ(callee->kind, sema::Component::Kind::kPipeline);
  ASSERT_NE(callee->pipeline, nullptr);
  EXPECT_EQ(callee->pipeline->name, "inner");
  EXPECT_EQ(callee->pipeline->as_component, callee);
}

const char kFlowComponents[] = R"(
component flip() -> string {
  image = "flip:1"
}
component report(status: PipelineTaskFinalStatus, n: int = 0) {
  image = "report:1"
}
)";

TEST(CheckPipeline, ControlFlowGroups) {
  auto c = CheckValid(std::string(kComponents) + kFlowComponents + R"(
pipeline p(items: list<int> = [1, 2]) -> (counts: list<int>) {
  try {
    f = flip()
    if f.output == "heads" {
      a = prep(n = 1)
    } else {
      b = prep(n = 2)
    }
    train(data = one_of(a.data, b.data), count = 1)
  } finally {
    report()
  }
  for item in items parallelism = 2 {
    c = prep(n = item)
  }
  return counts = collect(c.count)
}
)");
  const sema::Pipeline* p = c->program().entry;
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->groups.size(), 4u);
  const sema::Group& handler = *p->groups[0];
  const sema::Group& then_branch = *p->groups[1];
  const sema::Group& else_branch = *p->groups[2];
  const sema::Group& loop = *p->groups[3];
  EXPECT_EQ(loop.parent, nullptr);
  EXPECT_EQ(handler.kind, sema::Group::Kind::kExitHandler);
  EXPECT_EQ(then_branch.kind, sema::Group::Kind::kCondition);
  EXPECT_EQ(then_branch.parent, &handler);
  ASSERT_NE(then_branch.condition, nullptr);
  EXPECT_EQ(then_branch.condition->op, "==");
  EXPECT_EQ(then_branch.condition->left.kind, ValueRef::Kind::kTaskOutput);
  EXPECT_EQ(else_branch.condition, nullptr);
  EXPECT_EQ(else_branch.previous_conditions.size(), 1u);
  EXPECT_EQ(else_branch.chain_id, then_branch.chain_id);
  EXPECT_EQ(loop.kind, sema::Group::Kind::kLoop);
  EXPECT_EQ(loop.parallelism, 2);
  EXPECT_EQ(loop.iterable.kind, ValueRef::Kind::kPipelineInput);
  // The tasks: flip, a, b, train, report, c.
  ASSERT_EQ(p->tasks.size(), 6u);
  EXPECT_EQ(p->tasks[3]->arguments[0].value.kind, ValueRef::Kind::kOneOf);
  EXPECT_EQ(p->tasks[3]->arguments[0].value.alternatives.size(), 2u);
  EXPECT_EQ(p->tasks[5]->arguments[0].value.kind, ValueRef::Kind::kLoopItem);
  EXPECT_EQ(p->tasks[5]->arguments[0].value.loop, &loop);
  const sema::Task& report = *p->tasks[4];
  EXPECT_EQ(handler.exit_task, &report);
  EXPECT_EQ(report.parent, nullptr);
  ASSERT_EQ(report.arguments.size(), 1u);
  EXPECT_EQ(report.arguments[0].value.kind, ValueRef::Kind::kTaskFinalStatus);
  ASSERT_EQ(p->returns.size(), 1u);
  EXPECT_EQ(p->returns[0].value.kind, ValueRef::Kind::kCollected);
  EXPECT_EQ(p->returns[0].value.type.ToString(), "list<int>");
  EXPECT_EQ(p->returns[0].value.loop, &loop);
  EXPECT_EQ(p->members.size(), 3u);  // the exit handler, the exit task and the loop
}

TEST(CheckPipeline, BranchOutputReadOutside) {
  auto c = CheckText(std::string(kComponents) + kFlowComponents + R"(
pipeline p() {
  f = flip()
  if f.output == "heads" {
    a = prep(n = 1)
  }
  train(data = a.data, count = 1)
}
)");
  EXPECT_EQ(c->Errors(),
            "main.kf:21:16: error: task `a` runs inside an `if` branch and cannot be read outside "
            "it\n"
            "21 |   train(data = a.data, count = 1)\n"
            "   |                ^~~~~~\n"
            "help: read one value from the branches of the `if` with `one_of(a.output, b.output)`\n");
}

TEST(CheckPipeline, OneMessagePerMistake) {
  auto c = CheckText(std::string(kComponents) + R"(
pipeline p() {
  a = prep(n = "three")
  train(data = a.data, count = a.cuont)
  x = nope(n = 1)
  train(data = x.data, count = x.count)
}
)");
  EXPECT_EQ(c->Errors(),
            "main.kf:10:16: error: expected `int` for argument `n`, found a string\n"
            "10 |   a = prep(n = \"three\")\n"
            "   |                ^~~~~~~\n"
            "help: write an integer such as `10`\n"
            "main.kf:11:34: error: `prep` has no output `cuont`\n"
            "11 |   train(data = a.data, count = a.cuont)\n"
            "   |                                  ^~~~~\n"
            "help: did you mean `count`\n"
            "main.kf:12:7: error: unknown component `nope`\n"
            "12 |   x = nope(n = 1)\n"
            "   |       ^~~~\n"
            "help: declare `nope` or import the file that declares it\n");
}

// ---------------------------------------------------------------------------------------------
// Imports and the entry pipeline
// ---------------------------------------------------------------------------------------------

TEST(CheckPipeline, LoopOutputNeedsCollect) {
  auto c = CheckText(std::string(kComponents) + R"(
component total(counts: list<int>) {
  image = "total:1"
}
pipeline p() {
  for item in [1, 2] {
    c = prep(n = item)
  }
  total(counts = c.count)
}
)");
  EXPECT_EQ(c->Errors(),
            "main.kf:16:18: error: task `c` runs in every iteration of a `for` loop, so its output "
            "is one value per iteration\n"
            "16 |   total(counts = c.count)\n"
            "   |                  ^~~~~~~\n"
            "help: read the list of values with `collect(c.count)`\n");
}

TEST(CheckImports, SharedFileLoadedOnce) {
  auto c = CheckFiles({
      {"main.kf", "import \"lib/a.kf\"\nimport \"lib/b.kf\"\npipeline p() {\n  a()\n  b()\n  c()\n}\n"},
      {"lib/a.kf", "import \"c.kf\"\ncomponent a() { image = \"a\" }\n"},
      {"lib/b.kf", "import \"../lib/c.kf\"\ncomponent b() { image = \"b\" }\n"},
      {"lib/c.kf", "component c() { image = \"c\" }\n"},
  });
  EXPECT_EQ(c->Errors(), "");
  EXPECT_EQ(c->loads, (std::map<std::string, int>{{"lib/a.kf", 1}, {"lib/b.kf", 1}, {"lib/c.kf", 1}}));
  EXPECT_EQ(c->result.files.size(), 4u);
  EXPECT_EQ(c->program().components.size(), 4u);  // a, b, c and the pipeline as a component
  ASSERT_NE(c->program().entry, nullptr);
}

TEST(CheckImports, CycleShowsChain) {
  auto c = CheckFiles({
      {"main.kf", "import \"a.kf\"\n"},
      {"a.kf", "import \"b.kf\"\n"},
      {"b.kf", "import \"a.kf\"\n"},
  });
  EXPECT_EQ(c->Errors(),
            "b.kf:1:8: error: import cycle: `a.kf` -> `b.kf` -> `a.kf`\n"
            "1 | import \"a.kf\"\n"
            "  |        ^~~~~~\n"
            "help: remove one of the imports in the cycle, for example by moving shared "
            "declarations into a file that imports nothing from the cycle\n");
}

TEST(CheckImports, MissingFileAndNameInTwoFiles) {
  auto c = CheckFiles({
      {"main.kf", "import \"nope.kf\"\nimport \"lib.kf\"\ncomponent a() { image = \"a\" }\n"},
      {"lib.kf", "component a() { image = \"b\" }\n"},
  });
  EXPECT_EQ(c->Errors(),
            "main.kf:1:8: error: imported file `nope.kf` was not found\n"
            "1 | import \"nope.kf\"\n"
            "  |        ^~~~~~~~~\n"
            "help: import paths are relative to the directory of `main.kf`\n"
            "main.kf:2:8: error: this import declares `a` again, which is already declared in "
            "`main.kf`\n"
            "2 | import \"lib.kf\"\n"
            "  |        ^~~~~~~~\n"
            "main.kf:3:11: note: first declared here\n"
            "3 | component a() { image = \"a\" }\n"
            "  |           ^\n"
            "lib.kf:1:11: note: declared again here\n"
            "1 | component a() { image = \"b\" }\n"
            "  |           ^\n"
            "help: rename one of the declarations\n");
}

TEST(CheckImports, NestedClashAtRootImport) {
  // lib.kf compiles on its own; the clash is with main.kf, through main.kf's import.
  auto c = CheckFiles({
      {"main.kf", "import \"lib.kf\"\ncomponent a() { image = \"a\" }\n"},
      {"lib.kf", "import \"deep.kf\"\n"},
      {"deep.kf", "component a() { image = \"b\" }\n"},
  });
  EXPECT_EQ(c->Errors(),
            "main.kf:1:8: error: this import declares `a` again, which is already declared in "
            "`main.kf`\n"
            "1 | import \"lib.kf\"\n"
            "  |        ^~~~~~~~\n"
            "main.kf:2:11: note: first declared here\n"
            "2 | component a() { image = \"a\" }\n"
            "  |           ^\n"
            "lib.kf:1:8: note: imported through here\n"
            "1 | import \"deep.kf\"\n"
            "  |        ^~~~~~~~~\n"
            "deep.kf:1:11: note: declared again here\n"
            "1 | component a() { image = \"b\" }\n"
            "  |           ^\n"
            "help: rename one of the declarations\n");
}

TEST(CheckEntry, SeveralPipelines) {
  std::string text = "component a() { image = \"a\" }\npipeline one() { a() }\npipeline two() { a() }\n";
  auto several = CheckText(text);
  EXPECT_EQ(several->Errors(),
            "main.kf:3:10: error: `main.kf` declares 2 pipelines and none is chosen to compile\n"
            "3 | pipeline two() { a() }\n"
            "  |          ^~~\n"
            "help: choose the pipeline to compile with `--pipeline NAME`, one of `one` or "
            "`two`\n");
  EXPECT_EQ(several->program().entry, nullptr);
  CheckOptions options;
  options.entry_pipeline = "two";
  auto chosen = CheckText(text, options);
  EXPECT_EQ(chosen->Errors(), "");
  ASSERT_NE(chosen->program().entry, nullptr);
  EXPECT_EQ(chosen->program().entry->name, "two");
  options.entry_pipeline = "three";
  auto unknown = CheckText(text, options);
  EXPECT_EQ(unknown->Errors(),
            "kfpc: error: pipeline `three` is not declared in `main.kf`\n"
            "help: the pipelines of `main.kf` are `one` and `two`\n");
}

TEST(CheckEntry, CalledPipelineIsNotEntry) {
  auto c = CheckValid(
      "component a() { image = \"a\" }\npipeline inner() { a() }\npipeline outer() { inner() }\n");
  ASSERT_NE(c->program().entry, nullptr);
  EXPECT_EQ(c->program().entry->name, "outer");
}

TEST(CheckSyntax, BrokenDeclarationNotChecked) {
  auto c = CheckText("component a() {\n  imgae = \"a\"\n  command = [\"x\",\n}\n");
  EXPECT_TRUE(c->sink.has_errors());
  EXPECT_EQ(c->Errors().find("imgae"), std::string::npos) << c->Errors();
  EXPECT_EQ(c->program().entry, nullptr);
}

}  // namespace
}  // namespace kfpc::check
