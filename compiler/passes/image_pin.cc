#include "compiler/passes/image_pin.h"

#include <fmt/format.h>

#include <regex>
#include <set>
#include <tuple>

#include "compiler/images/image_reference.h"

namespace kfpc::passes {

namespace {

const std::regex& ArchitecturePattern() {
  static const std::regex kPattern(
      "(^|[-_.])(arm64v8|arm64|aarch64|amd64|x86_64|x86-64|armv7|ppc64le|s390x)(?=$|[-_.])");
  return kPattern;
}

std::string TagOf(std::string_view reference) {
  images::ImageReference parsed;
  std::string error;
  if (!images::ParseImageReference(reference, &parsed, &error) || !parsed.digest.empty()) return "";
  // A reference without a tag parses as `latest`, which names no architecture anyway.
  return parsed.tag;
}

// Warns about an architecture in the tag, suggesting the tag without it.
void ReportSuffixedTag(std::string_view reference, diag::Span span, diag::DiagnosticSink& sink) {
  std::string tag = TagOf(reference);
  std::smatch match;
  if (tag.empty() || !std::regex_search(tag, match, ArchitecturePattern())) return;
  std::string base(reference.substr(0, reference.size() - tag.size()));
  std::string suggestion = std::regex_replace(tag, ArchitecturePattern(), "");
  // An OS or variant name beside the architecture, as in `linux-arm64-v8`, goes with it: what is
  // left would name no multi-platform tag.
  static const std::regex kPlatformWords("(^|[-_.])(linux|windows|v[5-9])(?=$|[-_.])");
  suggestion = std::regex_replace(suggestion, kPlatformWords, "");
  // A tag starts with a letter, digit or `_`: `arm64-3.11` leaves `3.11`, not `-3.11`.
  suggestion.erase(0, suggestion.find_first_not_of("-."));
  diag::Diagnostic& d = sink.Report(
      diag::Kind::kArchitectureSuffixedTag, span,
      fmt::format("image `{}` names architecture `{}` in its tag", reference, match[2].str()));
  d.notes.push_back("registries publish one multi-platform tag; an architecture tag may not "
                    "exist, and it hides the other platforms from the lock file");
  d.help = suggestion.empty()
               ? "use the multi-platform tag and run `kfpc lock`, which pins the manifest of "
                 "each target platform"
               : fmt::format("use the multi-platform tag `{}{}` and run `kfpc lock`, which pins "
                             "the manifest of each target platform",
                             base, suggestion);
}

bool HasDigest(std::string_view reference) {
  return reference.find("@sha256:") != std::string_view::npos;
}

}  // namespace

std::string ArchitectureInTag(std::string_view reference) {
  std::string tag = TagOf(reference);
  std::smatch match;
  if (tag.empty() || !std::regex_search(tag, match, ArchitecturePattern())) return "";
  return match[2].str();
}

void PinImages(const TaskGraph& graph, const TargetChoice& targets, const ImagePinOptions& options,
               ir::Document& document, diag::DiagnosticSink& sink) {
  const std::string lock_name =
      options.lock_path_given ? options.lock_path : std::string(images::kLockFileName);
  std::set<std::string> done;
  std::set<std::tuple<std::string, diag::FileId, uint32_t>> reported;
  diag::DiagnosticSink discarded;
  for (const std::string& id : graph.order) {
    const TaskNode& node = graph.nodes.at(id);
    const TargetProfile& profile = targets.Of(id);
    if (profile.IsNone() || node.task == nullptr) continue;
    auto executor = document.pipeline.executors.find(node.executor_label);
    if (executor == document.pipeline.executors.end() || !executor->second.container) continue;
    if (!done.insert(node.executor_label).second) continue;

    std::string& image = executor->second.container->image;
    const sema::Component& component = *node.task->component;
    diag::Span span = component.image_span.valid() ? component.image_span : node.task->span;
    // Tasks of one component share its image position: report each problem there once.
    diag::DiagnosticSink& report =
        reported.insert({image + "\n" + profile.Platform(), span.file, span.begin}).second
            ? sink
            : discarded;
    ReportSuffixedTag(image, span, report);
    bool has_digest = HasDigest(image);

    const images::LockedImage* locked = nullptr;
    if (options.lock) {
      auto entry = options.lock->images.find(image);
      if (entry != options.lock->images.end()) locked = &entry->second;
    }
    // A reference with a digest is already pinned, but only its lock entry shows whether it
    // offers the target's platform: `--require-lock` needs one, as for a tag.
    if (has_digest && locked == nullptr && !options.require_lock) continue;
    if (locked == nullptr) {
      diag::Diagnostic& d = report.Report(
          diag::Kind::kImageNotLocked,
          options.require_lock ? diag::Severity::kError : diag::Severity::kWarning, span,
          has_digest
              ? fmt::format("image `{}` is not in `{}`, so its platforms are not checked", image,
                            lock_name)
              : fmt::format("image `{}` is not in `{}`, so it is not pinned", image, lock_name));
      d.help = options.lock_path_given
                   ? fmt::format(
                         "run `kfpc lock --lock {}` with the pipeline's files to resolve "
                         "it, and commit the lock file",
                         options.lock_path)
                   : "run `kfpc lock` to resolve it, and commit the lock file";
      continue;
    }
    std::string digest = images::FindPlatformDigest(*locked, profile.Platform());
    if (digest.empty()) {
      report.Report(diag::Kind::kImageMissingPlatform, span,
                  fmt::format("image `{}` has no `{}` manifest; it has {}", image,
                              profile.Platform(), images::ListPlatforms(*locked)))
          .help = fmt::format("use a multi-platform image, or build and push one for {}",
                              profile.Platform());
      continue;
    }
    // A digest written in the source stays as written: an index digest is as fixed as the
    // digest of its platform's manifest.
    if (!has_digest) image = locked->repository + "@" + digest;
  }
}

}  // namespace kfpc::passes
