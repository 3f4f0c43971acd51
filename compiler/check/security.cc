#include "compiler/check/security.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "compiler/parse/limits.h"

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

}  // namespace

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
