// Control-flow groups: `if`/`else` branches, `for` loops and `try`/`finally` exit handlers, and
// the values that cross their boundaries (`collect(...)`, `one_of(...)`).

#include "compiler/check/condition_flow.h"
#include "compiler/check/pipeline_checker.h"
#include "compiler/check/types.h"
#include "compiler/parse/limits.h"

namespace kfpc::check {

namespace {

using sema::Group;

bool Encloses(const Group* outer, const Group* inner) {
  for (const Group* group = inner; group; group = group->parent) {
    if (group == outer) return true;
  }
  return false;
}

// The groups around `task` that do not enclose `from`, innermost first: the boundaries that a
// reference from `from` to the task's outputs crosses.
std::vector<const Group*> CrossedGroups(const sema::Task& task, const Group* from) {
  std::vector<const Group*> crossed;
  for (const Group* group = task.parent; group; group = group->parent) {
    if (!Encloses(group, from)) crossed.push_back(group);
  }
  return crossed;
}

const Group* FirstCrossed(const sema::Task& task, const Group* from, Group::Kind kind) {
  for (const Group* group : CrossedGroups(task, from)) {
    if (group->kind == kind) return group;
  }
  return nullptr;
}

// Checks what `one_of` needs beyond one output per branch: a chain that ends with `else`, so
// that exactly one branch runs, and alternatives of one type.
bool CheckOneOfChain(Context& context, const ast::Expr& expr, const sema::Pipeline& pipeline,
                     int chain, const sema::ValueRef& one_of) {
  const Group* last = nullptr;
  for (const auto& group : pipeline.groups) {
    if (group->kind == Group::Kind::kCondition && group->chain_id == chain) last = group.get();
  }
  if (last != nullptr && last->condition != nullptr) {
    diag::Diagnostic& d = context.Report(
        diag::Kind::kInvalidControlFlow, expr.span,
        "`one_of` reads an `if`/`else` chain without `else`, so no branch may run");
    d.labels.push_back({last->span, "the chain's last branch"});
    d.help = "add an `else` branch whose task output is passed to `one_of`";
    return false;
  }
  const sema::Type& first = one_of.alternatives.front().type;
  for (const sema::ValueRef& alternative : one_of.alternatives) {
    if (alternative.type.ToString() == first.ToString() &&
        alternative.type.is_artifact == first.is_artifact) {
      continue;
    }
    context.Report(diag::Kind::kTypeMismatch, alternative.span,
                   "the values of `one_of` must have one type, found `" + first.ToString() +
                       "` and `" + alternative.type.ToString() + "`")
        .help = "pass outputs of the same type from every branch";
    return false;
  }
  return true;
}

}  // namespace

sema::Group& PipelineChecker::NewGroup(Group::Kind kind, diag::Span span) {
  auto group = std::make_unique<Group>();
  group->kind = kind;
  group->span = span;
  group->parent = group_;
  pipeline_.groups.push_back(std::move(group));
  return *pipeline_.groups.back();
}

std::optional<Value> PipelineChecker::CrossGroups(Value value, const ast::Expr& expr) {
  const sema::Task& task = *value.ref.task;
  std::vector<const Group*> crossed = CrossedGroups(task, group_);
  if (crossed.empty()) return value;
  std::string written = expr.kind == ast::ExprKind::kMember && expr.object
                            ? expr.object->text + "." + expr.text
                            : expr.text;
  // `one_of` reads tasks placed directly in a branch; CheckOneOf checks the branches.
  if (in_one_of_ && crossed.size() == 1 && crossed[0]->kind == Group::Kind::kCondition) return value;
  const Group* outermost = crossed.back();
  if (outermost->kind == Group::Kind::kLoop && in_collect_) {
    Value collected;
    collected.ref.kind = sema::ValueRef::Kind::kCollected;
    collected.ref.span = expr.span;
    collected.ref.loop = outermost;
    collected.ref.type = value.ref.type;
    if (collected.ref.type.is_artifact) {
      // The backend gathers the artifacts of nested loops into one flat list.
      collected.ref.type.is_list = true;
    } else {
      // A parameter becomes a list once for each loop it leaves, such as `list<list<int>>`
      // for a task in a loop inside a loop.
      for (const Group* group : crossed) {
        if (group->kind != Group::Kind::kLoop) continue;
        sema::Type list = ParamTypeOf(sema::ParamType::kList);
        list.element = std::make_shared<sema::Type>(std::move(collected.ref.type));
        collected.ref.type = std::move(list);
      }
    }
    collected.ref.alternatives.push_back(std::move(value.ref));
    return collected;
  }
  diag::Diagnostic& d = context_.Report(diag::Kind::kInvalidControlFlow, expr.span, "");
  if (in_one_of_ && outermost->kind == Group::Kind::kCondition && crossed[0] == task.parent &&
      crossed[0]->kind == Group::Kind::kCondition) {
    d.message = "the `if`/`else` chain around task `" + task.binding + "` is inside another " +
                "`if`, so its `one_of` must be read inside that `if` too";
    d.help = "move this task into the `if` that contains the chain";
  } else if (in_one_of_ && outermost->kind == Group::Kind::kCondition) {
    d.message = "`one_of` reads tasks placed directly in a branch, but task `" + task.binding +
                "` is nested in another group there";
    d.help = "pass the output of a task written directly in the branch";
  } else if (outermost->kind == Group::Kind::kLoop) {
    d.message = "task `" + task.binding + "` runs in every iteration of a `for` loop, so its "
                "output is one value per iteration";
    d.help = "read the list of values with `collect(" + written + ")`";
  } else if (outermost->kind == Group::Kind::kExitHandler && in_return_) {
    d.message = "task `" + task.binding + "` runs inside `try`, so a pipeline output cannot "
                "come from it";
    d.help = "move the task out of the `try` body: the body may stop at a failed task before "
             "this one runs, and unlike `one_of` for `if` and `collect` for `for`, nothing reads "
             "a value out of a `try`";
  } else if (outermost->kind == Group::Kind::kExitHandler) {
    d.message = "task `" + task.binding + "` runs inside `try` and cannot be read outside it";
    d.help = "read the output inside the `try` body";
  } else {
    d.message = "task `" + task.binding + "` runs inside an `if` branch and cannot be read "
                "outside it";
    d.help = "read one value from the branches of the `if` with `one_of(a.output, b.output)`";
  }
  return std::nullopt;
}

std::optional<Value> PipelineChecker::CheckOneOf(const ast::Expr& expr, const sema::Type* expected,
                                                 const std::string& what) {
  Value result;
  result.ref.kind = sema::ValueRef::Kind::kOneOf;
  result.ref.span = expr.span;
  std::set<size_t> branches;
  int chain = -1;
  bool ok = true;
  in_one_of_ = true;
  for (const ast::Argument& arg : expr.args) {
    if (arg.value->kind == ast::ExprKind::kCall && arg.value->text == "one_of") {
      context_.Report(diag::Kind::kInvalidControlFlow, arg.value->span,
                      "`one_of` cannot contain another `one_of`")
          .help = "pass the task outputs of every branch to one `one_of`";
      ok = false;
      continue;
    }
    std::optional<Value> value = CheckValue(*arg.value, expected, what);
    if (!value) {
      ok = false;
      continue;
    }
    const Group* crossed = value->ref.kind == sema::ValueRef::Kind::kTaskOutput
                               ? FirstCrossed(*value->ref.task, group_, Group::Kind::kCondition)
                               : nullptr;
    auto branch = crossed ? branch_of_.find(crossed) : branch_of_.end();
    if (branch == branch_of_.end() || branch->second.first < 0 ||
        (chain >= 0 && branch->second.first != chain) || !branches.insert(branch->second.second).second) {
      context_.Report(diag::Kind::kInvalidControlFlow, arg.value->span,
                      "each value of `one_of` must be a task output from a different branch of "
                      "one `if`/`else` chain")
          .help = "pass one output per branch, such as `one_of(a.output, b.output)`";
      ok = false;
      continue;
    }
    chain = branch->second.first;
    if (result.ref.alternatives.empty()) result.ref.type = value->ref.type;
    result.ref.alternatives.push_back(std::move(value->ref));
  }
  in_one_of_ = false;
  if (ok && result.ref.alternatives.size() < 2) {
    context_.Report(diag::Kind::kInvalidControlFlow, expr.span, "`one_of` needs at least two values")
        .help = "pass one output per branch of the `if`/`else` chain";
    return std::nullopt;
  }
  if (!ok || !CheckOneOfChain(context_, expr, pipeline_, chain, result.ref)) return std::nullopt;
  return result;
}

std::optional<Value> PipelineChecker::CheckCall(const ast::Expr& expr, const sema::Type* expected,
                                                const std::string& what) {
  if (expr.text == "one_of") return CheckOneOf(expr, expected, what);
  if (ConversionTarget(expr.text)) {
    context_.Report(diag::Kind::kInvalidConversion, expr.span,
                    "`" + expr.text + "(...)` can only appear in an `if` condition")
        .help = "pass the value itself, and convert it inside the component or declare the "
                "input with the value's type";
    return std::nullopt;
  }
  if (expr.text != "collect") {
    context_.Report(diag::Kind::kInvalidValue, expr.text_span, "unknown function `" + expr.text + "`")
        .help = "the functions for values are `collect` and `one_of`, conditions may also "
                "convert with `int`, `float` and `string`, and tasks are statements";
    return std::nullopt;
  }
  if (expr.args.size() != 1 || !expr.args[0].name.empty()) {
    context_.Report(diag::Kind::kInvalidControlFlow, expr.span, "`collect` takes one task output")
        .help = "write `collect(task.output_name)`";
    return std::nullopt;
  }
  const ast::Expr& inner = *expr.args[0].value;
  in_collect_ = true;
  std::optional<Value> value = CheckValue(inner, nullptr, what);
  in_collect_ = false;
  if (!value) return std::nullopt;
  if (value->ref.kind != sema::ValueRef::Kind::kCollected) {
    context_.Report(diag::Kind::kInvalidControlFlow, inner.span,
                    "`collect` needs the output of a task inside a `for` loop, read outside it")
        .help = "pass the value itself";
    return std::nullopt;
  }
  value->ref.span = expr.span;
  if (expected && !CheckAssignable(*value, *expected, expr, what)) return std::nullopt;
  return value;
}

std::shared_ptr<sema::Group::Condition> PipelineChecker::CheckCondition(const ast::Expr& expr) {
  auto condition = std::make_shared<Group::Condition>();
  if ((expr.kind == ast::ExprKind::kUnary || expr.kind == ast::ExprKind::kBinary) &&
      (!expr.object || (expr.kind == ast::ExprKind::kBinary && !expr.rhs))) {
    return nullptr;  // the parser reported the missing operand
  }
  if (expr.kind == ast::ExprKind::kUnary && expr.text == "not") {
    condition->kind = Group::Condition::Kind::kNot;
    auto operand = CheckCondition(*expr.object);
    if (!operand) return nullptr;
    condition->operands.push_back(operand);
    return condition;
  }
  if (expr.kind == ast::ExprKind::kBinary && (expr.text == "and" || expr.text == "or")) {
    condition->kind = expr.text == "and" ? Group::Condition::Kind::kAnd : Group::Condition::Kind::kOr;
    auto left = CheckCondition(*expr.object);
    auto right = CheckCondition(*expr.rhs);
    if (!left || !right) return nullptr;
    condition->operands = {left, right};
    return condition;
  }
  if (expr.kind != ast::ExprKind::kBinary) {
    context_.Report(diag::Kind::kInvalidControlFlow, expr.span,
                    "a condition must compare two values")
        .help = "write a comparison such as `task.output == \"yes\"`";
    return nullptr;
  }
  condition->op = expr.text;
  // One side: a value, or an explicit conversion `int(x)`, `float(x)` or `string(x)` of one.
  auto check_side = [&](const ast::Expr& side,
                        std::optional<sema::ParamType>* conversion) -> std::optional<Value> {
    if (side.kind != ast::ExprKind::kCall || !ConversionTarget(side.text)) {
      return CheckValue(side, nullptr, "a condition");
    }
    if (!CheckConversionCall(context_, side)) return std::nullopt;
    std::optional<Value> value = CheckValue(*side.args[0].value, nullptr, "a condition");
    if (!value || !CheckConversionSource(context_, side, value->ref.type, value->typed)) {
      return std::nullopt;
    }
    *conversion = ConversionTarget(side.text);
    return value;
  };
  std::optional<Value> left = check_side(*expr.object, &condition->left_conversion);
  std::optional<Value> right = check_side(*expr.rhs, &condition->right_conversion);
  if (!left || !right) return nullptr;
  for (const Value* value : {&*left, &*right}) {
    // The backend fills run placeholders into task inputs, not into trigger conditions.
    if (value->ref.kind == sema::ValueRef::Kind::kRunPlaceholder) {
      context_
          .Report(diag::Kind::kInvalidCondition, value->ref.span,
                  "a condition cannot read the run placeholder `run." + value->ref.name + "`")
          .help = "pass it to a task and compare that task's output";
      return nullptr;
    }
    // A trigger condition reads whole inputs and cannot build a string from pieces.
    if (value->ref.kind == sema::ValueRef::Kind::kInterpolation) {
      context_
          .Report(diag::Kind::kInvalidCondition, value->ref.span,
                  "a condition cannot compare with a string that interpolates values")
          .help =
          "compare with the value itself (`x`, not `\"{x}\"`) or with a constant string; "
          "to compare with a built string, build it in a task and compare that task's "
          "output";
      return nullptr;
    }
    if (value->typed && value->ref.type.is_artifact) {
      context_.Report(diag::Kind::kTypeMismatch, value->ref.span,
                      "a condition cannot compare artifacts")
          .help = "compare parameter values: strings, numbers or booleans";
      return nullptr;
    }
  }
  ComparisonSide left_side{expr.object.get(), &left->ref, left->typed, condition->left_conversion};
  ComparisonSide right_side{expr.rhs.get(), &right->ref, right->typed, condition->right_conversion};
  if (!CheckComparison(context_, expr, expr.text, left_side, right_side)) return nullptr;
  condition->left = std::move(left->ref);
  condition->right = std::move(right->ref);
  return condition;
}

void PipelineChecker::CheckIf(const ast::Stmt& stmt, std::vector<Member>& members) {
  int chain_id = stmt.branches.size() > 1 ? next_chain_id_++ : -1;
  std::vector<std::shared_ptr<Group::Condition>> previous;
  for (size_t i = 0; i < stmt.branches.size(); ++i) {
    const ast::Branch& branch = stmt.branches[i];
    Group& group = NewGroup(Group::Kind::kCondition, branch.span);
    group.chain_id = chain_id;
    group.previous_conditions = previous;
    if (branch.condition) group.condition = CheckCondition(*branch.condition);
    // Only lowering reads the earlier conditions, and a chain over the limit is an error that
    // stops before lowering. Copying them for every branch of a chain of any length would take
    // time and memory that grow with the square of its length.
    if (group.condition && stmt.branches.size() <= parse::kMaxIfBranches) {
      previous.push_back(group.condition);
    }
    branch_of_[&group] = {chain_id, i};
    members.push_back(&group);
    const Group* outer = group_;
    group_ = &group;
    CheckBody(branch.body, group.members);
    group_ = outer;
  }
}

void PipelineChecker::CheckFor(const ast::Stmt& stmt, std::vector<Member>& members) {
  Group& group = NewGroup(Group::Kind::kLoop, stmt.span);
  group.loop_variable = stmt.loop_variable;
  LoopVariable variable{stmt.loop_variable, stmt.loop_variable_span, &group, std::nullopt,
                        std::nullopt};
  // The SDK types the items of a constant list by the first one, and every field of a dict item
  // by the first dict's first value. The loop item's input in the IR has that type too.
  std::optional<sema::Type> first_item_type;
  if (stmt.value && stmt.value->kind == ast::ExprKind::kList && !stmt.value->items.empty()) {
    const ast::Expr& first = *stmt.value->items.front();
    first_item_type = ConstantType(first);
    if (first.kind == ast::ExprKind::kMap && !first.items.empty()) {
      variable.field_type = ConstantType(*first.items.front());
    }
    if (IsConstant(*stmt.value)) {
      variable.written_list = stmt.value.get();
      CheckLoopItemTypes(*stmt.value);
    }
  }
  sema::Type list = ParamTypeOf(sema::ParamType::kList);
  if (stmt.value) {
    std::optional<Value> iterable = CheckValue(*stmt.value, nullptr, "the loop");
    if (iterable && iterable->typed && iterable->ref.type.is_artifact) {
      context_.Report(diag::Kind::kInvalidControlFlow, stmt.value->span,
                      "a `for` loop cannot iterate over artifacts")
          .help = "iterate over a list parameter";
    } else if (iterable && iterable->typed && iterable->ref.type.param != sema::ParamType::kList) {
      context_.Report(diag::Kind::kTypeMismatch, stmt.value->span,
                      "a `for` loop iterates over a list, found `" + iterable->ref.type.ToString() +
                          "`")
          .help = "iterate over a constant list, or a list input or output";
    } else if (iterable) {
      if (iterable->typed && iterable->ref.type.element) {
        variable.element = *iterable->ref.type.element;
      } else if (iterable->ref.kind == sema::ValueRef::Kind::kConstant && first_item_type) {
        variable.element = *first_item_type;
      }
      if (!iterable->typed) iterable->ref.type = list;
      group.iterable = std::move(iterable->ref);
    }
  }
  if (stmt.parallelism && !stmt.parallelism->out_of_range) {
    // parallelismLimit is an int32 in the IR.
    if (stmt.parallelism->kind == ast::ExprKind::kInt && stmt.parallelism->int_value > 0 &&
        stmt.parallelism->int_value <= 2147483647) {
      group.parallelism = stmt.parallelism->int_value;
    } else {
      context_
          .Report(diag::Kind::kInvalidValue, stmt.parallelism->span,
                  "`parallelism` expects an integer from 1 to 2147483647, found " +
                      (stmt.parallelism->kind == ast::ExprKind::kInt
                           ? std::to_string(stmt.parallelism->int_value)
                           : DescribeExpr(*stmt.parallelism)))
          .help = "write `parallelism = 2`";
    }
  }
  members.push_back(&group);
  const Group* outer = group_;
  group_ = &group;
  loop_variables_.push_back(variable);
  CheckBody(stmt.body, group.members);
  loop_variables_.pop_back();
  group_ = outer;
}

void PipelineChecker::CheckLoopItemTypes(const ast::Expr& list) {
  const ast::Expr& first = *list.items.front();
  std::string first_type = ConstantType(first)->ToString();
  for (const ast::ExprPtr& item : list.items) {
    std::string type = ConstantType(*item)->ToString();
    // An int is a valid value of a float input.
    if (type == first_type || (type == "int" && first_type == "float")) continue;
    diag::Diagnostic& d = context_.Report(diag::Kind::kMixedLoopItems, item->span,
                                          "this item is " + DescribeExpr(*item) +
                                              ", but the loop's items have the type of the first");
    d.labels.push_back({first.span, "the first item is " + DescribeExpr(first)});
    d.notes.push_back(
        "the KFP SDK types every item of a written list like the first, and so "
        "does the loop's input in the IR, which this item's value does not match");
    d.help = "write every item with the same type, `" + first_type + "` as the first";
    return;
  }
}

bool PipelineChecker::CheckItemsHaveField(const LoopVariable& variable, const ast::Expr& read) {
  const std::string& field = read.text;
  auto [known, inserted] = item_fields_.emplace(std::make_pair(variable.loop, field), true);
  if (!inserted) return known->second;
  for (size_t i = 0; i < variable.written_list->items.size(); ++i) {
    const ast::Expr& item = *variable.written_list->items[i];
    bool has_field = false;
    if (item.kind == ast::ExprKind::kMap) {
      for (const ast::ExprPtr& key : item.keys) has_field = has_field || key->text == field;
    }
    if (has_field) continue;
    known->second = false;
    std::string ordinal = std::to_string(i + 1);
    diag::Diagnostic& d =
        context_.Report(diag::Kind::kMissingItemField, read.span,
                        item.kind == ast::ExprKind::kMap
                            ? "item " + ordinal + " of the loop's list has no field `" + field + "`"
                            : "item " + ordinal + " of the loop's list is " + DescribeExpr(item) +
                                  ", which has no field `" + field + "`");
    d.labels.push_back({item.span, "item " + ordinal});
    d.notes.push_back(
        "the backend reads the field of each item when its iteration starts, and "
        "that iteration would fail");
    d.help = item.kind == ast::ExprKind::kMap
                 ? "add `\"" + field + "\": ...` to item " + ordinal
                 : "make every item a dict with the field `" + field + "`";
    return false;
  }
  return true;
}

void PipelineChecker::CheckTry(const ast::Stmt& stmt, std::vector<Member>& members) {
  // The exit task goes to the pipeline's root DAG, which cannot read what an enclosing group
  // receives, and the backend would run it also when an enclosing `if` is false. The SDK allows
  // an exit handler only at the outermost level too.
  if (group_ != nullptr) {
    diag::Diagnostic& d = context_.Report(
        diag::Kind::kInvalidControlFlow,
        stmt.span.valid() ? diag::Span{stmt.span.file, stmt.span.begin, stmt.span.begin + 3}
                          : stmt.span,
        std::string("`try` must be at the top level of the pipeline, not inside `") +
            (group_->kind == Group::Kind::kLoop        ? "for"
             : group_->kind == Group::Kind::kCondition ? "if"
                                                       : "try") +
            "`");
    d.labels.push_back({group_->span, "inside this"});
    d.help = "move the `try` out, or put the tasks in a pipeline and call it here";
  }
  Group& group = NewGroup(Group::Kind::kExitHandler, stmt.span);
  group.display_name = stmt.handler_name;
  if (stmt.handler_name_interpolates) {
    context_
        .Report(diag::Kind::kInvalidValue, stmt.handler_name_span,
                "the name of an exit handler is a constant string")
        .help = "remove the `{...}` interpolation, or write literal braces as `\\{` and `\\}`";
  } else if (stmt.handler_name_span.valid() && stmt.handler_name.empty()) {
    context_.Report(diag::Kind::kInvalidValue, stmt.handler_name_span,
                    "the name of an exit handler is empty")
        .help = "write a name such as `try \"cleanup\" { ... }`, or leave the name out";
  }
  members.push_back(&group);
  const Group* outer = group_;
  group_ = &group;
  CheckBody(stmt.body, group.members);
  group_ = outer;
  if (stmt.body.empty()) {
    context_.Report(diag::Kind::kInvalidControlFlow, stmt.span, "the `try` body is empty")
        .help = "put the tasks whose end the `finally` task waits for inside `try { ... }`";
  }
  size_t tasks = 0;
  for (const ast::Stmt& final_stmt : stmt.finally_body) {
    if (final_stmt.kind != ast::StmtKind::kTask || ++tasks > 1) {
      context_.Report(diag::Kind::kInvalidControlFlow, final_stmt.span,
                      "`finally` must contain exactly one task")
          .help = "move the other statements out of `finally`, which contains only the exit task";
      continue;
    }
    exit_group_ = &group;
    group.exit_task = CheckTask(final_stmt.task, final_stmt.span, members);
    exit_group_ = nullptr;
  }
  if (stmt.finally_body.empty()) {
    context_.Report(diag::Kind::kInvalidControlFlow, stmt.finally_span,
                    "`finally` must contain exactly one task, found none")
        .help = "call the exit task in `finally { ... }`";
  }
}

}  // namespace kfpc::check
