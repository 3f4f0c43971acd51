#include "compiler/lower/python_component.h"

#include <algorithm>
#include <cstdio>

namespace kfpc::lower {
namespace {

constexpr std::string_view kPipBootstrapHead =
    "\nif ! [ -x \"$(command -v pip)\" ]; then\n"
    "    python3 -m ensurepip || python3 -m ensurepip --user || apt-get install python3-pip\n"
    "fi\n\nPIP_DISABLE_PIP_VERSION_CHECK=1 ";
constexpr std::string_view kPipBootstrapTail = " && \"$0\" \"$@\"\n";

constexpr std::string_view kVenvScript =
    "\nexport PIP_DISABLE_PIP_VERSION_CHECK=1\ntmp=$(mktemp -d)\n"
    "python3 -m venv \"$tmp/venv\" --system-site-packages\n. \"$tmp/venv/bin/activate\"\n";

// The launcher keeps the SDK's line continuations, which leave runs of 25 spaces.
constexpr std::string_view kLauncher =
    "program_path=$(mktemp -d)\n\nprintf \"%s\" \"$0\" > \"$program_path/ephemeral_component.py\"\n"
    "_KFP_RUNTIME=true python3 -m kfp.dsl.executor_main"
    "                         --component_module_path"
    "                         \"$program_path/ephemeral_component.py\""
    "                         \"$@\"\n";

constexpr std::string_view kImportPreamble =
    "\nimport kfp\nfrom kfp import dsl\nfrom kfp.dsl import *\nfrom typing import *\n\n";

std::string IndexUrlOptions(const sema::PythonFunction& function) {
  const std::vector<std::string>& urls = function.pip_index_urls;
  if (urls.empty()) return "";
  std::string options = "--index-url " + urls[0];
  for (size_t i = 1; i < urls.size(); ++i) options += " --extra-index-url " + urls[i];
  for (const std::string& host : function.pip_trusted_hosts) options += " --trusted-host " + host;
  return options + " ";
}

std::string PipInstall(const std::vector<std::string>& packages, const std::string& index_options) {
  std::string command = "python3 -m pip install --quiet --no-warn-script-location " + index_options;
  for (size_t i = 0; i < packages.size(); ++i) {
    if (i > 0) command += " ";
    command += PythonRepr(packages[i]);
  }
  return command;
}

// Whether the SDK release `kfp_version` ("2.14.6") installs the user's packages before kfp, as
// every release from 2.14.0 does. A version that does not parse counts as a new one.
bool InstallsPackagesFirst(std::string_view kfp_version) {
  int major = 0;
  int minor = 0;
  if (std::sscanf(std::string(kfp_version).c_str(), "%d.%d", &major, &minor) != 2) return true;
  return major > 2 || (major == 2 && minor >= 14);
}

// The `sh -c` script; empty when nothing needs installing.
std::string PipBootstrap(const sema::PythonFunction& function, std::string_view kfp_version) {
  const std::vector<std::string>& packages = function.packages;
  // The SDK skips its own kfp pin when the user lists any package starting with "kfp".
  bool user_lists_kfp = std::any_of(packages.begin(), packages.end(), [](const std::string& p) {
    return p.rfind("kfp", 0) == 0;
  });
  bool install_kfp = !user_lists_kfp;
  if (!install_kfp && packages.empty()) return "";

  std::string index_options = IndexUrlOptions(function);
  std::string user_install = packages.empty() ? "" : PipInstall(packages, index_options);
  std::vector<std::string> kfp_install;
  if (install_kfp) {
    if (function.use_venv) kfp_install.emplace_back(kVenvScript);
    kfp_install.push_back(PipInstall({"kfp==" + std::string(kfp_version), "--no-deps",
                                      "typing-extensions>=3.7.4,<5; python_version<\"3.9\""},
                                     index_options));
  }
  // The SDK joins these pieces with single spaces, " && " included, so it reads "  &&  ". From
  // 2.14 it installs the user's packages before kfp; before, kfp came first.
  std::vector<std::string> pieces;
  if (InstallsPackagesFirst(kfp_version)) {
    if (!user_install.empty()) pieces.push_back(user_install);
    if (!user_install.empty() && install_kfp) pieces.push_back(" && ");
    pieces.insert(pieces.end(), kfp_install.begin(), kfp_install.end());
  } else {
    pieces = kfp_install;
    if (!user_install.empty() && install_kfp) pieces.push_back(" && ");
    if (!user_install.empty()) pieces.push_back(user_install);
  }
  std::string joined;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) joined += " ";
    joined += pieces[i];
  }
  return std::string(kPipBootstrapHead) + joined + std::string(kPipBootstrapTail);
}

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      return lines;
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
}

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t") == std::string::npos;
}

// textwrap.dedent: removes the longest common leading whitespace of the non-blank lines and
// empties the blank ones.
void Dedent(std::vector<std::string>* lines) {
  std::string margin;
  bool first = true;
  for (const std::string& line : *lines) {
    if (IsBlank(line)) continue;
    std::string indent = line.substr(0, line.find_first_not_of(" \t"));
    if (first) {
      margin = indent;
      first = false;
      continue;
    }
    size_t common = 0;
    while (common < margin.size() && common < indent.size() && margin[common] == indent[common]) {
      ++common;
    }
    margin.resize(common);
  }
  for (std::string& line : *lines) {
    if (IsBlank(line)) {
      line.clear();
    } else {
      line.erase(0, margin.size());
    }
  }
}

}  // namespace

std::string PythonRepr(std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\x%02x", byte);
      out += buffer;
    } else {
      // Printable ASCII and UTF-8 bytes pass through, as repr keeps printable non-ASCII text.
      out.push_back(c);
    }
  }
  out.push_back(quote);
  return out;
}

std::string ModuleSource(std::string_view source) {
  std::vector<std::string> lines = SplitLines(source);
  Dedent(&lines);
  auto first = std::find_if(lines.begin(), lines.end(),
                            [](const std::string& line) { return !IsBlank(line); });
  auto last = lines.end();
  while (last != first && IsBlank(*(last - 1))) --last;
  std::string out;
  for (auto it = first; it != last; ++it) out += *it + "\n";
  return out;
}

std::vector<std::string> PythonCommand(const sema::PythonFunction& function,
                                       std::string_view kfp_version) {
  std::vector<std::string> command;
  std::string bootstrap = PipBootstrap(function, kfp_version);
  if (!bootstrap.empty()) {
    command = {"sh", "-c", bootstrap};
  }
  command.emplace_back("sh");
  command.emplace_back("-ec");
  command.emplace_back(kLauncher);
  std::string preamble(kImportPreamble);
  if (!function.artifact_imports.empty()) {
    // The SDK appends these lines to its own imports, before the blank line.
    preamble.pop_back();
    for (const std::string& line : function.artifact_imports) preamble += line + "\n";
    preamble += "\n";
  }
  command.push_back(preamble + ModuleSource(function.source) + "\n");
  return command;
}

std::vector<std::string> PythonArgs(const sema::PythonFunction& function) {
  return {"--executor_input", "{{$}}", "--function_to_execute", function.function_name};
}

}  // namespace kfpc::lower
