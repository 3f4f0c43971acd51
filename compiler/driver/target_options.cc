#include "compiler/driver/target_options.h"

#include <algorithm>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"

namespace kfpc::driver {

void AddTargetOptions(cxxopts::Options& options) {
  options.add_options()
      ("target", "place tasks on target NAME: graviton4, arm64, amd64, none (the default) or a "
                 "profile from kfpc.yaml",
       cxxopts::value<std::string>(), "NAME")
      ("kfp-version", "KFP release X.Y[.Z] that runs the pipeline (default 2.14): Kubernetes "
                      "fields it cannot read are errors, and Python components pin `kfp==X.Y.Z`, "
                      "or the newest release of X.Y (2.13 to 2.17) without a patch",
       cxxopts::value<std::string>(), "X.Y[.Z]")
      ("lock", "pin images from FILE instead of the kfpc.lock beside the source",
       cxxopts::value<std::string>(), "FILE")
      ("require-lock",
       "report an image missing from the lock file as an error, not a warning; images are "
       "pinned only for tasks with a target");
}

bool IsValidKfpVersion(const std::string& version) {
  static const std::regex kPattern("[0-9]+\\.[0-9]+(\\.[0-9]+([a-z]+[0-9]+)?(\\.post[0-9]+)?)?");
  return std::regex_match(version, kPattern);
}

std::optional<std::string> KfpPackagePin(const std::string& version) {
  if (std::count(version.begin(), version.end(), '.') >= 2) return version;
  // The newest SDK release of each minor version, from the sdk-X.Y.Z tags of kubeflow/pipelines.
  // An exact pin keeps the command, and so the backend's cache fingerprint, tied to one release.
  static const std::map<std::string, std::string> kNewestPatch = {
      {"2.13", "2.13.0"}, {"2.14", "2.14.6"}, {"2.15", "2.15.2"},
      {"2.16", "2.16.1"}, {"2.17", "2.17.0"}};
  auto it = kNewestPatch.find(version);
  if (it == kNewestPatch.end()) return std::nullopt;
  return it->second;
}

bool ReadTargetFlags(const cxxopts::ParseResult& parsed, std::string_view command,
                     TargetFlags* flags, std::ostream& err) {
  if (parsed.count("target") > 0) flags->target = parsed["target"].as<std::string>();
  if (parsed.count("lock") > 0) flags->lock_path = parsed["lock"].as<std::string>();
  flags->require_lock = parsed.count("require-lock") > 0;
  if (parsed.count("kfp-version") > 0) {
    std::string text = parsed["kfp-version"].as<std::string>();
    // The backend gate reads X.Y; the patch level and a pre-release tag only change the pin.
    size_t minor_end = text.find_first_not_of("0123456789", text.find('.') + 1);
    flags->kfp_backend = IsValidKfpVersion(text)
                             ? passes::ParseKfpVersion(text.substr(0, minor_end))
                             : std::nullopt;
    if (!flags->kfp_backend) {
      ReportUsageError(err,
                       fmt::format("invalid `--kfp-version` value `{}`: expected a KFP release "
                                   "such as 2.14 or 2.14.6",
                                   text),
                       command);
      return false;
    }
    if (!KfpPackagePin(text)) {
      ReportUsageError(err,
                       fmt::format("`--kfp-version {}` names no known SDK release to pin; give "
                                   "the release as X.Y.Z, for example {}.0",
                                   text, text),
                       command);
      return false;
    }
  }
  return true;
}

}  // namespace kfpc::driver
