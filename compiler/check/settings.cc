#include "compiler/check/settings.h"

#include <algorithm>

#include "compiler/check/types.h"

namespace kfpc::check {

namespace {

diag::Diagnostic& ReportSettingType(Context& context, const ast::Setting& setting,
                                    const ast::Expr& value, const std::string& expected) {
  return context.Report(diag::Kind::kTypeMismatch, value.span,
                        "setting `" + setting.name + "` expects " + expected + ", found " +
                            DescribeExpr(value));
}

}  // namespace

SettingMap CollectSettings(Context& context, const std::vector<ast::Setting>& settings,
                           const std::vector<std::string>& known, const std::string& owner,
                           std::vector<const ast::Setting*>* env,
                           const std::vector<std::string>& repeatable) {
  SettingMap found;
  for (const ast::Setting& setting : settings) {
    if (setting.form == ast::Setting::Form::kEnv) {
      if (env) {
        env->push_back(&setting);
      } else {
        context.Report(diag::Kind::kUnknownSetting, setting.span,
                       "`env` settings are not allowed in " + owner)
            .help = "set environment variables on a task: `env NAME = \"value\"` in its block";
      }
      continue;
    }
    bool is_known = false;
    for (const std::string& name : known) is_known = is_known || name == setting.name;
    if (!is_known) {
      diag::Diagnostic& d = context.Report(diag::Kind::kUnknownSetting, setting.name_span,
                                           "unknown setting `" + setting.name + "` in " + owner);
      SuggestName(context, d, setting.name, known, setting.name_span);
      if (d.help.empty()) d.help = "the settings of " + owner + " are " + JoinNames(known);
      continue;
    }
    if (std::find(repeatable.begin(), repeatable.end(), setting.name) != repeatable.end()) continue;
    auto [it, inserted] = found.emplace(setting.name, &setting);
    if (!inserted) {
      diag::Diagnostic& d = context.Report(diag::Kind::kDuplicateSetting, setting.name_span,
                                           "setting `" + setting.name + "` is set twice");
      d.labels.push_back({it->second->name_span, "first set here"});
      d.help = "remove one of the two";
    }
  }
  return found;
}

const ast::Expr* AssignedValue(Context& context, const ast::Setting& setting) {
  if (setting.form == ast::Setting::Form::kAssign && setting.value) return setting.value.get();
  context.Report(diag::Kind::kInvalidValue, setting.span,
                 "setting `" + setting.name + "` takes a value, not a block")
      .help = "write `" + setting.name + " = value`";
  return nullptr;
}

std::optional<std::string> StringSetting(Context& context, const ast::Setting& setting) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  if ((value->kind == ast::ExprKind::kString || value->kind == ast::ExprKind::kRawString) &&
      IsConstant(*value)) {
    return StringValue(*value);
  }
  diag::Diagnostic& d = ReportSettingType(context, setting, *value, "a string");
  d.help = value->kind == ast::ExprKind::kString
               ? "settings are constants: remove the `{...}` interpolation"
               : "write the value in quotes, such as `" + setting.name + " = \"...\"`";
  return std::nullopt;
}

std::optional<std::vector<std::string>> StringListSetting(Context& context,
                                                          const ast::Setting& setting) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  if (value->kind != ast::ExprKind::kList) {
    ReportSettingType(context, setting, *value, "a list of strings").help =
        "write a list such as `" + setting.name + " = [\"...\"]`";
    return std::nullopt;
  }
  std::vector<std::string> items;
  bool ok = true;
  for (const ast::ExprPtr& item : value->items) {
    if (item->kind == ast::ExprKind::kString && IsConstant(*item)) {
      items.push_back(StringValue(*item));
      continue;
    }
    context.Report(diag::Kind::kTypeMismatch, item->span,
                   "setting `" + setting.name + "` expects a list of strings, found " +
                       DescribeExpr(*item) + " in the list")
        .help = "write each element in quotes";
    ok = false;
  }
  if (!ok) return std::nullopt;
  return items;
}

std::optional<bool> BoolSetting(Context& context, const ast::Setting& setting) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  if (value->kind == ast::ExprKind::kBool) return value->bool_value;
  ReportSettingType(context, setting, *value, "a boolean").help =
      "write `" + setting.name + " = true` or `" + setting.name + " = false`";
  return std::nullopt;
}

std::optional<int64_t> IntSetting(Context& context, const ast::Setting& setting) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  if (value->kind == ast::ExprKind::kInt && value->out_of_range) return std::nullopt;  // reported
  if (value->kind == ast::ExprKind::kInt) return value->int_value;
  ReportSettingType(context, setting, *value, "an integer").help =
      "write a whole number, such as `" + setting.name + " = 1`";
  return std::nullopt;
}

std::optional<double> FloatSetting(Context& context, const ast::Setting& setting) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  if (value->kind == ast::ExprKind::kFloat) return value->float_value;
  if (value->kind == ast::ExprKind::kInt) return static_cast<double>(value->int_value);
  ReportSettingType(context, setting, *value, "a number").help =
      "write a number, such as `" + setting.name + " = 2.0`";
  return std::nullopt;
}

}  // namespace kfpc::check
