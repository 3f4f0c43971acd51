#include "compiler/check/declarations.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include "compiler/check/security.h"
#include "compiler/check/settings.h"
#include "compiler/check/types.h"

namespace kfpc::check {

namespace {

const std::vector<std::string> kContainerSettings = {"image", "command", "args", "description",
                                                     "name"};
const std::vector<std::string> kPythonSettings = {
    "python",   "image",       "packages", "pip_index_urls", "pip_trusted_hosts",
    "use_venv", "description", "name"};
const std::vector<std::string> kArtifactSettings = {"schema_title", "schema_version",
                                                    "python_module"};

// Reports a parameter name already used by an input or output of the same declaration.
bool CheckUnique(Context& context, std::map<std::string, diag::Span>& seen, const std::string& name,
                 diag::Span span, const std::string& owner) {
  auto [it, inserted] = seen.emplace(name, span);
  if (inserted) return true;
  diag::Diagnostic& d = context.Report(diag::Kind::kDuplicateParameter, span,
                                       "`" + name + "` is declared twice in " + owner);
  d.labels.push_back({it->second, "first declared here"});
  d.help = "rename one of them";
  return false;
}

std::string OwnerName(const ast::Decl& decl) {
  return std::string(decl.kind == ast::DeclKind::kPipeline ? "pipeline" : "component") + " `" +
         decl.name + "`";
}

std::optional<sema::InputDef> CheckInput(Context& context, const ast::Param& param) {
  std::optional<sema::Type> type = ResolveType(context, param.type);
  if (!type) return std::nullopt;
  sema::InputDef input;
  input.name = param.name;
  input.span = param.span;
  input.type = *type;
  input.description = param.doc;
  input.optional = param.type.optional;
  if (param.default_value && param.default_value->kind == ast::ExprKind::kNone) {
    input.optional = true;
  } else if (param.default_value) {
    input.default_value =
        ConstantOf(context, *param.default_value, *type, "the default of `" + param.name + "`");
    if (!input.default_value) return std::nullopt;
    input.optional = true;
  }
  return input;
}

std::optional<sema::OutputDef> CheckOutput(Context& context, const ast::Param& param,
                                           const std::string& name) {
  std::optional<sema::Type> type = ResolveType(context, param.type);
  if (!type) return std::nullopt;
  if (param.type.optional) {
    context.Report(diag::Kind::kInvalidType, param.type.span, "output `" + name + "` cannot be optional")
        .help = "remove the `?`: every output is produced";
    return std::nullopt;
  }
  if (!type->is_artifact && type->param == sema::ParamType::kTaskFinalStatus) {
    context.Report(diag::Kind::kInvalidType, param.type.span,
                   "`PipelineTaskFinalStatus` cannot be an output type")
        .help = "declare it as an input of an exit task";
    return std::nullopt;
  }
  if (param.default_value) {
    context.Report(diag::Kind::kInvalidValue, param.default_value->span,
                   "output `" + name + "` cannot have a default")
        .help = "remove `= ...`";
  }
  return sema::OutputDef{name, param.span, *type, param.doc};
}

bool HasUnknownSetting(const ast::Decl& decl, const std::vector<std::string>& known) {
  for (const ast::Setting& setting : decl.settings) {
    if (std::find(known.begin(), known.end(), setting.name) == known.end()) return true;
  }
  return false;
}

// Reads the settings of a Python component and checks its function against the interface.
void CheckPython(Context& context, const SettingMap& settings, sema::Component& component) {
  const ast::Expr* source = AssignedValue(context, *settings.at("python"));
  if (!source) return;
  if (source->kind != ast::ExprKind::kRawString && !(source->kind == ast::ExprKind::kString &&
                                                     IsConstant(*source))) {
    context.Report(diag::Kind::kTypeMismatch, source->span,
                   "setting `python` expects a string, found " + DescribeExpr(*source))
        .help = "write the function's source in a raw string: `python = \"\"\"def ...\"\"\"`";
    return;
  }
  component.python.emplace();
  sema::PythonFunction& python = *component.python;
  if (auto it = settings.find("packages"); it != settings.end()) {
    python.packages = StringListSetting(context, *it->second).value_or(std::vector<std::string>{});
  }
  if (auto it = settings.find("pip_index_urls"); it != settings.end()) {
    python.pip_index_urls =
        StringListSetting(context, *it->second).value_or(std::vector<std::string>{});
  }
  if (auto it = settings.find("pip_trusted_hosts"); it != settings.end()) {
    python.pip_trusted_hosts =
        StringListSetting(context, *it->second).value_or(std::vector<std::string>{});
  }
  for (std::string_view name : {"packages", "pip_index_urls", "pip_trusted_hosts"}) {
    if (auto it = settings.find(std::string(name)); it != settings.end()) {
      CheckPipSetting(context, *it->second);
    }
  }
  if (auto it = settings.find("use_venv"); it != settings.end()) {
    python.use_venv = BoolSetting(context, *it->second).value_or(false);
  }
  CheckPythonFunction(context, *source, component);
}

// Returns why `text` cannot be the module path of a Python import, or nullopt when it can: a
// dotted name such as `acme.types` of ASCII identifiers that are not keywords. The reason never
// quotes the text, which may hold control characters.
std::optional<std::string> PythonModuleProblem(std::string_view text) {
  static const std::set<std::string_view> kKeywords = {
      "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
      "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
      "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
  constexpr size_t kMaxBytes = 256;  // the limit of names (E0810)
  if (text.size() > kMaxBytes) {
    return "it is " + std::to_string(text.size()) + " bytes long, and the limit is " +
           std::to_string(kMaxBytes);
  }
  size_t begin = 0;
  while (true) {
    size_t end = std::min(text.find('.', begin), text.size());
    std::string_view part = text.substr(begin, end - begin);
    bool name = !part.empty() && !std::isdigit(static_cast<unsigned char>(part[0])) &&
                std::all_of(part.begin(), part.end(), [](char c) {
                  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                });
    if (!name) {
      return "its parts, joined by `.`, must be names of ASCII letters, digits and `_` that do "
             "not start with a digit";
    }
    if (kKeywords.count(part)) return "`" + std::string(part) + "` is a Python keyword";
    if (begin == 0 && part == "__future__") {
      return "`from __future__ import` must come first in a module, before the SDK's imports";
    }
    if (end == text.size()) return std::nullopt;
    begin = end + 1;
  }
}

}  // namespace

std::optional<std::string> IrNameSetting(Context& context, const ast::Setting& setting) {
  std::optional<std::string> name = StringSetting(context, setting);
  if (!name) return std::nullopt;
  // The IR names keep letters and digits, lower-cased, and put `-` between runs of them.
  bool has_alnum =
      std::any_of(name->begin(), name->end(), [](unsigned char c) { return std::isalnum(c) != 0; });
  if (!has_alnum) {
    context
        .Report(diag::Kind::kInvalidValue, setting.value->span,
                "setting `name` needs a letter or digit, found `" + *name + "`")
        .help = "write the name that the IR uses, such as `name = \"Xgboost train\"`";
    return std::nullopt;
  }
  return name;
}

std::vector<std::string> ComponentSettingNames() {
  std::vector<std::string> names = kContainerSettings;
  for (const std::string& name : kPythonSettings) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

const std::vector<std::string>& ContainerComponentSettingNames() { return kContainerSettings; }

const std::vector<std::string>& PythonComponentSettingNames() { return kPythonSettings; }

const std::vector<std::string>& ArtifactSettingNames() { return kArtifactSettings; }

Interface CheckInterface(Context& context, const ast::Decl& decl) {
  Interface interface;
  std::map<std::string, diag::Span> seen;
  std::string owner = OwnerName(decl);
  for (const ast::Param& param : decl.inputs) {
    if (!CheckUnique(context, seen, param.name, param.name_span, owner)) continue;
    std::optional<sema::InputDef> input = CheckInput(context, param);
    if (input) {
      interface.inputs.push_back(std::move(*input));
    } else {
      context.broken_inputs.insert(decl.name + "." + param.name);
      interface.complete = false;
    }
  }
  // A pipeline's outputs may reuse input names, as in the KFP SDK; a component's may not,
  // because placeholders and Python parameters name both in one namespace.
  if (decl.kind == ast::DeclKind::kPipeline) seen.clear();
  for (const ast::Param& param : decl.outputs) {
    std::string name = decl.single_output ? "Output" : param.name;
    if (!decl.single_output && !CheckUnique(context, seen, name, param.name_span, owner)) continue;
    std::optional<sema::OutputDef> output = CheckOutput(context, param, name);
    if (output) interface.outputs.push_back(std::move(*output)); else interface.complete = false;
  }
  return interface;
}

sema::ArtifactType CheckArtifact(Context& context, const ast::Decl& decl) {
  sema::ArtifactType artifact;
  artifact.name = decl.name;
  std::string owner = "artifact type `" + decl.name + "`";
  SettingMap settings = CollectSettings(context, decl.settings, kArtifactSettings, owner);
  if (auto it = settings.find("schema_title"); it != settings.end()) {
    artifact.schema_title = StringSetting(context, *it->second).value_or("");
  } else {
    context.Report(diag::Kind::kMissingSetting, decl.name_span, owner + " has no `schema_title`")
        .help = "add `schema_title = \"acme." + decl.name + "\"` to its block";
  }
  if (auto it = settings.find("schema_version"); it != settings.end()) {
    artifact.schema_version = StringSetting(context, *it->second).value_or("0.0.1");
  }
  if (auto it = settings.find("python_module"); it != settings.end()) {
    std::optional<std::string> module = StringSetting(context, *it->second);
    std::optional<std::string> problem = module ? PythonModuleProblem(*module) : std::nullopt;
    if (module && !problem) {
      artifact.python_module = *module;
    } else if (module) {
      diag::Diagnostic& d =
          context.Report(diag::Kind::kInvalidValue, it->second->value->span,
                         "`python_module` is not a module path that Python can import");
      d.notes.push_back(*problem);
      d.help =
          "write the module's package names and its own name, joined by `.`, such as "
          "`\"acme.types\"`";
    }
  }
  return artifact;
}

std::unique_ptr<sema::Component> CheckComponent(Context& context, const ast::Decl& decl) {
  auto component = std::make_unique<sema::Component>();
  component->name = decl.name;
  component->span = decl.span;
  component->name_span = decl.name_span;
  component->description = decl.doc;
  Interface interface = CheckInterface(context, decl);
  component->inputs = std::move(interface.inputs);
  component->outputs = std::move(interface.outputs);

  bool is_python = false;
  for (const ast::Setting& setting : decl.settings) {
    is_python = is_python || (setting.name == "python" && setting.form != ast::Setting::Form::kEnv);
  }
  component->kind = is_python ? sema::Component::Kind::kPython : sema::Component::Kind::kContainer;
  std::string owner = "component `" + decl.name + "`";
  SettingMap settings =
      CollectSettings(context, decl.settings, is_python ? kPythonSettings : kContainerSettings, owner);

  if (auto it = settings.find("description"); it != settings.end()) {
    component->description = StringSetting(context, *it->second).value_or(component->description);
  }
  if (auto it = settings.find("name"); it != settings.end()) {
    component->ir_name = IrNameSetting(context, *it->second);
  }
  if (auto it = settings.find("image"); it != settings.end()) {
    std::optional<std::string> image = StringSetting(context, *it->second);
    component->image = image.value_or("");
    component->image_span = it->second->value ? it->second->value->span : it->second->span;
    if (image && !CheckImageReference(context, *image, component->image_span)) {
      component->image.clear();
    }
  } else if (is_python) {
    component->image = "python:3.11";
  } else if (!HasUnknownSetting(decl, kContainerSettings)) {
    // With a misspelled setting, the help for that setting already names `image`.
    context.Report(diag::Kind::kMissingSetting, decl.name_span, owner + " has no `image`")
        .help = "add `image = \"registry/name:tag\"` to its block, or set `python` for a Python "
                "function component";
  }
  if (!is_python) {
    if (auto it = settings.find("command"); it != settings.end()) {
      component->command = LowerCommandList(context, *it->second, *component);
    }
    if (auto it = settings.find("args"); it != settings.end()) {
      component->args = LowerCommandList(context, *it->second, *component);
    }
    return component;
  }
  auto python_setting = settings.find("python");
  if (python_setting != settings.end()) CheckPython(context, settings, *component);
  return component;
}

}  // namespace kfpc::check
