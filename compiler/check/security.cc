#include "compiler/check/security.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "compiler/parse/limits.h"
#include "compiler/parse/string_literal.h"
#include "compiler/diagnostics/utf8.h"

namespace kfpc::check {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSecretHelp =
    "anyone who can read the pipeline YAML can read this value: store it in a Kubernetes secret "
    "and pass it to the task as an environment variable with `secret_env` (kfp-kubernetes "
    "`use_secret_as_env`)";

bool IsUpperOrDigit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// An AWS access key id: `AKIA` (long-term) or `ASIA` (temporary) and 16 upper-case letters or
// digits, not inside a longer word.
bool HasAwsAccessKeyId(std::string_view text) {
  for (size_t i = 0; i + 20 <= text.size(); ++i) {
    std::string_view prefix = text.substr(i, 4);
    if (prefix != "AKIA" && prefix != "ASIA") continue;
    if (i > 0 && IsAlnum(text[i - 1])) continue;
    std::string_view rest = text.substr(i + 4, 16);
    if (!std::all_of(rest.begin(), rest.end(), IsUpperOrDigit)) continue;
    if (i + 20 == text.size() || !IsAlnum(text[i + 20])) return true;
  }
  return false;
}

// A GitHub token: `ghp_`, `gho_`, `ghu_`, `ghs_` or `ghr_` and 36 letters or digits, or a
// fine-grained `github_pat_` token.
bool HasGithubToken(std::string_view text) {
  for (std::string_view prefix : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"}) {
    for (size_t i = text.find(prefix); i != std::string_view::npos;
         i = text.find(prefix, i + 1)) {
      size_t end = i + prefix.size();
      while (end < text.size() && (IsAlnum(text[end]) || text[end] == '_')) ++end;
      if (end - i - prefix.size() >= 22) return true;
    }
  }
  return false;
}

// `-----BEGIN RSA PRIVATE KEY-----`, `-----BEGIN OPENSSH PRIVATE KEY-----` and the like.
bool HasPrivateKeyBlock(std::string_view text) {
  size_t begin = text.find("-----BEGIN ");
  if (begin == std::string_view::npos) return false;
  size_t end = text.find("-----", begin + 11);
  return end != std::string_view::npos &&
         text.substr(begin, end - begin).ends_with("PRIVATE KEY");
}

// Returns what `text` contains that looks like a credential, or an empty string.
std::string_view CredentialIn(std::string_view text) {
  if (HasAwsAccessKeyId(text)) return "an AWS access key id";
  if (HasGithubToken(text)) return "a GitHub token";
  if (HasPrivateKeyBlock(text)) return "a private key";
  return "";
}

// True for names such as `AWS_SECRET_ACCESS_KEY`, `db_password`, `--api-key` or `HF_TOKEN`, but
// not for names of a file, path or id that only refers to a secret.
bool IsSecretName(std::string_view name) {
  std::string upper;
  for (char c : name) upper.push_back(c == '-' || c == '.' ? '_' : static_cast<char>(std::toupper(
                                                                       static_cast<unsigned char>(c))));
  for (std::string_view suffix : {"_FILE", "_PATH", "_DIR", "_NAME", "_URL", "_ID", "_ENV"}) {
    if (upper.ends_with(suffix)) return false;
  }
  for (std::string_view word : {"SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "APIKEY",
                                "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"}) {
    if (upper.find(word) != std::string::npos) return true;
  }
  return false;
}

// A value that could be a secret rather than a placeholder or a reference to one.
bool LooksLikeSecretValue(std::string_view value) {
  if (value.size() < 8 || value.starts_with('/') || value.starts_with('$')) return false;
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

class CredentialScanner {
 public:
  explicit CredentialScanner(Context& context) : context_(context) {}

  void Decl(const ast::Decl& decl) {
    for (const ast::Param& param : decl.inputs) {
      if (param.default_value) Expr(*param.default_value, param.name);
    }
    Settings(decl.settings);
    Body(decl.body);
  }

 private:
  void Settings(const std::vector<ast::Setting>& settings) {
    for (const ast::Setting& setting : settings) {
      // The strings of these Kubernetes settings name Secrets and their keys; they hold no secret.
      if (setting.form != ast::Setting::Form::kEnv &&
          (setting.name == "secret_env" || setting.name == "secret_volume" ||
           setting.name == "image_pull_secrets")) {
        continue;
      }
      if (setting.value) Expr(*setting.value, setting.name);
      Settings(setting.children);
    }
  }

  void Body(const std::vector<ast::Stmt>& body) {
    for (const ast::Stmt& stmt : body) {
      for (const ast::Argument& argument : stmt.task.args) {
        if (argument.value) Expr(*argument.value, argument.name);
      }
      Settings(stmt.task.settings);
      if (stmt.kind == ast::StmtKind::kSetting && stmt.setting.value) {
        Expr(*stmt.setting.value, stmt.setting.name);
      }
      for (const ast::Branch& branch : stmt.branches) Body(branch.body);
      Body(stmt.body);
      Body(stmt.finally_body);
    }
  }

  // Scans `expr`, whose value is bound to `name` (an environment variable, input, argument, map
  // key or the command-line flag before it in a list). The parser bounds the recursion depth.
  void Expr(const ast::Expr& expr, std::string_view name) {
    switch (expr.kind) {
      case ast::ExprKind::kString:
      case ast::ExprKind::kRawString:
        String(expr, name);
        return;
      case ast::ExprKind::kList:
        for (size_t i = 0; i < expr.items.size(); ++i) {
          const ast::Expr* before = i > 0 ? expr.items[i - 1].get() : nullptr;
          bool after_flag = before && before->kind == ast::ExprKind::kString &&
                            before->text.starts_with('-');
          if (expr.items[i]) Expr(*expr.items[i], after_flag ? before->text : "");
        }
        return;
      case ast::ExprKind::kMap:
        for (size_t i = 0; i < expr.items.size() && i < expr.keys.size(); ++i) {
          std::string_view key = expr.keys[i] ? std::string_view(expr.keys[i]->text) : "";
          if (expr.items[i]) Expr(*expr.items[i], key);
        }
        return;
      case ast::ExprKind::kCall:
        for (const ast::Argument& argument : expr.args) {
          if (argument.value) Expr(*argument.value, argument.name);
        }
        return;
      default:
        return;
    }
  }

  void String(const ast::Expr& expr, std::string_view name) {
    std::string_view found = CredentialIn(expr.text);
    if (!found.empty()) {
      context_.Report(diag::Kind::kLiteralCredential, expr.span,
                      fmt::format("string literal contains {}", found))
          .help = std::string(kSecretHelp);
      return;
    }
    // `--password=hunter22` names its own secret.
    std::string_view value = expr.text;
    if (size_t equals = value.find('='); value.starts_with('-') && equals != value.npos) {
      name = value.substr(0, equals);
      value = value.substr(equals + 1);
    }
    bool interpolated = std::any_of(expr.parts.begin(), expr.parts.end(),
                                    [](const ast::StringPart& part) { return part.is_interpolation; });
    if (name.empty() || interpolated || !IsSecretName(name) || !LooksLikeSecretValue(value)) return;
    context_.Report(diag::Kind::kLiteralCredential, expr.span,
                    fmt::format("`{}` is set to a literal value that looks like a secret", name))
        .help = std::string(kSecretHelp);
  }

  Context& context_;
};

bool IsWithin(const fs::path& path, const fs::path& root) {
  auto [root_end, path_end] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

fs::path Resolve(const fs::path& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  if (error) return path.lexically_normal();
  fs::path resolved = fs::weakly_canonical(absolute, error);
  return error ? absolute.lexically_normal() : resolved;
}

// The characters of a pip requirement before its `;` (PEP 508 names, extras `[a,b]`, version
// specifiers such as `==1.*` or `>=2,<3`, local versions `+cpu` and direct references
// `name @ https://host/path#egg`). The bootstrap writes each requirement between single quotes,
// so none of these reaches the shell, and `'`, `\`, `$`, backticks, `;`, `&` and `|` stay out.
bool IsRequirementChar(char c) {
  return IsAlnum(c) || std::string_view(" ._-[],=<>!~*+@:/?#%").find(c) != std::string_view::npos;
}

// The characters of an environment marker after the `;`, such as `python_version < "3.9"`.
// Marker strings must use double quotes: a `'` would end the single-quoted shell word.
bool IsMarkerChar(char c) {
  return IsAlnum(c) || std::string_view(" ._-<>=!~\"()+*,").find(c) != std::string_view::npos;
}

// The characters of an index URL or a trusted host. The bootstrap writes these without quotes,
// so the set leaves out everything the shell interprets, the glob characters `*?[` included.
bool IsUnquotedUrlChar(char c) {
  return IsAlnum(c) || std::string_view("._~:/%@+=,-").find(c) != std::string_view::npos;
}

// Returns the first character of `value` that the pip bootstrap cannot carry safely, or npos.
size_t FindUnsafePipChar(std::string_view value, std::string_view setting) {
  if (setting != "packages") {
    for (size_t i = 0; i < value.size(); ++i) {
      if (!IsUnquotedUrlChar(value[i])) return i;
    }
    return value.starts_with('~') ? 0 : std::string_view::npos;
  }
  size_t marker = value.find(';');
  for (size_t i = 0; i < value.size(); ++i) {
    bool allowed = i < marker ? IsRequirementChar(value[i])
                              : i == marker || IsMarkerChar(value[i]);
    if (!allowed) return i;
  }
  return std::string_view::npos;
}

std::string DescribeChar(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7F) return fmt::format("the control character \\x{:02x}", byte);
  if (byte >= 0x80) return "a non-ASCII character";
  return fmt::format("`{}`", c);
}

// Returns whether the `index`-th decoded character of the `"..."` string literal `expr` is a `$`
// written `\$`. `source` is the literal as written, quotes included.
bool IsEscapedDollarAt(std::string_view source, size_t index) {
  size_t pos = 1;  // after the opening quote
  for (size_t decoded = 0; decoded < index && pos < source.size(); ++decoded) {
    if (source[pos] != '\\') {
      pos += std::max<size_t>(1, diag::Utf8SequenceLength(static_cast<unsigned char>(source[pos])));
    } else if (pos + 1 < source.size() && source[pos + 1] == 'u') {
      size_t close = source.find('}', pos);
      pos = close == std::string_view::npos ? source.size() : close + 1;
    } else {
      pos += 2;
    }
  }
  return source.substr(pos, 2) == "\\$";
}

}  // namespace

void CheckConcatPlaceholders(Context& context, const ast::Expr& call) {
  // The decoded text of the constant arguments just before the current one, at most two bytes.
  std::string tail;
  const ast::Expr* previous = nullptr;  // the constant argument before the current one
  for (const ast::Argument& argument : call.args) {
    const ast::Expr* value = argument.value.get();
    bool constant = value && (value->kind == ast::ExprKind::kRawString ||
                              (value->kind == ast::ExprKind::kString &&
                               std::none_of(value->parts.begin(), value->parts.end(),
                                            [](const ast::StringPart& part) {
                                              return part.is_interpolation;
                                            })));
    if (!constant) {
      tail.clear();
      continue;
    }
    std::string joined = tail + value->text.substr(0, 2);
    for (size_t found = joined.find("{{$"); found != std::string::npos && found < tail.size();
         found = joined.find("{{$", found + 1)) {
      size_t dollar = found + 2 - tail.size();
      std::string_view source = std::string_view(context.sources.contents(value->span.file))
                                    .substr(value->span.begin, value->span.end - value->span.begin);
      if (value->kind == ast::ExprKind::kString && IsEscapedDollarAt(source, dollar)) continue;
      diag::Span span{value->span.file, previous->span.begin, value->span.end};
      context.Report(diag::Kind::kBackendPlaceholderInString, span,
                     "`concat` joins its parts into `{{$`, a placeholder that the KFP backend "
                     "replaces at run time")
          .help = parse::BackendPlaceholderHelp(value->kind == ast::ExprKind::kRawString);
      break;
    }
    previous = value;
    tail += value->text;
    if (tail.size() > 2) tail.erase(0, tail.size() - 2);
  }
}

void CheckPipSetting(Context& context, const ast::Setting& setting) {
  if (!setting.value || setting.value->kind != ast::ExprKind::kList) return;
  for (const ast::ExprPtr& item : setting.value->items) {
    if (!item || item->kind != ast::ExprKind::kString) continue;
    std::string_view value = item->text;
    bool option = value.starts_with('-');
    size_t unsafe = FindUnsafePipChar(value, setting.name);
    if (!option && !value.empty() && unsafe == std::string_view::npos) continue;
    std::string problem = option          ? "starts with `-`, which pip reads as an option"
                          : value.empty() ? "is empty"
                                          : "contains " + DescribeChar(value[unsafe]);
    std::string what = setting.name == "packages"          ? "package requirement"
                       : setting.name == "pip_index_urls" ? "index URL"
                                                           : "trusted host";
    diag::Diagnostic& d = context.Report(
        diag::Kind::kUnsafePipRequirement, item->span,
        fmt::format("{} `{}` in `{}` {}", what, item->text, setting.name, problem));
    d.notes.push_back(
        "the values of `packages`, `pip_index_urls` and `pip_trusted_hosts` become part of the "
        "`sh -c` script that installs them in the container");
    if (setting.name == "packages") {
      d.help = "write a PEP 508 requirement such as `pandas[excel]>=2.1,<3` or "
               "`numpy==1.26.4; python_version >= \"3.10\"`, with marker strings in double "
               "quotes";
    } else {
      d.help = "write a plain URL or host such as `https://pypi.example.com/simple` with "
               "letters, digits and `._~:/%@+=,-` only; percent-encode any other character";
    }
  }
}


std::string FindProjectRoot(const std::string& root_path) {
  fs::path directory = Resolve(root_path).parent_path();
  std::error_code error;
  for (fs::path candidate = directory;; candidate = candidate.parent_path()) {
    if (fs::exists(candidate / "kfpc.yaml", error) || fs::exists(candidate / ".git", error)) {
      return candidate.string();
    }
    if (candidate == candidate.parent_path()) break;
  }
  return directory.string();
}

bool CheckImportAllowed(Context& context, const ast::Decl& import, const std::string& path,
                        const std::string& project_root,
                        const std::vector<std::string>& allowed_directories, size_t depth) {
  if (depth > parse::kMaxImportDepth) {
    context.Report(diag::Kind::kImportTooDeep, import.import_path_span,
                   fmt::format("imports are nested deeper than the limit of {} files",
                               parse::kMaxImportDepth))
        .help = "import the shared declarations from fewer levels of files";
    return false;
  }
  fs::path resolved = Resolve(path);
  if (IsWithin(resolved, fs::path(project_root))) return true;
  for (const std::string& directory : allowed_directories) {
    if (IsWithin(resolved, Resolve(directory))) return true;
  }
  diag::Diagnostic& d = context.Report(
      diag::Kind::kImportOutsideProject, import.import_path_span,
      fmt::format("import `{}` resolves to a file outside the project", import.import_path));
  d.notes.push_back(
      "the project is the directory of the nearest `kfpc.yaml` or `.git` above the compiled "
      "file, or else the compiled file's directory; `..` and symbolic links are resolved first");
  d.help = "move the imported file into the project, or list its directory under "
           "`import_directories` in the project's `kfpc.yaml`";
  return false;
}

void CheckLiteralCredentials(Context& context, const std::map<diag::FileId, ast::File>& files) {
  CredentialScanner scanner(context);
  for (const auto& [id, file] : files) {
    for (const ast::Decl& decl : file.decls) scanner.Decl(decl);
  }
}

}  // namespace kfpc::check
