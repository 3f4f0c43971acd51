#include "compiler/lsp/hover.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "compiler/lsp/lookup.h"
#include "compiler/lsp/setting_docs.h"
#include "compiler/lsp/signature.h"

namespace kfpc::lsp {

namespace {

std::string CodeBlock(const std::string& code) { return "```kf\n" + code + "\n```"; }

std::string WithDoc(std::string text, const std::string& doc) {
  return doc.empty() ? text : text + "\n\n" + doc;
}

std::string StringSetting(const ast::Decl& decl, const std::string& name) {
  for (const ast::Setting& setting : decl.settings) {
    if (setting.name == name && setting.value && setting.value->kind == ast::ExprKind::kString) {
      return setting.value->text;
    }
  }
  return "";
}

std::string DeclarationText(const Analysis& analysis, const ast::Decl& decl) {
  std::string text = CodeBlock(Signature(analysis, decl));
  if (decl.kind == ast::DeclKind::kArtifact) {
    std::string version = StringSetting(decl, "schema_version");
    text += "\n\nSchema `" + StringSetting(decl, "schema_title") + "`, version `" +
            (version.empty() ? "0.0.1" : version) + "`.";
  }
  return WithDoc(text, Description(decl));
}

std::string BuiltinTypeText(const std::string& name) {
  bool artifact = std::find(std::begin(kArtifactTypes), std::end(kArtifactTypes), name) !=
                  std::end(kArtifactTypes);
  if (artifact) return CodeBlock(name) + "\n\nBuilt-in artifact type `system." + name + "`.";
  return CodeBlock(name) + "\n\nBuilt-in parameter type.";
}

std::string ParamText(const Analysis& analysis, const Target& target) {
  bool input = target.kind == Target::Kind::kInput;
  std::string text = CodeBlock(std::string(input ? "(input) " : "(output) ") +
                               lsp::ParamText(analysis, *target.param));
  text += std::string("\n\n") + (input ? "Input" : "Output") + " of " +
          (target.decl->kind == ast::DeclKind::kPipeline ? "pipeline" : "component") + " `" +
          target.decl->name + "`.";
  return WithDoc(text, target.param->doc);
}

std::string TaskText(const Analysis& analysis, const Target& target) {
  const ast::TaskCall& task = target.stmt->task;
  if (!target.decl) {
    return CodeBlock("(task) " + task.binding + " = " + task.callee + "(...)") +
           "\n\nCalls `" + task.callee + "`, which is not declared.";
  }
  std::string kind = target.decl->kind == ast::DeclKind::kPipeline ? "pipeline" : "component";
  return CodeBlock("(task) " + task.binding + " = " + task.callee + "(...) -> " +
                   OutputsText(analysis, *target.decl)) +
         "\n\nCalls " + kind + " `" + task.callee + "`.";
}

// Returns the component whose image string, in `file`, contains `offset`, or null.
const sema::Component* ImageAt(const Analysis& analysis, diag::FileId file, uint32_t offset) {
  if (!analysis.result.program) return nullptr;
  for (const auto& component : analysis.result.program->components) {
    const diag::Span& span = component->image_span;
    // An `image` without a valid string, such as `image =` followed by the next setting, has no
    // hover of its own.
    if ((component->kind != sema::Component::Kind::kContainer &&
         component->kind != sema::Component::Kind::kPython) ||
        component->image.empty()) {
      continue;
    }
    if (span.valid() && span.file == file && offset >= span.begin && offset <= span.end) {
      return component.get();
    }
  }
  return nullptr;
}

// Returns the platforms of the targeted tasks that run `component`, from the cache-key pass.
std::set<std::string> TargetPlatforms(const Analysis& analysis, const sema::Component& component) {
  std::set<std::string> platforms;
  if (!analysis.passes.ran || !analysis.result.program) return platforms;
  for (const auto& pipeline : analysis.result.program->pipelines) {
    for (const auto& task : pipeline->tasks) {
      if (task->component != &component) continue;
      for (const passes::TaskCacheKey& key : analysis.passes.result.cache_keys) {
        if (key.span == task->span && key.platform != "unspecified") platforms.insert(key.platform);
      }
    }
  }
  return platforms;
}

std::string ImageText(const Analysis& analysis, const sema::Component& component) {
  const std::string& image = component.image;
  std::string text = CodeBlock("(image) " + image);

  if (image.find("@sha256:") != std::string::npos) {
    return text + "\n\nPinned by digest in the source, so `kfpc.lock` is not read for it.";
  }
  const std::string& lock_path = analysis.project_files.lock_path;
  if (lock_path.empty()) {
    return text + "\n\nNo `kfpc.lock` found for this file; `kfpc lock` writes one.";
  }
  if (!analysis.lock) return text + "\n\n`" + lock_path + "` could not be read.";
  auto entry = analysis.lock->images.find(image);
  if (entry == analysis.lock->images.end()) {
    return text + "\n\nNot in `" + lock_path + "`, so it is not pinned; `kfpc lock` adds it.";
  }

  const images::LockedImage& locked = entry->second;
  std::set<std::string> platforms = TargetPlatforms(analysis, component);
  text += "\n\nIn `" + lock_path + "`:";
  if (platforms.empty()) {
    // No task that runs the image has a target, so it requires no platform: list them all.
    for (const auto& [platform, digest] : locked.platforms) {
      text += "\n- " + platform + ": `" + locked.repository + "@" + digest + "`";
    }
    return text + "\n\nNo task that runs this image has a target, so it is not pinned.";
  }

  for (const std::string& platform : platforms) {
    std::string digest = images::FindPlatformDigest(locked, platform);
    text += "\n- " + platform + " (target): ";
    text += digest.empty() ? "no manifest" : "`" + locked.repository + "@" + digest + "`";
  }
  text += "\n- platforms: " + images::ListPlatforms(locked);
  return text;
}

// Returns the cache keys of the tasks that the statement at `span` creates: one for a plain task,
// several when its pipeline is called more than once.
std::vector<const passes::TaskCacheKey*> KeysOf(const Analysis& analysis, diag::Span span) {
  std::vector<const passes::TaskCacheKey*> keys;
  if (!analysis.passes.ran) return keys;
  for (const passes::TaskCacheKey& key : analysis.passes.result.cache_keys) {
    if (key.span.valid() && key.span.file == span.file && key.span.begin <= span.begin &&
        span.begin < key.span.end) {
      keys.push_back(&key);
    }
  }
  return keys;
}

std::string CacheKeyText(const std::vector<const passes::TaskCacheKey*>& keys) {
  std::string text;
  for (const passes::TaskCacheKey* key : keys) {
    text += fmt::format("\n\nCache key of `{}` (target `{}`, platform {}): `{}`", key->task,
                        key->target, key->platform, key->key);
    text += "\n\nCovers: " + fmt::format("{}", fmt::join(key->covers, "; ")) + ".";
    if (key->static_key) {
      text += " Written to `cachingOptions.cacheKey`.";
    } else if (!key->static_key_reason.empty()) {
      text += " `cachingOptions.cacheKey` not written (" + key->static_key_reason + ").";
    }
  }
  return text;
}

SettingOwner SettingOwnerOf(const SettingTarget& setting) {
  if (setting.in_task) return SettingOwner::kTask;
  switch (setting.decl->kind) {
    case ast::DeclKind::kArtifact:
      return SettingOwner::kArtifact;
    case ast::DeclKind::kPipeline:
      return SettingOwner::kPipeline;
    default:
      return SettingOwner::kComponent;
  }
}

std::string HoverText(const Request& request, const Target& target) {
  const Analysis& analysis = request.analysis;
  switch (target.kind) {
    case Target::Kind::kDeclaration:
      // On the callee of a task call, the task's keys follow the declaration.
      return DeclarationText(analysis, *target.decl) + CacheKeyText(KeysOf(analysis, target.span));
    case Target::Kind::kBuiltinType: return BuiltinTypeText(target.name);
    case Target::Kind::kInput:
    case Target::Kind::kOutput: return ParamText(analysis, target);
    case Target::Kind::kTask:
      return TaskText(analysis, target) + CacheKeyText(KeysOf(analysis, target.stmt->span));
    case Target::Kind::kLoopVariable:
      return CodeBlock("(loop variable) " + target.stmt->loop_variable);
    case Target::Kind::kKeyword:
      if (target.name == "parallelism") {
        return CodeBlock("(loop setting) parallelism") +
               "\n\nAt most this many iterations of the loop run at once "
               "(`iteratorPolicy.parallelismLimit` of the loop's task).";
      }
      return CodeBlock("(keyword) " + target.name) +
             "\n\n`try { ... } finally { ... }`: the one task in `finally` runs after the tasks "
             "of the block end, whether they succeed or fail. The KFP SDK writes it as an exit "
             "handler (`dsl.ExitHandler`).";
    case Target::Kind::kImport:
      if (target.file == diag::kNoFile) return "Imported file, not found.";
      return "Imports `" + analysis.sources.path(target.file) + "`.";
    case Target::Kind::kNone: break;
  }
  return "";
}

}  // namespace

nlohmann::json Hover(const Request& request) {
  if (const sema::Component* component =
          ImageAt(request.analysis, request.file, request.offset)) {
    return {{"contents", {{"kind", "markdown"}, {"value", ImageText(request.analysis, *component)}}},
            {"range", ToJson(request.ToRange(component->image_span))}};
  }
  SettingTarget setting = FindSetting(request.analysis, request.file, request.offset);
  if (setting.found) {
    std::string doc = SettingDoc(SettingOwnerOf(setting), setting.path);
    if (doc.empty()) return nullptr;
    return {{"contents", {{"kind", "markdown"}, {"value", doc}}},
            {"range", ToJson(request.ToRange(setting.span))}};
  }
  Target target = FindTarget(request.analysis, request.file, request.offset);
  std::string text = HoverText(request, target);
  if (text.empty()) return nullptr;
  return {{"contents", {{"kind", "markdown"}, {"value", text}}},
          {"range", ToJson(request.ToRange(target.span))}};
}

}  // namespace kfpc::lsp
