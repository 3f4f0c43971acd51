// Matching a Python component's function signature against the component's declared interface.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <variant>
#include <vector>

#include "compiler/check/declarations.h"
#include "compiler/check/python_signature.h"
#include "compiler/check/types.h"

namespace kfpc::check {

namespace {

using sema::ParamType;

// The role of a Python annotation: an input or an output, with its type.
struct PyRole {
  bool is_output = false;
  std::optional<sema::Type> type;  // nullopt when the annotation is not understood
};

// The value of a Python default of one token, as a kfpc constant: `True`, `None`, `'text'`,
// `-2`, `1.5e3`. Nullopt for another name, a string with escapes or a number kfpc does not read.
std::optional<sema::Constant> PythonLiteral(const PyExpr& literal) {
  sema::Constant constant;
  if (literal.kind == PyExpr::Kind::kName) {
    if (literal.text == "True" || literal.text == "False") {
      constant.value = literal.text == "True";
    } else if (literal.text != "None") {
      return std::nullopt;
    }
    return constant;
  }
  if (literal.kind == PyExpr::Kind::kString) {
    if (literal.text.find('\\') != std::string::npos) return std::nullopt;
    constant.value = literal.text;
    return constant;
  }

  std::string digits;
  for (char c : literal.text) {
    if (c != '_') digits += c;
  }
  const char* begin = digits.data();
  const char* end = begin + digits.size();
  int64_t whole = 0;
  if (auto [stop, error] = std::from_chars(begin, end, whole);
      error == std::errc() && stop == end) {
    constant.value = whole;
    return constant;
  }
  if (digits.find_first_of("xXoObBjJ") != std::string::npos) return std::nullopt;
  char* stop = nullptr;
  double real = std::strtod(digits.c_str(), &stop);
  if (digits.empty() || stop != digits.c_str() + digits.size()) return std::nullopt;
  constant.value = real;
  return constant;
}

// Whether two scalar constants are the same value; numbers compare by value, so `3` equals
// `3.0`. Nullopt when either is a list or a map.
std::optional<bool> SameScalar(const sema::Constant& a, const sema::Constant& b) {
  auto number = [](const sema::Constant& c) -> std::optional<double> {
    if (const int64_t* i = std::get_if<int64_t>(&c.value)) return static_cast<double>(*i);
    if (const double* d = std::get_if<double>(&c.value)) return *d;
    return std::nullopt;
  };
  auto scalar = [](const sema::Constant& c) {
    return !std::holds_alternative<sema::Constant::List>(c.value) &&
           !std::holds_alternative<sema::Constant::Map>(c.value);
  };
  if (!scalar(a) || !scalar(b)) return std::nullopt;
  if (number(a) && number(b)) return *number(a) == *number(b);
  if (a.value.index() != b.value.index()) return false;
  if (const std::string* text = std::get_if<std::string>(&a.value)) {
    return *text == std::get<std::string>(b.value);
  }
  if (const bool* flag = std::get_if<bool>(&a.value)) return *flag == std::get<bool>(b.value);
  return true;  // both none
}

// A scalar constant as kfpc writes it: `"text"`, `true`, `none`, `3`, `1.5`.
std::string ScalarText(const sema::Constant& constant) {
  if (const std::string* s = std::get_if<std::string>(&constant.value)) return "\"" + *s + "\"";
  if (const bool* b = std::get_if<bool>(&constant.value)) return *b ? "true" : "false";
  if (const int64_t* i = std::get_if<int64_t>(&constant.value)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&constant.value)) {
    // The shortest text that reads back as the same double: `0.1`, not `0.10000000000000001`.
    char text[32];
    for (int digits = 15; digits <= 17; ++digits) {
      std::snprintf(text, sizeof text, "%.*g", digits, *d);
      if (std::strtod(text, nullptr) == *d) break;
    }
    return text;
  }
  return "none";
}

std::string BaseName(const std::string& dotted) {
  size_t dot = dotted.rfind('.');
  return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
}

// Returns the other type of `T | None`, `None | T`, `Union[T, None]` or `Union[None, T]`, or
// null for any other annotation.
const PyExpr* WithoutNone(const PyExpr& expr) {
  bool is_union = expr.kind == PyExpr::Kind::kUnion ||
                  (expr.kind == PyExpr::Kind::kSubscript && BaseName(expr.text) == "Union");
  if (!is_union || expr.args.size() != 2) return nullptr;
  auto is_none = [](const PyExpr& e) { return e.kind == PyExpr::Kind::kName && e.text == "None"; };
  if (is_none(expr.args[0]) == is_none(expr.args[1])) return nullptr;
  return &expr.args[is_none(expr.args[0]) ? 1 : 0];
}

// Returns the class that the annotation names inside `Input[...]`, `Output[...]`,
// `Optional[...]`, `List[...]` or a union with `None`, or null for anything else, such as
// `InputPath("T")`.
const PyExpr* ClassNameOf(const PyExpr& expr) {
  if (expr.kind == PyExpr::Kind::kName) return &expr;
  std::string name = BaseName(expr.text);
  if (expr.kind == PyExpr::Kind::kSubscript && expr.args.size() == 1 &&
      (name == "Input" || name == "Output" || name == "Optional" || name == "List" ||
       name == "list")) {
    return ClassNameOf(expr.args[0]);
  }
  if (const PyExpr* inner = WithoutNone(expr)) return ClassNameOf(*inner);
  return nullptr;
}

class PythonMatcher {
 public:
  PythonMatcher(Context& context, const ast::Expr& raw, sema::Component& component)
      : context_(context), raw_(raw), component_(component) {
    if (raw.kind == ast::ExprKind::kRawString && !raw.parts.empty()) {
      base_ = raw.parts.front().span.begin;
    } else {
      // The value starts after `"`, `"""` or `#"""`. Where escapes make it differ from the
      // source, offsets into it are approximate.
      const std::string& contents = context.sources.contents(raw.span.file);
      base_ = raw.span.begin + 3;
      for (size_t start : {raw.span.begin + 1, raw.span.begin + 3, raw.span.begin + 4}) {
        if (start + raw.text.size() <= std::min<size_t>(raw.span.end, contents.size()) &&
            contents.compare(start, raw.text.size(), raw.text) == 0) {
          base_ = start;
          break;
        }
      }
    }
    FindCrLf();
  }

  void Run();

 private:
  diag::Span SpanAt(size_t begin, size_t end) const {
    return {raw_.span.file, SourceOffset(begin), SourceOffset(std::max(end, begin + 1))};
  }
  // The source byte of offset `offset` of the function's source. A raw string's CR LF is one
  // LF in its value, so each CR LF before the offset adds a byte.
  uint32_t SourceOffset(size_t offset) const {
    const std::string& contents = context_.sources.contents(raw_.span.file);
    size_t crlf_before = std::lower_bound(crlf_.begin(), crlf_.end(), offset) - crlf_.begin();
    return static_cast<uint32_t>(std::min(base_ + offset + crlf_before, contents.size()));
  }
  // Fills crlf_ in one pass over the source of the function.
  void FindCrLf() {
    const std::string& contents = context_.sources.contents(raw_.span.file);
    size_t source = base_;
    for (size_t i = 0; i < raw_.text.size() && source < contents.size(); ++i) {
      if (contents.compare(source, 2, "\r\n") == 0) {
        crlf_.push_back(i);
        ++source;
      }
      ++source;
    }
  }
  std::string Text(const PyExpr& expr) const { return raw_.text.substr(expr.begin, expr.end - expr.begin); }
  std::optional<sema::Type> ParamOrArtifact(const PyExpr& expr, bool allow_artifact);
  PyRole Classify(const PyExpr& expr);
  void MatchParam(const PyParam& param);
  // Warns where the function's default of `param` and the declared default of `input` disagree
  // in a way that changes what the function gets.
  void CheckDefault(const PyParam& param, const sema::InputDef& input);
  void MatchReturn(const PyExpr& returns);
  // `in_return` is true for the return annotation and the fields of a returned NamedTuple.
  void MatchOutput(const std::string& name, const PyExpr& annotation, diag::Span span,
                   bool in_return);
  bool SameType(const sema::Type& declared, const sema::Type& actual) const;
  // Adds the import of the artifact class that `annotation` names, when its type declares a
  // `python_module`, or reports a name that no import of that module path can bring in.
  void NoteArtifactImport(const PyExpr& annotation, const PyRole& role);
  std::string PythonSpelling(const sema::Type& type, bool is_output) const;
  std::string ReturnSpelling(const sema::Type& type) const;

  Context& context_;
  const ast::Expr& raw_;
  sema::Component& component_;
  size_t base_ = 0;
  // The offsets in the function's source of the LFs that stand for a CR LF, in increasing order.
  std::vector<size_t> crlf_;
  std::set<std::string> produced_;
  diag::Span function_span_;
  const PyExpr* return_annotation_ = nullptr;  // a plain `-> T`, not a NamedTuple
};

std::optional<sema::Type> PythonMatcher::ParamOrArtifact(const PyExpr& expr, bool allow_artifact) {
  static const std::map<std::string, ParamType> kParams = {
      {"str", ParamType::kString}, {"int", ParamType::kInt},   {"float", ParamType::kFloat},
      {"bool", ParamType::kBool},  {"list", ParamType::kList}, {"List", ParamType::kList},
      {"dict", ParamType::kDict},  {"Dict", ParamType::kDict},
      {"PipelineTaskFinalStatus", ParamType::kTaskFinalStatus}};
  std::string name = BaseName(expr.text);
  if (allow_artifact && expr.kind == PyExpr::Kind::kSubscript && (name == "List" || name == "list") &&
      expr.args.size() == 1) {
    std::optional<sema::Type> element = ParamOrArtifact(expr.args[0], true);
    if (element && element->is_artifact) {
      element->is_list = true;
      return element;
    }
  }
  if (expr.kind == PyExpr::Kind::kSubscript && name == "Optional" && expr.args.size() == 1) {
    return ParamOrArtifact(expr.args[0], allow_artifact);
  }
  if (const PyExpr* inner = WithoutNone(expr)) return ParamOrArtifact(*inner, allow_artifact);
  // A union of two types, such as `int | str` or `VM | Dataset`, is no single KFP type.
  if (expr.kind == PyExpr::Kind::kUnion) return std::nullopt;
  if (auto it = kParams.find(name); it != kParams.end() && expr.kind != PyExpr::Kind::kCall &&
                                    expr.kind != PyExpr::Kind::kString) {
    return ParamTypeOf(it->second);
  }
  // A class is a name: `1.VM`, `VM()` and `[VM]` are not.
  if (!allow_artifact || (expr.kind != PyExpr::Kind::kName && expr.kind != PyExpr::Kind::kString)) {
    return std::nullopt;
  }
  sema::Type type;
  type.is_artifact = true;
  if (std::optional<sema::ArtifactType> builtin = BuiltinArtifact(name)) {
    type.artifact = *builtin;
    return type;
  }
  auto it = context_.symbols.find(name);
  if (it == context_.symbols.end() || it->second.decl->kind != ast::DeclKind::kArtifact) {
    return std::nullopt;
  }
  type.artifact = it->second.artifact;
  return type;
}

PyRole PythonMatcher::Classify(const PyExpr& expr) {
  std::string name = BaseName(expr.text);
  if (expr.kind == PyExpr::Kind::kSubscript && name == "Optional" && expr.args.size() == 1) {
    return Classify(expr.args[0]);
  }
  if (const PyExpr* inner = WithoutNone(expr)) return Classify(*inner);
  if (expr.kind == PyExpr::Kind::kSubscript && (name == "Input" || name == "Output") &&
      expr.args.size() == 1) {
    return {name == "Output", ParamOrArtifact(expr.args[0], true)};
  }
  if (expr.kind == PyExpr::Kind::kCall && (name == "InputPath" || name == "OutputPath") &&
      expr.args.empty()) {
    // Without a type, the SDK reads and writes an untyped artifact (`system.Artifact`).
    sema::Type type;
    type.is_artifact = true;
    type.artifact = *BuiltinArtifact("Artifact");
    return {name == "OutputPath", type};
  }
  if (expr.kind == PyExpr::Kind::kCall && (name == "InputPath" || name == "OutputPath") &&
      expr.args.size() == 1) {
    PyExpr inner = expr.args[0];
    if (inner.kind == PyExpr::Kind::kString) inner.kind = PyExpr::Kind::kName;
    std::optional<sema::Type> type = ParamOrArtifact(inner, true);
    // InputPath('Dataset') reads an artifact; OutputPath(str) writes a parameter.
    if (name == "InputPath" && type && !type->is_artifact) {
      type->is_artifact = true;
      type->artifact = *BuiltinArtifact("Artifact");
    }
    return {name == "OutputPath", type};
  }
  return {false, ParamOrArtifact(expr, true)};
}

bool PythonMatcher::SameType(const sema::Type& declared, const sema::Type& actual) const {
  if (declared.is_artifact != actual.is_artifact) return false;
  if (declared.is_artifact) {
    // Python code has no class for a type declared with `artifact`, so `Artifact` stands for any.
    return declared.is_list == actual.is_list &&
           (declared.artifact.schema_title == actual.artifact.schema_title ||
            actual.artifact.schema_title == "system.Artifact");
  }
  return declared.param == actual.param;
}

std::string PythonMatcher::PythonSpelling(const sema::Type& type, bool is_output) const {
  if (type.is_artifact) {
    std::string inner = type.is_list ? "List[" + type.artifact.name + "]" : type.artifact.name;
    return (is_output ? "Output[" : "Input[") + inner + "]";
  }
  static const std::map<ParamType, std::string> kNames = {
      {ParamType::kString, "str"}, {ParamType::kInt, "int"},   {ParamType::kFloat, "float"},
      {ParamType::kBool, "bool"},  {ParamType::kList, "list"}, {ParamType::kDict, "dict"},
      {ParamType::kTaskFinalStatus, "PipelineTaskFinalStatus"}};
  std::string name = kNames.at(type.param);
  return is_output ? "OutputPath(" + name + ")" : name;
}

// The annotation of `type` in a return annotation or a NamedTuple field, where no `Output[...]`
// or `OutputPath(...)` wrapper applies.
std::string PythonMatcher::ReturnSpelling(const sema::Type& type) const {
  if (type.is_artifact) {
    return type.is_list ? "List[" + type.artifact.name + "]" : type.artifact.name;
  }
  return PythonSpelling(type, false);
}

void PythonMatcher::NoteArtifactImport(const PyExpr& annotation, const PyRole& role) {
  if (!role.type || !role.type->is_artifact || role.type->artifact.python_module.empty()) return;
  const PyExpr* name = ClassNameOf(annotation);
  if (!name) return;
  // As in the SDK, the import brings in the annotation's first name, found in the class's full
  // path: `aiplatform.VertexModel` imports `aiplatform`, `VertexModel` imports the class.
  const sema::ArtifactType& artifact = role.type->artifact;
  std::string qualified = artifact.python_module + "." + artifact.name;
  std::string first = name->text.substr(0, name->text.find('.'));
  size_t end = 0;
  bool found = false;
  for (size_t begin = 0; !found && begin <= qualified.size(); begin = end + 1) {
    end = std::min(qualified.find('.', begin), qualified.size());
    found = qualified.compare(begin, end - begin, first) == 0 && end - begin == first.size();
  }

  if (!found) {
    context_
        .Report(diag::Kind::kPythonInterfaceMismatch, SpanAt(name->begin, name->end),
                "`" + name->text + "` does not reach artifact class `" + qualified +
                    "` through its module path, so its import cannot be generated")
        .help = "write `" + artifact.name + "` or `" + qualified +
                "`, without an alias, or change `python_module` of artifact type `" +
                artifact.name + "`";
    return;
  }
  std::string path = qualified.substr(0, end);
  size_t dot = path.rfind('.');
  std::string line = dot == std::string::npos
                         ? "import " + path
                         : "from " + path.substr(0, dot) + " import " + path.substr(dot + 1);
  std::vector<std::string>& imports = component_.python->artifact_imports;
  if (std::find(imports.begin(), imports.end(), line) == imports.end()) imports.push_back(line);
}

void PythonMatcher::MatchOutput(const std::string& name, const PyExpr& annotation,
                                diag::Span span, bool in_return) {
  PyRole role = Classify(annotation);
  NoteArtifactImport(annotation, role);
  const sema::OutputDef* output = component_.FindOutput(name);
  if (!output) {
    context_.Report(diag::Kind::kPythonInterfaceMismatch, span,
                    "output `" + name + "` of the function is not declared by component `" +
                        component_.name + "`")
        .help = "declare it in the outputs: `-> (" + name + ": " +
                (role.type ? role.type->ToString() : "T") + ")`";
    return;
  }
  produced_.insert(name);
  if (role.type && SameType(output->type, *role.type)) return;
  diag::Diagnostic& d = context_.Report(
      diag::Kind::kPythonInterfaceMismatch, SpanAt(annotation.begin, annotation.end),
      "output `" + name + "` has type `" + Text(annotation) + "` in the function but is declared `" +
          output->type.ToString() + "`");
  if (!in_return) {
    d.help = "write `" + PythonSpelling(output->type, true) + "` or change the declared type";
  } else if (name == "Output" && &annotation == return_annotation_) {
    d.help = "change the return annotation to `-> " + ReturnSpelling(output->type) +
             "` or change the declared type";
  } else {
    d.help = "change the type of field `" + name + "` to `" + ReturnSpelling(output->type) +
             "` or change the declared type";
  }
}

void PythonMatcher::MatchParam(const PyParam& param) {
  diag::Span name_span = SpanAt(param.begin, param.end);
  if (param.is_variadic || !param.annotation) {
    context_.Report(diag::Kind::kPythonInterfaceMismatch, name_span,
                    "parameter `" + param.name + "` has no type annotation")
        .help = "annotate every parameter, such as `" + param.name + ": str`";
    return;
  }
  PyRole role = Classify(*param.annotation);
  if (role.is_output) return MatchOutput(param.name, *param.annotation, name_span, false);
  NoteArtifactImport(*param.annotation, role);
  const sema::InputDef* input = component_.FindInput(param.name);
  if (!input) {
    if (context_.broken_inputs.count(component_.name + "." + param.name)) return;
    context_.Report(diag::Kind::kPythonInterfaceMismatch, name_span,
                    "parameter `" + param.name + "` is not an input of component `" +
                        component_.name + "`")
        .help = "declare `" + param.name + ": " + (role.type ? role.type->ToString() : "T") +
                "` as an input of `" + component_.name + "` or remove the parameter";
    return;
  }
  if (role.type && SameType(input->type, *role.type)) return CheckDefault(param, *input);
  const PyExpr& annotation = *param.annotation;
  context_.Report(diag::Kind::kPythonInterfaceMismatch, SpanAt(annotation.begin, annotation.end),
                  "parameter `" + param.name + "` has type `" + Text(annotation) +
                      "` but input `" + param.name + "` is declared `" + input->type.ToString() + "`")
      .help = "annotate it `" + param.name + ": " + PythonSpelling(input->type, false) +
              "` or change the declared type";
}

void PythonMatcher::CheckDefault(const PyParam& param, const sema::InputDef& input) {
  if (input.optional && !input.default_value && !param.has_default && !input.type.is_artifact) {
    // The launcher fills in declared defaults only, and the SDK's executor leaves a parameter
    // without a value out of the call. (It passes every artifact input.)
    diag::Diagnostic& d =
        context_.Report(diag::Kind::kPythonDefault, SpanAt(param.begin, param.end),
                        "input `" + param.name + "` is optional, but parameter `" + param.name +
                            "` of the function has no default");
    d.notes.push_back("a task that leaves `" + param.name +
                      "` out runs the function without it, and the call fails with a TypeError");
    d.help = "add `= None` to the parameter";
    return;
  }
  if (!input.default_value || !param.literal_default) return;
  std::optional<sema::Constant> python = PythonLiteral(*param.literal_default);
  if (!python) return;
  std::optional<bool> same = SameScalar(*input.default_value, *python);
  if (!same || *same) return;
  const PyExpr& literal = *param.literal_default;
  diag::Diagnostic& d =
      context_.Report(diag::Kind::kPythonDefault, SpanAt(literal.begin, literal.end),
                      "parameter `" + param.name + "` defaults to `" + Text(literal) +
                          "` in the function, but input `" + param.name +
                          "` is declared with default `" + ScalarText(*input.default_value) + "`");
  d.notes.push_back("the KFP launcher passes the declared default to the function, so `" +
                    Text(literal) + "` is never used");
  d.help = "write the same default in both places";
}

void PythonMatcher::MatchReturn(const PyExpr& returns) {
  if (returns.text == "None" && returns.kind == PyExpr::Kind::kName) return;
  if (returns.kind == PyExpr::Kind::kCall && BaseName(returns.text) == "NamedTuple") {
    const std::vector<PyExpr>& args = returns.args;
    if (args.size() >= 2 && args[1].kind == PyExpr::Kind::kList) {
      for (const PyExpr& field : args[1].args) {
        if (field.kind != PyExpr::Kind::kTuple || field.args.size() != 2 ||
            field.args[0].kind != PyExpr::Kind::kString) {
          continue;
        }
        MatchOutput(field.args[0].text, field.args[1],
                    SpanAt(field.args[0].begin, field.args[0].end), true);
      }
    }
    for (const auto& [name, type] : returns.keywords) {
      MatchOutput(name, type, SpanAt(type.begin, type.end), true);
    }
    return;
  }
  return_annotation_ = &returns;
  MatchOutput("Output", returns, SpanAt(returns.begin, returns.end), true);
}

namespace {

bool IsPythonName(const std::string& text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

void PythonMatcher::Run() {
  // The function is named like the component, or like its `name` setting when that is a Python
  // name that the source defines, as for two components that share a KFP name.
  std::string expected = component_.name;
  if (component_.ir_name && IsPythonName(*component_.ir_name) &&
      raw_.text.find("def " + *component_.ir_name + "(") != std::string::npos) {
    expected = *component_.ir_name;
  }
  PyScanResult scan = ScanPythonSignature(raw_.text, expected);
  if (!scan.signature) {
    context_.Report(diag::Kind::kPythonSyntax, SpanAt(scan.error.begin, scan.error.end),
                    "invalid Python function in component `" + component_.name + "`: " +
                        scan.error.message)
        .help = "write the function as `def " + component_.name + "(...) -> T:`";
    return;
  }
  const PySignature& signature = *scan.signature;
  function_span_ = SpanAt(signature.name_begin, signature.name_end);
  component_.python->function_name = signature.name;
  if (signature.name != expected) {
    bool by_ir_name = component_.ir_name && IsPythonName(*component_.ir_name);
    context_
        .Report(diag::Kind::kPythonFunctionName, function_span_,
                "function `" + signature.name + "` must be named like component `" +
                    component_.name + "`" +
                    (by_ir_name ? " or its `name`, `" + *component_.ir_name + "`" : ""))
        .help = "rename the function to `" + component_.name + "`";
  }
  std::set<std::string> params;
  for (const PyParam& param : signature.params) {
    params.insert(param.name);
    MatchParam(param);
  }
  if (signature.returns) MatchReturn(*signature.returns);
  for (const sema::InputDef& input : component_.inputs) {
    if (params.count(input.name)) continue;
    context_.Report(diag::Kind::kPythonInterfaceMismatch, function_span_,
                    "function `" + signature.name + "` has no parameter for input `" + input.name + "`")
        .help = "add `" + input.name + ": " + PythonSpelling(input.type, false) +
                "` to its parameters";
  }
  for (const sema::OutputDef& output : component_.outputs) {
    if (produced_.count(output.name) || params.count(output.name)) continue;
    context_.Report(diag::Kind::kPythonInterfaceMismatch, function_span_,
                    "function `" + signature.name + "` does not produce output `" + output.name + "`")
        .help = output.name == "Output"
                    ? "annotate the return type: `-> " + ReturnSpelling(output.type) + "`"
                    : "add `" + output.name + ": " + PythonSpelling(output.type, true) +
                          "` to its parameters, or return it in a `NamedTuple`";
  }
}

}  // namespace

void CheckPythonFunction(Context& context, const ast::Expr& source, sema::Component& component) {
  component.python->source = source.text;
  component.python->source_span = source.span;
  PythonMatcher(context, source, component).Run();
}

}  // namespace kfpc::check
