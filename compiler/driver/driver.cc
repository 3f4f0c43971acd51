#include "compiler/driver/driver.h"

#include <cerrno>
#include <streambuf>
#include <system_error>

#include <fmt/format.h>

#include "compiler/diagnostics/suggest.h"
#include "compiler/driver/commands.h"

namespace kfpc::driver {

namespace {

constexpr std::string_view kUsage =
    "kfpc compiles .kf pipeline files to Kubeflow Pipelines v2 IR YAML.\n"
    "\n"
    "Usage:\n"
    "  kfpc build FILE.kf [-o OUT.yaml [--check]] [--pipeline NAME] [--kfp-version X.Y[.Z]]\n"
    "             [--target NAME] [--lock FILE] [--require-lock] [--cache-report]\n"
    "  kfpc check [--format text|json|sarif] [--werror] [--sarif-root DIR] [-o FILE] "
    "[--target NAME]\n"
    "             [--kfp-version X.Y[.Z]] [--lock FILE] [--require-lock] FILE_OR_DIRECTORY...\n"
    "  kfpc fmt [--check] FILE_OR_DIRECTORY... | -\n"
    "  kfpc lock [FILE.kf...] [--lock FILE] [--target NAME] [--update] [--prune]\n"
    "            [--insecure-registry HOST:PORT]\n"
    "  kfpc lsp\n"
    "  kfpc --version\n"
    "  kfpc COMMAND --help\n"
    "\n"
    "Commands:\n"
    "  build   compile one pipeline file to IR YAML (stdout unless -o is given)\n"
    "  check   report the diagnostics of .kf files; directories are searched recursively\n"
    "  fmt     rewrite .kf files in the canonical layout; --check only lists unformatted files\n"
    "  lock    resolve the images of .kf files and write kfpc.lock; the only command that\n"
    "          contacts registries\n"
    "  lsp     run the language server over standard input and output\n"
    "\n"
    "Exit status: 0 on success, 1 when the input has errors, 2 for usage and I/O errors.\n";

// cxxopts messages start with a capital letter and quote names in typographic quotes, but kfpc
// messages are lowercase and quote names in backticks.
std::string ToKfpcWording(std::string_view message) {
  std::string result;
  while (!message.empty()) {
    size_t quote_size = 0;
    for (std::string_view quote : {"\u2018", "\u2019", "'"}) {
      if (message.starts_with(quote)) quote_size = quote.size();
    }
    if (quote_size > 0) {
      result.push_back('`');
      message.remove_prefix(quote_size);
    } else {
      result.push_back(message.front());
      message.remove_prefix(1);
    }
  }
  if (!result.empty() && result[0] >= 'A' && result[0] <= 'Z') result[0] += 'a' - 'A';
  return result;
}

// Returns "did you mean `--NAME`" for the long option of `options` closest to `name` (given
// without dashes), or an empty string when none is close.
std::string SuggestLongOption(const cxxopts::Options& options, const std::string& name) {
  std::vector<std::string> long_names;
  for (const std::string& group : options.groups()) {
    for (const cxxopts::HelpOptionDetails& option : options.group_help(group).options) {
      long_names.insert(long_names.end(), option.l.begin(), option.l.end());
    }
  }
  std::string closest = diag::ClosestName(name, long_names);
  return closest.empty() ? "" : fmt::format("did you mean `--{}`", closest);
}

// A stream buffer that forwards every write to another buffer, standard output's in kfpc. It
// records the errno of the first write or flush that fails, before later calls change errno.
class ErrorKeepingBuffer : public std::streambuf {
 public:
  explicit ErrorKeepingBuffer(std::streambuf* target) : target_(target) {}

  bool failed() const { return failed_; }
  int error_number() const { return error_number_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    errno = 0;
    if (traits_type::eq_int_type(target_->sputc(traits_type::to_char_type(c)),
                                 traits_type::eof())) {
      Fail();
      return traits_type::eof();
    }
    return c;
  }
  std::streamsize xsputn(const char* data, std::streamsize size) override {
    errno = 0;
    std::streamsize written = target_->sputn(data, size);
    if (written < size) Fail();
    return written;
  }
  int sync() override {
    errno = 0;
    if (target_->pubsync() == 0) return 0;
    Fail();
    return -1;
  }

 private:
  void Fail() {
    if (!failed_) error_number_ = errno;
    failed_ = true;
  }

  std::streambuf* target_;
  bool failed_ = false;
  int error_number_ = 0;
};

// Flushes `out` and returns `status`. When the flush or an earlier write to `out` failed, reports
// the failure with the reason for `error_number`, its errno, and returns kExitUsageOrIo.
int FinishOutput(std::ostream& out, int error_number, int status, std::ostream& err) {
  out.flush();
  if (!out.fail()) return status;
  std::string reason = error_number != 0
                           ? std::error_code(error_number, std::generic_category()).message()
                           : "the write failed";
  ReportWithoutLocation(err, diag::Kind::kWriteFailed,
                        fmt::format("failed to write to standard output: {}", reason));
  return kExitUsageOrIo;
}

int RunCommand(const std::string& command, const std::vector<std::string>& command_args,
               std::ostream& out, std::ostream& err) {
  if (command == "build") return RunBuild(command_args, out, err);
  if (command == "check") return RunCheck(command_args, out, err);
  if (command == "lock") return RunLockCommand(command_args, out, err);
  if (command == "fmt") return RunFmt(command_args, out, err);
  if (command == "--help" || command == "-h" || command == "help") {
    out << kUsage;
    return kExitSuccess;
  }
  if (command == "--version") {
    out << "kfpc " << Version() << "\n";
    return kExitSuccess;
  }
  if (command.starts_with("-")) {
    std::string closest = diag::ClosestName(command, {"--help", "--version"});
    return ReportUsageError(err, fmt::format("unknown option `{}`", command), "kfpc",
                            closest.empty() ? "" : fmt::format("did you mean `{}`", closest));
  }
  std::string closest = diag::ClosestName(command, {"build", "check", "fmt", "lock", "lsp"});
  return ReportUsageError(err, fmt::format("unknown command `{}`", command), "kfpc",
                          closest.empty() ? "" : fmt::format("did you mean `{}`", closest));
}

}  // namespace

std::string_view Version() { return KFPC_VERSION; }

int ReportUsageError(std::ostream& err, std::string_view message, std::string_view command,
                     std::string_view help) {
  err << "kfpc: error: " << message << "\n";
  if (!help.empty()) err << "help: " << help << "\n";
  err << "try '" << command << " --help' for more information\n";
  return kExitUsageOrIo;
}

std::optional<cxxopts::ParseResult> ParseArguments(cxxopts::Options& options,
                                                   const std::vector<std::string>& args,
                                                   std::ostream& err) {
  // git passes a file named `-x.kf` to a pre-commit hook as is, and cxxopts would read it as the
  // short options `-x`, `-.`, ... No option of kfpc ends with `.kf`, so such an argument
  // (without `=`, as in `--lock=x.kf`) is taken as a file name and moved after `--`.
  std::vector<std::string> dash_files;
  std::vector<const char*> argv;
  bool separator = false;
  for (const std::string& arg : args) {
    bool dash_file = !separator && argv.size() > 0 && arg.size() > 3 && arg[0] == '-' &&
                     arg != "--" && arg.ends_with(".kf") && arg.find('=') == std::string::npos;
    if (dash_file) {
      dash_files.push_back(arg);
      continue;
    }
    separator = separator || arg == "--";
    argv.push_back(arg.c_str());
  }
  if (!dash_files.empty() && !separator) argv.push_back("--");
  for (const std::string& file : dash_files) argv.push_back(file.c_str());
  try {
    return options.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const cxxopts::exceptions::no_such_option& error) {
    // The message names the option without its dashes; show it as it was typed.
    std::string name = ToKfpcWording(error.what());
    size_t begin = name.find('`') + 1;
    name = name.substr(begin, name.find('`', begin) - begin);
    std::string typed = (name.size() == 1 ? "-" : "--") + name;
    ReportUsageError(err, fmt::format("unknown option `{}`", typed), options.program(),
                     name.size() == 1 ? "" : SuggestLongOption(options, name));
    return std::nullopt;
  } catch (const cxxopts::exceptions::exception& error) {
    ReportUsageError(err, ToKfpcWording(error.what()), options.program());
    return std::nullopt;
  }
}

std::string HelpText(const cxxopts::Options& options) {
  // cxxopts wraps descriptions at spaces and keeps the space before each break.
  std::string result;
  for (char c : options.help()) {
    if (c == '\n') {
      while (!result.empty() && result.back() == ' ') result.pop_back();
    }
    result += c;
  }
  return result;
}

void ReportWithoutLocation(std::ostream& err, diag::Kind kind, std::string message,
                           std::string help) {
  diag::SourceManager no_sources;
  diag::DiagnosticSink sink;
  sink.Report(kind, diag::Span{}, std::move(message)).help = std::move(help);
  err << diag::RenderAll(no_sources, sink.diagnostics());
}

int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.size() < 2) return ReportUsageError(err, "missing command", "kfpc");
  const std::string& command = args[1];
  std::vector<std::string> command_args(args.begin() + 1, args.end());
  // The language server replaces standard output's buffer (see RunLsp) and writes to it until
  // its client goes away, so its output is not checked here.
  if (command == "lsp") return RunLsp(command_args, out, err);
  ErrorKeepingBuffer buffer(out.rdbuf());
  std::ostream checked_out(&buffer);
  int status = RunCommand(command, command_args, checked_out, err);
  // Flush before reading the errno, which the flush itself may record.
  checked_out.flush();
  return FinishOutput(checked_out, buffer.failed() ? buffer.error_number() : 0, status, err);
}

}  // namespace kfpc::driver
