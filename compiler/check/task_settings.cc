// Settings in the block after a task call: resources, environment, caching, retries and
// explicit dependencies.

#include <cmath>
#include <cstdlib>
#include <regex>

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

// The largest google.protobuf.Duration, 315,576,000,000 seconds (about 10,000 years).
constexpr double kMaxDurationSeconds = 315'576'000'000.0;

// Converts "30s", "1.5s", "5m" or "1h" to the protobuf Duration text in seconds ("300s").
// Returns nullopt for other text, and also sets *too_long for a duration over
// kMaxDurationSeconds.
std::optional<std::string> ParseDuration(const std::string& text, bool* too_long) {
  static const std::regex kDuration(R"(([0-9]+(\.[0-9]+)?)([smh]))");
  *too_long = false;
  // libstdc++'s regex matcher recurses once per character, so a string of many thousands of
  // digits overflowed the stack. A duration up to the maximum fits in 64 characters.
  if (text.size() > 64) return std::nullopt;
  std::smatch match;
  if (!std::regex_match(text, match, kDuration)) return std::nullopt;
  double unit_seconds = 1;
  if (match[3] == "m") unit_seconds = 60;
  if (match[3] == "h") unit_seconds = 3600;
  // std::strtod, unlike std::stod, does not throw: a number too large for a double is infinity.
  double seconds = std::strtod(match[1].str().c_str(), nullptr) * unit_seconds;
  if (seconds > kMaxDurationSeconds) {
    *too_long = true;
    return std::nullopt;
  }
  if (match[3] == "s") return text;
  if (seconds != std::floor(seconds)) return std::nullopt;
  return std::to_string(static_cast<int64_t>(seconds)) + "s";
}

// Reads a CPU or memory quantity: a string such as "500m" or "16Gi", or a number for CPUs.
std::optional<std::string> QuantitySetting(Context& context, const ast::Setting& setting,
                                           bool allow_number) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  if (allow_number && (value->kind == ast::ExprKind::kInt || value->kind == ast::ExprKind::kFloat)) {
    return value->literal.empty() ? std::to_string(value->int_value) : value->literal;
  }
  return StringSetting(context, setting);
}

}  // namespace

void PipelineChecker::CheckTaskSettings(const ast::TaskCall& call, sema::Task& task) {
  std::vector<const ast::Setting*> env;
  SettingMap settings = CollectSettings(context_, call.settings, kAllTaskSettings,
                                        "the block of task `" + call.callee + "`", &env,
                                        RepeatableKubernetesSettings());
  for (const auto& [name, setting] : settings) {
    if (name == "display_name") {
      task.display_name = StringSetting(context_, *setting);
    } else if (name == "cpu_request" || name == "cpu_limit") {
      auto& field = name == "cpu_request" ? task.cpu_request : task.cpu_limit;
      field = QuantitySetting(context_, *setting, true);
    } else if (name == "memory_request" || name == "memory_limit") {
      auto& field = name == "memory_request" ? task.memory_request : task.memory_limit;
      field = QuantitySetting(context_, *setting, false);
    } else if (name == "accelerator_type") {
      task.accelerator_type = StringSetting(context_, *setting);
    } else if (name == "accelerator_count") {
      task.accelerator_count = IntSetting(context_, *setting);
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
  CheckKubernetesSettings(
      context_, settings, call.settings,
      [this](const ast::Expr& expr, const sema::Type& type, const std::string& what) {
        std::optional<Value> value = CheckValue(expr, &type, what);
        return value ? std::optional<sema::ValueRef>(value->ref) : std::nullopt;
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
  if (value.kind == ast::ExprKind::kName || value.kind == ast::ExprKind::kMember) {
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
  SettingMap settings = CollectSettings(context_, setting.children, kRetrySettings, "`retry`");
  sema::Retry retry;
  for (const auto& [name, child] : settings) {
    if (name == "max") {
      retry.max_retry_count = IntSetting(context_, *child).value_or(0);
    } else if (name == "factor") {
      retry.backoff_factor = FloatSetting(context_, *child).value_or(2.0);
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
        context_.Report(diag::Kind::kInvalidValue, child->value->span,
                        "invalid duration `" + *text + "` for `" + name + "`")
            .help = "write a whole number of seconds, minutes or hours, such as `\"30s\"`, "
                    "`\"5m\"` or `\"1h\"`";
        continue;
      }
      (name == "backoff" ? retry.backoff_duration : retry.backoff_max_duration) = *duration;
    }
  }
  if (!settings.count("max")) {
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
