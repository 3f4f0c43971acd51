// The Kubernetes settings of a task block: the dispatch to each setting's check, and the checks
// of scheduling, pod metadata, image, timeout and security settings. Besides each field, this
// checks the rules that the API server applies to combinations of fields, such as a toleration
// without a key. A mistake is then reported when the pipeline is compiled, not when the pod is
// created.

#include "compiler/check/kubernetes_settings.h"

#include <algorithm>
#include <map>
#include <set>

#include "compiler/check/kubernetes_checker.h"
#include "compiler/check/types.h"

namespace kfpc::check {

namespace k8s {

namespace {

const std::vector<std::string> kTolerationOperators = {"Equal", "Exists"};
const std::vector<std::string> kTaintEffects = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
const std::vector<std::string> kAffinityOperators = {"In",           "NotIn", "Exists",
                                                     "DoesNotExist", "Gt",    "Lt"};
const std::vector<std::string> kPullPolicies = {"Always", "Never", "IfNotPresent"};

}  // namespace

void Checker::LabelMap(const ast::Setting& setting, const std::string& key_what,
                       bool label_values, std::map<std::string, std::string>& out) {
  std::optional<Rule> value_rule;
  if (label_values) value_rule = Rule::kLabelValue;
  auto entries = StringMapSetting(context_, setting, Rule::kLabelKey, key_what, value_rule,
                                  "label value");
  if (!entries) return;
  for (const MapEntry& entry : *entries) out[entry.key] = entry.value;
}

std::optional<sema::ValueRef> Checker::RuntimeName(const ast::Expr& expr, Rule rule,
                                                   const std::string& what) {
  std::optional<sema::ValueRef> ref =
      check_value_(expr, ParamTypeOf(sema::ParamType::kString), "the " + what);
  if (!ref) return std::nullopt;
  using Kind = sema::ValueRef::Kind;
  switch (ref->kind) {
    case Kind::kConstant: {
      const std::string& text = std::get<std::string>(ref->constant.value);
      if (!CheckText(context_, rule, text, expr.span, what)) return std::nullopt;
      return ref;
    }
    case Kind::kPipelineInput:
    case Kind::kTaskOutput:
    case Kind::kLoopItem:
      return ref;
    case Kind::kRunPlaceholder: {
      // The driver fills in the placeholders of the run and the task where it reads a name
      // (resolveInputParameter in its resolve.go). It keeps the others as written, so they
      // would name an object `{{$.pipeline_root}}`, and the workspace path is no name.
      static const std::set<std::string> kFilled = {"job_name", "job_resource_name", "job_id",
                                                    "task_name", "task_id"};
      if (kFilled.count(ref->name) != 0) return ref;
      diag::Diagnostic& d = context_.Report(
          diag::Kind::kInvalidKubernetesValue, expr.span,
          "`run." + ref->name + "` cannot be the " + what +
              (ref->name == "workspace_path" ? ": it is a path, not a name"
                                             : ": the KFP backend does not fill it in there"));
      d.help =
          "pass a constant, a pipeline input, a task output, a loop item, or one of "
          "`run.job_name`, `run.job_resource_name`, `run.job_id`, `run.task_name` and "
          "`run.task_id`";
      return std::nullopt;
    }
    default:
      context_
          .Report(diag::Kind::kInvalidKubernetesValue, expr.span,
                  DescribeExpr(expr) + " cannot be used as the " + what)
          .help = ref->kind == sema::ValueRef::Kind::kInterpolation
                      ? "the backend reads the name as one value: pass the whole name as a "
                        "pipeline input or a task output"
                      : "pass a constant, a pipeline input, a task output or a loop item";
      return std::nullopt;
  }
}

void Checker::ImagePullPolicy(const ast::Setting& setting) {
  out_.image_pull_policy = EnumSetting(context_, setting, kPullPolicies, "image pull policy");
}

void Checker::PodLabels(const ast::Setting& setting) {
  LabelMap(setting, "label key", true, out_.pod_labels);
}

void Checker::PodAnnotations(const ast::Setting& setting) {
  auto entries = StringMapSetting(context_, setting, Rule::kLabelKey, "annotation key",
                                  std::nullopt, "label value");
  if (!entries) return;
  for (const MapEntry& entry : *entries) {
    // The cache key pass writes each targeted task's key there, over the value written here.
    if (entry.key == "kfpc.dev/cache-key") {
      context_
          .Report(diag::Kind::kInvalidKubernetesValue, entry.key_span,
                  "the annotation `kfpc.dev/cache-key` is kfpc's own")
          .help = "remove it: kfpc writes each targeted task's cache key there";
      continue;
    }
    out_.pod_annotations[entry.key] = entry.value;
  }
}

void Checker::NodeSelector(const ast::Setting& setting) {
  const ast::Expr* value = AssignedValue(context_, setting);
  if (!value) return;
  if (value->kind != ast::ExprKind::kMap) {
    // A dict read when the task runs (add_node_selector_json).
    out_.node_selector_json =
        check_value_(*value, ParamTypeOf(sema::ParamType::kDict), "`node_selector`");
    return;
  }
  LabelMap(setting, "node label key", true, out_.node_selector);
}

void Checker::Toleration(const ast::Setting& setting) {
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields("toleration"),
                          "toleration { key = \"gpu\"  operator = \"Exists\"  effect = "
                          "\"NoSchedule\" }");
  if (!fields) return;
  Settings::Toleration toleration;
  bool ok = true;
  for (const auto& [name, field] : *fields) {
    if (name == "seconds") {
      toleration.seconds = IntSetting(context_, *field);
      ok = ok && toleration.seconds;
      continue;
    }
    std::optional<std::string> text;
    if (name == "key") {
      text = RuleSetting(context_, *field, Rule::kLabelKey, "toleration key");
      toleration.key = text.value_or("");
    } else if (name == "operator") {
      text = EnumSetting(context_, *field, kTolerationOperators, "toleration operator");
      toleration.op = text.value_or("");
    } else if (name == "value") {
      text = RuleSetting(context_, *field, Rule::kLabelValue, "toleration value");
      toleration.value = text.value_or("");
    } else {
      text = EnumSetting(context_, *field, kTaintEffects, "taint effect");
      toleration.effect = text.value_or("");
    }
    ok = ok && text;
  }
  if (!ok) return;
  // The rules of the API server's ValidateTolerations.
  if (toleration.key.empty() && toleration.op != "Exists") {
    context_.Report(diag::Kind::kInvalidKubernetesValue, setting.name_span,
                    "a toleration without `key` must have `operator = \"Exists\"`")
        .help = "set `key` to the taint's key, or write `operator = \"Exists\"` to tolerate "
                "every taint";
    return;
  }
  if (toleration.op == "Exists" && !toleration.value.empty()) {
    context_.Report(diag::Kind::kInvalidKubernetesValue, fields->at("value")->value->span,
                    "a toleration with `operator = \"Exists\"` has no `value`")
        .help = "remove `value`, or write `operator = \"Equal\"` to match it";
    return;
  }
  if (toleration.seconds && toleration.effect != "NoExecute") {
    context_.Report(diag::Kind::kInvalidKubernetesValue, fields->at("seconds")->value->span,
                    "`seconds` needs `effect = \"NoExecute\"`")
        .help = "remove `seconds`, because only a `NoExecute` taint evicts a running pod";
    return;
  }
  out_.tolerations.push_back(std::move(toleration));
}

std::optional<Settings::SelectorRequirement> Checker::Requirement(
    const ast::Setting& setting, bool is_field) {
  std::string example = is_field
      ? "match_field { key = \"metadata.name\"  operator = \"In\"  values = [\"node-1\"] }"
      : "match_expression { key = \"zone\"  operator = \"In\"  values = [\"us-west-1\"] }";
  std::string path = "node_affinity." + setting.name;
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields(path), example);
  if (!fields) return std::nullopt;
  bool ok = Require(context_, *fields, setting, "key", "write `" + example + "`");
  ok = Require(context_, *fields, setting, "operator", "write `" + example + "`") && ok;
  if (!ok) return std::nullopt;
  Settings::SelectorRequirement requirement;
  std::optional<std::string> key =
      is_field ? EnumSetting(context_, *fields->at("key"), {"metadata.name"}, "node field")
               : RuleSetting(context_, *fields->at("key"), Rule::kLabelKey, "node label key");
  std::optional<std::string> op = EnumSetting(
      context_, *fields->at("operator"),
      is_field ? std::vector<std::string>{"In", "NotIn"} : kAffinityOperators,
      "node selector operator");
  std::optional<std::vector<std::string>> values = std::vector<std::string>{};
  if (fields->count("values")) values = StringListSetting(context_, *fields->at("values"));
  if (!key || !op || !values) return std::nullopt;
  requirement.key = *key;
  requirement.op = *op;
  requirement.values = *values;

  // The rules of the API server's ValidateNodeSelectorRequirement.
  std::string problem, help;
  // A scan, not std::regex: libstdc++'s matcher recurses once per character and overflowed the
  // stack on a value of 100,000 digits.
  auto is_integer = [](const std::string& text) {
    size_t digits = !text.empty() && text.front() == '-' ? 1 : 0;
    return digits < text.size() && text.find_first_not_of("0123456789", digits) == std::string::npos;
  };
  if ((*op == "In" || *op == "NotIn") && values->empty()) {
    problem = "needs at least one value";
    help = "list the values to match, such as `values = [\"" +
           std::string(is_field ? "node-1" : "us-west-1") + "\"]`";
  } else if ((*op == "Exists" || *op == "DoesNotExist") && !values->empty()) {
    problem = "takes no values";
    help = "remove `values`, or use the operator `In` to match them";
  } else if ((*op == "Gt" || *op == "Lt") &&
             (values->size() != 1 || !is_integer(values->front()))) {
    problem = "takes one integer value";
    help = "write the number as a string, such as `values = [\"8\"]`";
  } else if (is_field && values->size() != 1) {
    problem = "of a `match_field` takes one node name";
    help = "write one rule for each node, such as `values = [\"node-1\"]`";
  }
  if (!problem.empty()) {
    diag::Span span = fields->count("values") ? fields->at("values")->value->span
                                              : fields->at("operator")->value->span;
    context_.Report(diag::Kind::kInvalidKubernetesValue, span, "operator `" + *op + "` " + problem)
        .help = help;
    return std::nullopt;
  }
  return requirement;
}

void Checker::NodeAffinity(const ast::Setting& setting) {
  auto fields = ReadBlock(
      context_, setting, *KubernetesBlockFields("node_affinity"),
      "node_affinity { match_expression { key = \"zone\"  operator = \"In\"  values = [\"a\"] } }",
      {"match_expression", "match_field"});
  if (!fields) return;
  Settings::NodeAffinity affinity;
  bool ok = true;
  for (const ast::Setting& child : setting.children) {
    if (child.name != "match_expression" && child.name != "match_field") continue;
    bool is_field = child.name == "match_field";
    std::optional<Settings::SelectorRequirement> requirement = Requirement(child, is_field);
    if (!requirement) {
      ok = false;
      continue;
    }
    (is_field ? affinity.match_fields : affinity.match_expressions).push_back(*requirement);
  }
  if (fields->count("weight")) {
    affinity.weight = IntSetting(context_, *fields->at("weight"));
    if (!affinity.weight) return;
    if (*affinity.weight < 1 || *affinity.weight > 100) {
      context_.Report(diag::Kind::kInvalidKubernetesValue, fields->at("weight")->value->span,
                      "invalid node affinity weight `" + std::to_string(*affinity.weight) + "`")
          .help = "write a weight from 1 to 100";
      return;
    }
  }
  if (!ok) return;
  if (affinity.match_expressions.empty() && affinity.match_fields.empty()) {
    context_.Report(diag::Kind::kMissingSetting, setting.name_span,
                    "`node_affinity` has no `match_expression` or `match_field`")
        .help = "add a rule: `match_expression { key = \"zone\"  operator = \"In\"  values = "
                "[\"a\"] }`";
    return;
  }
  out_.node_affinity.push_back(std::move(affinity));
}

void Checker::ImagePullSecrets(const ast::Setting& setting) {
  const ast::Expr* value = AssignedValue(context_, setting);
  if (!value) return;
  if (value->kind != ast::ExprKind::kList) {
    context_.Report(diag::Kind::kTypeMismatch, value->span,
                    "setting `image_pull_secrets` expects a list of Secret names, found " +
                        DescribeExpr(*value))
        .help = "write `image_pull_secrets = [\"registry-credentials\"]`";
    return;
  }
  for (const ast::ExprPtr& item : value->items) {
    std::optional<sema::ValueRef> ref = RuntimeName(*item, Rule::kDnsSubdomain, "Secret name");
    if (ref) out_.image_pull_secrets.push_back(std::move(*ref));
  }
}

namespace {

// Returns the help for a timeout that is not an integer, with a duration such as "1h" in seconds.
std::string TimeoutHelp(const ast::Setting& setting) {
  const ast::Expr* value = setting.value.get();
  std::string text = value && value->kind == ast::ExprKind::kString && IsConstant(*value)
                         ? StringValue(*value)
                         : "";
  size_t digits = text.find_first_not_of("0123456789");
  if (digits > 0 && digits != std::string::npos && digits + 1 == text.size() && digits <= 9) {
    int64_t factor = 0;
    switch (text.back()) {
      case 's': factor = 1; break;
      case 'm': factor = 60; break;
      case 'h': factor = 3600; break;
      case 'd': factor = 86400; break;
    }
    if (factor > 0) {
      return "write the timeout in seconds: `timeout = " +
             std::to_string(std::stoll(text.substr(0, digits)) * factor) + "` for `" + text + "`";
    }
  }
  return "write a whole number of seconds, such as `timeout = 3600` for one hour";
}

}  // namespace

void Checker::Timeout(const ast::Setting& setting) {
  std::optional<int64_t> seconds = IntSetting(context_, setting, TimeoutHelp(setting));
  if (!seconds) return;
  if (*seconds <= 0) {
    context_.Report(diag::Kind::kInvalidKubernetesValue, setting.value->span,
                    "invalid timeout `" + std::to_string(*seconds) + "`")
        .help = "write a positive number of seconds, such as `timeout = 3600`";
    return;
  }
  out_.timeout_seconds = seconds;
}

void Checker::SecurityContext(const ast::Setting& setting) {
  const std::string example = "security_context { run_as_user = 1000  run_as_non_root = true }";
  auto fields = ReadBlock(context_, setting, *KubernetesBlockFields("security_context"), example);
  if (!fields) return;
  if (fields->empty()) {
    context_.Report(diag::Kind::kMissingSetting, setting.name_span,
                    "`security_context` has no `run_as_user`, `run_as_group` or `run_as_non_root`")
        .help = "write `" + example + "`";
    return;
  }
  Settings::SecurityContext security;
  bool ok = true;
  for (const auto& [name, field] : *fields) {
    if (name == "run_as_non_root") {
      security.run_as_non_root = BoolSetting(context_, *field);
      ok = ok && security.run_as_non_root;
      continue;
    }
    std::optional<int64_t> id = IntSetting(context_, *field);
    // Kubernetes validates user and group IDs as 0 to 2147483647 (IsValidUserID).
    if (id && (*id < 0 || *id > 2147483647)) {
      context_
          .Report(diag::Kind::kInvalidKubernetesValue, field->value->span,
                  "invalid ID `" + std::to_string(*id) + "` for `" + name + "`")
          .help = "write a user or group ID from 0 to 2147483647";
      id.reset();
    }
    (name == "run_as_user" ? security.run_as_user : security.run_as_group) = id;
    ok = ok && id;
  }
  if (ok) out_.security_context = security;
}

}  // namespace k8s

namespace {

struct Handler {
  const char* name;
  bool repeatable;
  void (k8s::Checker::*check)(const ast::Setting&);
};

const Handler kHandlers[] = {
    {"node_selector", false, &k8s::Checker::NodeSelector},
    {"toleration", true, &k8s::Checker::Toleration},
    {"node_affinity", true, &k8s::Checker::NodeAffinity},
    {"secret_env", true, &k8s::Checker::SecretEnv},
    {"secret_volume", true, &k8s::Checker::SecretVolume},
    {"config_map_env", true, &k8s::Checker::ConfigMapEnv},
    {"config_map_volume", true, &k8s::Checker::ConfigMapVolume},
    {"pvc_mount", true, &k8s::Checker::PvcMount},
    {"empty_dir_mount", true, &k8s::Checker::EmptyDirMount},
    {"ephemeral_volume", true, &k8s::Checker::EphemeralVolume},
    {"field_path_env", true, &k8s::Checker::FieldPathEnv},
    {"image_pull_secrets", false, &k8s::Checker::ImagePullSecrets},
    {"image_pull_policy", false, &k8s::Checker::ImagePullPolicy},
    {"pod_labels", false, &k8s::Checker::PodLabels},
    {"pod_annotations", false, &k8s::Checker::PodAnnotations},
    {"timeout", false, &k8s::Checker::Timeout},
    {"security_context", false, &k8s::Checker::SecurityContext},
    {"init_container", true, &k8s::Checker::InitContainer},
};

const Handler* FindHandler(const std::string& name) {
  for (const Handler& handler : kHandlers) {
    if (name == handler.name) return &handler;
  }
  return nullptr;
}

std::vector<std::string> HandlerNames(bool repeatable_only) {
  std::vector<std::string> names;
  for (const Handler& handler : kHandlers) {
    if (handler.repeatable || !repeatable_only) names.push_back(handler.name);
  }
  return names;
}

}  // namespace

const std::vector<std::string>& KubernetesSettingNames() {
  static const std::vector<std::string> kNames = HandlerNames(false);
  return kNames;
}

const std::vector<std::string>& RepeatableKubernetesSettings() {
  static const std::vector<std::string> kNames = HandlerNames(true);
  return kNames;
}

const std::vector<std::string>* KubernetesBlockFields(std::string_view path) {
  // Completion offers each list in its order here. A field whose value is a map, such as `env`
  // of `init_container`, is not a block and has no entry.
  static const std::map<std::string, std::vector<std::string>, std::less<>> kFields = {
      {"toleration", {"key", "operator", "value", "effect", "seconds"}},
      {"node_affinity", {"match_expression", "match_field", "weight"}},
      {"node_affinity.match_expression", {"key", "operator", "values"}},
      {"node_affinity.match_field", {"key", "operator", "values"}},
      {"secret_env", {"secret", "keys", "optional"}},
      {"secret_volume", {"secret", "mount_path", "optional"}},
      {"config_map_env", {"config_map", "keys", "optional"}},
      {"config_map_volume", {"config_map", "mount_path", "optional"}},
      {"pvc_mount", {"pvc", "mount_path", "sub_path"}},
      {"empty_dir_mount", {"volume_name", "mount_path", "medium", "size_limit"}},
      {"ephemeral_volume",
       {"volume_name", "mount_path", "access_modes", "size", "storage_class_name", "labels",
        "annotations"}},
      {"field_path_env", {"name", "field_path"}},
      {"security_context", {"run_as_user", "run_as_group", "run_as_non_root"}},
      {"init_container",
       {"name", "image", "command", "args", "env", "volume_mounts", "restart_policy",
        "resource_requests", "resource_limits"}},
  };
  auto found = kFields.find(path);
  return found == kFields.end() ? nullptr : &found->second;
}

void CheckKubernetesSettings(Context& context, const SettingMap& settings,
                             const std::vector<ast::Setting>& block,
                             const RuntimeValueChecker& check_value, sema::Task& task) {
  k8s::Checker checker(context, check_value, task.kubernetes);
  const sema::Component& component = *task.component;
  bool runs_container = component.kind == sema::Component::Kind::kContainer ||
                        component.kind == sema::Component::Kind::kPython;
  for (const ast::Setting& setting : block) {
    const Handler* handler = FindHandler(setting.name);
    if (handler == nullptr || setting.form == ast::Setting::Form::kEnv) continue;
    // Of a setting written twice, CollectSettings reported the second and indexed the first.
    auto indexed = settings.find(setting.name);
    if (!handler->repeatable && (indexed == settings.end() || indexed->second != &setting)) {
      continue;
    }
    if (!runs_container) {
      bool is_pipeline = component.kind == sema::Component::Kind::kPipeline;
      context.Report(diag::Kind::kKubernetesNeedsContainer, setting.name_span,
                     "Kubernetes setting `" + setting.name +
                         "` needs a task that runs a container, but " +
                         (is_pipeline ? "`" + component.name + "` is a pipeline"
                                      : std::string("an importer runs none")))
          .help = is_pipeline ? "set `" + setting.name + "` on the tasks inside pipeline `" +
                                    component.name + "`"
                              : "remove `" + setting.name + "` from the importer task";
      return;
    }
    (checker.*handler->check)(setting);
  }
}

}  // namespace kfpc::check
