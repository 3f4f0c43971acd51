// Lowering of a container component's `command` and `args` into placeholders, following the
// Placeholders table of docs/language.md.

#include "compiler/check/declarations.h"
#include "compiler/check/security.h"
#include "compiler/check/settings.h"
#include "compiler/check/types.h"

namespace kfpc::check {

namespace {

using Part = sema::CommandPart;

// A reference `name` or `name.attribute` inside `command` or `args`.
struct Reference {
  std::string name;
  diag::Span name_span;
  std::string attribute;  // empty when absent
  diag::Span attribute_span;
  diag::Span span;
};

class CommandLowering {
 public:
  // `setting` is the name of the setting that contains the list, named in type errors.
  CommandLowering(Context& context, const sema::Component& component, std::string setting)
      : context_(context), component_(component), setting_(std::move(setting)) {}

  std::optional<sema::CommandArg> LowerElement(const ast::Expr& expr);

 private:
  std::optional<Part> Resolve(const Reference& ref);
  std::optional<Part> ResolveArtifact(const Reference& ref, bool is_output);
  std::optional<Part> ResolveMember(const ast::Expr& expr);
  std::optional<sema::CommandArg> LowerString(const ast::Expr& expr);
  std::optional<sema::CommandArg> LowerCall(const ast::Expr& expr);
  std::optional<sema::CommandArg> LowerIfPresent(const ast::Expr& expr);
  std::optional<std::vector<sema::CommandArg>> LowerList(const ast::Expr& expr,
                                                         const std::string& what);
  void ReportUnknown(const Reference& ref);

  Context& context_;
  const sema::Component& component_;
  std::string setting_;
};

sema::CommandArg SinglePart(Part part, diag::Span span) {
  sema::CommandArg arg;
  arg.parts.push_back(std::move(part));
  arg.span = span;
  return arg;
}

Part MakePart(Part::Kind kind, std::string text) {
  Part part;
  part.kind = kind;
  part.text = std::move(text);
  return part;
}

std::optional<Part::Kind> ArtifactPartKind(const std::string& attribute, bool is_output) {
  if (attribute == "path") return is_output ? Part::Kind::kOutputPath : Part::Kind::kInputPath;
  if (attribute == "uri") return is_output ? Part::Kind::kOutputUri : Part::Kind::kInputUri;
  if (attribute == "metadata") {
    return is_output ? Part::Kind::kOutputMetadata : Part::Kind::kInputMetadata;
  }
  return std::nullopt;
}

void CommandLowering::ReportUnknown(const Reference& ref) {
  diag::Diagnostic& d = context_.Report(
      diag::Kind::kUnknownName, ref.name_span,
      "`" + ref.name + "` is not an input or output of component `" + component_.name + "`");
  auto known_names = [&] {
    std::vector<std::string> names = {"executor_input"};
    for (const sema::InputDef& input : component_.inputs) names.push_back(input.name);
    for (const sema::OutputDef& output : component_.outputs) names.push_back(output.name);
    return names;
  };
  SuggestName(context_, d, ref.name, known_names, ref.name_span);
  if (d.help.empty()) d.help = "declare `" + ref.name + "` as an input or an output";
}

std::optional<Part> CommandLowering::ResolveArtifact(const Reference& ref, bool is_output) {
  std::string what = is_output ? "output artifact" : "artifact";
  if (ref.attribute.empty()) {
    context_.Report(diag::Kind::kInvalidPlaceholder, ref.span,
                    what + " `" + ref.name + "` cannot be used as a value")
        .help = "write `" + ref.name + ".path`, `" + ref.name + ".uri` or `" + ref.name +
                ".metadata`";
    return std::nullopt;
  }
  std::optional<Part::Kind> kind = ArtifactPartKind(ref.attribute, is_output);
  if (!kind) {
    context_.Report(diag::Kind::kInvalidPlaceholder, ref.attribute_span,
                    what + " `" + ref.name + "` has no `." + ref.attribute + "`")
        .help = "use `.path`, `.uri` or `.metadata`";
    return std::nullopt;
  }
  return MakePart(*kind, ref.name);
}

std::optional<Part> CommandLowering::Resolve(const Reference& ref) {
  if (ref.name == "executor_input" && ref.attribute.empty()) {
    return MakePart(Part::Kind::kExecutorInput, "");
  }
  if (context_.broken_inputs.count(component_.name + "." + ref.name)) return std::nullopt;
  if (const sema::InputDef* input = component_.FindInput(ref.name)) {
    if (input->type.is_artifact) return ResolveArtifact(ref, false);
    if (ref.attribute.empty()) return MakePart(Part::Kind::kInputValue, ref.name);
    context_.Report(diag::Kind::kInvalidPlaceholder, ref.attribute_span,
                    "input parameter `" + ref.name + "` has no `." + ref.attribute + "`")
        .help = "write `" + ref.name + "` to pass its value, because `.path`, `.uri` and "
                "`.metadata` apply to artifacts";
    return std::nullopt;
  }
  if (const sema::OutputDef* output = component_.FindOutput(ref.name)) {
    if (output->type.is_artifact) return ResolveArtifact(ref, true);
    if (ref.attribute == "path") return MakePart(Part::Kind::kOutputParameterFile, ref.name);
    context_.Report(diag::Kind::kInvalidPlaceholder, ref.attribute.empty() ? ref.span
                                                                            : ref.attribute_span,
                    ref.attribute.empty()
                        ? "output parameter `" + ref.name + "` cannot be used as a value"
                        : "output parameter `" + ref.name + "` has no `." + ref.attribute + "`")
        .help = "write `" + ref.name + ".path` for the file that the component writes the value to";
    return std::nullopt;
  }
  ReportUnknown(ref);
  return std::nullopt;
}

std::optional<Part> CommandLowering::ResolveMember(const ast::Expr& expr) {
  if (expr.kind == ast::ExprKind::kName) {
    return Resolve({expr.text, expr.span, "", {}, expr.span});
  }
  if (!expr.object || expr.object->kind != ast::ExprKind::kName) {
    context_.Report(diag::Kind::kInvalidPlaceholder, expr.span, "invalid placeholder")
        .help = "write `name` or `name.path`, `name.uri`, `name.metadata`";
    return std::nullopt;
  }
  return Resolve({expr.object->text, expr.object->span, expr.text, expr.text_span, expr.span});
}

std::optional<sema::CommandArg> CommandLowering::LowerString(const ast::Expr& expr) {
  sema::CommandArg arg;
  arg.span = expr.span;
  if (expr.parts.empty()) {
    arg.parts.push_back(MakePart(Part::Kind::kText, expr.text));
    return arg;
  }
  bool ok = true;
  for (const ast::StringPart& piece : expr.parts) {
    if (!piece.is_interpolation) {
      arg.parts.push_back(MakePart(Part::Kind::kText, piece.text));
      continue;
    }
    Reference ref;
    ref.span = piece.span;
    ref.name = piece.path.empty() ? piece.text : piece.path[0];
    ref.name_span = piece.path_spans.empty() ? piece.span : piece.path_spans[0];
    if (piece.path.size() > 2) {
      context_.Report(diag::Kind::kInvalidPlaceholder, piece.span, "invalid placeholder `{" +
                                                                       piece.text + "}`")
          .help = "write `{name}` or `{name.path}`";
      ok = false;
      continue;
    }
    if (piece.path.size() == 2) {
      ref.attribute = piece.path[1];
      ref.attribute_span = piece.path_spans.size() > 1 ? piece.path_spans[1] : piece.span;
    }
    std::optional<Part> part = Resolve(ref);
    if (part) arg.parts.push_back(std::move(*part)); else ok = false;
  }
  if (!ok) return std::nullopt;
  return arg;
}

std::optional<std::vector<sema::CommandArg>> CommandLowering::LowerList(const ast::Expr& expr,
                                                                        const std::string& what) {
  if (expr.kind != ast::ExprKind::kList) {
    context_.Report(diag::Kind::kTypeMismatch, expr.span,
                    what + " expects a list, found " + DescribeExpr(expr))
        .help = "write a list such as `[\"--flag\", value]`";
    return std::nullopt;
  }
  std::vector<sema::CommandArg> items;
  bool ok = true;
  for (const ast::ExprPtr& item : expr.items) {
    std::optional<sema::CommandArg> arg = LowerElement(*item);
    if (arg) items.push_back(std::move(*arg)); else ok = false;
  }
  if (!ok) return std::nullopt;
  return items;
}

std::optional<sema::CommandArg> CommandLowering::LowerIfPresent(const ast::Expr& expr) {
  Part part;
  part.kind = Part::Kind::kIfPresent;
  const ast::Expr* input = nullptr;
  bool ok = true;
  for (const ast::Argument& arg : expr.args) {
    if (!arg.value) return std::nullopt;  // the parser reported the missing value
    if (arg.name.empty() && !input) {
      input = arg.value.get();
    } else if (arg.name == "then" || arg.name == "else") {
      auto items = LowerList(*arg.value, "`" + arg.name + "` of `if_present`");
      if (!items) ok = false;
      else if (arg.name == "then") part.then_items = std::move(*items);
      else part.else_items = std::move(*items), part.has_else = true;
    } else {
      context_.Report(diag::Kind::kUnknownArgument, arg.span, "unexpected argument of `if_present`")
          .help = "write `if_present(input, then = [...], else = [...])`";
      ok = false;
    }
  }
  if (!input || input->kind != ast::ExprKind::kName) {
    context_.Report(diag::Kind::kInvalidPlaceholder, input ? input->span : expr.span,
                    "`if_present` expects the name of an optional input first")
        .help = "write `if_present(input, then = [...], else = [...])`";
    return std::nullopt;
  }
  const sema::InputDef* def = component_.FindInput(input->text);
  if (!def) {
    if (!context_.broken_inputs.count(component_.name + "." + input->text)) {
      ReportUnknown({input->text, input->span, "", {}, input->span});
    }
    return std::nullopt;
  }
  if (!def->optional) {
    context_.Report(diag::Kind::kInvalidPlaceholder, input->span,
                    "`if_present` needs an optional input, but `" + input->text + "` is required")
        .help = "declare it as `" + input->text + ": " + def->type.ToString() +
                "?` or give it a default";
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  part.text = input->text;
  return SinglePart(std::move(part), expr.span);
}

std::optional<sema::CommandArg> CommandLowering::LowerCall(const ast::Expr& expr) {
  if (expr.text == "if_present") return LowerIfPresent(expr);
  if (expr.text != "concat") {
    context_.Report(diag::Kind::kInvalidPlaceholder, expr.text_span,
                    "unknown placeholder function `" + expr.text + "`")
        .help = "the placeholder functions are `concat` and `if_present`";
    return std::nullopt;
  }
  CheckConcatPlaceholders(context_, expr);
  Part part;
  part.kind = Part::Kind::kConcat;
  bool ok = true;
  for (const ast::Argument& arg : expr.args) {
    if (!arg.value) return std::nullopt;  // the parser reported the missing value
    std::optional<sema::CommandArg> item = LowerElement(*arg.value);
    if (item) part.items.push_back(std::move(*item)); else ok = false;
  }
  if (!ok) return std::nullopt;
  return SinglePart(std::move(part), expr.span);
}

std::optional<sema::CommandArg> CommandLowering::LowerElement(const ast::Expr& expr) {
  switch (expr.kind) {
    case ast::ExprKind::kString:
      return LowerString(expr);
    case ast::ExprKind::kRawString:
      return SinglePart(MakePart(Part::Kind::kText, expr.text), expr.span);
    case ast::ExprKind::kName:
    case ast::ExprKind::kMember:
      if (std::optional<Part> part = ResolveMember(expr)) return SinglePart(*part, expr.span);
      return std::nullopt;
    case ast::ExprKind::kCall:
      return LowerCall(expr);
    default:
      break;
  }
  diag::Diagnostic& d = context_.Report(diag::Kind::kTypeMismatch, expr.span,
                                        "elements of `" + setting_ + "` are strings, found " +
                                            DescribeExpr(expr));
  d.help = "write the value in quotes";
  if (!expr.literal.empty()) {
    d.help += ", such as `\"" + expr.literal + "\"`";
    d.fix = ReplacementFix(context_.sources, expr.span, expr.literal, "\"" + expr.literal + "\"",
                           "quote `" + expr.literal + "`");
  }
  return std::nullopt;
}

}  // namespace

std::vector<sema::CommandArg> LowerCommandList(Context& context, const ast::Setting& setting,
                                               const sema::Component& component) {
  const ast::Expr* value = AssignedValue(context, setting);
  if (!value) return {};
  CommandLowering lowering(context, component, setting.name);
  std::vector<sema::CommandArg> out;
  if (value->kind != ast::ExprKind::kList) {
    context.Report(diag::Kind::kTypeMismatch, value->span,
                   "setting `" + setting.name + "` expects a list, found " + DescribeExpr(*value))
        .help = "write a list such as `" + setting.name + " = [\"--flag\", value]`";
    return out;
  }
  for (const ast::ExprPtr& item : value->items) {
    if (std::optional<sema::CommandArg> arg = lowering.LowerElement(*item)) {
      out.push_back(std::move(*arg));
    }
  }
  return out;
}

}  // namespace kfpc::check
