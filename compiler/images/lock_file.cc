#include "compiler/images/lock_file.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <optional>
#include <sstream>

#include "compiler/diagnostics/read_file.h"
#include "compiler/images/image_reference.h"
#include "compiler/images/json_limits.h"
#include "compiler/images/oci_client.h"

namespace kfpc::images {
namespace {

using nlohmann::json;

// The positions of the keys of one JSON object in the text. Keys are stored decoded, as
// nlohmann::json decodes them, so that a key written with escapes such as `\n` is found too.
struct ObjectKeys {
  struct Key {
    size_t begin = 0;  // the opening quote
    size_t end = 0;    // just past the closing quote
    const ObjectKeys* value = nullptr;  // the object the key names, or null for other values
  };
  std::map<std::string, Key, std::less<>> keys;

  const Key* Find(std::string_view name) const {
    auto key = keys.find(name);
    return key == keys.end() ? nullptr : &key->second;
  }
};

// The keys of every object in a JSON text, and the first key that appears twice in one object.
// nlohmann::json keeps only the last value of a repeated key, so its parse cannot tell.
struct KeyIndex {
  std::deque<ObjectKeys> objects;  // in the order they open. A deque keeps pointers to them valid.
  const ObjectKeys* root = nullptr;  // null when the text is not an object
  std::optional<std::string> duplicate;
  ObjectKeys::Key duplicate_at;  // the second occurrence of `duplicate`
};

// Returns the key index of `text`, which must be valid JSON (ParseJsonWithLimits accepted it).
// It reads the text once, so that reading a lock file takes time linear in its size.
KeyIndex IndexKeys(std::string_view text) {
  KeyIndex index;
  std::vector<ObjectKeys*> open;  // innermost last, null for an array
  ObjectKeys::Key* pending = nullptr;  // the key whose value comes next
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{') {
      ObjectKeys* object = &index.objects.emplace_back();
      if (open.empty() && index.root == nullptr) index.root = object;
      if (pending != nullptr) pending->value = object;
      open.push_back(object);
      pending = nullptr;
    } else if (c == '[') {
      open.push_back(nullptr);
      pending = nullptr;
    } else if (c == '}' || c == ']') {
      if (!open.empty()) open.pop_back();
      pending = nullptr;
    } else if (c == ',') {
      pending = nullptr;
    } else if (c == '"') {
      size_t begin = i;
      bool escaped = false;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') {
          escaped = true;
          ++i;
        }
      }
      size_t end = std::min(i + 1, text.size());
      pending = nullptr;
      size_t next = text.find_first_not_of(" \t\r\n", end);
      if (next == std::string_view::npos || text[next] != ':' || open.empty() ||
          open.back() == nullptr) {
        continue;  // a string value
      }
      std::string name;
      if (escaped) {
        // Keys with escapes are rare, so nlohmann::json decodes them here. The name then matches
        // the key that its parse stores.
        json decoded = json::parse(text.substr(begin, end - begin), nullptr, false);
        if (decoded.is_string()) name = decoded.get<std::string>();
      } else {
        name = std::string(text.substr(begin + 1, end - begin - 2));
      }
      auto [key, inserted] = open.back()->keys.try_emplace(std::move(name));
      if (inserted) {
        key->second.begin = begin;
        key->second.end = end;
        pending = &key->second;
      } else if (!index.duplicate) {
        index.duplicate = key->first;
        index.duplicate_at = ObjectKeys::Key{begin, end, nullptr};
      }
      i = next;  // the colon
    }
  }
  return index;
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
  using Key = ObjectKeys::Key;

  bool ParseEntry(const std::string& reference, const json& entry, const Key* at,
                  LockedImage* image);
  // Reports at `key`. Without one, reports at the start of the file, over as many bytes as
  // `"name"` has.
  void Error(std::string message, const Key* key = nullptr, std::string_view name = "",
             std::string help = "");

  diag::FileId file_;
  const std::string& text_;
  diag::DiagnosticSink& sink_;
  bool ok_ = true;
};

void LockFileParser::Error(std::string message, const Key* key, std::string_view name,
                           std::string help) {
  size_t begin = key != nullptr ? key->begin : 0;
  size_t end = key != nullptr ? key->end : name.empty() ? 0 : name.size() + 2;
  if (end > text_.size()) end = text_.size();
  diag::Diagnostic& d =
      sink_.Report(diag::Kind::kInvalidLockFile,
                   diag::Span{file_, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)},
                   EscapeControlCharacters(message));
  // `kfpc lock --update` reads the lock file first, so it would stop at the same error.
  d.help = help.empty() ? "fix or delete this entry, then run `kfpc lock` with the pipeline's "
                          "files to resolve the image again"
                        : help;
  ok_ = false;
}

// Returns the value of field `name` of `entry` for a message: a string in backquotes, other
// JSON as written, or "(missing)".
std::string Shown(const json& entry, const std::string& name) {
  auto value = entry.find(name);
  if (value == entry.end()) return "(missing)";
  std::string text = value->is_string() ? value->get<std::string>() : value->dump();
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return "`" + text + "`";
}

// `at` is the key of the entry in `images`; a problem with a field the entry lacks is reported
// there.
bool LockFileParser::ParseEntry(const std::string& reference, const json& entry, const Key* at,
                                LockedImage* image) {
  ImageReference parsed;
  std::string reason;
  if (!ParseImageReference(reference, &parsed, &reason)) {
    Error("invalid image reference `" + reference + "` in the lock file: " + reason, at,
          reference);
    return false;
  }
  if (!entry.is_object()) {
    Error("the entry for `" + reference + "` must be an object", at, reference);
    return false;
  }
  const ObjectKeys* fields = at != nullptr ? at->value : nullptr;
  // Returns the key `name` of the entry, or the entry's own key when it has no such field.
  auto field = [&](std::string_view name) -> const Key* {
    const Key* key = fields != nullptr ? fields->Find(name) : nullptr;
    return key != nullptr ? key : at;
  };
  for (const auto& [key, value] : entry.items()) {
    if (key != "repository" && key != "digest" && key != "mediaType" && key != "platforms") {
      Error("unknown field `" + key + "` in the entry for `" + reference + "`", field(key), key);
    }
  }
  image->repository = StringMember(entry, "repository");
  image->digest = StringMember(entry, "digest");
  image->media_type = StringMember(entry, "mediaType");
  if (image->repository != parsed.Repository()) {
    Error("the entry for `" + reference + "` has repository `" + image->repository +
              "`, but the reference names `" + parsed.Repository() + "`",
          field("repository"), "repository");
  }
  if (!IsSha256Digest(image->digest) ||
      (!parsed.digest.empty() && parsed.digest != image->digest)) {
    Error("the entry for `" + reference + "` has an invalid digest " + Shown(entry, "digest"),
          field("digest"), "digest");
  }
  if (image->media_type != kOciIndex && image->media_type != kDockerManifestList &&
      image->media_type != kOciManifest && image->media_type != kDockerManifest) {
    Error("the entry for `" + reference + "` has the unsupported media type " +
              Shown(entry, "mediaType"),
          field("mediaType"), "mediaType");
  }
  auto platforms = entry.find("platforms");
  if (platforms == entry.end() || !platforms->is_object() || platforms->empty()) {
    Error("the entry for `" + reference + "` needs a non-empty `platforms` object", at,
          reference);
    return false;
  }
  const Key* platforms_key = fields != nullptr ? fields->Find("platforms") : nullptr;
  const ObjectKeys* platform_keys = platforms_key != nullptr ? platforms_key->value : nullptr;
  for (const auto& [platform, digest] : platforms->items()) {
    std::string text = digest.is_string() ? digest.get<std::string>() : "";
    if (!IsPlatformKey(platform) || !IsSha256Digest(text)) {
      const Key* key = platform_keys != nullptr ? platform_keys->Find(platform) : nullptr;
      Error("the platform `" + platform + "` of `" + reference +
                "` needs the form `os/architecture[/variant]` and a sha256 digest",
            key != nullptr ? key : at, platform);
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

  KeyIndex index = IndexKeys(text_);
  if (const std::optional<std::string>& key = index.duplicate) {
    Error("duplicate key `" + *key + "` in the lock file", &index.duplicate_at, *key,
          "keep one `\"" + *key + "\"` in each object; run `kfpc lock --update` to regenerate "
          "the lock file");
    return false;
  }
  if (!root.is_object()) {
    Error("the lock file must be a JSON object with `version` and `images`");
    return false;
  }
  const ObjectKeys* top = index.root;
  auto top_key = [&](std::string_view name) { return top != nullptr ? top->Find(name) : nullptr; };
  auto version = root.find("version");
  if (version == root.end() || !version->is_number_integer() || *version != kLockFileVersion) {
    Error("unsupported lock file version: this kfpc reads version " +
              std::to_string(kLockFileVersion),
          top_key("version"), "version",
          "delete the file and run `kfpc lock` with the pipeline's files to write it again");
  }
  for (const auto& [key, value] : root.items()) {
    if (key != "version" && key != "images") {
      Error("unknown top-level field `" + key + "`", top_key(key), key,
            "remove the field; a lock file has only `images` and `version`");
    }
  }

  auto images = root.find("images");
  const Key* images_key = top_key("images");
  if (images == root.end() || !images->is_object()) {
    Error("the lock file needs an `images` object", images_key, "images",
          "delete the file and run `kfpc lock` with the pipeline's files to write it again");
    return false;
  }
  if (images->size() > limits.max_images) {
    Error("the lock file has more than " + std::to_string(limits.max_images) + " images",
          images_key, "images", "split the pipelines into projects with a lock file each");
    return false;
  }

  const ObjectKeys* references = images_key != nullptr ? images_key->value : nullptr;
  for (const auto& [reference, entry] : images->items()) {
    const Key* at = references != nullptr ? references->Find(reference) : nullptr;
    ParseEntry(reference, entry, at, &lock->images[reference]);
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
                "the lock file is larger than " + std::to_string(limits.max_bytes) + " bytes")
        .help =
        "a lock file takes about 1 KB per image; check that the path names a kfpc lock "
        "file, or delete it and run `kfpc lock` to recreate it";
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
