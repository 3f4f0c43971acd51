#include "compiler/check/types.h"

#include <array>

namespace kfpc::check {

namespace {

using sema::ParamType;

constexpr std::array<const char*, 8> kBuiltinArtifacts = {
    "Artifact", "Dataset", "Model", "Metrics", "ClassificationMetrics",
    "SlicedClassificationMetrics", "HTML", "Markdown"};

const std::map<std::string, ParamType>& ParamTypeNames() {
  static const std::map<std::string, ParamType> names = {
      {"string", ParamType::kString}, {"int", ParamType::kInt},
      {"float", ParamType::kFloat},   {"bool", ParamType::kBool},
      {"list", ParamType::kList},     {"dict", ParamType::kDict},
      {"PipelineTaskFinalStatus", ParamType::kTaskFinalStatus}};
  return names;
}

std::vector<std::string> TypeNames(const Context& context) {
  std::vector<std::string> names;
  for (const auto& [name, param] : ParamTypeNames()) names.push_back(name);
  for (const char* name : kBuiltinArtifacts) names.push_back(name);
  for (const auto& [name, symbol] : context.symbols) {
    if (symbol.decl->kind == ast::DeclKind::kArtifact) names.push_back(name);
  }
  return names;
}

bool CheckArgCount(Context& context, const ast::TypeRef& ref, size_t max, const char* form) {
  if (ref.args.size() <= max) return true;
  context.Report(diag::Kind::kInvalidType, ref.span,
                 "type `" + ref.name + "` takes at most " + std::to_string(max) +
                     " type argument" + (max == 1 ? "" : "s"))
      .help = std::string("write ") + form;
  return false;
}

std::optional<sema::Type> ResolveList(Context& context, const ast::TypeRef& ref) {
  sema::Type type = ParamTypeOf(ParamType::kList);
  if (!CheckArgCount(context, ref, 1, "`list` or `list<T>`")) return std::nullopt;
  if (ref.args.empty()) return type;
  std::optional<sema::Type> element = ResolveType(context, ref.args[0]);
  if (!element) return std::nullopt;
  if (element->is_artifact) {
    if (element->is_list) {
      context.Report(diag::Kind::kInvalidType, ref.span, "a list of artifact lists is not supported")
          .help = "use a list of one artifact type, such as `list<Dataset>`";
      return std::nullopt;
    }
    element->is_list = true;
    return element;
  }
  type.element = std::make_shared<sema::Type>(*element);
  return type;
}

std::optional<sema::Type> ResolveDict(Context& context, const ast::TypeRef& ref) {
  sema::Type type = ParamTypeOf(ParamType::kDict);
  if (ref.args.empty()) return type;
  if (ref.args.size() != 2 || ref.args[0].name != "string" || !ref.args[0].args.empty()) {
    context.Report(diag::Kind::kInvalidType, ref.span, "invalid `dict` type")
        .help = "write `dict` or `dict<string, T>`: keys are always strings";
    return std::nullopt;
  }
  std::optional<sema::Type> value = ResolveType(context, ref.args[1]);
  if (!value) return std::nullopt;
  if (value->is_artifact) {
    context.Report(diag::Kind::kInvalidType, ref.args[1].span,
                   "a `dict` cannot hold artifacts")
        .help = "use a parameter type such as `string` for the values";
    return std::nullopt;
  }
  type.element = std::make_shared<sema::Type>(*value);
  return type;
}

void ReportUnknownType(Context& context, const ast::TypeRef& ref) {
  if (const Symbol* symbol = context.Find(ref.name)) {
    context.Report(diag::Kind::kInvalidType, ref.name_span,
                   "`" + ref.name + "` is a " +
                       (symbol->decl->kind == ast::DeclKind::kPipeline ? "pipeline" : "component") +
                       ", not a type")
        .help = "use a parameter type such as `string` or an artifact type such as `Dataset`";
    return;
  }
  std::string closest = ClosestKnownName(context, ref.name, [&] { return TypeNames(context); });
  if (context.import_failed && closest.empty()) {
    context.dropped.Report(diag::Kind::kUnknownType, ref.name_span, ref.name);
    return;
  }
  diag::Diagnostic& d =
      context.Report(diag::Kind::kUnknownType, ref.name_span, "unknown type `" + ref.name + "`");
  SuggestClosest(context, d, ref.name, closest, ref.name_span);
  if (d.help.empty()) {
    d.help = "declare it with `artifact " + ref.name +
             " { schema_title = \"...\" }` or import the file that declares it";
  }
}

std::string KindOf(const ast::Expr& expr) { return DescribeExpr(expr); }

diag::Diagnostic& ReportMismatch(Context& context, const ast::Expr& expr,
                                 const sema::Type& expected, const std::string& what) {
  return context.Report(diag::Kind::kTypeMismatch, expr.span,
                        "expected `" + expected.ToString() + "` for " + what + ", found " +
                            KindOf(expr));
}

std::string ExampleOf(const sema::Type& type) {
  if (type.is_artifact) return "a task output or a pipeline input of type `" + type.ToString() + "`";
  switch (type.param) {
    case ParamType::kString:
      return "a string such as `\"text\"`";
    case ParamType::kInt:
      return "an integer such as `10`";
    case ParamType::kFloat:
      return "a number such as `0.5`";
    case ParamType::kBool:
      return "`true` or `false`";
    case ParamType::kList:
      return "a list such as `[1, 2]`";
    case ParamType::kDict:
      return "a map such as `{\"key\": \"value\"}`";
    case ParamType::kTaskFinalStatus:
      return "nothing: the final status is set by the exit handler";
  }
  return "";
}

std::optional<sema::Constant> ListConstant(Context& context, const ast::Expr& expr,
                                           const sema::Type& expected, const std::string& what) {
  sema::Constant::List items;
  bool ok = true;
  for (const ast::ExprPtr& item : expr.items) {
    std::optional<sema::Constant> value;
    if (expected.element) {
      value = ConstantOf(context, *item, *expected.element, "an element of " + what);
    } else if (std::optional<sema::Type> type = ConstantType(*item)) {
      value = ConstantOf(context, *item, *type, "an element of " + what);
    } else {
      context.Report(diag::Kind::kInvalidValue, item->span,
                     "an element of " + what + " must be a constant")
          .help = "write a literal such as `\"text\"`, `10` or `true`";
    }
    if (value) items.push_back(std::move(*value)); else ok = false;
  }
  if (!ok) return std::nullopt;
  return sema::Constant{std::move(items)};
}

std::optional<sema::Constant> MapConstant(Context& context, const ast::Expr& expr,
                                          const sema::Type& expected, const std::string& what) {
  sema::Constant::Map entries;
  std::map<std::string, diag::Span> first_written;
  bool ok = true;
  for (size_t i = 0; i < expr.keys.size(); ++i) {
    const ast::Expr& key = *expr.keys[i];
    if (key.kind != ast::ExprKind::kString || key.parts.size() > 1 ||
        (key.parts.size() == 1 && key.parts[0].is_interpolation)) {
      diag::Diagnostic& d =
          context.Report(diag::Kind::kTypeMismatch, key.span, "map keys must be strings");
      d.help = "write the key in quotes, such as `\"name\"`";
      if (key.kind == ast::ExprKind::kName) {
        d.fix = ReplacementFix(context.sources, key.span, key.text, "\"" + key.text + "\"",
                               "quote `" + key.text + "`");
      }
      ok = false;
      continue;
    }
    // A JSON object, which the IR stores a map as, has each key once.
    if (auto [first, inserted] = first_written.emplace(key.text, key.span); !inserted) {
      diag::Diagnostic& d = context.Report(diag::Kind::kInvalidValue, key.span,
                                           "key `" + key.text + "` is written twice in " + what);
      d.labels.push_back({first->second, "first written here"});
      d.help = "remove one of the two";
      ok = false;
      continue;
    }
    const ast::Expr& item = *expr.items[i];
    std::optional<sema::Constant> value;
    if (expected.element) {
      value = ConstantOf(context, item, *expected.element, "a value of " + what);
    } else if (std::optional<sema::Type> type = ConstantType(item)) {
      value = ConstantOf(context, item, *type, "a value of " + what);
    } else {
      context.Report(diag::Kind::kInvalidValue, item.span, "a value of " + what + " must be a constant")
          .help = "write a literal such as `\"text\"`, `10` or `true`";
    }
    if (value) entries[key.text] = std::move(*value); else ok = false;
  }
  if (!ok) return std::nullopt;
  return sema::Constant{std::move(entries)};
}

}  // namespace

std::optional<sema::ArtifactType> BuiltinArtifact(const std::string& name) {
  for (const char* builtin : kBuiltinArtifacts) {
    if (name == builtin) return sema::ArtifactType{"system." + name, "0.0.1", name, ""};
  }
  return std::nullopt;
}

sema::Type ParamTypeOf(sema::ParamType param) {
  sema::Type type;
  type.param = param;
  return type;
}

std::optional<sema::Type> ResolveType(Context& context, const ast::TypeRef& ref) {
  if (ref.name == "list") return ResolveList(context, ref);
  if (ref.name == "dict") return ResolveDict(context, ref);
  auto param = ParamTypeNames().find(ref.name);
  std::optional<sema::Type> type;
  if (param != ParamTypeNames().end()) {
    type = ParamTypeOf(param->second);
  } else if (std::optional<sema::ArtifactType> builtin = BuiltinArtifact(ref.name)) {
    type = sema::Type{};
    type->is_artifact = true;
    type->artifact = *builtin;
  } else if (auto it = context.symbols.find(ref.name);
             it != context.symbols.end() && it->second.decl->kind == ast::DeclKind::kArtifact) {
    type = sema::Type{};
    type->is_artifact = true;
    type->artifact = it->second.artifact;
  } else {
    ReportUnknownType(context, ref);
    return std::nullopt;
  }
  if (!CheckArgCount(context, ref, 0, ("`" + ref.name + "`").c_str())) return std::nullopt;
  return type;
}

bool Assignable(const sema::Type& expected, const sema::Type& actual) {
  if (expected.is_artifact != actual.is_artifact) return false;
  if (expected.is_artifact) {
    if (expected.is_list != actual.is_list) return false;
    return expected.artifact.schema_title == "system.Artifact" ||
           expected.artifact.schema_title == actual.artifact.schema_title;
  }
  // The backend passes a final status as a struct, which a `dict` input reads, as in the SDK.
  if (expected.param == sema::ParamType::kDict && !expected.element &&
      actual.param == sema::ParamType::kTaskFinalStatus) {
    return true;
  }
  if (expected.param != actual.param) return false;
  // An untyped list or dict on either side carries no element type to compare.
  if (!expected.element || !actual.element) return true;
  return Assignable(*expected.element, *actual.element);
}

bool IsConstant(const ast::Expr& expr) {
  switch (expr.kind) {
    case ast::ExprKind::kString:
      for (const ast::StringPart& part : expr.parts) {
        if (part.is_interpolation) return false;
      }
      return true;
    case ast::ExprKind::kRawString:
    case ast::ExprKind::kInt:
    case ast::ExprKind::kFloat:
    case ast::ExprKind::kBool:
      return true;
    case ast::ExprKind::kList:
    case ast::ExprKind::kMap:
      for (const ast::ExprPtr& item : expr.items) {
        if (!IsConstant(*item)) return false;
      }
      return true;
    default:
      return false;
  }
}

std::optional<sema::Type> ConstantType(const ast::Expr& expr) {
  if (!IsConstant(expr)) return std::nullopt;
  switch (expr.kind) {
    case ast::ExprKind::kInt:
      return ParamTypeOf(ParamType::kInt);
    case ast::ExprKind::kFloat:
      return ParamTypeOf(ParamType::kFloat);
    case ast::ExprKind::kBool:
      return ParamTypeOf(ParamType::kBool);
    case ast::ExprKind::kList:
      return ParamTypeOf(ParamType::kList);
    case ast::ExprKind::kMap:
      return ParamTypeOf(ParamType::kDict);
    default:
      return ParamTypeOf(ParamType::kString);
  }
}

std::string DescribeExpr(const ast::Expr& expr) {
  switch (expr.kind) {
    case ast::ExprKind::kString:
      return IsConstant(expr) ? "a string" : "a string with `{...}` interpolation";
    case ast::ExprKind::kRawString:
      return "a string";
    case ast::ExprKind::kInt:
      return "an integer";
    case ast::ExprKind::kFloat:
      return "a float";
    case ast::ExprKind::kBool:
      return "a boolean";
    case ast::ExprKind::kNone:
      return "`none`";
    case ast::ExprKind::kList:
      return "a list";
    case ast::ExprKind::kMap:
      return "a map";
    case ast::ExprKind::kCall:
      return "a call of `" + expr.text + "`";
    case ast::ExprKind::kName:
      return "`" + expr.text + "`";
    case ast::ExprKind::kMember:
      if (expr.object && expr.object->kind == ast::ExprKind::kName) {
        return "`" + expr.object->text + "." + expr.text + "`";
      }
      return "an expression";
    default:
      return "an expression";
  }
}

std::optional<sema::Constant> ConstantOf(Context& context, const ast::Expr& expr,
                                         const sema::Type& expected, const std::string& what) {
  if (expected.is_artifact || expected.param == ParamType::kTaskFinalStatus) {
    context.Report(diag::Kind::kTypeMismatch, expr.span,
                   what + " has type `" + expected.ToString() + "` and cannot be a constant")
        .help = "pass " + ExampleOf(expected);
    return std::nullopt;
  }
  std::optional<sema::Type> actual = ConstantType(expr);
  bool matches = actual && (actual->param == expected.param ||
                            (expected.param == ParamType::kFloat && actual->param == ParamType::kInt));
  if (!matches) {
    ReportMismatch(context, expr, expected, what).help = "write " + ExampleOf(expected);
    return std::nullopt;
  }
  // The IR stores every number as a protobuf double, which represents integers exactly only up
  // to 2^53, so a larger literal would change value silently.
  constexpr int64_t kMaxExactInteger = int64_t{1} << 53;
  if (expr.kind == ast::ExprKind::kInt && expr.out_of_range) return std::nullopt;  // reported
  if (expr.kind == ast::ExprKind::kInt &&
      (expr.int_value > kMaxExactInteger || expr.int_value < -kMaxExactInteger)) {
    context.Report(diag::Kind::kInvalidValue, expr.span,
                   "integer `" + expr.literal + "` for " + what +
                       " is outside the range -2^53 to 2^53 that the IR stores exactly")
        .help = "KFP stores numbers as 64-bit floating point, which represents integers exactly "
                "only up to 2^53 (9007199254740992); pass a larger value as a `string`";
    return std::nullopt;
  }
  switch (expected.param) {
    case ParamType::kInt:
      return sema::Constant{expr.int_value};
    case ParamType::kFloat:
      if (expr.kind == ast::ExprKind::kInt) return sema::Constant{static_cast<double>(expr.int_value)};
      return sema::Constant{expr.float_value};
    case ParamType::kBool:
      return sema::Constant{expr.bool_value};
    case ParamType::kList:
      return ListConstant(context, expr, expected, what);
    case ParamType::kDict:
      return MapConstant(context, expr, expected, what);
    default:
      return sema::Constant{StringValue(expr)};
  }
}

std::string StringValue(const ast::Expr& expr) {
  if (expr.kind != ast::ExprKind::kString || expr.parts.empty()) return expr.text;
  std::string value;
  for (const ast::StringPart& part : expr.parts) value += part.text;
  return value;
}

}  // namespace kfpc::check
