#pragma once

// Checking of pipeline bodies: tasks, their arguments and settings, value references, returns
// and control-flow groups. Internal to compiler/check; split over pipelines.cc (statements and
// tasks), values.cc (value references), importer.cc, task_settings.cc and control_flow.cc.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/check/context.h"

namespace kfpc::check {

// Creates the pipeline with its checked interface and the component that represents it when
// another pipeline calls it; the body is checked later by CheckPipelineBody.
std::unique_ptr<sema::Pipeline> DeclarePipeline(Context& context, const ast::Decl& decl,
                                                std::unique_ptr<sema::Component>* as_component);

// Checks the statements of a pipeline declared by DeclarePipeline.
void CheckPipelineBody(Context& context, const ast::Decl& decl, sema::Pipeline& pipeline);

// A checked value. `typed` is false for loop items whose element type is not declared, which
// are accepted wherever a parameter is expected.
struct Value {
  sema::ValueRef ref;
  bool typed = true;
};

using Member = std::variant<const sema::Task*, const sema::Group*>;

class PipelineChecker {
 public:
  PipelineChecker(Context& context, const ast::Decl& decl, sema::Pipeline& pipeline)
      : context_(context), decl_(decl), pipeline_(pipeline) {}

  void Run();

 private:
  // A task binding of this pipeline, known before the body is checked so that `after` may name
  // a task defined later.
  struct Binding {
    diag::Span span;
    sema::Task* task = nullptr;  // set once the task is checked; null when its callee is unknown
    bool defined = false;
    bool broken = false;
  };
  struct LoopVariable {
    std::string name;
    diag::Span span;
    const sema::Group* loop = nullptr;
    std::optional<sema::Type> element;  // nullopt when the list's element type is not declared
    // The type of every `item.field` of a loop over a constant list of dicts: as in the SDK, the
    // type of the first value of the first dict. nullopt for other loops.
    std::optional<sema::Type> field_type;
    // The list as written, for a loop over a constant list: its items are checked where a field
    // of the item is read.
    const ast::Expr* written_list = nullptr;
  };
  struct PendingAfter {
    sema::Task* task;
    std::string name;
    diag::Span span;
  };

  // pipelines.cc
  void CollectBindings(const std::vector<ast::Stmt>& body);
  void CheckSettings();
  // Reports `env` or a name that is not a pipeline setting, and returns whether it did.
  bool ReportNotPipelineSetting(const ast::Setting& setting);
  void CheckBody(const std::vector<ast::Stmt>& body, std::vector<Member>& members);
  sema::Task* CheckTask(const ast::TaskCall& call, diag::Span span, std::vector<Member>& members);
  const sema::Component* ResolveCallee(const ast::TaskCall& call);
  // Checks the arguments of `call`. Returns the inputs of type PipelineTaskFinalStatus that get
  // no value because the task is not a `finally` task.
  std::vector<const sema::InputDef*> CheckArguments(const ast::TaskCall& call, sema::Task& task);
  // Reports each input of `unset` unless the task ignores upstream failures, as the KFP SDK does.
  // Reports each argument of a task with `ignore_upstream_failure` that reads a task output into
  // an input without a default.
  void CheckInputsSurviveFailure(const sema::Task& task);
  void CheckFinalStatusInputs(const sema::Task& task, diag::Span span,
                              const std::vector<const sema::InputDef*>& unset);
  void CheckReturn(const ast::Stmt& stmt);
  void CheckMissingReturns();
  void ResolveAfter();
  void CheckCycles();

  // values.cc
  std::optional<Value> CheckValue(const ast::Expr& expr, const sema::Type* expected,
                                  const std::string& what);
  std::optional<Value> ResolveName(const ast::Expr& expr);
  std::optional<Value> ResolveMember(const ast::Expr& expr);
  std::optional<Value> ResolveTaskOutput(const std::string& binding, const std::string& output,
                                         const ast::Expr& expr);
  std::optional<Value> CheckCall(const ast::Expr& expr, const sema::Type* expected,
                                 const std::string& what);
  std::optional<Value> CrossGroups(Value value, const ast::Expr& expr);
  // Checks a string with `{...}` references as a task argument (an SDK f-string).
  // Checks a list or dict literal with values read when the task runs in its strings, such as
  // `[{"machine": "{m.output}"}]`, into a kStructure value.
  // Reports the first item of the list or dict `expr`, outside a task argument, that is not a
  // constant.
  void ReportNonConstantItem(const ast::Expr& expr, const std::string& what);
  // Reports an item of a loop's written list that is not a dict with the field that `read`
  // (`item.field`) reads: that iteration would fail when the backend reads the field. Returns
  // whether every item has the field.
  bool CheckItemsHaveField(const LoopVariable& variable, const ast::Expr& read);
  // Warns about an item of a loop's written list whose type is not the first item's.
  void CheckLoopItemTypes(const ast::Expr& list);
  std::optional<Value> CheckStructure(const ast::Expr& expr, const sema::Type* expected,
                                      const std::string& what);
  // Adds the value of `expr`, at `path` inside a structure, to `structure`; returns the constant
  // that stands for it there. Reports what a structure cannot hold.
  std::optional<sema::Constant> StructurePart(const ast::Expr& expr,
                                              std::vector<sema::ValueRef::PathStep>* path,
                                              const std::string& what, sema::ValueRef* structure);
  std::optional<Value> CheckInterpolation(const ast::Expr& expr, const sema::Type* expected,
                                          const std::string& what);
  std::optional<Value> ResolveInterpolatedPart(const ast::StringPart& part);
  std::optional<Value> CheckOneOf(const ast::Expr& expr, const sema::Type* expected,
                                  const std::string& what);
  bool CheckAssignable(const Value& value, const sema::Type& expected, const ast::Expr& expr,
                       const std::string& what);
  std::vector<std::string> ValueNames() const;

  // importer.cc
  bool IsImporterCall(const ast::TaskCall& call);
  // Checks the arguments of an `importer(...)` call and returns its component, owned by the
  // program, with the `uri` argument added to `arguments`; null after reporting an error.
  const sema::Component* CheckImporter(const ast::TaskCall& call,
                                       std::vector<sema::Argument>& arguments);
  std::optional<sema::Type> CheckArtifactTypeArgument(const ast::Expr& expr);

  // task_settings.cc
  void CheckTaskSettings(const ast::TaskCall& call, sema::Task& task);
  void CheckRetry(const ast::Setting& setting, sema::Task& task);
  // Checks the pipeline's `workspace { size ... }` block into pipeline_.workspace.
  void CheckWorkspace(const ast::Setting& setting);
  // Checks a resource setting whose value is not a constant, such as `cpu_limit = sizes.cpu`.
  void CheckRuntimeResource(const ast::Setting& setting, sema::Task& task);
  void CheckAfter(const ast::Setting& setting, sema::Task& task);
  void CheckEnv(const ast::Setting& setting, sema::Task& task);

  // control_flow.cc
  void CheckIf(const ast::Stmt& stmt, std::vector<Member>& members);
  void CheckFor(const ast::Stmt& stmt, std::vector<Member>& members);
  void CheckTry(const ast::Stmt& stmt, std::vector<Member>& members);
  std::shared_ptr<sema::Group::Condition> CheckCondition(const ast::Expr& expr);
  sema::Group& NewGroup(sema::Group::Kind kind, diag::Span span);

  Context& context_;
  const ast::Decl& decl_;
  sema::Pipeline& pipeline_;
  std::map<std::string, Binding> bindings_;
  // Whether every item of a loop's written list has a field, for each loop and field checked,
  // so that each list is scanned, and a missing field reported, once.
  std::map<std::pair<const sema::Group*, std::string>, bool> item_fields_;
  // The binding of the task whose call is being checked, if it has one, so that a task reading
  // its own outputs gets its own message.
  const Binding* checking_ = nullptr;
  std::vector<LoopVariable> loop_variables_;
  std::vector<PendingAfter> pending_after_;
  // The source span of each resolved `after` entry, which a cycle message points at.
  std::map<std::pair<const sema::Task*, const sema::Task*>, diag::Span> after_spans_;
  std::map<std::string, const ast::Stmt*> returned_;
  const sema::Group* group_ = nullptr;  // the innermost enclosing group while checking a body
  const sema::Group* exit_group_ = nullptr;  // set while checking a `finally` task
  int next_chain_id_ = 0;
  bool in_one_of_ = false;
  bool in_collect_ = false;  // while checking the value of `collect`, which may leave a loop
  bool in_return_ = false;   // while checking the value of `return`, a pipeline output
  bool in_argument_ = false;      // while checking a task argument, where lists and dicts may hold
                                  // values read when the task runs
  bool misnamed_return_ = false;  // a `return` named an output that the pipeline lacks  // while checking the values of `one_of`, which may cross an `if`
  // The if/else chain id and branch index of each condition group, for `one_of`.
  std::map<const sema::Group*, std::pair<int, size_t>> branch_of_;
};

}  // namespace kfpc::check
