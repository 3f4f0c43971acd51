#include "compiler/check/kubernetes_fields.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <string_view>

#include "compiler/check/types.h"

namespace kfpc::check::k8s {

namespace {

// The patterns of k8s.io/apimachinery/pkg/util/validation. They are compiled on first use rather
// than by a static initializer, because compiling them takes about 7 million instructions, half
// of a two-task build, and most programs have no Kubernetes settings.
struct Patterns {
  std::regex qualified_name{R"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])"};
  std::regex dns_label{R"([a-z0-9]([-a-z0-9]*[a-z0-9])?)"};
  std::regex dns_subdomain{R"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)"};
  std::regex env_name{R"([-._a-zA-Z][-._a-zA-Z0-9]*)"};
  std::regex data_key{R"([-._a-zA-Z0-9]+)"};
  std::regex quantity{
      R"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?)"};
};

const Patterns& K8sPatterns() {
  static const Patterns patterns;
  return patterns;
}

bool Matches(const std::regex& pattern, const std::string& text, size_t max_length) {
  return text.size() <= max_length && std::regex_match(text, pattern);
}

bool IsLabelKey(const std::string& text) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return Matches(K8sPatterns().qualified_name, text, 63);
  std::string prefix = text.substr(0, slash);
  std::string name = text.substr(slash + 1);
  return Matches(K8sPatterns().dns_subdomain, prefix, 253) &&
         Matches(K8sPatterns().qualified_name, name, 63);
}

bool IsStringLiteral(const ast::Expr& expr) {
  return (expr.kind == ast::ExprKind::kString || expr.kind == ast::ExprKind::kRawString) &&
         IsConstant(expr);
}

}  // namespace

std::string Describe(Rule rule) {
  switch (rule) {
    case Rule::kLabelKey:
      return "a key is an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, "
             "`-`, `_` and `.` that start and end with a letter or digit, such as "
             "`kubernetes.io/arch`";
    case Rule::kLabelValue:
      return "a label value is empty or at most 63 letters, digits, `-`, `_` and `.` that start "
             "and end with a letter or digit";
    case Rule::kDnsSubdomain:
      return "a name is at most 253 lowercase letters, digits, `-` and `.` that start and end with "
             "a letter or digit, such as `my-secret`";
    case Rule::kDnsLabel:
      return "a name is at most 63 lowercase letters, digits and `-` that start and end with a "
             "letter or digit, such as `scratch`";
    case Rule::kEnvName:
      return "a variable name is letters, digits, `_`, `-` and `.`, and does not start with a "
             "digit";
    case Rule::kDataKey:
      return "a key is at most 253 letters, digits, `-`, `_` and `.`";
    case Rule::kQuantity:
      return "a quantity is a number with an optional unit, such as `500m`, `1Gi` or `5G`";
  }
  return "";
}

bool Follows(Rule rule, const std::string& text) {
  switch (rule) {
    case Rule::kLabelKey:
      return IsLabelKey(text);
    case Rule::kLabelValue:
      return text.empty() || Matches(K8sPatterns().qualified_name, text, 63);
    case Rule::kDnsSubdomain:
      return Matches(K8sPatterns().dns_subdomain, text, 253);
    case Rule::kDnsLabel:
      return Matches(K8sPatterns().dns_label, text, 63);
    case Rule::kEnvName:
      return std::regex_match(text, K8sPatterns().env_name);
    case Rule::kDataKey:
      return Matches(K8sPatterns().data_key, text, 253);
    case Rule::kQuantity:
      return std::regex_match(text, K8sPatterns().quantity);
  }
  return true;
}

long double QuantityValue(const std::string& text) {
  char* end = nullptr;
  // strtold reads the sign, the number and an exponent such as `e3`; it leaves a lone `E`
  // (exa), which no digit follows.
  long double number = std::strtold(text.c_str(), &end);
  std::string_view suffix(end);
  // The fractional units divide, so that "500m" is exactly 0.5.
  struct Suffix {
    std::string_view name;
    long double multiplier, divisor;
  };
  static constexpr Suffix kSuffixes[] = {
      {"Ki", 0x1p10L, 1}, {"Mi", 0x1p20L, 1}, {"Gi", 0x1p30L, 1}, {"Ti", 0x1p40L, 1},
      {"Pi", 0x1p50L, 1}, {"Ei", 0x1p60L, 1}, {"n", 1, 1e9L},     {"u", 1, 1e6L},
      {"m", 1, 1e3L},     {"k", 1e3L, 1},     {"M", 1e6L, 1},     {"G", 1e9L, 1},
      {"T", 1e12L, 1},    {"P", 1e15L, 1},    {"E", 1e18L, 1},
  };
  for (const Suffix& unit : kSuffixes) {
    if (suffix == unit.name) return number * unit.multiplier / unit.divisor;
  }
  return number;
}

bool CheckText(Context& context, Rule rule, const std::string& text, diag::Span span,
               const std::string& what) {
  if (Follows(rule, text)) return true;
  context.Report(diag::Kind::kInvalidKubernetesName, span, "invalid " + what + " `" + text + "`")
      .help = Describe(rule);
  return false;
}

std::optional<SettingMap> ReadBlock(Context& context, const ast::Setting& setting,
                                    const std::vector<std::string>& fields,
                                    const std::string& example,
                                    const std::vector<std::string>& repeatable) {
  if (setting.form != ast::Setting::Form::kBlock) {
    context.Report(diag::Kind::kInvalidValue, setting.span,
                   "setting `" + setting.name + "` is a block")
        .help = "write `" + example + "`";
    return std::nullopt;
  }
  SettingMap found = CollectBlockFields(context, setting, fields, repeatable);
  // A misspelt field was reported as unknown, so reporting it as missing too would repeat it.
  for (const ast::Setting& child : setting.children) {
    if (std::find(fields.begin(), fields.end(), child.name) == fields.end()) return std::nullopt;
  }
  return found;
}

bool Require(Context& context, const SettingMap& fields, const ast::Setting& block,
             const std::string& field, const std::string& help) {
  if (fields.count(field)) return true;
  context.Report(diag::Kind::kMissingSetting, block.name_span,
                 "`" + block.name + "` has no `" + field + "`")
      .help = help;
  return false;
}

std::optional<std::string> EnumSetting(Context& context, const ast::Setting& setting,
                                       const std::vector<std::string>& allowed,
                                       const std::string& what) {
  std::optional<std::string> value = StringSetting(context, setting);
  if (!value) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) return value;
  diag::Diagnostic& d = context.Report(diag::Kind::kInvalidKubernetesEnum, setting.value->span,
                                       "invalid " + what + " `" + *value + "`");
  SuggestName(context, d, *value, allowed, setting.value->span);
  if (d.help.empty()) d.help = "write " + JoinNames(allowed, "or");
  else d.notes.push_back("the values are " + JoinNames(allowed));
  return std::nullopt;
}

std::optional<std::string> RuleSetting(Context& context, const ast::Setting& setting, Rule rule,
                                       const std::string& what) {
  std::optional<std::string> value = StringSetting(context, setting);
  if (!value || !CheckText(context, rule, *value, setting.value->span, what)) return std::nullopt;
  return value;
}

std::optional<std::string> StorageSizeSetting(Context& context, const ast::Setting& setting,
                                              const std::string& what) {
  std::optional<std::string> size = StringSetting(context, setting);
  if (!size) return std::nullopt;
  if (!Follows(Rule::kQuantity, *size)) {
    context
        .Report(diag::Kind::kInvalidKubernetesName, setting.value->span,
                "invalid " + what + " `" + *size + "`")
        .help = "a size is a number of bytes with an optional unit, such as `10Gi`, `500Mi` or `5G`";
    return std::nullopt;
  }
  if (QuantityValue(*size) > 0) return size;
  diag::Diagnostic& d = context.Report(diag::Kind::kInvalidValue, setting.value->span,
                                       what + " `" + *size + "` is not more than zero");
  d.notes.push_back("Kubernetes rejects a volume claim that requests no storage");
  d.help = "request the space the tasks need, such as `\"10Gi\"`";
  return std::nullopt;
}

std::optional<std::vector<MapEntry>> StringMapSetting(Context& context, const ast::Setting& setting,
                                                      Rule key_rule, const std::string& key_what,
                                                      std::optional<Rule> value_rule,
                                                      const std::string& value_what) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return std::nullopt;
  if (value->kind != ast::ExprKind::kMap) {
    context.Report(diag::Kind::kTypeMismatch, value->span,
                   "setting `" + setting.name + "` expects a map of strings, found " +
                       DescribeExpr(*value))
        .help = "write `" + setting.name + " = {\"key\": \"value\"}`";
    return std::nullopt;
  }
  std::vector<MapEntry> entries;
  std::map<std::string, diag::Span> seen;
  bool ok = true;
  for (size_t i = 0; i < value->keys.size() && i < value->items.size(); ++i) {
    const ast::Expr& key = *value->keys[i];
    const ast::Expr& item = *value->items[i];
    for (const ast::Expr* part : {&key, &item}) {
      if (IsStringLiteral(*part)) continue;
      diag::Diagnostic& d =
          context.Report(diag::Kind::kTypeMismatch, part->span,
                         "setting `" + setting.name + "` expects a map of strings, found " +
                             DescribeExpr(*part) + (part == &key ? " as a key" : " as a value"));
      d.help = part->kind == ast::ExprKind::kString
                   ? "the map is constant: remove the `{...}` interpolation"
                   : "write each key and value in quotes";
      // A bare name as a key, such as `team` in `{team: "ml"}`, was meant as a string. A name as a
      // value may be a pipeline input or a task, which quoting would turn into a constant.
      if (part == &key && part->kind == ast::ExprKind::kName) {
        d.help = "write `\"" + part->text + "\"` in quotes";
        d.fix = ReplacementFix(context.sources, part->span, part->text, "\"" + part->text + "\"",
                               "quote `" + part->text + "`");
      }
      ok = false;
    }
    if (!IsStringLiteral(key) || !IsStringLiteral(item)) continue;
    MapEntry entry{StringValue(key), StringValue(item), key.span, item.span};
    auto [first, inserted] = seen.emplace(entry.key, key.span);
    if (!inserted) {
      diag::Diagnostic& d = context.Report(diag::Kind::kInvalidKubernetesValue, key.span,
                                           "key `" + entry.key + "` is written twice in `" +
                                               setting.name + "`");
      d.labels.push_back({first->second, "first written here"});
      d.help = "remove one of the two";
      ok = false;
      continue;
    }
    ok = CheckText(context, key_rule, entry.key, key.span, key_what) && ok;
    if (value_rule) {
      ok = CheckText(context, *value_rule, entry.value, item.span, value_what) && ok;
    }
    entries.push_back(std::move(entry));
  }
  if (!ok) return std::nullopt;
  return entries;
}

std::optional<std::vector<std::string>> AccessModesSetting(Context& context,
                                                           const ast::Setting& setting) {
  static const std::vector<std::string> kAccessModes = {"ReadWriteOnce", "ReadOnlyMany",
                                                        "ReadWriteMany", "ReadWriteOncePod"};
  std::optional<std::vector<std::string>> modes = StringListSetting(context, setting);
  if (!modes) return std::nullopt;
  const ast::Expr* value = setting.value.get();
  if (modes->empty()) {
    context.Report(diag::Kind::kInvalidKubernetesValue, value->span, "empty `access_modes`").help =
        "write at least one access mode, such as `access_modes = [\"ReadWriteOnce\"]`";
    return std::nullopt;
  }
  for (size_t i = 0; i < modes->size(); ++i) {
    if (std::find(kAccessModes.begin(), kAccessModes.end(), (*modes)[i]) != kAccessModes.end()) {
      continue;
    }
    diag::Diagnostic& d = context.Report(diag::Kind::kInvalidKubernetesEnum, value->items[i]->span,
                                         "invalid access mode `" + (*modes)[i] + "`");
    SuggestName(context, d, (*modes)[i], kAccessModes, value->items[i]->span);
    if (d.help.empty()) d.help = "write " + JoinNames(kAccessModes, "or");
    return std::nullopt;
  }
  return modes;
}

}  // namespace kfpc::check::k8s
