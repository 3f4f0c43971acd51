#include <algorithm>
#include <set>

#include "compiler/check/declarations.h"
#include "compiler/check/kubernetes_fields.h"
#include "compiler/check/kubernetes_settings.h"
#include "compiler/check/pipeline_checker.h"
#include "compiler/check/settings.h"
#include "compiler/check/types.h"

namespace kfpc::check {

namespace {

const std::vector<std::string> kPipelineSettings = {"description", "display_name", "pipeline_root",
                                                    "target",      "workspace",    "name"};
const std::vector<std::string> kWorkspaceFields = {"size", "access_modes", "storage_class_name"};

bool IsPipelineSetting(const std::string& name) {
  return std::find(kPipelineSettings.begin(), kPipelineSettings.end(), name) !=
         kPipelineSettings.end();
}

bool IsFinalStatus(const sema::InputDef& input) {
  return !input.type.is_artifact && input.type.param == sema::ParamType::kTaskFinalStatus;
}

}  // namespace

const std::vector<std::string>& PipelineSettingNames() { return kPipelineSettings; }

const std::vector<std::string>& WorkspaceFieldNames() { return kWorkspaceFields; }

std::unique_ptr<sema::Pipeline> DeclarePipeline(Context& context, const ast::Decl& decl,
                                                std::unique_ptr<sema::Component>* as_component) {
  auto pipeline = std::make_unique<sema::Pipeline>();
  pipeline->name = decl.name;
  pipeline->span = decl.span;
  pipeline->name_span = decl.name_span;
  pipeline->description = decl.doc;
  Interface interface = CheckInterface(context, decl);
  pipeline->inputs = interface.inputs;
  pipeline->outputs = interface.outputs;

  auto component = std::make_unique<sema::Component>();
  component->kind = sema::Component::Kind::kPipeline;
  component->name = decl.name;
  component->span = decl.span;
  component->name_span = decl.name_span;
  component->description = decl.doc;
  component->inputs = std::move(interface.inputs);
  component->outputs = std::move(interface.outputs);
  component->pipeline = pipeline.get();
  pipeline->as_component = component.get();
  *as_component = std::move(component);
  return pipeline;
}

void CheckPipelineBody(Context& context, const ast::Decl& decl, sema::Pipeline& pipeline) {
  PipelineChecker(context, decl, pipeline).Run();
}

void PipelineChecker::Run() {
  CollectBindings(decl_.body);
  CheckSettings();
  CheckBody(decl_.body, pipeline_.members);
  ResolveAfter();
  CheckCycles();
  CheckMissingReturns();
}

void PipelineChecker::CollectBindings(const std::vector<ast::Stmt>& body) {
  for (const ast::Stmt& stmt : body) {
    CollectBindings(stmt.body);
    CollectBindings(stmt.finally_body);
    for (const ast::Branch& branch : stmt.branches) CollectBindings(branch.body);
    if (stmt.kind != ast::StmtKind::kTask || stmt.task.binding.empty()) continue;
    const ast::TaskCall& call = stmt.task;
    auto [it, inserted] = bindings_.emplace(call.binding, Binding{call.binding_span});
    if (!inserted) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kDuplicateBinding, call.binding_span,
                                            "task name `" + call.binding + "` is already bound");
      d.labels.push_back({it->second.span, "first bound here"});
      d.help = "give this task another name";
    } else if (const sema::InputDef* input = pipeline_.as_component->FindInput(call.binding)) {
      diag::Diagnostic& d = context_.Report(
          diag::Kind::kDuplicateBinding, call.binding_span,
          "task name `" + call.binding + "` is already the name of an input of pipeline `" +
              pipeline_.name + "`");
      d.labels.push_back({input->span, "input declared here"});
      d.help = "give this task another name";
    }
  }
}

bool PipelineChecker::ReportNotPipelineSetting(const ast::Setting& setting) {
  std::string owner = "pipeline `" + pipeline_.name + "`";
  if (setting.form == ast::Setting::Form::kEnv) {
    ReportEnvOutsideTask(context_, setting, owner);
    return true;
  }
  if (IsPipelineSetting(setting.name)) return false;
  diag::Diagnostic& d = context_.Report(diag::Kind::kUnknownSetting, setting.name_span,
                                        "unknown setting `" + setting.name + "` in " + owner);
  SuggestName(context_, d, setting.name, kPipelineSettings, setting.name_span);
  if (d.help.empty()) d.help = TaskSettingHelp(setting, false);
  if (d.help.empty()) d.help = "the settings of a pipeline are " + JoinNames(kPipelineSettings);
  return true;
}

void PipelineChecker::CheckSettings() {
  SettingMap found;
  for (const ast::Stmt& stmt : decl_.body) {
    if (stmt.kind != ast::StmtKind::kSetting) continue;
    const ast::Setting& setting = stmt.setting;
    if (ReportNotPipelineSetting(setting)) continue;
    auto [it, inserted] = found.emplace(setting.name, &setting);
    if (!inserted) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kDuplicateSetting, setting.name_span,
                                            "setting `" + setting.name + "` is set twice");
      d.labels.push_back({it->second->name_span, "first set here"});
      d.help = "remove one of the two";
      continue;
    }
    if (setting.name == "workspace") {
      CheckWorkspace(setting);
      continue;
    }
    if (setting.name == "name") {
      pipeline_.ir_name = IrNameSetting(context_, setting);
      if (setting.value) pipeline_.ir_name_span = setting.value->span;
      continue;
    }
    std::optional<std::string> value = StringSetting(context_, setting);
    if (!value) continue;
    if (setting.name == "description") pipeline_.description = *value;
    if (setting.name == "display_name") pipeline_.display_name = *value;
    if (setting.name == "pipeline_root") pipeline_.pipeline_root = *value;
    if (setting.name == "target") {
      pipeline_.target = *value;
      pipeline_.target_span = setting.value->span;
    }
  }
}

void PipelineChecker::CheckWorkspace(const ast::Setting& setting) {
  const std::string example = "workspace { size = \"10Gi\" }";
  std::optional<SettingMap> fields = k8s::ReadBlock(context_, setting, kWorkspaceFields, example);
  if (!fields || !k8s::Require(context_, *fields, setting, "size", "write `" + example + "`")) {
    return;
  }
  sema::Pipeline::Workspace workspace;
  workspace.span = setting.name_span;
  std::optional<std::string> size =
      k8s::StorageSizeSetting(context_, *fields->at("size"), "workspace size");
  bool ok = size.has_value();
  if (fields->count("access_modes")) {
    std::optional<std::vector<std::string>> modes =
        k8s::AccessModesSetting(context_, *fields->at("access_modes"));
    if (modes) workspace.access_modes = std::move(*modes);
    ok = ok && modes;
  }
  if (fields->count("storage_class_name")) {
    const ast::Setting& klass = *fields->at("storage_class_name");
    std::optional<std::string> name = StringSetting(context_, klass);
    if (name && name->empty()) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidValue, klass.value->span,
                                            "a workspace needs a storage class name");
      d.notes.push_back(
          "the KFP backend refuses to start a run whose workspace claim has an "
          "empty storage class name");
      d.help =
          "name a storage class, or remove `storage_class_name` to use the class that the "
          "KFP API server sets for workspaces";
      name.reset();
    } else if (name && !k8s::CheckText(context_, k8s::Rule::kDnsSubdomain, *name, klass.value->span,
                                       "storage class name")) {
      name.reset();
    }
    workspace.storage_class_name = name;
    ok = ok && workspace.storage_class_name;
  }
  if (!ok) return;
  workspace.size = *size;
  pipeline_.workspace = std::move(workspace);
}

void PipelineChecker::CheckBody(const std::vector<ast::Stmt>& body, std::vector<Member>& members) {
  for (const ast::Stmt& stmt : body) {
    switch (stmt.kind) {
      case ast::StmtKind::kTask:
        CheckTask(stmt.task, stmt.span, members);
        break;
      case ast::StmtKind::kSetting:
        // Inside `if`, `for` or `try`, a name that is not a pipeline setting gets the message it
        // gets at the top level.
        if (group_ && !ReportNotPipelineSetting(stmt.setting)) {
          context_.Report(diag::Kind::kInvalidControlFlow, stmt.setting.span,
                          "pipeline settings cannot appear inside `if`, `for` or `try`")
              .help = "move `" + stmt.setting.name + " = ...` to the top level of the pipeline";
        }
        break;
      case ast::StmtKind::kReturn:
        CheckReturn(stmt);
        break;
      case ast::StmtKind::kIf:
        CheckIf(stmt, members);
        break;
      case ast::StmtKind::kFor:
        CheckFor(stmt, members);
        break;
      case ast::StmtKind::kTry:
        CheckTry(stmt, members);
        break;
    }
  }
}

const sema::Component* PipelineChecker::ResolveCallee(const ast::TaskCall& call) {
  const Symbol* found = context_.Find(call.callee);
  if (!found) {
    if (const sema::Component* builtin = KubernetesComponent(call.callee)) return builtin;
    std::string closest = ClosestKnownName(context_, call.callee, [&] {
      std::vector<std::string> names;
      for (const auto& [name, symbol] : context_.symbols) {
        if (symbol.decl->kind != ast::DeclKind::kArtifact) names.push_back(name);
      }
      for (const auto& [name, symbol] : context_.pipelines) names.push_back(name);
      return names;
    });
    if (context_.import_failed && closest.empty()) {
      context_.dropped.Report(diag::Kind::kUnknownComponent, call.callee_span, call.callee);
      return nullptr;
    }
    diag::Diagnostic& d = context_.Report(diag::Kind::kUnknownComponent, call.callee_span,
                                          "unknown component `" + call.callee + "`");
    SuggestClosest(context_, d, call.callee, closest, call.callee_span);
    if (d.help.empty()) d.help = "declare `" + call.callee + "` or import the file that declares it";
    return nullptr;
  }
  const Symbol& symbol = *found;
  if (symbol.decl->kind == ast::DeclKind::kArtifact) {
    context_.Report(diag::Kind::kUnknownComponent, call.callee_span,
                    "`" + call.callee + "` is an artifact type, not a component")
        .help = "call a component or a pipeline";
    return nullptr;
  }
  if (symbol.pipeline == &pipeline_) {
    context_.Report(diag::Kind::kRecursivePipeline, call.callee_span,
                    "pipeline `" + pipeline_.name + "` calls itself")
        .help = "call another pipeline or a component, because a pipeline cannot contain itself";
    return nullptr;
  }
  return symbol.valid ? symbol.component : nullptr;
}

sema::Task* PipelineChecker::CheckTask(const ast::TaskCall& call, diag::Span span,
                                       std::vector<Member>& members) {
  Binding* binding = call.binding.empty() ? nullptr : &bindings_.at(call.binding);
  // Only the first task bound to a name owns the binding.
  if (binding && binding->span != call.binding_span) binding = nullptr;
  checking_ = binding;
  struct Reset {
    const Binding*& checking;
    ~Reset() { checking = nullptr; }
  } reset{checking_};
  std::vector<sema::Argument> importer_arguments;
  const sema::Component* component =
      IsImporterCall(call) ? CheckImporter(call, importer_arguments) : ResolveCallee(call);
  if (!component) {
    if (binding) binding->broken = true, binding->defined = true;
    return nullptr;
  }
  auto owned = std::make_unique<sema::Task>();
  sema::Task& task = *owned;
  pipeline_.tasks.push_back(std::move(owned));
  task.component = component;
  task.binding = call.binding;
  task.span = span;
  task.parent = group_;
  std::vector<const sema::InputDef*> unset_status;
  if (component->kind == sema::Component::Kind::kImporter) {
    task.arguments = std::move(importer_arguments);
  } else {
    unset_status = CheckArguments(call, task);
  }
  CheckTaskSettings(call, task);
  if (task.ignore_upstream_failure) CheckInputsSurviveFailure(task);
  CheckFinalStatusInputs(task, call.callee_span, unset_status);
  if (binding) {
    binding->task = &task;
    binding->defined = true;
  }
  members.push_back(&task);
  return &task;
}

std::vector<const sema::InputDef*> PipelineChecker::CheckArguments(const ast::TaskCall& call,
                                                                   sema::Task& task) {
  const sema::Component& component = *task.component;
  std::map<std::string, diag::Span> given;
  std::set<std::string> misspelt_for;
  // Unknown arguments past the limit of "did you mean" searches. Each is still matched below with
  // the component's inputs, without a help, so that a misspelt input gives the same errors before
  // and after the limit.
  std::vector<std::string> unsearched;
  bool has_positional = false;
  std::set<std::string> passed;
  for (const ast::Argument& arg : call.args) passed.insert(arg.name);
  for (const ast::Argument& arg : call.args) {
    if (arg.name.empty()) {
      has_positional = true;
      context_.Report(diag::Kind::kPositionalArgument, arg.span, "task arguments must be named")
          .help = "write `input_name = value`";
      continue;
    }
    auto [it, inserted] = given.emplace(arg.name, arg.name_span);
    if (!inserted) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kDuplicateArgument, arg.name_span,
                                            "argument `" + arg.name + "` is passed twice");
      d.labels.push_back({it->second, "first passed here"});
      d.help = "remove one of the two";
      continue;
    }
    const sema::InputDef* input = component.FindInput(arg.name);
    if (input && !arg.value) continue;  // the parser reported the missing value
    if (!input) {
      if (context_.broken_inputs.count(component.name + "." + arg.name)) continue;
      diag::Diagnostic& d = context_.ReportInterfaceMismatch(
          component.span, diag::Kind::kUnknownArgument, arg.name_span,
          "`" + component.name + "` has no input `" + arg.name + "`");
      // An input that is passed already is no fix: suggesting it would make a duplicate.
      auto input_names = [&] {
        std::vector<std::string> names;
        for (const sema::InputDef& candidate : component.inputs) {
          if (!passed.count(candidate.name)) names.push_back(candidate.name);
        }
        return names;
      };
      if (context_.suggestions_left == 0) unsearched.push_back(arg.name);
      std::string closest = ClosestKnownName(context_, arg.name, input_names);
      // The misspelt argument was meant for `closest`, so that input is not reported missing.
      if (!closest.empty()) misspelt_for.insert(closest);
      SuggestClosest(context_, d, arg.name, closest, arg.name_span);
      if (d.help.empty()) {
        std::vector<std::string> passed_inputs;
        for (const sema::InputDef& candidate : component.inputs) {
          if (passed.count(candidate.name)) passed_inputs.push_back(candidate.name);
        }
        std::string meant = diag::ClosestName(arg.name, passed_inputs);
        if (!meant.empty()) d.help = "remove `" + arg.name + "`: `" + meant + "` is passed already";
      }
      if (d.help.empty()) {
        d.help = component.inputs.empty() ? "`" + component.name + "` takes no inputs"
                                          : "the inputs of `" + component.name + "` are " +
                                                JoinEntryNames(component.inputs);
      }
      continue;
    }
    in_argument_ = true;
    std::optional<Value> value =
        CheckValue(*arg.value, &input->type, "argument `" + arg.name + "`");
    in_argument_ = false;
    if (value) task.arguments.push_back({arg.name, arg.span, std::move(value->ref)});
  }
  auto [checked, first_call] = context_.checked_inputs.try_emplace(&component);
  if (first_call) {
    for (const sema::InputDef& input : component.inputs) {
      if (!input.optional || IsFinalStatus(input)) checked->second.push_back(&input);
    }
  }
  bool misspelling_unknown = false;
  if (!unsearched.empty()) {
    std::vector<std::string> missing;
    for (const sema::InputDef* input : checked->second) {
      if (!input->optional && !IsFinalStatus(*input) && !given.count(input->name) &&
          !misspelt_for.count(input->name)) {
        missing.push_back(input->name);
      }
    }
    // Each unknown argument is compared with every input, as before the limit, while that costs
    // at most this many comparisons. Past them the call reports no missing argument at all
    // rather than take time quadratic in the size of the call.
    constexpr size_t kMaxComparedPairs = 4096;
    if (unsearched.size() * component.inputs.size() <= kMaxComparedPairs) {
      std::vector<std::string> names;
      for (const sema::InputDef& input : component.inputs) {
        if (!passed.count(input.name)) names.push_back(input.name);
      }
      for (const std::string& name : unsearched) {
        std::string closest = diag::ClosestName(name, names);
        if (!closest.empty()) misspelt_for.insert(closest);
      }
    } else if (!missing.empty()) {
      misspelling_unknown = true;
    }
  }
  std::vector<const sema::InputDef*> unset_status;
  for (const sema::InputDef* checked_input : checked->second) {
    const sema::InputDef& input = *checked_input;
    if (given.count(input.name) || misspelt_for.count(input.name)) continue;
    if (IsFinalStatus(input)) {
      if (exit_group_) {
        sema::ValueRef status;
        status.kind = sema::ValueRef::Kind::kTaskFinalStatus;
        status.type = input.type;
        status.span = call.callee_span;
        task.arguments.push_back({input.name, call.callee_span, std::move(status)});
      } else {
        unset_status.push_back(&input);
      }
      continue;
    }
    // A positional argument was meant for some input; its own message is enough.
    if (input.optional || has_positional || misspelling_unknown) continue;
    diag::Diagnostic& d = context_.ReportInterfaceMismatch(
        component.span, diag::Kind::kMissingArgument, call.callee_span,
        "missing argument `" + input.name + "` for `" + component.name + "`");
    d.labels.push_back({input.span, "`" + input.name + "` declared here"});
    d.help = "pass `" + input.name + " = ...` with a value of type `" + input.type.ToString() + "`";
  }
  return unset_status;
}

namespace {

// The task whose output `value` reads, directly or in its pieces, or null when it reads none.
const sema::Task* ProducerOf(const sema::ValueRef& value) {
  if (value.kind == sema::ValueRef::Kind::kTaskOutput) return value.task;
  for (const sema::ValueRef& piece : value.alternatives) {
    if (const sema::Task* task = ProducerOf(piece)) return task;
  }
  return nullptr;
}

}  // namespace

void PipelineChecker::CheckInputsSurviveFailure(const sema::Task& task) {
  // The SDK's ignore_upstream_failure() raises the same error: when the producer fails, its output
  // does not exist, and an input without a default cannot be filled, so the task does not start.
  for (const sema::Argument& argument : task.arguments) {
    const sema::InputDef* input = task.component->FindInput(argument.input_name);
    const sema::Task* producer = ProducerOf(argument.value);
    if (input == nullptr || input->optional || producer == nullptr) continue;
    std::string producer_name =
        producer->binding.empty() ? producer->component->name : producer->binding;
    diag::Diagnostic& d =
        context_.Report(diag::Kind::kInvalidDependency,
                        argument.value.span.valid() ? argument.value.span : argument.span,
                        "input `" + argument.input_name + "` reads an output of `" + producer_name +
                            "`, but a task that ignores upstream failures runs also when `" +
                            producer_name + "` fails");
    d.labels.push_back({input->span, "`" + input->name + "` has no default"});
    d.notes.push_back(
        "then the output does not exist, and the task cannot start without a value "
        "for `" +
        input->name + "`");
    d.help = "give `" + input->name + "` a default value in `" + task.component->name +
             "`, as the KFP SDK requires of such a task";
  }
}

void PipelineChecker::CheckFinalStatusInputs(const sema::Task& task, diag::Span span,
                                             const std::vector<const sema::InputDef*>& unset) {
  // A task that ignores upstream failures may read the status, as in the KFP SDK.
  if (task.ignore_upstream_failure) return;
  for (const sema::InputDef* input : unset) {
    diag::Diagnostic& d = context_.Report(
        diag::Kind::kInvalidControlFlow, span,
        "input `" + input->name + "` of `" + task.component->name +
            "` has type PipelineTaskFinalStatus, which only a `finally` task receives");
    d.labels.push_back({input->span, "`" + input->name + "` declared here"});
    d.help = "call `" + task.component->name +
             "` in the `finally` block of a `try`, or set `ignore_upstream_failure = true`";
  }
}

void PipelineChecker::CheckReturn(const ast::Stmt& stmt) {
  if (group_) {
    context_.Report(diag::Kind::kInvalidControlFlow, stmt.span,
                    "`return` cannot appear inside `if`, `for` or `try`")
        .help = "return at the top level of the pipeline, and read outputs of tasks in groups with "
                "`one_of(...)` or `collect(...)`";
    return;
  }
  std::string name = stmt.output_name;
  diag::Span name_span = stmt.output_name.empty() ? stmt.span : stmt.output_name_span;
  if (name.empty()) {
    if (!decl_.single_output) {
      context_.Report(diag::Kind::kInvalidReturn, stmt.span,
                      pipeline_.outputs.empty()
                          ? "pipeline `" + pipeline_.name + "` declares no outputs"
                          : "`return value` needs a pipeline declared with one output `-> Type`")
          .help = pipeline_.outputs.empty() ? "declare an output: `-> (name: Type)`"
                                            : "name the output: `return name = value`";
      return;
    }
    name = "Output";
  }
  const sema::OutputDef* output = pipeline_.as_component->FindOutput(name);
  if (!output) {
    diag::Diagnostic& d = context_.Report(
        diag::Kind::kInvalidReturn, name_span,
        "pipeline `" + pipeline_.name + "` has no output `" + name + "`");
    auto output_names = [&] {
      std::vector<std::string> names;
      for (const sema::OutputDef& candidate : pipeline_.outputs) names.push_back(candidate.name);
      return names;
    };
    SuggestName(context_, d, name, output_names, name_span);
    if (d.help.empty()) d.help = "declare it in the outputs: `-> (" + name + ": Type)`";
    misnamed_return_ = true;
    return;
  }
  auto [it, inserted] = returned_.emplace(name, &stmt);
  if (!inserted) {
    diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidReturn, name_span,
                                          "output `" + name + "` is returned twice");
    d.labels.push_back({it->second->span, "first returned here"});
    d.help = "remove one of the two";
    return;
  }
  if (!stmt.value) return;
  in_return_ = true;
  std::optional<Value> value = CheckValue(*stmt.value, &output->type, "output `" + name + "`");
  in_return_ = false;
  if (!value) return;
  using Kind = sema::ValueRef::Kind;
  if (value->ref.kind != Kind::kTaskOutput && value->ref.kind != Kind::kCollected &&
      value->ref.kind != Kind::kOneOf) {
    context_.Report(diag::Kind::kInvalidReturn, stmt.value->span,
                    "output `" + name + "` must come from a task output")
        .help = "return an output of a task, such as `task.output`";
    return;
  }
  pipeline_.returns.push_back({name, stmt.span, std::move(value->ref)});
}

void PipelineChecker::CheckMissingReturns() {
  // A misspelled output name was reported; the output it meant would be reported again here.
  if (misnamed_return_) return;
  for (const sema::OutputDef& output : pipeline_.outputs) {
    if (returned_.count(output.name)) continue;
    context_.Report(diag::Kind::kMissingReturn, decl_.name_span,
                    "pipeline `" + pipeline_.name + "` does not return output `" + output.name + "`")
        .help = output.name == "Output" && decl_.single_output
                    ? "add `return task.output` to the pipeline"
                    : "add `return " + output.name + " = task.output` to the pipeline";
  }
}

}  // namespace kfpc::check
