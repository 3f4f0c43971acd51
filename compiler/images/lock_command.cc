#include "compiler/images/lock_command.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "compiler/images/image_reference.h"
#include "compiler/images/lock_file.h"
#include "compiler/images/oci_client.h"

namespace kfpc::images {
namespace {

void ReportRegistryError(diag::DiagnosticSink& sink, const std::string& reference,
                         const RegistryError& error) {
  diag::Diagnostic& d =
      sink.Report(error.kind, diag::Span{}, "cannot lock `" + reference + "`: " + error.message);
  d.help = error.help;
}

// Resolves one reference into `*image`; reports and returns false on any failure, including an
// image without a linux/arm64 manifest.
bool LockImage(OciClient& client, const std::string& reference, diag::DiagnosticSink& sink,
               LockedImage* image) {
  ImageReference parsed;
  std::string reason;
  if (!ParseImageReference(reference, &parsed, &reason)) {
    diag::Diagnostic& d = sink.Report(diag::Kind::kInvalidImageReference, diag::Span{},
                                      "invalid image reference `" + reference + "`: " + reason);
    d.help = "write references as Docker does: `[registry/]repository[:tag][@sha256:digest]`";
    return false;
  }
  ResolvedImage resolved;
  RegistryError error;
  if (!client.Resolve(parsed, &resolved, &error)) {
    ReportRegistryError(sink, reference, error);
    return false;
  }
  image->repository = resolved.repository;
  image->digest = resolved.digest;
  image->media_type = resolved.media_type;
  image->platforms = resolved.platforms;
  if (FindPlatformDigest(*image, kTargetPlatform).empty()) {
    diag::Diagnostic& d =
        sink.Report(diag::Kind::kImageMissingPlatform, diag::Span{},
                    "image `" + reference + "` has no `" + std::string(kTargetPlatform) +
                        "` manifest; it has " + ListPlatforms(*image));
    d.help = "use a multi-platform image or build and push one for linux/arm64";
    return false;
  }
  return true;
}

bool WriteAtomically(const std::string& path, const std::string& contents,
                     diag::DiagnosticSink& sink) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream output(temporary, std::ios::binary | std::ios::trunc);
    output << contents;
    output.close();
    if (!output) {
      diag::Diagnostic& d = sink.Report(diag::Kind::kWriteFailed, diag::Span{},
                                        "cannot write lock file `" + temporary + "`: " +
                                            std::strerror(errno));
      d.help = "check that the directory exists and is writable";
      return false;
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    sink.Report(diag::Kind::kWriteFailed, diag::Span{},
                "cannot replace lock file `" + path + "`: " + error.message());
    std::filesystem::remove(temporary, error);
    return false;
  }
  return true;
}

// Picks the references to resolve: the requested ones, or every locked one.
std::vector<std::string> ReferencesToLock(const LockOptions& options, const LockFile& lock) {
  if (!options.images.empty()) return options.images;
  std::vector<std::string> references;
  for (const auto& [reference, image] : lock.images) references.push_back(reference);
  return references;
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
  for (const std::string& reference : ReferencesToLock(options, old_lock)) {
    if (!requested.insert(reference).second) continue;
    auto old_entry = old_lock.images.find(reference);
    bool locked = old_entry != old_lock.images.end();
    if (locked && !options.update) {
      *report += "unchanged " + reference + " " + old_entry->second.digest + "\n";
      continue;
    }
    LockedImage image;
    if (!LockImage(client, reference, sink, &image)) continue;
    std::string verb = "locked";
    if (locked) verb = old_entry->second == image ? "unchanged" : "updated";
    *report += verb + " " + reference + " " + image.digest + "\n";
    new_lock.images[reference] = std::move(image);
  }
  if (options.prune && !options.images.empty()) {
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
