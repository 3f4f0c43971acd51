// Importer tasks: `data = importer(uri = ..., artifact_type = T, reimport = ..., metadata = {...})`
// is checked into a component of its own, as the KFP SDK's `dsl.importer` creates one per call.

#include <algorithm>

#include "compiler/check/pipeline_checker.h"
#include "compiler/check/types.h"

namespace kfpc::check {

namespace {

const std::vector<std::string> kImporterArguments = {"uri", "artifact_type", "reimport",
                                                     "metadata"};

}  // namespace

bool PipelineChecker::IsImporterCall(const ast::TaskCall& call) {
  // A component or pipeline declared as `importer` takes precedence over the built-in.
  return call.callee == "importer" && context_.Find("importer") == nullptr;
}

std::optional<sema::Type> PipelineChecker::CheckArtifactTypeArgument(const ast::Expr& expr) {
  if (expr.kind != ast::ExprKind::kName) {
    context_.Report(diag::Kind::kTypeMismatch, expr.span,
                    "expected an artifact type for argument `artifact_type`, found " +
                        DescribeExpr(expr))
        .help = "name an artifact type, such as `artifact_type = Dataset`";
    return std::nullopt;
  }
  ast::TypeRef ref;
  ref.span = expr.span;
  ref.name = expr.text;
  ref.name_span = expr.span;
  std::optional<sema::Type> type = ResolveType(context_, ref);
  if (type && !type->is_artifact) {
    context_.Report(diag::Kind::kTypeMismatch, expr.span,
                    "expected an artifact type for argument `artifact_type`, found parameter "
                    "type `" + type->ToString() + "`")
        .help = "name an artifact type, such as `artifact_type = Dataset`";
    return std::nullopt;
  }
  return type;
}

const sema::Component* PipelineChecker::CheckImporter(const ast::TaskCall& call,
                                                      std::vector<sema::Argument>& arguments) {
  auto component = std::make_unique<sema::Component>();
  component->kind = sema::Component::Kind::kImporter;
  component->name = "importer";
  component->span = call.callee_span;
  component->name_span = call.callee_span;
  component->importer.emplace();
  sema::Type uri_type = ParamTypeOf(sema::ParamType::kString);
  component->inputs.push_back({"uri", call.callee_span, uri_type, false, std::nullopt, ""});

  bool valid = true;
  std::optional<sema::Type> artifact_type;
  std::map<std::string, diag::Span> given;
  for (const ast::Argument& arg : call.args) {
    if (arg.name.empty()) {
      context_.Report(diag::Kind::kPositionalArgument, arg.span, "task arguments must be named")
          .help = "write `uri = ...` and `artifact_type = ...`";
      valid = false;
      continue;
    }
    auto [it, inserted] = given.emplace(arg.name, arg.name_span);
    if (!inserted) {
      diag::Diagnostic& d = context_.Report(diag::Kind::kDuplicateArgument, arg.name_span,
                                            "argument `" + arg.name + "` is passed twice");
      d.labels.push_back({it->second, "first passed here"});
      d.help = "remove one of the two";
      continue;
    }
    if (!arg.value) {  // the parser reported the missing value
      valid = false;
      continue;
    }
    const ast::Expr& value = *arg.value;
    if (arg.name == "uri") {
      std::optional<Value> uri = CheckValue(value, &uri_type, "argument `uri`");
      if (uri) arguments.push_back({"uri", arg.span, std::move(uri->ref)});
      valid = valid && uri.has_value();
    } else if (arg.name == "artifact_type") {
      artifact_type = CheckArtifactTypeArgument(value);
      valid = valid && artifact_type.has_value();
    } else if (arg.name == "reimport") {
      std::optional<sema::Constant> reimport =
          ConstantOf(context_, value, ParamTypeOf(sema::ParamType::kBool), "argument `reimport`");
      if (reimport) component->importer->reimport = std::get<bool>(reimport->value);
      valid = valid && reimport.has_value();
    } else if (arg.name == "metadata" && value.kind == ast::ExprKind::kMap && !IsConstant(value)) {
      // The SDK also takes values read when the pipeline runs here: it adds importer inputs and
      // writes their placeholders into the metadata. The importer launcher of the KFP backend
      // (2.14 and 2.15) copies the metadata as written, so the artifact would get the placeholder
      // text instead of the value.
      const ast::Expr* item = &value;
      while (item->kind == ast::ExprKind::kMap || item->kind == ast::ExprKind::kList) {
        auto it = std::find_if(item->items.begin(), item->items.end(),
                               [](const ast::ExprPtr& child) { return !IsConstant(*child); });
        if (it == item->items.end()) break;
        item = it->get();
      }
      diag::Diagnostic& d =
          context_.Report(diag::Kind::kInvalidValue, item->span,
                          DescribeExpr(*item) +
                              " cannot be in the importer's `metadata`, which kfpc writes as "
                              "a constant");
      if (item->kind != ast::ExprKind::kNone) {
        d.notes.push_back(
            "the KFP SDK writes a placeholder here, but the importer of KFP backends "
            "2.14 and 2.15 copies the metadata as written and does not fill it in");
      }
      d.help = item->kind == ast::ExprKind::kNone
                   ? "remove the entry, or write a constant such as `\"\"`"
                   : "write a constant value; to record a value known only when the pipeline "
                     "runs, pass it to a task that reads the imported artifact";
      valid = false;
    } else if (arg.name == "metadata") {
      std::optional<sema::Constant> metadata =
          ConstantOf(context_, value, ParamTypeOf(sema::ParamType::kDict), "argument `metadata`");
      if (metadata) component->importer->metadata = std::move(*metadata);
      valid = valid && metadata.has_value();
    } else {
      diag::Diagnostic& d = context_.Report(diag::Kind::kUnknownArgument, arg.name_span,
                                            "`importer` has no argument `" + arg.name + "`");
      SuggestName(context_, d, arg.name, kImporterArguments, arg.name_span);
      if (d.help.empty()) d.help = "the arguments of `importer` are " + JoinNames(kImporterArguments);
      valid = false;
    }
  }
  for (const char* required : {"uri", "artifact_type"}) {
    if (given.count(required)) continue;
    context_.Report(diag::Kind::kMissingArgument, call.callee_span,
                    std::string("missing argument `") + required + "` for `importer`")
        .help = std::string(required) == "uri"
                    ? "pass the URI of the artifact to import: `uri = \"gs://bucket/path\"`"
                    : "pass the type of the imported artifact: `artifact_type = Dataset`";
    valid = false;
  }
  if (!valid || !artifact_type) return nullptr;
  component->outputs.push_back({"artifact", call.callee_span, *artifact_type, ""});
  context_.program.components.push_back(std::move(component));
  return context_.program.components.back().get();
}

}  // namespace kfpc::check
