// Settings in the block after a task call: resources, environment, caching, retries and
// explicit dependencies.

#include "compiler/check/task_settings.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>
#include <utility>

#include "compiler/check/kubernetes_settings.h"
#include "compiler/check/pipeline_checker.h"
#include "compiler/check/settings.h"
#include "compiler/check/types.h"

namespace kfpc::check {

namespace {

const std::vector<std::string> kTaskSettings = {
    "display_name",     "cpu_request",    "cpu_limit",        "memory_request",
    "memory_limit",     "accelerator_type", "accelerator_count", "cache",
    "retry",            "after",          "ignore_upstream_failure",
    "target",           "cache_salt"};
// The settings above and the Kubernetes ones, which kubernetes_settings.cc checks.
const std::vector<std::string> kAllTaskSettings = [] {
  std::vector<std::string> names = kTaskSettings;
  names.insert(names.end(), KubernetesSettingNames().begin(), KubernetesSettingNames().end());
  return names;
}();
const std::vector<std::string> kRetrySettings = {"max", "backoff", "factor", "max_backoff"};

constexpr int64_t kMaxInt32 = 2147483647;

// The largest google.protobuf.Duration, 315,576,000,000 seconds (about 10,000 years).
constexpr double kMaxDurationSeconds = 315'576'000'000.0;

// Converts a duration to the protobuf Duration text in seconds ("300s"). As the SDK's
// convert_duration_to_seconds: a whole number and a unit, with spaces anywhere ("1 hour",
// "2w"). The SDK reads only the unit's first letter, so that "5ms" would be five minutes; kfpc
// takes only the unit names below. Unlike the SDK it also takes a fraction of a second or minute
// ("1.5s", "0.5m"), which the Duration can hold. Returns nullopt for other text, and also sets
// *too_long for a duration over kMaxDurationSeconds.
std::optional<std::string> ParseDuration(const std::string& text, bool* too_long) {
  *too_long = false;
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact += c;
  }
  size_t number_end = compact.find_first_not_of("0123456789.");
  std::string number = compact.substr(0, number_end);
  std::string unit = number_end == std::string::npos ? "" : compact.substr(number_end);
  size_t dot = number.find('.');
  if (number.empty() || number.front() == '.' || number.back() == '.' ||
      (dot != std::string::npos && number.find('.', dot + 1) != std::string::npos)) {
    return std::nullopt;
  }
  static const std::map<std::string, double, std::less<>> kUnits = {
      {"s", 1},         {"sec", 1},     {"secs", 1},     {"second", 1},  {"seconds", 1},
      {"m", 60},        {"min", 60},    {"mins", 60},    {"minute", 60}, {"minutes", 60},
      {"h", 3600},      {"hr", 3600},   {"hrs", 3600},   {"hour", 3600}, {"hours", 3600},
      {"d", 86400},     {"day", 86400}, {"days", 86400}, {"w", 604800},  {"week", 604800},
      {"weeks", 604800}};
  auto found = kUnits.find(unit);
  if (found == kUnits.end()) return std::nullopt;
  // std::strtod, unlike std::stod, does not throw.
  double seconds = std::strtod(number.c_str(), nullptr) * found->second;
  if (seconds > kMaxDurationSeconds) {
    *too_long = true;
    return std::nullopt;
  }
  if (found->second == 1 && dot != std::string::npos) return number + "s";
  if (seconds != std::floor(seconds)) return std::nullopt;
  return std::to_string(static_cast<int64_t>(seconds)) + "s";
}

bool AllDigits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// The memory units of the KFP SDK, with their factors in bytes. The two-letter units come first
// so that "Gi" is not read as "G".
constexpr std::pair<std::string_view, long double> kMemoryUnits[] = {
    {"Ki", 1024.0L}, {"Mi", 1048576.0L}, {"Gi", 1073741824.0L}, {"Ti", 1099511627776.0L},
    {"Pi", 1125899906842624.0L}, {"Ei", 1152921504606846976.0L},
    {"K", 1e3L}, {"M", 1e6L}, {"G", 1e9L}, {"T", 1e12L}, {"P", 1e15L}, {"E", 1e18L},
};

// Splits a memory quantity into its number and unit. The unit is empty for a plain number.
std::pair<std::string_view, std::string_view> SplitMemoryUnit(std::string_view text) {
  for (const auto& [unit, factor] : kMemoryUnits) {
    if (text.size() > unit.size() && text.substr(text.size() - unit.size()) == unit) {
      return {text.substr(0, text.size() - unit.size()), unit};
    }
  }
  return {text, {}};
}

// The SDK's pattern for memory, `^[0-9]+(E|Ei|P|Pi|T|Ti|G|Gi|M|Mi|K|Ki){0,1}$`
// (_validate_memory_request_limit in kfp/dsl/pipeline_task.py). Python's `$` also lets a final
// line break through, which Kubernetes rejects, so kfpc rejects it too.
bool IsMemoryQuantity(std::string_view text) { return AllDigits(SplitMemoryUnit(text).first); }

// The SDK's pattern for CPU, `([0-9]*[.])?[0-9]+m?$` (_validate_cpu_request_limit): a number
// of CPUs, or of thousandths of a CPU when followed by `m`.
bool IsCpuQuantity(std::string_view text) {
  if (!text.empty() && text.back() == 'm') text.remove_suffix(1);
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return AllDigits(text);
  return (dot == 0 || AllDigits(text.substr(0, dot))) && AllDigits(text.substr(dot + 1));
}

long double MemoryBytes(std::string_view text) {
  auto [number, unit] = SplitMemoryUnit(text);
  long double factor = 1;
  for (const auto& [name, value] : kMemoryUnits) {
    if (name == unit) factor = value;
  }
  return std::strtold(std::string(number).c_str(), nullptr) * factor;
}

long double CpuCount(std::string_view text) {
  bool milli = !text.empty() && text.back() == 'm';
  if (milli) text.remove_suffix(1);
  long double count = std::strtold(std::string(text).c_str(), nullptr);
  return milli ? count / 1000 : count;
}

// Rewrites a near miss such as "4 GB", "512mb" or "1.5Gi" as a quantity the SDK accepts, or
// returns an empty string.
std::string SuggestMemory(const std::string& text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\t') compact += c;
  }
  // A trailing byte sign: "4GB", "4GiB", "512mb".
  if (compact.size() > 2 && (compact.back() == 'B' || compact.back() == 'b') &&
      std::isalpha(static_cast<unsigned char>(compact[compact.size() - 2]))) {
    compact.pop_back();
  }
  // A unit written in lower case: "512m" here means megabytes, as "mb" above did.
  size_t unit = compact.find_first_not_of("0123456789.");
  if (unit != std::string::npos && unit > 0) {
    compact[unit] = static_cast<char>(std::toupper(static_cast<unsigned char>(compact[unit])));
  }
  if (IsMemoryQuantity(compact)) return compact;
  // A fraction, "1.5Gi": the same amount in the next smaller unit of the same kind.
  auto [number, unit_name] = SplitMemoryUnit(compact);
  size_t dot = number.find('.');
  if (unit_name.empty() || dot == std::string_view::npos) return "";
  static const std::string kDecimalUnits = "KMGTPE";
  size_t index = kDecimalUnits.find(unit_name[0]);
  if (index == std::string::npos || index == 0) return "";
  bool binary = unit_name.size() == 2;
  long double amount = std::strtold(std::string(number).c_str(), nullptr) * (binary ? 1024 : 1000);
  if (amount != std::floor(amount) || amount > 1e15L) return "";
  std::string smaller = std::string(1, kDecimalUnits[index - 1]) + (binary ? "i" : "");
  return std::to_string(static_cast<int64_t>(amount)) + smaller;
}

// Reads a CPU or memory quantity: a constant string such as "500m" or "16Gi", or for CPUs also a
// number. Reports a value the KFP SDK rejects at the value.
std::optional<std::string> QuantitySetting(Context& context, const ast::Setting& setting,
                                           bool is_cpu) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  std::optional<std::string> text;
  if (is_cpu && (value->kind == ast::ExprKind::kInt || value->kind == ast::ExprKind::kFloat)) {
    if (value->kind == ast::ExprKind::kInt && value->out_of_range) return std::nullopt;
    text = value->literal.empty() ? std::to_string(value->int_value) : value->literal;
  } else {
    text = StringSetting(context, setting);
  }
  if (!text) return std::nullopt;
  if (is_cpu ? IsCpuQuantity(*text) : IsMemoryQuantity(*text)) return text;
  // At most 40 bytes of the text, cut at the start of a UTF-8 character.
  size_t cut = std::min<size_t>(text->size(), 40);
  while (cut < text->size() && (static_cast<unsigned char>((*text)[cut]) & 0xC0) == 0x80) --cut;
  std::string display_text = text->empty() ? "\"\"" : "";
  for (char c : text->substr(0, cut)) {
    if (c == '\n') {
      display_text += "\\n";
    } else if (c == '\t') {
      display_text += "\\t";
    } else {
      display_text += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
  }
  if (cut < text->size()) display_text += "...";
  diag::Diagnostic& d = context.Report(
      diag::Kind::kInvalidValue, value->span,
      "`" + display_text + "` is not a " + (is_cpu ? "CPU" : "memory") + " quantity");
  if (!text->empty() && text->front() == '-') {
    d.notes.push_back("a quantity cannot be negative");
  }
  if (is_cpu) {
    d.help = "write a number of CPUs, such as \"2\" or \"0.5\", or a number of thousandths "
             "of a CPU followed by `m`, such as \"500m\"";
    return std::nullopt;
  }
  std::string suggestion = SuggestMemory(*text);
  d.help = suggestion.empty()
               ? "write a whole number of bytes with an optional unit suffix, such as \"4Gi\", "
                 "\"512M\" or \"1G\""
               : "write `" + setting.name + " = \"" + suggestion + "\"`";
  d.notes.push_back(
      "the units are K, M, G, T, P and E (powers of 1000) and Ki, Mi, Gi, Ti, Pi and Ei "
      "(powers of 1024), after a number with no fraction, sign or space");
  return std::nullopt;
}

// Reports a request more than its limit, because Kubernetes rejects such a pod.
void CheckRequestWithinLimit(Context& context, const SettingMap& settings, bool is_cpu,
                             const std::optional<std::string>& request,
                             const std::optional<std::string>& limit) {
  if (!request || !limit) return;
  long double request_amount = is_cpu ? CpuCount(*request) : MemoryBytes(*request);
  long double limit_amount = is_cpu ? CpuCount(*limit) : MemoryBytes(*limit);
  if (request_amount <= limit_amount) return;
  std::string resource = is_cpu ? "cpu" : "memory";
  const ast::Setting& request_setting = *settings.at(resource + "_request");
  const ast::Setting& limit_setting = *settings.at(resource + "_limit");
  diag::Diagnostic& d = context.Report(
      diag::Kind::kResourceRequestOverLimit, request_setting.value->span,
      std::string(is_cpu ? "CPU" : "memory") + " request `" + *request +
          "` is more than the limit `" + *limit + "`");
  d.labels.push_back({limit_setting.value->span, "the limit is set here"});
  if (!is_cpu) {
    auto bytes = [](long double amount) {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.0Lf", amount);
      return std::string(buffer);
    };
    d.notes.push_back("`" + *request + "` is " + bytes(request_amount) + " bytes and `" + *limit +
                      "` is " + bytes(limit_amount) + " bytes (`Gi` is 1024^3 bytes, `G` is "
                      "1000^3 bytes)");
  }
  d.notes.push_back("Kubernetes rejects a pod whose request is more than its limit");
  d.help = "raise `" + resource + "_limit` to at least `" + *request + "`, or lower `" + resource +
           "_request`";
}

// The accelerator counts set_accelerator_limit accepts.
constexpr int64_t kAcceleratorCounts[] = {0, 1, 2, 4, 8, 16};

std::optional<int64_t> AcceleratorCountSetting(Context& context, const ast::Setting& setting) {
  // set_accelerator_limit also takes the count as a string, and writes an int as its string.
  if (setting.value &&
      (setting.value->kind == ast::ExprKind::kString ||
       setting.value->kind == ast::ExprKind::kRawString) &&
      IsConstant(*setting.value)) {
    for (int64_t allowed : kAcceleratorCounts) {
      if (setting.value->text == std::to_string(allowed)) return allowed;
    }
    context
        .Report(diag::Kind::kInvalidValue, setting.value->span,
                "the KFP SDK does not accept an accelerator count of \"" +
                    diag::ShownText(setting.value->text) + "\"")
        .help = "write 0, 1, 2, 4, 8 or 16, such as `accelerator_count = 1`";
    return std::nullopt;
  }
  std::optional<int64_t> count = IntSetting(context, setting);
  if (!count) return std::nullopt;
  for (int64_t allowed : kAcceleratorCounts) {
    if (*count == allowed) return count;
  }
  int64_t next = 16;
  for (int64_t allowed : kAcceleratorCounts) {
    if (allowed > *count) {
      next = allowed;
      break;
    }
  }
  diag::Diagnostic& d =
      context.Report(diag::Kind::kInvalidValue, setting.value->span,
                     "the KFP SDK does not accept an accelerator count of " +
                         std::to_string(*count));
  d.help = "write 0, 1, 2, 4, 8 or 16, such as `accelerator_count = " + std::to_string(next) + "`";
  return std::nullopt;
}

const std::vector<std::string> kResourceSettings = {"cpu_request",      "cpu_limit",
                                                    "memory_request",   "memory_limit",
                                                    "accelerator_type", "accelerator_count"};

bool IsResourceSetting(const std::string& name) {
  return std::find(kResourceSettings.begin(), kResourceSettings.end(), name) !=
         kResourceSettings.end();
}

// Whether `setting` is `name = value` with a value read when the task runs: a name, a member
// such as `task.output`, or a string with `{...}` in it.
bool IsRuntimeValue(const ast::Setting& setting) {
  if (setting.form != ast::Setting::Form::kAssign || !setting.value) return false;
  const ast::Expr& value = *setting.value;
  return value.kind == ast::ExprKind::kName || value.kind == ast::ExprKind::kMember ||
         value.kind == ast::ExprKind::kCall ||
         (value.kind == ast::ExprKind::kString && !IsConstant(value));
}

}  // namespace

const std::vector<std::string>& TaskSettingNames() { return kAllTaskSettings; }

const std::vector<std::string>& RetrySettingNames() { return kRetrySettings; }

void PipelineChecker::CheckRuntimeResource(const ast::Setting& setting, sema::Task& task) {
  const ast::Expr& expr = *setting.value;
  std::optional<Value> value = CheckValue(expr, nullptr, "`" + setting.name + "`");
  if (!value) return;
  sema::ValueRef ref = std::move(value->ref);
  // `"{x}"` is `x`.
  if (ref.kind == sema::ValueRef::Kind::kInterpolation && ref.alternatives.size() == 1) {
    sema::ValueRef piece = std::move(ref.alternatives.front());
    ref = std::move(piece);
  }

  using Kind = sema::ValueRef::Kind;
  if (ref.kind == Kind::kInterpolation) {
    diag::Diagnostic& d = context_.Report(
        diag::Kind::kInvalidValue, expr.span,
        "`" + setting.name + "` can read a value when the task runs only as the whole setting");
    d.notes.push_back(
        "the KFP backend replaces the field with the first input it names and drops the text "
        "around it");
    d.help = "pass a string input or output that contains the whole quantity, such as `" +
             setting.name + " = sizes.output`";
    return;
  }

  if (ref.kind != Kind::kPipelineInput && ref.kind != Kind::kTaskOutput &&
      ref.kind != Kind::kLoopItem) {
    std::string described = ref.kind == Kind::kRunPlaceholder
                                ? "run placeholder `run." + ref.name + "`"
                            : ref.kind == Kind::kCollected ? "`collect(...)`"
                            : ref.kind == Kind::kOneOf     ? "`one_of(...)`"
                                                           : DescribeExpr(expr);
    context_
        .Report(diag::Kind::kInvalidValue, expr.span,
                described + " cannot be used as `" + setting.name + "`")
        .help = "pass a constant, or a `string` pipeline input, task output or loop item";
    return;
  }

  sema::Type string_type = ParamTypeOf(sema::ParamType::kString);
  if (value->typed && !Assignable(string_type, ref.type)) {
    diag::Diagnostic& d = context_.Report(
        diag::Kind::kTypeMismatch, expr.span,
        "`" + setting.name + "` needs a `string` when it is read as the task runs, found `" +
            ref.type.ToString() + "`");
    d.notes.push_back(
        "the KFP backend reads the value as a string, so any other type gives an empty "
        "quantity and the task fails to start");
    std::string example = setting.name == "accelerator_type"     ? "nvidia.com/gpu"
                          : setting.name.rfind("memory", 0) == 0 ? "4Gi"
                                                                 : "2";
    d.help = "pass a `string` value, such as \"" + example + "\"";
    return;
  }
  ref.type = string_type;
  task.runtime_resources[setting.name] = std::move(ref);
}

void PipelineChecker::CheckTaskSettings(const ast::TaskCall& call, sema::Task& task) {
  std::vector<const ast::Setting*> env;
  SettingMap settings = CollectSettings(context_, call.settings, kAllTaskSettings,
                                        "the block of task `" + call.callee + "`", &env,
                                        RepeatableKubernetesSettings());
  for (const ast::Setting& setting : call.settings) {
    if (setting.form != ast::Setting::Form::kEnv) {
      task.setting_spans.emplace(setting.name, setting.name_span);
    }
  }
  // Resources and environment variables belong to a container, which a pipeline or an importer
  // does not run: the SDK rejects them there, and the backend would drop them.
  const sema::Component& component = *task.component;
  bool runs_container = component.kind == sema::Component::Kind::kContainer ||
                        component.kind == sema::Component::Kind::kPython;
  if (!runs_container) {
    bool is_pipeline = component.kind == sema::Component::Kind::kPipeline;
    for (const ast::Setting& setting : call.settings) {
      bool is_env = setting.form == ast::Setting::Form::kEnv;
      // The placement and cache key passes handle container executors only, so on these tasks
      // `target` and `cache_salt` would change nothing.
      bool is_target = !is_env && setting.name == "target";
      bool is_salt = !is_env && setting.name == "cache_salt";
      if (!is_env && !IsResourceSetting(setting.name) && !is_target && !is_salt) continue;
      std::string name = is_env ? "env " + setting.name : setting.name;
      diag::Diagnostic& d = context_.Report(
          diag::Kind::kContainerSettingWithoutContainer, is_env ? setting.span : setting.name_span,
          "`" + name + "` needs a task that runs a container, but " +
              (is_pipeline ? "`" + component.name + "` is a pipeline"
                           : std::string("an importer runs none")));
      d.help = is_pipeline ? "set it on the tasks inside pipeline `" + component.name + "`"
                           : "remove it from the importer task";
      if (is_target && is_pipeline) {
        d.help = "set `target` in pipeline `" + component.name + "`, or on the tasks inside it";
      }
    }
    for (const std::string& name : kResourceSettings) settings.erase(name);
    settings.erase("target");
    settings.erase("cache_salt");
    env.clear();
  }
  // The KFP backend creates or deletes the PVC itself, without a pod to place.
  if (component.image.rfind("argostub/", 0) == 0 && settings.count("target")) {
    const ast::Setting& target = *settings.at("target");
    context_
        .Report(diag::Kind::kContainerSettingWithoutContainer, target.name_span,
                "`target` has no effect on `" + component.name +
                    "`: the KFP backend runs it without a pod")
        .help = "remove it from the task";
    settings.erase("target");
  }
  for (const auto& [name, setting] : settings) {
    if (name == "display_name") {
      task.display_name = StringSetting(context_, *setting);
    } else if (IsResourceSetting(name) && IsRuntimeValue(*setting)) {
      CheckRuntimeResource(*setting, task);
    } else if (name == "cpu_request" || name == "cpu_limit") {
      auto& field = name == "cpu_request" ? task.cpu_request : task.cpu_limit;
      field = QuantitySetting(context_, *setting, true);
    } else if (name == "memory_request" || name == "memory_limit") {
      auto& field = name == "memory_request" ? task.memory_request : task.memory_limit;
      field = QuantitySetting(context_, *setting, false);
    } else if (name == "accelerator_type") {
      task.accelerator_type = StringSetting(context_, *setting);
    } else if (name == "accelerator_count") {
      task.accelerator_count = AcceleratorCountSetting(context_, *setting);
    } else if (name == "cache") {
      task.enable_cache = BoolSetting(context_, *setting).value_or(true);
    } else if (name == "retry") {
      CheckRetry(*setting, task);
    } else if (name == "ignore_upstream_failure") {
      task.ignore_upstream_failure = BoolSetting(context_, *setting).value_or(false);
    } else if (name == "after") {
      CheckAfter(*setting, task);
    } else if (name == "target") {
      task.target = StringSetting(context_, *setting);
      if (setting->value) task.target_span = setting->value->span;
    } else if (name == "cache_salt") {
      task.cache_salt = StringSetting(context_, *setting);
    }
  }
  CheckRequestWithinLimit(context_, settings, true, task.cpu_request, task.cpu_limit);
  CheckRequestWithinLimit(context_, settings, false, task.memory_request, task.memory_limit);
  bool has_count = task.accelerator_count || task.runtime_resources.count("accelerator_count");
  if (has_count && !settings.count("accelerator_type")) {
    // The SDK writes the count without a type, and the KFP backend driver then sets no
    // accelerator limit on the pod: the count has no effect.
    diag::Diagnostic& d = context_.Report(diag::Kind::kAcceleratorCountWithoutType,
                                          settings.at("accelerator_count")->value->span,
                                          "`accelerator_count` without `accelerator_type` "
                                          "requests no accelerator");
    d.notes.push_back("the KFP backend sets an accelerator limit only when the type is set");
    d.help = "add the type, such as `accelerator_type = \"nvidia.com/gpu\"`";
  }
  CheckKubernetesSettings(
      context_, settings, call.settings,
      [this](const ast::Expr& expr, const sema::Type& type, const std::string& what) {
        std::optional<Value> value = CheckValue(expr, &type, what);
        if (!value) return std::optional<sema::ValueRef>();
        // In the loop's own DAG, `item.field` is the item read through a selector, which the
        // backend ignores for Kubernetes settings: it would get the whole item.
        if (value->ref.kind == sema::ValueRef::Kind::kLoopItem && !value->ref.field.empty() &&
            value->ref.loop == group_) {
          std::string written = expr.object ? expr.object->text + "." : std::string();
          diag::Diagnostic& d =
              context_.Report(diag::Kind::kInvalidKubernetesValue, expr.span,
                              "the KFP backend cannot read `" + written + value->ref.field +
                                  "` as " + what + " in the loop's own body");
          d.notes.push_back(
              "it reads the field with a selector, which the backend applies to task arguments "
              "but not to Kubernetes settings, so it would get the whole item");
          d.help = "loop over a list of the names themselves, such as `for name in [\"a\", \"b\"]`";
          return std::optional<sema::ValueRef>();
        }
        return std::optional<sema::ValueRef>(value->ref);
      },
      task);
  std::map<std::string, diag::Span> seen;
  for (const ast::Setting* setting : env) {
    auto [it, inserted] = seen.emplace(setting->name, setting->name_span);
    if (!inserted) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kDuplicateSetting, setting->name_span,
                                            "environment variable `" + setting->name +
                                                "` is set twice");
      d.labels.push_back({it->second, "first set here"});
      d.help = "remove one of the two";
      continue;
    }
    CheckEnv(*setting, task);
  }
}

void PipelineChecker::CheckEnv(const ast::Setting& setting, sema::Task& task) {
  if (!setting.value) return;  // the parser reported the missing value
  const ast::Expr& value = *setting.value;
  if ((value.kind == ast::ExprKind::kString || value.kind == ast::ExprKind::kRawString) &&
      IsConstant(value)) {
    task.env.emplace_back(setting.name, StringValue(value));
    return;
  }
  diag::Diagnostic& d = context_.Report(
      diag::Kind::kTypeMismatch, value.span,
      "environment variable `" + setting.name + "` expects a constant string, found " +
          DescribeExpr(value));
  if (value.kind == ast::ExprKind::kName || value.kind == ast::ExprKind::kMember ||
      value.kind == ast::ExprKind::kString) {
    d.help = "pass the value as an input of the component instead, because environment values "
             "are fixed when the pipeline is compiled";
  } else if (!value.literal.empty()) {
    d.help = "write the value in quotes: `env " + setting.name + " = \"" + value.literal + "\"`";
  } else {
    d.help = "write the value in quotes: `env " + setting.name + " = \"...\"`";
  }
}

void PipelineChecker::CheckRetry(const ast::Setting& setting, sema::Task& task) {
  if (setting.form != ast::Setting::Form::kBlock) {
    context_.Report(diag::Kind::kInvalidValue, setting.span, "setting `retry` is a block")
        .help = "write `retry { max = 3  backoff = \"30s\" }`";
    return;
  }
  SettingMap settings = CollectBlockFields(context_, setting, kRetrySettings);
  sema::Retry retry;
  for (const auto& [name, child] : settings) {
    if (name == "max") {
      std::optional<int64_t> max = IntSetting(context_, *child);
      // maxRetryCount is an int32 in the IR.
      if (max && (*max < 0 || *max > kMaxInt32)) {
        context_
            .Report(diag::Kind::kInvalidValue, child->value->span,
                    "`max` must be from 0 to 2147483647 retries, found " + std::to_string(*max))
            .help = "write the number of retries, such as `max = 3`";
        max.reset();
      }
      retry.max_retry_count = max.value_or(0);
    } else if (name == "factor") {
      std::optional<double> factor = FloatSetting(context_, *child);
      if (factor && !(*factor > 0)) {
        diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidValue, child->value->span,
                                              "the backoff `factor` must be more than zero");
        if (*factor == 0)
          d.notes.push_back("the KFP SDK writes its default, 2.0, for a factor of 0");
        d.help =
            "write the factor that multiplies the wait after each retry, such as "
            "`factor = 2.0`";
        factor.reset();
      }
      retry.backoff_factor = factor.value_or(2.0);
    } else {
      std::optional<std::string> text = StringSetting(context_, *child);
      if (!text) continue;
      bool too_long = false;
      std::optional<std::string> duration = ParseDuration(*text, &too_long);
      if (too_long) {
        context_.Report(diag::Kind::kInvalidValue, child->value->span,
                        "duration `" + *text + "` for `" + name +
                            "` is longer than the maximum, 315576000000s (about 10,000 years)")
            .help = "write a shorter duration, such as `\"1h\"`";
        continue;
      }
      if (!duration) {
        context_
            .Report(diag::Kind::kInvalidValue, child->value->span,
                    "invalid duration `" + *text + "` for `" + name + "`")
            .help =
            "write a number and a unit of seconds, minutes, hours, days or weeks, such "
            "as `\"30s\"`, `\"5m\"`, `\"1 hour\"` or `\"1d\"`";
        continue;
      }
      (name == "backoff" ? retry.backoff_duration : retry.backoff_max_duration) = *duration;
    }
  }
  // An unknown field was reported, and may be a misspelt or misplaced `max`.
  bool unknown_field = false;
  for (const ast::Setting& child : setting.children) {
    unknown_field = unknown_field || std::find(kRetrySettings.begin(), kRetrySettings.end(),
                                               child.name) == kRetrySettings.end();
  }
  if (!settings.count("max") && !unknown_field) {
    context_.Report(diag::Kind::kMissingSetting, setting.name_span, "`retry` has no `max`")
        .help = "set the number of retries: `retry { max = 3 }`";
  }
  task.retry = retry;
}

void PipelineChecker::CheckAfter(const ast::Setting& setting, sema::Task& task) {
  const ast::Expr* value = AssignedValue(context_, setting);
  if (!value) return;
  if (value->kind != ast::ExprKind::kList) {
    context_.Report(diag::Kind::kTypeMismatch, value->span,
                    "setting `after` expects a list of task names, found " + DescribeExpr(*value))
        .help = "write `after = [task_a, task_b]`";
    return;
  }
  for (const ast::ExprPtr& item : value->items) {
    if (item->kind != ast::ExprKind::kName) {
      context_.Report(diag::Kind::kInvalidDependency, item->span,
                      "`after` expects a task name, found " + DescribeExpr(*item))
          .help = "name a task bound in this pipeline, such as `after = [prepare]`";
      continue;
    }
    pending_after_.push_back({&task, item->text, item->span});
  }
}

}  // namespace kfpc::check
