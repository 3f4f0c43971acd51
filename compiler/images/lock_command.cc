#include "compiler/images/lock_command.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "compiler/diagnostics/write_file.h"
#include "compiler/images/image_reference.h"
#include "compiler/images/lock_file.h"
#include "compiler/images/oci_client.h"

namespace kfpc::images {
namespace {

// Reports a problem with `use` at its first use, with a label at each later one.
diag::Diagnostic& ReportAtUse(diag::DiagnosticSink& sink, diag::Kind kind, const ImageUse& use,
                              std::string message,
                              diag::Severity severity = diag::Severity::kError) {
  diag::Diagnostic& d = sink.Report(kind, severity, use.span, std::move(message));
  for (const diag::Span& other : use.other_uses) {
    d.labels.push_back({other, "`" + use.reference + "` is also used here"});
  }
  return d;
}

// Reports each platform that `use` requires and `image` lacks; returns false when one is missing.
bool CheckPlatforms(const ImageUse& use, const LockedImage& image, diag::DiagnosticSink& sink) {
  bool ok = true;
  for (const auto& [platform, reason] : use.platforms) {
    if (!FindPlatformDigest(image, platform).empty()) continue;
    diag::Diagnostic& d = ReportAtUse(
        sink, diag::Kind::kImageMissingPlatform, use,
        "image `" + use.reference + "` has no `" + platform + "` manifest; it has " +
            ListPlatforms(image));
    if (!reason.empty()) d.notes.push_back(reason + ", so the image must offer " + platform);
    d.help = "use a multi-platform image, or build and push one for " + platform;
    ok = false;
  }
  return ok;
}

// Resolves `use` into `*image`. Reports and returns false on any failure, including an image
// without a manifest for a platform that `use` requires.
bool LockImage(OciClient& client, const ImageUse& use, diag::DiagnosticSink& sink,
               LockedImage* image) {
  ImageReference parsed;
  std::string reason;
  if (!ParseImageReference(use.reference, &parsed, &reason)) {
    diag::Diagnostic& d = ReportAtUse(sink, diag::Kind::kInvalidImageReference, use,
                                      "invalid image reference `" + use.reference + "`: " + reason);
    d.help = "write references as Docker does: `[registry/]repository[:tag][@sha256:digest]`";
    return false;
  }
  ResolvedImage resolved;
  RegistryError error;
  if (!client.Resolve(parsed, &resolved, &error)) {
    ReportAtUse(sink, error.kind, use, "cannot lock `" + use.reference + "`: " + error.message)
        .help = error.help;
    return false;
  }
  image->repository = resolved.repository;
  image->digest = resolved.digest;
  image->media_type = resolved.media_type;
  image->platforms = resolved.platforms;
  // A broken index entry fails the lock only when a task needs its platform.
  bool ok = true;
  for (const auto& [platform, entry_error] : resolved.rejected) {
    bool needed = use.platforms.count(platform) > 0;
    diag::Diagnostic& d = ReportAtUse(
        sink, entry_error.kind, use,
        "cannot lock `" + use.reference + "` for " + platform + ": " + entry_error.message,
        needed ? diag::Severity::kError : diag::Severity::kWarning);
    d.help = entry_error.help;
    if (!needed)
      d.notes.push_back("no task needs " + platform + ", so the lock file leaves it out");
    ok = ok && !needed;
  }
  return CheckPlatforms(use, *image, sink) && ok;
}

bool WriteAtomically(const std::string& path, const std::string& contents,
                     diag::DiagnosticSink& sink) {
  // A unique temporary file created with O_EXCL, so that neither a planted symbolic link nor a
  // concurrent run can redirect or mix up the write.
  std::string error;
  if (!diag::WriteFileAtomically(path, contents, &error)) {
    diag::Diagnostic& d = sink.Report(diag::Kind::kWriteFailed, diag::Span{},
                                      "cannot write lock file `" + path + "`: " + error);
    d.help = "check that the directory exists and is writable";
    return false;
  }
  return true;
}

// Picks the images to resolve: the requested ones, or every locked one.
std::vector<ImageUse> ImagesToLock(const LockOptions& options, const LockFile& lock) {
  if (options.images_from_files || !options.images.empty()) return options.images;
  std::vector<ImageUse> uses;
  for (const auto& [reference, image] : lock.images) uses.emplace_back(reference);
  return uses;
}

}  // namespace

bool RunLock(const LockOptions& options, diag::SourceManager& sources, diag::DiagnosticSink& sink,
             std::string* report) {
  size_t errors_before = sink.error_count();
  LockFile old_lock;
  diag::FileId old_file = diag::kNoFile;
  std::error_code exists_error;
  if (std::filesystem::exists(options.lock_path, exists_error) &&
      !LoadLockFile(options.lock_path, sources, sink, &old_lock, &old_file)) {
    return false;
  }

  HttpClientOptions http_options;
  http_options.limits = options.limits;
  http_options.insecure_hosts = options.insecure_registries;
  http_options.ca_path = options.ca_path;
  HttpClient http(std::move(http_options));
  OciClient client(http);

  LockFile new_lock = old_lock;
  std::set<std::string> requested;
  for (const ImageUse& use : ImagesToLock(options, old_lock)) {
    const std::string& reference = use.reference;
    if (!requested.insert(reference).second) continue;
    auto old_entry = old_lock.images.find(reference);
    bool locked = old_entry != old_lock.images.end();
    if (locked && !options.update) {
      // A locked image is kept without a request, but a task may now need another platform.
      if (!CheckPlatforms(use, old_entry->second, sink)) continue;
      *report += "unchanged " + reference + " " + old_entry->second.digest + "\n";
      continue;
    }
    LockedImage image;
    if (!LockImage(client, use, sink, &image)) continue;
    std::string verb = "locked";
    if (locked) verb = old_entry->second == image ? "unchanged" : "updated";
    *report += verb + " " + reference + " " + image.digest + "\n";
    new_lock.images[reference] = std::move(image);
  }
  if (options.prune && (options.images_from_files || !options.images.empty())) {
    std::erase_if(new_lock.images, [&](const auto& entry) {
      bool drop = requested.count(entry.first) == 0;
      if (drop) *report += "removed " + entry.first + "\n";
      return drop;
    });
  }
  if (sink.error_count() > errors_before) return false;

  std::string contents = SerializeLockFile(new_lock);
  bool unchanged = old_file != diag::kNoFile && sources.contents(old_file) == contents;
  return unchanged || WriteAtomically(options.lock_path, contents, sink);
}

}  // namespace kfpc::images
