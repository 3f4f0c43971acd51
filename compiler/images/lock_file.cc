#include "compiler/images/lock_file.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "compiler/diagnostics/read_file.h"
#include "compiler/images/image_reference.h"
#include "compiler/images/json_limits.h"

namespace kfpc::images {
namespace {

using nlohmann::json;

// Returns the first key that appears twice in one object of the JSON `text`, or nullopt.
// nlohmann::json keeps only the last value of a repeated key, so the parse itself cannot tell.
std::optional<std::string> FindDuplicateKey(std::string_view text) {
  std::vector<std::set<std::string>> objects;
  std::optional<std::string> duplicate;
  json::parser_callback_t callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      objects.emplace_back();
    } else if (event == json::parse_event_t::object_end && !objects.empty()) {
      objects.pop_back();
    } else if (event == json::parse_event_t::key && !objects.empty() && !duplicate &&
               parsed.is_string() && !objects.back().insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json parsed = json::parse(text, callback, /*allow_exceptions=*/false);
  static_cast<void>(parsed);
  return duplicate;
}

// Returns `text` with control characters written as `\xHH`, so that a message shows them.
std::string EscapeControlCharacters(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Reports problems in one lock file, pointing at the text they concern.
class LockFileParser {
 public:
  LockFileParser(const diag::SourceManager& sources, diag::FileId file, diag::DiagnosticSink& sink)
      : file_(file), text_(sources.contents(file)), sink_(sink) {}

  bool Parse(const LockFileLimits& limits, LockFile* lock);

 private:
  bool ParseEntry(const std::string& reference, const json& entry, LockedImage* image);
  // Reports at the first occurrence of `"needle"` after `after`, or at the start of the file.
  // NOTE: this finds the right key unless the same string appears earlier as a value.
  void Error(std::string message, std::string_view needle = "", size_t after = 0,
             std::string help = "");
  size_t Find(std::string_view needle, size_t after = 0) const;

  diag::FileId file_;
  const std::string& text_;
  diag::DiagnosticSink& sink_;
  bool ok_ = true;
};

size_t LockFileParser::Find(std::string_view needle, size_t after) const {
  if (needle.empty()) return 0;
  size_t offset = text_.find("\"" + std::string(needle) + "\"", after);
  return offset == std::string::npos ? 0 : offset;
}

void LockFileParser::Error(std::string message, std::string_view needle, size_t after,
                           std::string help) {
  size_t begin = Find(needle, after);
  size_t end = needle.empty() ? begin : begin + needle.size() + 2;
  if (end > text_.size()) end = text_.size();
  diag::Diagnostic& d =
      sink_.Report(diag::Kind::kInvalidLockFile,
                   diag::Span{file_, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)},
                   EscapeControlCharacters(message));
  d.help = help.empty() ? "run `kfpc lock --update` to regenerate the lock file" : help;
  ok_ = false;
}

bool LockFileParser::ParseEntry(const std::string& reference, const json& entry,
                                LockedImage* image) {
  size_t at = Find(reference);
  ImageReference parsed;
  std::string reason;
  if (!ParseImageReference(reference, &parsed, &reason)) {
    Error("invalid image reference `" + reference + "` in the lock file: " + reason, reference);
    return false;
  }
  if (!entry.is_object()) {
    Error("the entry for `" + reference + "` must be an object", reference);
    return false;
  }
  for (const auto& [key, value] : entry.items()) {
    if (key != "repository" && key != "digest" && key != "mediaType" && key != "platforms") {
      Error("unknown field `" + key + "` in the entry for `" + reference + "`", key, at);
    }
  }
  image->repository = StringMember(entry, "repository");
  image->digest = StringMember(entry, "digest");
  image->media_type = StringMember(entry, "mediaType");
  if (image->repository != parsed.Repository()) {
    Error("the entry for `" + reference + "` has repository `" + image->repository +
              "`, but the reference names `" + parsed.Repository() + "`",
          "repository", at);
  }
  if (!IsSha256Digest(image->digest) ||
      (!parsed.digest.empty() && parsed.digest != image->digest)) {
    Error("the entry for `" + reference + "` has an invalid digest `" + image->digest + "`",
          "digest", at);
  }
  auto platforms = entry.find("platforms");
  if (platforms == entry.end() || !platforms->is_object() || platforms->empty()) {
    Error("the entry for `" + reference + "` needs a non-empty `platforms` object", reference);
    return false;
  }
  for (const auto& [platform, digest] : platforms->items()) {
    std::string text = digest.is_string() ? digest.get<std::string>() : "";
    size_t slashes = std::count(platform.begin(), platform.end(), '/');
    if (slashes < 1 || slashes > 2 || !IsSha256Digest(text)) {
      Error("the platform `" + platform + "` of `" + reference +
                "` needs the form `os/architecture[/variant]` and a sha256 digest",
            platform, at);
    }
    image->platforms[platform] = text;
  }
  return ok_;
}

bool LockFileParser::Parse(const LockFileLimits& limits, LockFile* lock) {
  json root;
  std::string reason;
  size_t offset = 0;
  if (!ParseJsonWithLimits(text_, limits.max_depth, &root, &reason, &offset)) {
    uint32_t begin = static_cast<uint32_t>(std::min(offset, text_.size()));
    diag::Diagnostic& d =
        sink_.Report(diag::Kind::kInvalidLockFile, diag::Span{file_, begin, begin + 1},
                     "invalid lock file: " + EscapeControlCharacters(reason));
    d.help = "fix the JSON, or delete the file and run `kfpc lock` to recreate it";
    return false;
  }

  if (std::optional<std::string> key = FindDuplicateKey(text_)) {
    size_t second = Find(*key, Find(*key) + 1);
    Error("duplicate key `" + *key + "` in the lock file", *key, second == 0 ? 0 : second,
          "keep one `\"" + *key + "\"` in each object; run `kfpc lock --update` to regenerate "
          "the lock file");
    return false;
  }
  if (!root.is_object()) {
    Error("the lock file must be a JSON object with `version` and `images`");
    return false;
  }
  auto version = root.find("version");
  if (version == root.end() || !version->is_number_integer() || *version != kLockFileVersion) {
    Error("unsupported lock file version: this kfpc reads version " +
              std::to_string(kLockFileVersion),
          "version");
  }
  for (const auto& [key, value] : root.items()) {
    if (key != "version" && key != "images") Error("unknown top-level field `" + key + "`", key);
  }

  auto images = root.find("images");
  if (images == root.end() || !images->is_object()) {
    Error("the lock file needs an `images` object", "images");
    return false;
  }
  if (images->size() > limits.max_images) {
    Error("the lock file has more than " + std::to_string(limits.max_images) + " images", "images");
    return false;
  }

  for (const auto& [reference, entry] : images->items()) {
    ParseEntry(reference, entry, &lock->images[reference]);
  }
  return ok_;
}

}  // namespace

std::string SerializeLockFile(const LockFile& lock) {
  json images = json::object();
  for (const auto& [reference, image] : lock.images) {
    json entry = json::object();
    entry["repository"] = image.repository;
    entry["digest"] = image.digest;
    entry["mediaType"] = image.media_type;
    entry["platforms"] = image.platforms;
    images[reference] = std::move(entry);
  }
  // nlohmann::json keeps object keys in a std::map, so the output is sorted.
  json root = {{"version", kLockFileVersion}, {"images", std::move(images)}};
  return root.dump(2) + "\n";
}

bool ParseLockFile(const diag::SourceManager& sources, diag::FileId file,
                   diag::DiagnosticSink& sink, LockFile* lock, const LockFileLimits& limits) {
  *lock = LockFile();
  if (sources.contents(file).size() > limits.max_bytes) {
    sink.Report(diag::Kind::kInvalidLockFile, diag::Span{file, 0, 0},
                "the lock file is larger than " + std::to_string(limits.max_bytes) + " bytes");
    return false;
  }
  return LockFileParser(sources, file, sink).Parse(limits, lock);
}

bool LoadLockFile(const std::string& path, diag::SourceManager& sources, diag::DiagnosticSink& sink,
                  LockFile* lock, diag::FileId* file, const LockFileLimits& limits) {
  diag::ReadResult read = diag::ReadRegularFile(path, limits.max_bytes);
  if (read.status != diag::ReadStatus::kOk) {
    diag::Diagnostic& d = sink.Report(diag::Kind::kReadFailed, diag::Span{},
                                      "failed to read lock file `" + path + "`: " + read.error);
    if (read.status == diag::ReadStatus::kNotFound) d.help = "run `kfpc lock` to create it";
    if (read.status == diag::ReadStatus::kNotRegular) d.help = "name a lock file, such as `kfpc.lock`";
    return false;
  }
  std::string contents = std::move(read.contents);
  diag::FileId added = sources.AddFile(path, std::move(contents));
  if (file != nullptr) *file = added;
  return ParseLockFile(sources, added, sink, lock, limits);
}

std::string FindPlatformDigest(const LockedImage& image, std::string_view platform) {
  auto exact = image.platforms.find(std::string(platform));
  if (exact != image.platforms.end()) return exact->second;
  std::string prefix = std::string(platform) + "/";
  for (const auto& [key, digest] : image.platforms) {
    if (key.rfind(prefix, 0) == 0) return digest;
  }
  return "";
}

std::string ListPlatforms(const LockedImage& image) {
  std::string list;
  for (const auto& [platform, digest] : image.platforms) {
    list += (list.empty() ? "" : ", ") + platform;
  }
  return list;
}

bool PinImage(const LockFile& lock, std::string_view reference, diag::Span use_site,
              diag::DiagnosticSink& sink, std::string* pinned) {
  auto entry = lock.images.find(std::string(reference));
  if (entry == lock.images.end()) {
    diag::Diagnostic& d = sink.Report(
        diag::Kind::kImageNotLocked, use_site,
        "image `" + std::string(reference) + "` is not in `" + std::string(kLockFileName) + "`");
    d.help = "run `kfpc lock` to resolve it and commit the updated lock file";
    return false;
  }
  std::string digest = FindPlatformDigest(entry->second, kTargetPlatform);
  if (digest.empty()) {
    diag::Diagnostic& d = sink.Report(diag::Kind::kImageMissingPlatform, use_site,
                                      "image `" + std::string(reference) + "` has no `" +
                                          std::string(kTargetPlatform) + "` manifest; it has " +
                                          ListPlatforms(entry->second));
    d.help = "use a multi-platform image or build and push one for linux/arm64";
    return false;
  }
  *pinned = entry->second.repository + "@" + digest;
  return true;
}

}  // namespace kfpc::images
