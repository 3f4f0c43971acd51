#include "compiler/check/check.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "compiler/check/declarations.h"
#include "compiler/check/imports.h"
#include "compiler/check/pipeline_checker.h"
#include "compiler/check/security.h"
#include "compiler/diagnostics/read_file.h"
#include "compiler/parse/limits.h"

namespace kfpc::check {

namespace {

using DeclFiles = std::map<diag::FileId, ast::File>;

void CheckDeclarations(Context& context, const DeclFiles& files,
                       std::map<const ast::Decl*, sema::Pipeline*>& pipelines) {
  // Artifact types first: component and pipeline interfaces refer to them.
  for (auto& [name, symbol] : context.symbols) {
    if (symbol.decl->kind == ast::DeclKind::kArtifact) symbol.artifact = CheckArtifact(context, *symbol.decl);
  }
  for (const auto& [id, file] : files) {
    for (const ast::Decl& decl : file.decls) {
      auto& table = decl.kind == ast::DeclKind::kPipeline ? context.pipelines : context.symbols;
      auto it = table.find(decl.name);
      // Only the first declaration of a name is checked; later ones were reported.
      if (it == table.end() || it->second.decl != &decl) continue;
      if (decl.kind == ast::DeclKind::kComponent) {
        context.program.components.push_back(CheckComponent(context, decl));
        it->second.component = context.program.components.back().get();
      } else if (decl.kind == ast::DeclKind::kPipeline) {
        std::unique_ptr<sema::Component> component;
        context.program.pipelines.push_back(DeclarePipeline(context, decl, &component));
        context.program.components.push_back(std::move(component));
        it->second.pipeline = context.program.pipelines.back().get();
        it->second.component = context.program.components.back().get();
        pipelines[&decl] = it->second.pipeline;
      }
    }
  }
}

// Reports a pipeline that contains itself through other pipelines, which has no finite IR.
// Reports each cycle of pipeline calls, and each call that nests pipelines deeper than
// kMaxPipelineDepth. The walk keeps its own stack, since a chain of calls may be as long as the
// file allows.
void CheckPipelineCalls(Context& context) {
  enum class State { kNew, kActive, kDone };
  struct PipelineInfo {
    State state = State::kNew;
    size_t depth = 1;  // the pipeline and the deepest chain of calls below it
  };
  std::map<const sema::Pipeline*, PipelineInfo> info;
  struct Frame {
    const sema::Pipeline* pipeline;
    size_t next_task = 0;
  };
  // Counts the call `task` of `caller` to a pipeline whose calls go `callee_depth` deep, and
  // reports it when it is the one that goes past the limit.
  auto add_call = [&](const sema::Pipeline* caller, const sema::Task& task, size_t callee_depth) {
    size_t depth = callee_depth + 1;
    if (depth == parse::kMaxPipelineDepth + 1) {
      context.Report(diag::Kind::kPipelinesTooDeep, task.span,
                     fmt::format("pipeline `{}` nests pipeline calls {} levels deep, more than "
                                 "the limit of {}",
                                 caller->name, depth, parse::kMaxPipelineDepth))
          .help = "call the inner pipelines' components directly from an outer pipeline";
    }
    info[caller].depth = std::max(info[caller].depth, depth);
  };
  for (const auto& root : context.program.pipelines) {
    if (info[root.get()].state != State::kNew) continue;
    std::vector<Frame> stack = {{root.get()}};
    info[root.get()].state = State::kActive;
    while (!stack.empty()) {
      Frame& frame = stack.back();
      const sema::Pipeline* pipeline = frame.pipeline;
      if (frame.next_task == pipeline->tasks.size()) {
        info[pipeline].state = State::kDone;
        stack.pop_back();
        if (stack.empty()) break;
        // Back in the caller: the call that led here goes as deep as `pipeline` does, plus one.
        const sema::Pipeline* caller = stack.back().pipeline;
        const sema::Task& call = *caller->tasks[stack.back().next_task - 1];
        add_call(caller, call, info[pipeline].depth);
        continue;
      }
      const sema::Task& task = *pipeline->tasks[frame.next_task++];
      const sema::Pipeline* callee = task.component->pipeline;
      if (callee == nullptr) continue;
      PipelineInfo& callee_info = info[callee];
      if (callee_info.state == State::kActive) {
        context.Report(diag::Kind::kRecursivePipeline, task.span,
                       "pipeline `" + callee->name + "` calls itself through pipeline `" +
                           pipeline->name + "`")
            .help = "break the cycle of pipeline calls, because a pipeline cannot contain itself";
      } else if (callee_info.state == State::kNew) {
        callee_info.state = State::kActive;
        stack.push_back({callee});
      } else {
        add_call(pipeline, task, callee_info.depth);
      }
    }
  }
}

// The KFP SDK requires the name of the compiled pipeline, `pipelineInfo.name`, to match
// `^[a-z0-9][a-z0-9-]{0,127}$` (validate_pipeline_name in kfp/dsl/utils.py). kfpc writes the
// name sanitized, so only its length can break the rule.
void CheckPipelineNameLength(Context& context, const sema::Pipeline& entry) {
  std::string name = sema::SanitizeK8sName(entry.ir_name.value_or(entry.name));
  if (name.size() <= 128) return;
  diag::Diagnostic& d = context.Report(
      diag::Kind::kInvalidValue, entry.ir_name ? entry.ir_name_span : entry.name_span,
      "the pipeline name `" + name.substr(0, 40) + "...` has " + std::to_string(name.size()) +
          " characters, and KFP allows at most 128");
  d.help = entry.ir_name
               ? "write a shorter `name`"
               : "rename the pipeline, or give it a shorter IR name with `name = \"...\"`";
}

const sema::Pipeline* SelectEntry(Context& context, const ast::File& root,
                                  const std::map<const ast::Decl*, sema::Pipeline*>& pipelines,
                                  const CheckOptions& options) {
  std::vector<const sema::Pipeline*> candidates;
  std::vector<std::string> names;
  for (const ast::Decl& decl : root.decls) {
    auto it = pipelines.find(&decl);
    if (it == pipelines.end()) continue;
    candidates.push_back(it->second);
    names.push_back(decl.name);
  }
  const std::string& path = context.sources.path(root.id);
  if (!options.entry_pipeline.empty()) {
    for (const sema::Pipeline* pipeline : candidates) {
      if (pipeline->name == options.entry_pipeline) return pipeline;
    }
    diag::Diagnostic& d = context.Report(
        diag::Kind::kEntryPipeline, {},
        "pipeline `" + options.entry_pipeline + "` is not declared in `" + path + "`");
    d.help = names.empty() ? "`" + path + "` declares no pipeline"
                           : "the pipelines of `" + path + "` are " + JoinNames(names);
    return nullptr;
  }
  // A pipeline that another pipeline of the file calls is a part, not the one to compile.
  std::set<const sema::Pipeline*> called;
  for (const sema::Pipeline* caller : candidates) {
    for (const auto& task : caller->tasks) {
      if (task->component->pipeline != nullptr) called.insert(task->component->pipeline);
    }
  }
  std::vector<const sema::Pipeline*> roots;
  for (const sema::Pipeline* candidate : candidates) {
    if (!called.contains(candidate)) roots.push_back(candidate);
  }
  context.program.roots = roots;
  if (roots.size() == 1) return roots[0];
  // Pipelines that all call one another were reported as recursive.
  if (roots.empty() && !candidates.empty()) return nullptr;
  if (candidates.size() > 1) {
    if (!options.require_entry) return nullptr;
    context.Report(diag::Kind::kEntryPipeline, candidates[1]->name_span,
                   "`" + path + "` declares " + std::to_string(candidates.size()) +
                       " pipelines and none is chosen to compile")
        .help = "choose the pipeline to compile with `--pipeline NAME`, one of " +
                JoinNames(names, "or");
    return nullptr;
  }
  return candidates.empty() ? nullptr : candidates[0];
}

}  // namespace

FileLoader DiskLoader() {
  return [](const std::string& path) -> std::optional<std::string> {
    // Stops a chunk past the size limit, where the parser reports the file as too large, so that
    // a huge import does not exhaust memory. Devices and FIFOs are rejected before they are opened.
    diag::ReadResult read = diag::ReadRegularFile(path, parse::kMaxFileBytes);
    if (read.status != diag::ReadStatus::kOk) return std::nullopt;
    return std::move(read.contents);
  };
}

CheckResult Check(diag::SourceManager& sources, diag::FileId root, const FileLoader& loader,
                  diag::DiagnosticSink& sink, const CheckOptions& options) {
  CheckResult result;
  result.program = std::make_unique<sema::Program>();
  Context context{sources, sink, *result.program,        {}, {}, {},
                  false,   {},   parse::kMaxSuggestions, {}, {}};
  size_t errors_before = sink.error_count();

  DeclFiles files;
  LoadFiles(context, root, loader, options.import_directories, files, &result.imports);
  CheckLiteralCredentials(context, files);
  std::map<const ast::Decl*, sema::Pipeline*> pipelines;
  CheckDeclarations(context, files, pipelines);
  for (const auto& [decl, pipeline] : pipelines) CheckPipelineBody(context, *decl, *pipeline);
  CheckPipelineCalls(context);
  const sema::Pipeline* entry = SelectEntry(context, files.at(root), pipelines, options);
  if (entry != nullptr) CheckPipelineNameLength(context, *entry);
  if (sink.error_count() == errors_before) result.program->entry = entry;

  result.files.resize(sources.file_count());
  for (auto& [id, file] : files) result.files[id] = std::move(file);
  return result;
}

}  // namespace kfpc::check
