#include "compiler/check/settings.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "compiler/check/kubernetes_settings.h"
#include "compiler/check/task_settings.h"
#include "compiler/check/types.h"
#include "compiler/images/image_reference.h"

namespace kfpc::check {

namespace {

diag::Diagnostic& ReportSettingType(Context& context, const ast::Setting& setting,
                                    const ast::Expr& value, const std::string& expected) {
  return context.Report(diag::Kind::kTypeMismatch, value.span,
                        "setting `" + setting.name + "` expects " + expected + ", found " +
                            DescribeExpr(value));
}

bool IsSpaceOrControl(char c) {
  return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) == 0x7f;
}

// The part of `image` that names the repository path: after a registry host (a first component
// with `.` or `:`, or `localhost`) and before the tag or digest.
std::pair<size_t, size_t> RepositoryPath(const std::string& image) {
  std::string_view name(image);
  name = name.substr(0, name.find('@'));
  size_t last_slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    name = name.substr(0, colon);
  }
  size_t begin = 0;
  size_t slash = name.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = name.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost") {
      begin = slash + 1;
    }
  }
  return {begin, name.size()};
}

// Returns `image` with its repository in lower case.
std::string LowerCaseRepository(std::string image) {
  auto [begin, end] = RepositoryPath(image);
  for (size_t i = begin; i < end; ++i) {
    image[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(image[i])));
  }
  return image;
}

}  // namespace

bool CheckImageReference(Context& context, const std::string& image, diag::Span span) {
  if (image.empty()) {
    context.Report(diag::Kind::kInvalidImageReference, span, "empty image")
        .help = "name an image, such as `image = \"python:3.11\"`";
    return false;
  }
  if (size_t scheme = image.find("://"); scheme != std::string::npos) {
    diag::Diagnostic& d = context.Report(diag::Kind::kInvalidImageReference, span,
                                         "image `" + image + "` starts with a URL scheme");
    d.notes.push_back("a container runtime reads `" + image.substr(0, scheme + 3) +
                      "` as part of the name and cannot pull the image");
    // The repository is lowered too, so that the fixed reference passes the next check.
    d.help =
        "remove the scheme: `image = \"" + LowerCaseRepository(image.substr(scheme + 3)) + "\"`";
    return false;
  }
  if (std::any_of(image.begin(), image.end(), IsSpaceOrControl)) {
    std::string fixed;
    bool control = false;
    for (char c : image) {
      if (!IsSpaceOrControl(c)) fixed += c;
      control = control || (IsSpaceOrControl(c) && c != ' ');
    }
    diag::Diagnostic& d =
        context.Report(diag::Kind::kInvalidImageReference, span,
                       std::string("image reference contains ") +
                           (control ? "a control character or tab" : "white space"));
    d.help = fixed.empty() ? "name an image, such as `image = \"python:3.11\"`"
                           : "remove it: `image = \"" + fixed + "\"`";
    return false;
  }
  auto [begin, end] = RepositoryPath(image);
  std::string fixed = LowerCaseRepository(image);
  if (fixed != image) {
    diag::Diagnostic& d = context.Report(diag::Kind::kInvalidImageReference, span,
                                         "the repository `" + image.substr(begin, end - begin) +
                                             "` has upper case letters");
    d.notes.push_back("registries name repositories in lower case, but a tag may have upper case");
    d.help = "write it in lower case: `image = \"" + fixed + "\"`";
    return false;
  }
  images::ImageReference parsed;
  std::string reason;
  if (!images::ParseImageReference(image, &parsed, &reason)) {
    diag::Diagnostic& d = context.Report(diag::Kind::kInvalidImageReference, span,
                                         "invalid image reference `" + image + "`: " + reason);
    d.notes.push_back("a container runtime cannot pull it, so the task would fail when it starts");
    bool bad_digest = reason.rfind("the digest", 0) == 0;
    d.help = bad_digest
                 ? "remove the digest and run `kfpc lock`, which resolves the image and records "
                   "its digest"
                 : "write `[registry/]repository[:tag]`, such as `image = \"python:3.11\"`";
    return false;
  }
  return true;
}

void ReportEnvOutsideTask(Context& context, const ast::Setting& setting, const std::string& owner) {
  context
      .Report(diag::Kind::kUnknownSetting, setting.span,
              "`env` settings are not allowed in " + owner)
      .help = "set environment variables on a task: `env NAME = \"value\"` in its block";
}

std::string TaskSettingHelp(const ast::Setting& setting, bool in_task_block) {
  const std::string& name = setting.name;
  const std::vector<std::string>& task_settings = TaskSettingNames();
  if (std::find(task_settings.begin(), task_settings.end(), name) == task_settings.end()) return "";
  if (in_task_block) {
    return "`" + name + "` is a setting of the task itself, so write it outside this block";
  }
  // `retry` and the Kubernetes settings with fields are blocks; the others take a value.
  bool block = name == "retry" || KubernetesBlockFields(name) != nullptr;
  std::string example = name + (block ? " { ... }" : " = ...");
  return "`" + name + "` is a task setting, so write it in the block after a task call, such as " +
         "`step(...) { " + example + " }`";
}

namespace {

// CollectSettings and CollectBlockFields. `block` is the block inside a task's block whose fields
// `settings` are, or null for the settings of a task, a component, an artifact type or a pipeline.
SettingMap CollectIn(Context& context, const std::vector<ast::Setting>& settings,
                     const std::vector<std::string>& known, const std::string& owner,
                     std::vector<const ast::Setting*>* env,
                     const std::vector<std::string>& repeatable, const ast::Setting* block) {
  SettingMap found;
  for (const ast::Setting& setting : settings) {
    if (setting.form == ast::Setting::Form::kEnv) {
      if (env) {
        env->push_back(&setting);
      } else if (std::find(known.begin(), known.end(), "env") != known.end()) {
        // A block with a field named `env`, such as `init_container`, takes a map.
        context
            .Report(diag::Kind::kUnknownSetting, setting.span,
                    "`env NAME = value` is not allowed in " + owner)
            .help = "write `env = {\"" + setting.name + "\": \"...\"}`";
      } else {
        ReportEnvOutsideTask(context, setting, owner);
      }
      continue;
    }
    bool is_known = false;
    for (const std::string& name : known) is_known = is_known || name == setting.name;
    if (!is_known) {
      diag::Diagnostic& d = context.Report(diag::Kind::kUnknownSetting, setting.name_span,
                                           "unknown setting `" + setting.name + "` in " + owner);
      SuggestName(context, d, setting.name, known, setting.name_span);
      // A task sets each variable on a line of its own, where `env = {...}` is written in a
      // component and in an init container.
      if (d.help.empty() && env != nullptr && setting.name == "env") {
        d.help = "set each variable on a line of its own, such as `env LOG_LEVEL = \"info\"`";
        if (setting.value && setting.value->kind == ast::ExprKind::kMap &&
            !setting.value->keys.empty() && IsConstant(*setting.value->keys.front()) &&
            !setting.value->items.empty() && IsConstant(*setting.value->items.front())) {
          d.help = "set each variable on a line of its own, such as `env " +
                   setting.value->keys.front()->text + " = \"" +
                   setting.value->items.front()->text + "\"`";
        }
      }
      if (d.help.empty() && block != nullptr && block->name == setting.name) {
        d.help = "blocks of `" + setting.name + "` do not nest: write the fields of the inner " +
                 "block in the outer one";
      }
      // A task's own block accepts every task setting, so it never gets here.
      if (d.help.empty()) d.help = TaskSettingHelp(setting, block != nullptr);
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

}  // namespace

SettingMap CollectSettings(Context& context, const std::vector<ast::Setting>& settings,
                           const std::vector<std::string>& known, const std::string& owner,
                           std::vector<const ast::Setting*>* env,
                           const std::vector<std::string>& repeatable) {
  return CollectIn(context, settings, known, owner, env, repeatable, nullptr);
}

SettingMap CollectBlockFields(Context& context, const ast::Setting& block,
                              const std::vector<std::string>& fields,
                              const std::vector<std::string>& repeatable) {
  return CollectIn(context, block.children, fields, "`" + block.name + "`", nullptr, repeatable,
                   &block);
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
    context
        .Report(diag::Kind::kTypeMismatch, item->span,
                "setting `" + setting.name + "` expects a list of strings, found " +
                    DescribeExpr(*item) + " in the list")
        .help = item->kind == ast::ExprKind::kString
                    ? "the list is constant: remove the `{...}` interpolation"
                    : "write each element in quotes";
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

std::optional<int64_t> IntSetting(Context& context, const ast::Setting& setting,
                                  const std::string& help) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  if (value->kind == ast::ExprKind::kInt && value->out_of_range) return std::nullopt;  // reported
  if (value->kind == ast::ExprKind::kInt) return value->int_value;
  ReportSettingType(context, setting, *value, "an integer").help =
      help.empty() ? "write a whole number, such as `" + setting.name + " = 1`" : help;
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
