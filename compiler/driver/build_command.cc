#include <regex>

#include <fmt/format.h>

#include "compiler/driver/commands.h"
#include "compiler/driver/driver.h"
#include "compiler/driver/file_io.h"
#include "compiler/lower/lower.h"
#include "runtime/yaml/ir_to_yaml.h"

namespace kfpc::driver {

namespace {

constexpr std::string_view kStdout = "-";

cxxopts::Options BuildOptions() {
  cxxopts::Options options("kfpc build",
                           "Compiles one .kf pipeline file to a Kubeflow Pipelines v2 IR YAML "
                           "document.\n");
  options.custom_help("FILE.kf [-o OUT.yaml] [--pipeline NAME] [--kfp-version X.Y.Z]");
  options.add_options()
      ("o,output", "write the YAML to FILE; `-` or no -o writes it to stdout",
       cxxopts::value<std::string>()->default_value(std::string(kStdout)), "FILE")
      ("pipeline", "compile pipeline NAME when FILE.kf declares several",
       cxxopts::value<std::string>(), "NAME")
      ("kfp-version", "KFP SDK version pinned by Python components (`kfp==X.Y.Z`)",
       cxxopts::value<std::string>()->default_value(lower::LowerOptions{}.kfp_package_version),
       "X.Y.Z")
      ("h,help", "print this help and exit");
  return options;
}

// Accepts release versions as pip writes them after `==`: 2.14.6, 2.15.0rc1, 2.14.
bool IsValidKfpVersion(const std::string& version) {
  static const std::regex kPattern("[0-9]+(\\.[0-9]+)+([a-z]+[0-9]+)?(\\.post[0-9]+)?");
  return std::regex_match(version, kPattern);
}

// Lowers the checked entry pipeline and writes the YAML to stdout or to `output`.
int EmitYaml(const sema::Program& program, const lower::LowerOptions& options,
             const std::string& output, std::ostream& out, std::ostream& err) {
  std::string yaml = yaml::WriteDocument(lower::Lower(program, *program.entry, options));
  if (output == kStdout) {
    out << yaml;
    out.flush();
    return kExitSuccess;
  }
  std::string error;
  if (!WriteFileAtomically(output, yaml, &error)) {
    ReportWithoutLocation(err, diag::Kind::kWriteFailed,
                          fmt::format("failed to write `{}`: {}", output, error));
    return kExitUsageOrIo;
  }
  return kExitSuccess;
}

}  // namespace

int RunBuild(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  cxxopts::Options options = BuildOptions();
  std::optional<cxxopts::ParseResult> parsed = ParseArguments(options, args, err);
  if (!parsed) return kExitUsageOrIo;
  if (parsed->count("help") > 0) {
    out << options.help();
    return kExitSuccess;
  }
  const std::vector<std::string>& files = parsed->unmatched();
  if (files.empty()) return ReportUsageError(err, "missing input file", options.help());
  if (files.size() > 1) {
    return ReportUsageError(
        err, fmt::format("`kfpc build` takes one input file, got {}", files.size()),
        options.help());
  }
  lower::LowerOptions lower_options;
  lower_options.kfpc_version = std::string(Version());
  lower_options.kfp_package_version = (*parsed)["kfp-version"].as<std::string>();
  if (!IsValidKfpVersion(lower_options.kfp_package_version)) {
    return ReportUsageError(err,
                            fmt::format("invalid `--kfp-version` value `{}`: expected a release "
                                        "version such as 2.14.6",
                                        lower_options.kfp_package_version),
                            options.help());
  }

  check::CheckOptions check_options;
  if (parsed->count("pipeline") > 0) {
    check_options.entry_pipeline = (*parsed)["pipeline"].as<std::string>();
  }
  diag::SourceManager sources;
  check::CheckResult result;
  int status = CheckFile(files[0], check_options, sources, &result, err);
  if (status != kExitSuccess) return status;
  if (result.program->entry == nullptr) {
    ReportWithoutLocation(err, diag::Kind::kNoPipeline,
                          fmt::format("`{}` declares no pipeline to build", files[0]),
                          "declare a `pipeline` in it, or use `kfpc check` for a file that only "
                          "declares components");
    return kExitInputErrors;
  }
  return EmitYaml(*result.program, lower_options, (*parsed)["output"].as<std::string>(), out, err);
}

}  // namespace kfpc::driver
