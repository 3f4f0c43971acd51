#include "compiler/passes/project_config.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "compiler/check/kubernetes_fields.h"
#include "compiler/diagnostics/read_file.h"
#include "compiler/diagnostics/suggest.h"

namespace kfpc::passes {

namespace {

namespace fs = std::filesystem;

// Walks the parser's events before any node is built, because yaml-cpp expands aliases while it
// builds nodes: a few aliases of aliases would otherwise grow into millions of nodes.
class LimitChecker : public YAML::EventHandler {
 public:
  explicit LimitChecker(const ProjectConfigLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark&) override { ++documents_; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Node(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    Fail(mark, "aliases (`*name`) are not allowed");
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Node(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { --depth_; }

  int documents() const { return documents_; }
  bool failed() const { return failed_; }
  const YAML::Mark& mark() const { return mark_; }
  const std::string& message() const { return message_; }

 private:
  void Node(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) Fail(mark, "anchors (`&name`) are not allowed");
    if (++nodes_ > limits_.max_nodes) Fail(mark, "the file has too many values");
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Node(mark, anchor);
    if (++depth_ > limits_.max_depth) {
      Fail(mark, "values are nested more than " + std::to_string(limits_.max_depth) + " deep");
    }
  }
  void Fail(const YAML::Mark& mark, std::string message) {
    if (failed_) return;
    failed_ = true;
    mark_ = mark;
    message_ = std::move(message);
  }

  const ProjectConfigLimits& limits_;
  int depth_ = 0;
  size_t nodes_ = 0;
  int documents_ = 0;
  bool failed_ = false;
  YAML::Mark mark_;
  std::string message_;
};

// Reads the mappings of one file and reports problems at their nodes. A problem in one value does
// not stop the reading, so that one run reports every problem of the file.
class ConfigReader {
 public:
  ConfigReader(diag::FileId file, diag::DiagnosticSink& sink) : file_(file), sink_(sink) {}

  void Report(const YAML::Node& node, std::string message, std::string help = "") {
    Report(node.Mark(), std::move(message), std::move(help));
  }
  void Report(const YAML::Mark& mark, std::string message, std::string help = "") {
    uint32_t begin = mark.pos < 0 ? 0 : static_cast<uint32_t>(mark.pos);
    sink_.Report(diag::Kind::kInvalidProjectConfig, {file_, begin, begin + 1},
                 "invalid `kfpc.yaml`: " + std::move(message))
        .help = std::move(help);
    ++reported_;
  }

  // The number of problems reported so far.
  size_t reported() const { return reported_; }

  std::optional<std::string> String(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar()) {
      Report(node, "`" + what + "` must be a string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  // Checks that `node` is a mapping and reports each key that is not in `known`. Returns false
  // only when `node` is not a mapping, so that the caller still reads the known keys.
  bool Mapping(const YAML::Node& node, const std::string& what,
               const std::vector<std::string>& known) {
    if (!node.IsMap()) {
      Report(node, "`" + what + "` must be a mapping");
      return false;
    }
    std::set<std::string> seen;
    for (const auto& entry : node) {
      std::string key = entry.first.Scalar();
      // yaml-cpp keeps both entries of a repeated key, and a lookup finds only the first.
      if (!seen.insert(key).second) {
        Report(entry.first, "duplicate key `" + diag::ShownText(key) + "` in `" + what + "`",
               "remove one of the two entries");
        continue;
      }
      if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
        std::string help = diag::DidYouMean(key, known);
        if (help.empty()) {
          std::string names;
          for (const std::string& name : known) {
            names += (names.empty() ? "`" : ", `") + name + "`";
          }
          help = "the keys of `" + what + "` are " + names;
        }
        Report(entry.first, "unknown key `" + diag::ShownText(key) + "` in `" + what + "`",
               help);
      }
    }
    return true;
  }

  bool ReadProfile(const std::string& name, const YAML::Node& node, TargetProfile* profile);

 private:
  bool ReadLabels(const YAML::Node& node, TargetProfile* profile);
  bool ReadTolerations(const YAML::Node& node, TargetProfile* profile);
  bool ReadInstanceTypes(const YAML::Node& node, TargetProfile* profile);

  diag::FileId file_;
  diag::DiagnosticSink& sink_;
  size_t reported_ = 0;
};

bool ConfigReader::ReadLabels(const YAML::Node& node, TargetProfile* profile) {
  size_t reported_before = reported();
  if (!Mapping(node, "labels", {"architecture", "instance_type", "instance_family"})) return false;
  for (const auto& entry : node) {
    std::optional<std::string> value = String(entry.second, "labels");
    if (!value) continue;
    std::string key = entry.first.Scalar();
    if (key == "architecture") profile->architecture_label = *value;
    if (key == "instance_type") profile->instance_type_label = *value;
    if (key == "instance_family") profile->family_label = *value;
  }
  return reported() == reported_before;
}

bool ConfigReader::ReadTolerations(const YAML::Node& node, TargetProfile* profile) {
  if (!node.IsSequence()) {
    Report(node, "`tolerations` must be a list");
    return false;
  }
  size_t reported_before = reported();
  profile->tolerations.clear();
  for (const YAML::Node& item : node) {
    if (!Mapping(item, "tolerations", {"key", "operator", "value", "effect"})) continue;
    Toleration toleration;
    for (const auto& entry : item) {
      std::optional<std::string> value = String(entry.second, "tolerations");
      if (!value) continue;
      std::string key = entry.first.Scalar();
      if (key == "key") toleration.key = *value;
      if (key == "operator") toleration.op = *value;
      if (key == "value") toleration.value = *value;
      if (key == "effect") toleration.effect = *value;
    }
    if (toleration.op != "Equal" && toleration.op != "Exists") {
      Report(item["operator"] ? item["operator"] : item,
             "toleration operator `" + diag::ShownText(toleration.op) + "` is invalid",
             "write `Equal` or `Exists`");
      continue;
    }
    // The rules that Kubernetes applies to a pod's tolerations, and kfpc to a task's.
    using check::k8s::Follows;
    using check::k8s::Rule;
    auto at = [&](const char* field) { return item[field] ? item[field] : item; };
    if (!toleration.key.empty() && !Follows(Rule::kLabelKey, toleration.key)) {
      Report(at("key"), "toleration key `" + diag::ShownText(toleration.key) + "` is invalid",
             check::k8s::Describe(Rule::kLabelKey));
      continue;
    }
    if (toleration.key.empty() && toleration.op != "Exists") {
      Report(at("key"), "a toleration without a key must have operator `Exists`",
             "add the taint's `key`, or write `operator: Exists` to tolerate every taint");
      continue;
    }
    if (toleration.op == "Exists" && !toleration.value.empty()) {
      Report(at("value"), "a toleration with operator `Exists` has no value",
             "remove `value`, or write `operator: Equal`");
      continue;
    }
    if (!toleration.value.empty() && !Follows(Rule::kLabelValue, toleration.value)) {
      Report(at("value"), "toleration value `" + diag::ShownText(toleration.value) + "` is invalid",
             check::k8s::Describe(Rule::kLabelValue));
      continue;
    }
    if (!toleration.effect.empty() && toleration.effect != "NoSchedule" &&
        toleration.effect != "PreferNoSchedule" && toleration.effect != "NoExecute") {
      Report(at("effect"), "taint effect `" + diag::ShownText(toleration.effect) + "` is invalid",
             "write `NoSchedule`, `PreferNoSchedule` or `NoExecute`, or leave out `effect` for "
             "all three");
      continue;
    }
    profile->tolerations.push_back(toleration);
  }
  return reported() == reported_before;
}

bool ConfigReader::ReadInstanceTypes(const YAML::Node& node, TargetProfile* profile) {
  if (!node.IsSequence()) {
    Report(node, "`instance_types` must be a list");
    return false;
  }
  size_t reported_before = reported();
  profile->instance_types.clear();
  for (const YAML::Node& item : node) {
    if (!Mapping(item, "instance_types", {"name", "vcpus", "memory"})) continue;
    if (!item["name"] || !item["vcpus"] || !item["memory"]) {
      Report(item, "an instance type needs `name`, `vcpus` and `memory`",
             "write `{name: c8g.4xlarge, vcpus: 16, memory: 32Gi}`");
      continue;
    }
    std::optional<std::string> name = String(item["name"], "name");
    std::optional<std::string> vcpus = String(item["vcpus"], "vcpus");
    std::optional<std::string> memory = String(item["memory"], "memory");
    std::optional<int64_t> millis = vcpus ? ParseCpuMillis(*vcpus) : std::nullopt;
    std::optional<int64_t> mib = memory ? ParseMemoryMib(*memory) : std::nullopt;
    if (vcpus && !millis) {
      Report(item["vcpus"],
             "`vcpus` value `" + diag::ShownText(*vcpus) + "` is not a valid CPU quantity",
             "write a number of CPUs, such as `vcpus: 16`");
    }
    if (memory && !mib) {
      Report(item["memory"],
             "`memory` value `" + diag::ShownText(*memory) + "` is not a valid memory quantity",
             "write a Kubernetes quantity, such as `memory: 32Gi`");
    }
    if (!name || !millis || !mib) continue;
    profile->instance_types.push_back({*name, *millis / 1000, *mib});
  }
  return reported() == reported_before;
}

// Drops the instance types of the base profile whose family (the name before the first `.`,
// `m8g` in `m8g.4xlarge`) is not in `families`, so that the size check and its note name only
// instance types that the target's nodes can be. When no family of the base is listed, no type
// is left, and the size check then has no limit to check against.
void KeepFamilyInstanceTypes(TargetProfile* profile) {
  std::erase_if(profile->instance_types, [&](const InstanceType& type) {
    std::string family = type.name.substr(0, type.name.find('.'));
    return std::find(profile->families.begin(), profile->families.end(), family) ==
           profile->families.end();
  });
}

bool ConfigReader::ReadProfile(const std::string& name, const YAML::Node& node,
                               TargetProfile* profile) {
  static const std::vector<std::string> kKeys = {
      "base",          "architecture", "labels",         "families",
      "node_selector", "tolerations",  "instance_types", "nvidia_gpus"};
  size_t reported_before = reported();
  if (!Mapping(node, "targets." + diag::ShownText(name), kKeys)) return false;
  if (node["base"]) {
    std::optional<std::string> base = String(node["base"], "base");
    std::optional<TargetProfile> builtin = base ? BuiltinProfile(*base) : std::nullopt;
    if (builtin) {
      *profile = *builtin;
    } else if (base) {
      static const std::vector<std::string> kBuiltins = {"graviton4", "arm64", "amd64", "none"};
      std::string closest = diag::ClosestName(*base, kBuiltins);
      Report(node["base"],
             "`base` must name a built-in target, found `" + diag::ShownText(*base) + "`",
             closest.empty() ? "the built-in targets are `graviton4`, `arm64`, `amd64` and `none`"
                             : "did you mean `" + closest +
                                   "`? The built-in targets are `graviton4`, `arm64`, `amd64` "
                                   "and `none`");
    }
  }
  profile->name = name;
  bool ok = true;
  for (const auto& entry : node) {
    std::string key = entry.first.Scalar();
    const YAML::Node& value = entry.second;
    if (key == "architecture") {
      std::optional<std::string> arch = String(value, key);
      if (arch && *arch != "arm64" && *arch != "amd64") {
        Report(value, "architecture `" + diag::ShownText(*arch) + "` is not supported",
               "write `arm64` or `amd64`");
        arch.reset();
      }
      if (arch) profile->architecture = *arch;
      ok = ok && arch.has_value();
    } else if (key == "labels") {
      ok = ReadLabels(value, profile) && ok;
    } else if (key == "families") {
      profile->families.clear();
      if (!value.IsSequence()) {
        Report(value, "`families` must be a list of instance families");
        ok = false;
        continue;
      }
      for (const YAML::Node& family : value) {
        std::optional<std::string> text = String(family, "families");
        if (text && !check::k8s::Follows(check::k8s::Rule::kLabelValue, *text)) {
          Report(family, "instance family `" + diag::ShownText(*text) + "` is invalid",
                 check::k8s::Describe(check::k8s::Rule::kLabelValue));
          text.reset();
        }
        if (text) profile->families.push_back(*text);
        ok = ok && text.has_value();
      }
    } else if (key == "node_selector") {
      if (!Mapping(value, "node_selector", {})) {
        ok = false;
        continue;
      }
      for (const auto& label : value) {
        std::optional<std::string> text = String(label.second, "node_selector");
        const std::string& label_key = label.first.Scalar();
        if (text && !check::k8s::Follows(check::k8s::Rule::kLabelKey, label_key)) {
          Report(label.first, "node label key `" + diag::ShownText(label_key) + "` is invalid",
                 check::k8s::Describe(check::k8s::Rule::kLabelKey));
          text.reset();
        } else if (text && !check::k8s::Follows(check::k8s::Rule::kLabelValue, *text)) {
          Report(label.second, "node label value `" + diag::ShownText(*text) + "` is invalid",
                 check::k8s::Describe(check::k8s::Rule::kLabelValue));
          text.reset();
        }
        if (text) profile->node_labels[label_key] = *text;
        ok = ok && text.has_value();
      }
    } else if (key == "tolerations") {
      ok = ReadTolerations(value, profile) && ok;
    } else if (key == "instance_types") {
      ok = ReadInstanceTypes(value, profile) && ok;
    } else if (key == "nvidia_gpus") {
      if (!value.IsScalar() || (value.Scalar() != "true" && value.Scalar() != "false")) {
        Report(value, "`nvidia_gpus` must be `true` or `false`");
        ok = false;
        continue;
      }
      profile->nvidia_gpus = value.Scalar() == "true";
    }
  }
  ok = ok && reported() == reported_before;
  // Without a valid base, the missing architecture follows from the reported error.
  if (ok && profile->architecture.empty()) {
    Report(node, "target `" + diag::ShownText(name) + "` has no `architecture`",
           "add `architecture: arm64` or `base: graviton4`");
    ok = false;
  }
  if (ok && node["node_selector"]) {
    // The architecture label is the profile's own; another value there contradicts it.
    auto architecture = profile->node_labels.find(profile->architecture_label);
    if (architecture != profile->node_labels.end() &&
        architecture->second != profile->architecture) {
      Report(node["node_selector"][profile->architecture_label],
             "`node_selector` selects `" + profile->architecture_label + ": " +
                 diag::ShownText(architecture->second) + "`, but target `" + diag::ShownText(name) +
                 "` has architecture `" + profile->architecture + "`",
             "remove the label, which the target adds itself, or change `architecture`");
      ok = false;
    }
  }
  if (ok && node["families"] && !node["instance_types"] && !profile->instance_types.empty()) {
    // A family that the base's instance types lack, such as `c7g` (Graviton3) or `m5` (x86) on
    // base `graviton4`, is not one of the base's kinds of node.
    for (const YAML::Node& family : node["families"]) {
      const std::string& text = family.Scalar();
      bool known = std::any_of(
          profile->instance_types.begin(), profile->instance_types.end(),
          [&](const InstanceType& type) { return type.name.rfind(text + ".", 0) == 0; });
      if (!known) {
        Report(family,
               "instance family `" + diag::ShownText(text) + "` is not one of the base target's",
               "list the family's sizes under `instance_types`, or remove it from `families`");
        ok = false;
      }
    }
  }
  if (ok && node["families"] && !node["instance_types"]) KeepFamilyInstanceTypes(profile);
  return ok;
}

// Reports a `default_target` that names neither a built-in target nor one under `targets:`, at
// its value, and clears it. A target whose profile has errors counts as declared: those errors
// are reported at the profile.
void CheckDefaultTarget(ConfigReader& reader, const YAML::Node& root, ProjectConfig* config) {
  const std::string& name = *config->default_target;
  std::vector<std::string> names = BuiltinProfileNames();
  if (const YAML::Node& targets = root["targets"]; targets && targets.IsMap()) {
    for (const auto& entry : targets) names.push_back(entry.first.Scalar());
  }
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  std::string known;
  for (const std::string& known_name : names) {
    known += (known.empty() ? "`" : ", `") + diag::ShownText(known_name) + "`";
  }
  std::string help = diag::DidYouMean(name, names);
  if (help.empty()) help = "the targets are " + known + "; declare others under `targets:`";
  reader.Report(root["default_target"],
                "`default_target` names unknown target `" + diag::ShownText(name) + "`", help);
  config->default_target.reset();
}

bool ReadConfig(ConfigReader& reader, const YAML::Node& root, ProjectConfig* config) {
  size_t reported_before = reader.reported();
  // An empty file, or one of comments only, marks the project root and sets nothing.
  if (root.IsNull()) return true;
  if (!reader.Mapping(root, "kfpc.yaml",
                      {"version", "default_target", "import_directories", "targets"})) {
    return false;
  }
  if (!root["version"] || !root["version"].IsScalar() || root["version"].Scalar() != "1") {
    reader.Report(root["version"] ? root["version"] : root, "`version` must be 1",
                  "start the file with `version: 1`");
  }
  if (root["default_target"]) {
    config->default_target = reader.String(root["default_target"], "default_target");
  }
  if (const YAML::Node& directories = root["import_directories"]; directories) {
    if (!directories.IsSequence()) {
      reader.Report(directories, "`import_directories` must be a list of directories",
                    "write `import_directories: [../shared]`");
    } else {
      for (const YAML::Node& item : directories) {
        std::optional<std::string> directory = reader.String(item, "import_directories");
        if (directory && directory->empty()) {
          reader.Report(item, "an entry of `import_directories` is empty");
        } else if (directory) {
          config->import_directories.push_back(*directory);
        }
      }
    }
  }
  if (root["targets"] && reader.Mapping(root["targets"], "targets", {})) {
    for (const auto& entry : root["targets"]) {
      std::string name = entry.first.Scalar();
      if (BuiltinProfile(name)) {
        reader.Report(entry.first, "target `" + name + "` is a built-in target",
                      "give the profile another name and set `base: " + name + "`");
        continue;
      }
      TargetProfile profile;
      if (reader.ReadProfile(name, entry.second, &profile)) {
        config->targets[name] = std::move(profile);
      }
    }
  }
  if (config->default_target) {
    CheckDefaultTarget(reader, root, config);
  }
  return reader.reported() == reported_before;
}

}  // namespace

std::string FindProjectConfig(const std::string& root_source) {
  std::error_code error;
  fs::path directory = fs::absolute(fs::path(root_source), error).parent_path();
  while (!error) {
    fs::path candidate = directory / kProjectConfigName;
    // Any file type counts, so that a FIFO or a directory named kfpc.yaml is reported when it is
    // read rather than skipped in favour of a config further up.
    if (fs::exists(fs::symlink_status(candidate, error))) return candidate.string();
    if (fs::exists(directory / ".git", error) || directory == directory.parent_path()) break;
    directory = directory.parent_path();
  }
  return "";
}

bool ParseProjectConfig(const diag::SourceManager& sources, diag::FileId file,
                        diag::DiagnosticSink& sink, ProjectConfig* config,
                        const ProjectConfigLimits& limits) {
  ConfigReader reader(file, sink);
  const std::string& text = sources.contents(file);
  if (text.size() > limits.max_bytes) {
    reader.Report(YAML::Mark(), "the file is larger than " + std::to_string(limits.max_bytes) +
                                    " bytes");
    return false;
  }
  try {
    std::istringstream input(text);
    YAML::Parser parser(input);
    LimitChecker checker(limits);
    while (parser.HandleNextDocument(checker) && !checker.failed()) {
    }
    if (checker.failed()) {
      reader.Report(checker.mark(), checker.message(), "write each value out in full");
      return false;
    }
    if (checker.documents() > 1) {
      reader.Report(YAML::Mark(), "the file holds more than one YAML document");
      return false;
    }
    YAML::Node root = YAML::Load(text);
    return ReadConfig(reader, root, config);
  } catch (const YAML::Exception& error) {
    reader.Report(error.mark, error.msg);
    return false;
  }
}

bool LoadProjectConfig(const std::string& path, diag::SourceManager& sources,
                       diag::DiagnosticSink& sink, ProjectConfig* config,
                       const ProjectConfigLimits& limits) {
  // Reads one byte past the limit so that a larger file is reported as too large.
  diag::ReadResult read = diag::ReadRegularFile(path, limits.max_bytes);
  if (read.status != diag::ReadStatus::kOk) {
    sink.Report(diag::Kind::kReadFailed, diag::Span{},
                "failed to read `" + path + "`: " + read.error);
    return false;
  }
  std::string contents = std::move(read.contents);
  diag::FileId file = sources.AddFile(path, std::move(contents));
  return ParseProjectConfig(sources, file, sink, config, limits);
}

namespace {

// Longer quantities are invalid. Every quantity whose value fits in int64_t fits in 64
// characters, unless written with leading zeros or a long fraction.
constexpr size_t kMaxQuantityLength = 64;

// Rounds `value` up to an int64_t. Returns nullopt when the result is out of its range, as for a
// quantity with dozens of digits.
std::optional<int64_t> CeilToInt64(double value) {
  double rounded = std::ceil(value);
  // 2^63 is a double, and every double below it converts to int64_t without overflow.
  if (!(rounded >= 0 && rounded < 9223372036854775808.0)) return std::nullopt;
  return static_cast<int64_t>(rounded);
}

}  // namespace

std::optional<int64_t> ParseCpuMillis(std::string_view quantity) {
  static const std::regex kCpu(R"(([0-9]+(\.[0-9]+)?)(m?))");
  // libstdc++'s regex matcher recurses once per character: a quantity of many thousands of
  // digits would overflow the stack.
  if (quantity.size() > kMaxQuantityLength) return std::nullopt;
  std::string text(quantity);
  std::smatch match;
  if (!std::regex_match(text, match, kCpu)) return std::nullopt;
  // std::strtod, unlike std::stod, does not throw: a number too large for a double is infinity.
  double value = std::strtod(match[1].str().c_str(), nullptr);
  return CeilToInt64(match[3] == "m" ? value : value * 1000);
}

std::optional<int64_t> ParseMemoryMib(std::string_view quantity) {
  static const std::regex kMemory(R"(([0-9]+(\.[0-9]+)?([eE][0-9]+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?)");
  if (quantity.size() > kMaxQuantityLength) return std::nullopt;
  std::string text(quantity);
  std::smatch match;
  if (!std::regex_match(text, match, kMemory)) return std::nullopt;
  static const std::map<std::string, double> kFactors = {
      {"", 1},          {"Ki", 1024.0},   {"Mi", 1048576.0}, {"Gi", 1073741824.0},
      {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0}, {"k", 1e3},
      {"M", 1e6},       {"G", 1e9},       {"T", 1e12},       {"P", 1e15}};
  double bytes = std::strtod(match[1].str().c_str(), nullptr) * kFactors.at(match[4]);
  return CeilToInt64(bytes / 1048576.0);
}

}  // namespace kfpc::passes
