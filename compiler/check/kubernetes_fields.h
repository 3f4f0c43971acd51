#pragma once

// Reading the fields of Kubernetes settings, with the rules that the Kubernetes API server
// applies to names, label keys and quantities. Internal to compiler/check.

#include <optional>
#include <string>
#include <vector>

#include "compiler/check/settings.h"

namespace kfpc::check::k8s {

// A kind of text that Kubernetes validates.
enum class Rule {
  kLabelKey,      // label and annotation keys, taint keys: `[prefix/]name`
  kLabelValue,    // label values and node selector values
  kDnsSubdomain,  // names of Secrets, ConfigMaps and PVCs
  kDnsLabel,      // names of volumes and containers
  kEnvName,       // environment variable names
  kDataKey,       // keys of a Secret or a ConfigMap
  kQuantity,      // resource quantities: "5Gi", "500m"
};

// Returns a sentence that describes what `rule` accepts, for a `help:` line.
std::string Describe(Rule rule);

// Whether `text` follows `rule`.
bool Follows(Rule rule, const std::string& text);

// The amount a Kubernetes quantity that follows Rule::kQuantity stands for: "500m" is 0.5, "1Ki"
// is 1024, "2G" is 2e9 and "3e2" is 300.
long double QuantityValue(const std::string& text);

// Reports `text`, read at `span`, when it breaks `rule`. `what` names the text in the message,
// such as "label key". Returns whether it follows the rule.
bool CheckText(Context& context, Rule rule, const std::string& text, diag::Span span,
               const std::string& what);

// Indexes the fields of the block setting `setting` as CollectSettings does. Returns nullopt
// after reporting a setting written as `name = value` instead (with `example` as the form to
// write) or a field not in `fields`.
std::optional<SettingMap> ReadBlock(Context& context, const ast::Setting& setting,
                                    const std::vector<std::string>& fields,
                                    const std::string& example,
                                    const std::vector<std::string>& repeatable = {});

// Reports that the block `block` lacks the required `field`, with `help` saying what to write.
// Returns whether the field is present.
bool Require(Context& context, const SettingMap& fields, const ast::Setting& block,
             const std::string& field, const std::string& help);

// Reads a string setting that must be one of `allowed`; `what` names it in the message, such as
// "toleration operator".
std::optional<std::string> EnumSetting(Context& context, const ast::Setting& setting,
                                       const std::vector<std::string>& allowed,
                                       const std::string& what);

// Reads a string setting that must follow `rule`.
std::optional<std::string> RuleSetting(Context& context, const ast::Setting& setting, Rule rule,
                                       const std::string& what);

// Reads the size of a new volume claim: a quantity more than zero.
std::optional<std::string> StorageSizeSetting(Context& context, const ast::Setting& setting,
                                              const std::string& what);

// Reads `access_modes`, a list of one or more PersistentVolumeClaim access modes.
std::optional<std::vector<std::string>> AccessModesSetting(Context& context,
                                                           const ast::Setting& setting);

// One entry of a map of strings, with where its key and value are written.
struct MapEntry {
  std::string key, value;
  diag::Span key_span, value_span;
};

// Reads `name = {"key": "value", ...}`: string keys following `key_rule`, each written once, and
// string values following `value_rule` (nullopt: any string). Reports every mistake and returns
// nullopt when there is one.
std::optional<std::vector<MapEntry>> StringMapSetting(Context& context, const ast::Setting& setting,
                                                      Rule key_rule, const std::string& key_what,
                                                      std::optional<Rule> value_rule,
                                                      const std::string& value_what);

}  // namespace kfpc::check::k8s
