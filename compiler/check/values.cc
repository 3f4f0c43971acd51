// Value references in pipelines: constants, pipeline inputs, task outputs, loop items and run
// placeholders, with their types.

#include "compiler/check/pipeline_checker.h"
#include "compiler/check/types.h"

namespace kfpc::check {

const std::vector<std::string>& RunPlaceholderNames() {
  static const std::vector<std::string> kNames = {
      "job_name",    "job_resource_name", "job_id",        "task_name",     "task_id",
      "create_time", "schedule_time",     "pipeline_root", "workspace_path"};
  return kNames;
}

namespace {

using sema::ValueRef;

const std::vector<std::string>& kRunPlaceholders = RunPlaceholderNames();

std::string Written(const ast::Expr& expr) {
  if (expr.kind == ast::ExprKind::kName) return expr.text;
  if (expr.kind == ast::ExprKind::kMember && expr.object) return Written(*expr.object) + "." + expr.text;
  return expr.text;
}

}  // namespace

std::vector<std::string> PipelineChecker::ValueNames() const {
  std::vector<std::string> names = {"run"};
  for (const sema::InputDef& input : pipeline_.inputs) names.push_back(input.name);
  for (const auto& [name, binding] : bindings_) names.push_back(name);
  for (const LoopVariable& variable : loop_variables_) names.push_back(variable.name);
  return names;
}

std::optional<Value> PipelineChecker::ResolveName(const ast::Expr& expr) {
  for (auto it = loop_variables_.rbegin(); it != loop_variables_.rend(); ++it) {
    if (it->name != expr.text) continue;
    Value value;
    value.ref.kind = ValueRef::Kind::kLoopItem;
    value.ref.loop = it->loop;
    value.ref.span = expr.span;
    value.typed = it->element.has_value();
    if (it->element) value.ref.type = *it->element;
    return value;
  }
  if (const sema::InputDef* input = pipeline_.as_component->FindInput(expr.text)) {
    Value value;
    value.ref.kind = ValueRef::Kind::kPipelineInput;
    value.ref.name = expr.text;
    value.ref.span = expr.span;
    value.ref.type = input->type;
    return value;
  }
  if (context_.broken_inputs.count(pipeline_.name + "." + expr.text)) return std::nullopt;
  if (auto it = bindings_.find(expr.text); it != bindings_.end()) {
    if (it->second.broken) return std::nullopt;
    return ResolveTaskOutput(expr.text, "", expr);
  }
  diag::Diagnostic& d =
      context_.Report(diag::Kind::kUnknownName, expr.span, "unknown name `" + expr.text + "`");
  auto value_names = [&] { return ValueNames(); };
  SuggestName(context_, d, expr.text, value_names, expr.span);
  if (d.help.empty()) {
    d.help = "use an input of pipeline `" + pipeline_.name + "` or an output of an earlier task";
  }
  return std::nullopt;
}

std::optional<Value> PipelineChecker::ResolveTaskOutput(const std::string& name,
                                                        const std::string& output_name,
                                                        const ast::Expr& expr) {
  Binding& binding = bindings_.at(name);
  if (binding.broken) return std::nullopt;
  if (!binding.defined && &binding == checking_) {
    context_
        .Report(diag::Kind::kUseBeforeDefinition, expr.span,
                "task `" + name + "` reads its own output")
        .help =
        "a task's outputs exist only after it runs; pass this value from another task, "
        "a pipeline input or a constant";
    return std::nullopt;
  }
  if (!binding.defined) {
    diag::Diagnostic& d = context_.Report(diag::Kind::kUseBeforeDefinition, expr.span,
                                          "task `" + name + "` is used before it is defined");
    d.labels.push_back({binding.span, "`" + name + "` is defined here"});
    d.help = "move this task after the task bound to `" + name + "`";
    return std::nullopt;
  }
  const sema::Task& task = *binding.task;
  const sema::Component& component = *task.component;
  // The names of the outputs, for the messages about a missing one.
  auto output_names = [&] {
    std::vector<std::string> names;
    for (const sema::OutputDef& output : component.outputs) names.push_back(output.name);
    return names;
  };
  const sema::OutputDef* output = nullptr;
  if (output_name.empty() || output_name == "output") {
    output = component.FindOutput(output_name);
    if (!output && component.outputs.size() == 1) output = &component.outputs[0];
    if (!output) {
      diag::Diagnostic& d = context_.ReportInterfaceMismatch(
          component.span, diag::Kind::kUnknownOutput, expr.span,
          output_name.empty()
              ? "task `" + name + "` cannot be used as a value"
              : "`" + name + ".output` needs a component with one output, but `" + component.name +
                    "` has " + std::to_string(component.outputs.size()));
      d.help = component.outputs.empty() ? "`" + component.name + "` has no outputs"
                                         : "read one output by name: " +
                                               JoinEntryNames(component.outputs, "or", name + ".");
      return std::nullopt;
    }
  } else {
    output = component.FindOutput(output_name);
    if (!output) {
      diag::Diagnostic& d = context_.ReportInterfaceMismatch(
          component.span, diag::Kind::kUnknownOutput, expr.text_span,
          "`" + component.name + "` has no output `" + output_name + "`");
      SuggestName(context_, d, output_name, output_names, expr.text_span);
      if (d.help.empty()) {
        d.help = component.outputs.empty() ? "`" + component.name + "` has no outputs"
                                           : "the outputs of `" + component.name + "` are " +
                                                 JoinEntryNames(component.outputs);
      }
      return std::nullopt;
    }
  }
  Value value;
  value.ref.kind = ValueRef::Kind::kTaskOutput;
  value.ref.task = &task;
  value.ref.name = output->name;
  value.ref.span = expr.span;
  value.ref.type = output->type;
  return CrossGroups(std::move(value), expr);
}

std::optional<Value> PipelineChecker::ResolveMember(const ast::Expr& expr) {
  if (!expr.object) return std::nullopt;  // the parser reported the missing object
  const ast::Expr& object = *expr.object;
  if (object.kind != ast::ExprKind::kName) {
    context_.Report(diag::Kind::kInvalidValue, expr.span, "invalid reference `" + Written(expr) + "`")
        .help = "write `task.output_name`, `item.field` or `run." + kRunPlaceholders[0] + "`";
    return std::nullopt;
  }
  for (auto it = loop_variables_.rbegin(); it != loop_variables_.rend(); ++it) {
    if (it->name != object.text) continue;
    if (it->written_list && !CheckItemsHaveField(*it, expr)) return std::nullopt;
    Value value;
    value.ref.kind = ValueRef::Kind::kLoopItem;
    value.ref.loop = it->loop;
    value.ref.field = expr.text;
    value.ref.span = expr.span;
    value.typed = it->field_type.has_value();
    if (it->field_type) value.ref.type = *it->field_type;
    // An item of a `list<dict<string, T>>`: every field is a `T`.
    if (!value.typed && it->element && it->element->param == sema::ParamType::kDict &&
        it->element->element) {
      value.ref.type = *it->element->element;
      value.typed = true;
    }
    return value;
  }
  if (bindings_.count(object.text)) return ResolveTaskOutput(object.text, expr.text, expr);
  if (object.text == "run" && !pipeline_.as_component->FindInput("run")) {
    bool known = false;
    for (const std::string& name : kRunPlaceholders) known = known || name == expr.text;
    if (!known) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kUnknownName, expr.text_span,
                                            "unknown run placeholder `run." + expr.text + "`");
      SuggestName(context_, d, expr.text, kRunPlaceholders, expr.text_span);
      if (d.help.empty()) d.help = "the run placeholders are " + JoinNames(kRunPlaceholders);
      return std::nullopt;
    }
    if (expr.text == "workspace_path" && !pipeline_.workspace_path_span.valid()) {
      pipeline_.workspace_path_span = expr.span;
    }
    Value value;
    value.ref.kind = ValueRef::Kind::kRunPlaceholder;
    value.ref.name = expr.text;
    value.ref.span = expr.span;
    value.ref.type = ParamTypeOf(sema::ParamType::kString);
    return value;
  }
  if (pipeline_.as_component->FindInput(object.text)) {
    context_.Report(diag::Kind::kInvalidValue, expr.span,
                    "input `" + object.text + "` of pipeline `" + pipeline_.name + "` has no `." +
                        expr.text + "`")
        .help = "pass the input itself: `" + object.text + "`";
    return std::nullopt;
  }
  return ResolveName(object);
}

bool PipelineChecker::CheckAssignable(const Value& value, const sema::Type& expected,
                                      const ast::Expr& expr, const std::string& what) {
  if (!value.typed) return true;
  const sema::Type& actual = value.ref.type;
  if (Assignable(expected, actual)) return true;
  diag::Diagnostic& d = context_.Report(
      diag::Kind::kTypeMismatch, expr.span,
      "expected `" + expected.ToString() + "` for " + what + ", found `" + actual.ToString() +
          "` from `" + Written(expr) + "`");
  if (expected.is_artifact != actual.is_artifact) {
    d.help = expected.is_artifact
                 ? "pass an artifact output of type `" + expected.ToString() + "`"
                 : "pass a parameter value, because `" + Written(expr) + "` is an artifact";
  } else if (expected.is_artifact) {
    d.help = "`" + actual.artifact.name + "` has schema title `" + actual.artifact.schema_title +
             "` but `" + expected.artifact.name + "` needs `" + expected.artifact.schema_title +
             "`, and only `Artifact` accepts any artifact type";
  } else if (value.ref.kind == ValueRef::Kind::kLoopItem && !value.ref.field.empty() &&
             value.ref.loop && value.ref.loop->iterable.kind == ValueRef::Kind::kConstant) {
    // The SDK types every field by the first dict's first value, whatever the field holds.
    d.help =
        "every field of an item of a constant list of dicts has the type of the first "
        "dict's first value, as in the SDK: write a `" +
        expected.ToString() +
        "` value first in the first dict, or pass the list as a `list<dict<string, " +
        expected.ToString() + ">>` pipeline input";
  } else if (expected.param == sema::ParamType::kFloat && actual.param == sema::ParamType::kInt) {
    switch (value.ref.kind) {
      case ValueRef::Kind::kLoopItem:
        if (value.ref.loop && value.ref.loop->iterable.kind == ValueRef::Kind::kConstant) {
          d.help =
              "write the list's first item as a float, such as `2.0`: a loop item over a "
              "constant list has the type of the first item";
        } else {
          d.help = "declare the list's element type as `float`, such as `list<float>`";
        }
        break;
      case ValueRef::Kind::kPipelineInput:
        d.help = "declare the input as `float`, because only an int literal converts to `float`";
        break;
      default:
        d.help =
            "declare the output as `float`, because only an int literal converts to "
            "`float`";
    }
  } else {
    d.help = "pass a value of type `" + expected.ToString() + "`";
  }
  return false;
}

std::optional<Value> PipelineChecker::CheckValue(const ast::Expr& expr, const sema::Type* expected,
                                                 const std::string& what) {
  if (IsConstant(expr)) {
    std::optional<sema::Type> type = expected ? *expected : *ConstantType(expr);
    std::optional<sema::Constant> constant = ConstantOf(context_, expr, *type, what);
    if (!constant) return std::nullopt;
    Value value;
    value.ref.kind = ValueRef::Kind::kConstant;
    value.ref.constant = std::move(*constant);
    value.ref.type = *type;
    value.ref.span = expr.span;
    return value;
  }
  std::optional<Value> value;
  switch (expr.kind) {
    case ast::ExprKind::kName:
      value = ResolveName(expr);
      break;
    case ast::ExprKind::kMember:
      value = ResolveMember(expr);
      break;
    case ast::ExprKind::kCall:
      return CheckCall(expr, expected, what);
    case ast::ExprKind::kString:
      return CheckInterpolation(expr, expected, what);
    case ast::ExprKind::kList:
    case ast::ExprKind::kMap:
      if (in_argument_) return CheckStructure(expr, expected, what);
      ReportNonConstantItem(expr, what);
      return std::nullopt;
    case ast::ExprKind::kNone:
      context_.Report(diag::Kind::kInvalidValue, expr.span, "`none` cannot be passed as a value")
          .help = "leave out the argument to use the input's default";
      return std::nullopt;
    default:
      context_.Report(diag::Kind::kInvalidValue, expr.span,
                      DescribeExpr(expr) + " cannot be used as " + what)
          .help = "pass a constant, a pipeline input or a task output";
      return std::nullopt;
  }
  if (!value) return std::nullopt;
  if (expected && !CheckAssignable(*value, *expected, expr, what)) return std::nullopt;
  if (expected && !value->typed) value->ref.type = *expected;
  return value;
}

void PipelineChecker::ReportNonConstantItem(const ast::Expr& expr, const std::string& what) {
  // The first item that is not a constant, looking into nested lists and dicts.
  const ast::Expr* item = &expr;
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (const ast::ExprPtr& child : item->items) {
      if (IsConstant(*child)) continue;
      item = child.get();
      deeper = item->kind == ast::ExprKind::kList || item->kind == ast::ExprKind::kMap;
      break;
    }
  }
  if (item == &expr) {
    context_
        .Report(diag::Kind::kInvalidValue, expr.span,
                DescribeExpr(expr) + " cannot be used as " + what)
        .help = "only a task argument may hold values read when the task runs in a list or dict";
    return;
  }
  diag::Diagnostic& d =
      context_.Report(diag::Kind::kInvalidValue, item->span,
                      DescribeExpr(*item) + " cannot be in a list or dict used as " + what);
  d.labels.push_back({expr.span, "only constants may be written here"});
  d.help = item->kind == ast::ExprKind::kNone
               ? "remove `none`, or write a constant such as `\"\"` in its place"
               : "only a task argument may hold values read when the task runs in a list or "
                 "dict; pass the whole list as a pipeline input or a task output instead";
}

std::optional<Value> PipelineChecker::CheckStructure(const ast::Expr& expr,
                                                     const sema::Type* expected,
                                                     const std::string& what) {
  sema::ParamType kind =
      expr.kind == ast::ExprKind::kList ? sema::ParamType::kList : sema::ParamType::kDict;
  if (expected && (expected->is_artifact || expected->param != kind)) {
    context_
        .Report(
            diag::Kind::kTypeMismatch, expr.span,
            "expected `" + expected->ToString() + "` for " + what + ", found " + DescribeExpr(expr))
        .help = "pass a value of type `" + expected->ToString() + "`";
    return std::nullopt;
  }
  Value result;
  result.ref.kind = ValueRef::Kind::kStructure;
  result.ref.span = expr.span;
  result.ref.type = ParamTypeOf(kind);
  std::vector<ValueRef::PathStep> path;
  std::optional<sema::Constant> constant = StructurePart(expr, &path, what, &result.ref);
  if (!constant) return std::nullopt;
  result.ref.constant = std::move(*constant);
  return result;
}

std::optional<sema::Constant> PipelineChecker::StructurePart(const ast::Expr& expr,
                                                             std::vector<ValueRef::PathStep>* path,
                                                             const std::string& what,
                                                             ValueRef* structure) {
  if (IsConstant(expr)) return ConstantOf(context_, expr, *ConstantType(expr), what);
  if (expr.kind == ast::ExprKind::kList) {
    sema::Constant::List items;
    bool ok = true;
    for (size_t i = 0; i < expr.items.size(); ++i) {
      path->push_back({false, i, ""});
      std::optional<sema::Constant> item = StructurePart(*expr.items[i], path, what, structure);
      path->pop_back();
      ok = ok && item;
      if (item) items.push_back(std::move(*item));
    }
    if (!ok) return std::nullopt;
    return sema::Constant{std::move(items)};
  }
  if (expr.kind == ast::ExprKind::kMap) {
    sema::Constant::Map entries;
    bool ok = true;
    for (size_t i = 0; i < expr.items.size() && i < expr.keys.size(); ++i) {
      const ast::Expr& key = *expr.keys[i];
      if (key.kind != ast::ExprKind::kString || !IsConstant(key)) {
        context_
            .Report(diag::Kind::kInvalidValue, key.span,
                    "a dict key must be a constant string, found " + DescribeExpr(key))
            .help = "write the key in quotes, such as `\"name\"`";
        ok = false;
        continue;
      }
      std::string name = StringValue(key);
      path->push_back({true, 0, name});
      std::optional<sema::Constant> item = StructurePart(*expr.items[i], path, what, structure);
      path->pop_back();
      ok = ok && item;
      if (item) entries[name] = std::move(*item);
    }
    if (!ok) return std::nullopt;
    return sema::Constant{std::move(entries)};
  }
  if (expr.kind != ast::ExprKind::kString && expr.kind != ast::ExprKind::kName &&
      expr.kind != ast::ExprKind::kMember) {
    context_
        .Report(diag::Kind::kInvalidValue, expr.span,
                DescribeExpr(expr) + " cannot be used inside a list or dict")
        .help = "write a constant, or a string with `{...}`, such as `\"{task.output}\"`";
    return std::nullopt;
  }
  std::optional<Value> value = CheckValue(expr, nullptr, what);
  if (!value) return std::nullopt;
  ValueRef leaf = std::move(value->ref);
  using Kind = ValueRef::Kind;
  if (leaf.type.is_artifact) {
    context_
        .Report(diag::Kind::kTypeMismatch, expr.span,
                "an artifact cannot be used inside a list or dict")
        .help = "pass a parameter, such as a string output";
    return std::nullopt;
  }
  if (leaf.kind != Kind::kInterpolation && leaf.kind != Kind::kPipelineInput &&
      leaf.kind != Kind::kTaskOutput && leaf.kind != Kind::kLoopItem &&
      leaf.kind != Kind::kRunPlaceholder) {
    context_
        .Report(diag::Kind::kInvalidValue, expr.span,
                DescribeExpr(expr) + " cannot be used inside a list or dict")
        .help = "pass a pipeline input, a task output or a loop item";
    return std::nullopt;
  }
  // The value goes into the constant as text, as the SDK writes a channel inside a list.
  if (leaf.kind != Kind::kInterpolation) {
    ValueRef text;
    text.kind = Kind::kInterpolation;
    text.span = leaf.span;
    text.type = ParamTypeOf(sema::ParamType::kString);
    text.alternatives.push_back(std::move(leaf));
    leaf = std::move(text);
  }
  structure->alternatives.push_back(std::move(leaf));
  structure->leaf_paths.push_back(*path);
  return sema::Constant{std::string()};
}

std::optional<Value> PipelineChecker::CheckInterpolation(const ast::Expr& expr,
                                                         const sema::Type* expected,
                                                         const std::string& what) {
  if (expected && (expected->is_artifact || expected->param != sema::ParamType::kString)) {
    context_.Report(diag::Kind::kTypeMismatch, expr.span,
                    "expected `" + expected->ToString() + "` for " + what +
                        ", found an interpolated string")
        .help = "pass the value itself, because an interpolated string is a `string`";
    return std::nullopt;
  }
  Value result;
  result.ref.kind = ValueRef::Kind::kInterpolation;
  result.ref.span = expr.span;
  result.ref.type = ParamTypeOf(sema::ParamType::kString);
  bool valid = true;
  for (const ast::StringPart& part : expr.parts) {
    if (!part.is_interpolation) {
      ValueRef text;
      text.kind = ValueRef::Kind::kConstant;
      text.span = part.span;
      text.type = result.ref.type;
      text.constant.value = part.text;
      result.ref.alternatives.push_back(std::move(text));
      continue;
    }
    std::optional<Value> piece = ResolveInterpolatedPart(part);
    if (!piece) {
      valid = false;
      continue;
    }
    result.ref.alternatives.push_back(std::move(piece->ref));
  }
  if (!valid) return std::nullopt;
  return result;
}

std::optional<Value> PipelineChecker::ResolveInterpolatedPart(const ast::StringPart& part) {
  if (part.path.empty() || part.path.size() > 2 || part.path_spans.size() != part.path.size()) {
    context_.Report(diag::Kind::kInvalidValue, part.span,
                    "invalid reference `{" + part.text + "}` in a string")
        .help = "write `{input}`, `{task.output_name}`, `{item.field}` or `{run.job_name}`";
    return std::nullopt;
  }
  ast::Expr name;
  name.kind = ast::ExprKind::kName;
  name.text = part.path[0];
  name.span = part.path_spans[0];
  name.text_span = part.path_spans[0];
  std::optional<Value> value;
  if (part.path.size() == 1) {
    value = ResolveName(name);
  } else {
    ast::Expr member;
    member.kind = ast::ExprKind::kMember;
    member.text = part.path[1];
    member.text_span = part.path_spans[1];
    member.span = {part.path_spans[0].file, part.path_spans[0].begin, part.path_spans[1].end};
    member.object = std::make_unique<ast::Expr>(std::move(name));
    value = ResolveMember(member);
  }
  if (!value) return std::nullopt;
  using Kind = ValueRef::Kind;
  bool supported = value->ref.kind == Kind::kPipelineInput || value->ref.kind == Kind::kTaskOutput ||
                   value->ref.kind == Kind::kLoopItem || value->ref.kind == Kind::kRunPlaceholder;
  if (!supported) {
    context_.Report(diag::Kind::kInvalidValue, part.span,
                    "`{" + part.text + "}` cannot be interpolated into a string")
        .help = "interpolate a pipeline input, a task output, a loop item or a run placeholder";
    return std::nullopt;
  }
  if (value->typed && value->ref.type.is_artifact) {
    context_.Report(diag::Kind::kTypeMismatch, part.span,
                    "`{" + part.text + "}` is an artifact and cannot be interpolated into a string")
        .help = "pass the artifact as an argument of its own";
    return std::nullopt;
  }
  if (!value->typed) value->ref.type = ParamTypeOf(sema::ParamType::kString);
  return value;
}

}  // namespace kfpc::check
