#include "compiler/lsp/completion.h"

#include <cctype>
#include <functional>
#include <set>

#include "compiler/lsp/lookup.h"
#include "compiler/lsp/signature.h"

namespace kfpc::lsp {

namespace {

// CompletionItemKind of LSP 3.17.
constexpr int kItemFunction = 3;
constexpr int kItemField = 5;
constexpr int kItemVariable = 6;
constexpr int kItemModule = 9;
constexpr int kItemProperty = 10;
constexpr int kItemKeyword = 14;
constexpr int kItemConstant = 21;
constexpr int kItemStruct = 22;
constexpr int kItemTypeParameter = 25;

constexpr std::string_view kRunPlaceholders[] = {
    "job_name", "job_resource_name", "job_id", "task_name",
    "task_id", "create_time", "schedule_time", "pipeline_root"};
constexpr std::string_view kTopLevelKeywords[] = {"import", "artifact", "component", "pipeline"};
constexpr std::string_view kStatementKeywords[] = {"return", "if", "else", "for", "try",
                                                    "finally"};
constexpr std::string_view kPipelineSettings[] = {"description", "display_name", "pipeline_root"};
constexpr std::string_view kComponentSettings[] = {
    "image", "command", "args", "description", "python", "packages", "pip_index_urls"};
constexpr std::string_view kArtifactSettings[] = {"schema_title", "schema_version"};

bool IsIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The two scanners below replace std::regex, whose libstdc++ matcher recurses once per character
// and overflowed the stack on a line of 100,000 characters.

size_t SkipSpaces(std::string_view text, size_t i) {
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  return i;
}

// Returns whether `line` is `NAME =` with optional spaces: the start of a binding.
bool IsBindingStart(std::string_view line) {
  size_t i = SkipSpaces(line, 0);
  if (i == line.size() || std::isdigit(static_cast<unsigned char>(line[i])) ||
      !IsIdentifierChar(line[i])) {
    return false;
  }
  while (i < line.size() && IsIdentifierChar(line[i])) ++i;
  i = SkipSpaces(line, i);
  if (i == line.size() || line[i] != '=') return false;
  return SkipSpaces(line, i + 1) == line.size();
}

// Collects each NAME of `NAME = value` in `written`, the arguments of a call so far.
std::set<std::string> NamedArguments(std::string_view written) {
  std::set<std::string> names;
  size_t i = 0;
  while (i < written.size()) {
    if (!IsIdentifierChar(written[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < written.size() && IsIdentifierChar(written[i])) ++i;
    // A name starts at a letter or `_`, so `1abc` names `abc`.
    while (start < i && std::isdigit(static_cast<unsigned char>(written[start]))) ++start;
    size_t equals = SkipSpaces(written, i);
    bool assigned = equals + 1 < written.size() && written[equals] == '=' &&
                    written[equals + 1] != '=';
    if (start < i && assigned) names.insert(std::string(written.substr(start, i - start)));
  }
  return names;
}

nlohmann::json Item(std::string_view label, int kind, const std::string& detail = "") {
  nlohmann::json item = {{"label", std::string(label)}, {"kind", kind}};
  if (!detail.empty()) item["detail"] = detail;
  return item;
}

// An open bracket before the position, innermost last.
struct OpenBracket {
  char bracket;
  uint32_t offset;
};

// Scans `text` up to `end`, skipping comments and strings. Returns false when `end` is inside a
// comment or a string, where nothing is completed.
bool ScanBrackets(std::string_view text, uint32_t end, std::vector<OpenBracket>* stack) {
  uint32_t i = 0;
  while (i < end) {
    if (text.substr(i, 2) == "//") {
      size_t newline = text.find('\n', i);
      if (newline == std::string_view::npos || newline >= end) return false;
      i = static_cast<uint32_t>(newline) + 1;
    } else if (text.substr(i, 3) == "\"\"\"") {
      size_t close = text.find("\"\"\"", i + 3);
      if (close == std::string_view::npos || close + 3 > end) return false;
      i = static_cast<uint32_t>(close) + 3;
    } else if (text[i] == '"') {
      ++i;
      while (i < end && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2 : 1;
      if (i >= end) return false;
      ++i;
    } else {
      char c = text[i++];
      if (c == '(' || c == '[' || c == '{') stack->push_back({c, i - 1});
      if ((c == ')' || c == ']' || c == '}') && !stack->empty()) stack->pop_back();
    }
  }
  return true;
}

// Returns the identifier that ends at `end` (white space before `end` skipped), or "".
std::string IdentifierBefore(std::string_view text, uint32_t end) {
  while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  uint32_t begin = end;
  while (begin > 0 && IsIdentifierChar(text[begin - 1])) --begin;
  return std::string(text.substr(begin, end - begin));
}

// Returns the last character before `end` that is not white space, or '\n' at the file start.
char LastNonSpace(std::string_view text, uint32_t end, bool stop_at_newline) {
  while (end > 0) {
    char c = text[end - 1];
    if (c == '\n' && stop_at_newline) return '\n';
    if (!std::isspace(static_cast<unsigned char>(c))) return c;
    --end;
  }
  return '\n';
}

class Completer {
 public:
  explicit Completer(const Request& request)
      : request_(request), analysis_(request.analysis), text_(analysis_.Text(request.file)) {}

  nlohmann::json Complete() {
    uint32_t word_start = request_.offset;
    while (word_start > 0 && IsIdentifierChar(text_[word_start - 1])) --word_start;
    std::vector<OpenBracket> stack;
    if (!ScanBrackets(text_, word_start, &stack)) return items_;
    owner_ = EnclosingDecl(analysis_, request_.file, word_start);

    char before = LastNonSpace(text_, word_start, false);
    if (word_start > 0 && text_[word_start - 1] == '.') {
      Members(IdentifierBefore(text_, word_start - 1));
    } else if (before == ':' || before == '<' || AfterArrow(word_start)) {
      Types();
    } else if (!stack.empty() && stack.back().bracket == '(') {
      Arguments(stack.back().offset, word_start);
    } else if (stack.empty()) {
      for (std::string_view keyword : kTopLevelKeywords) items_.push_back(Item(keyword, kItemKeyword));
    } else if (IsStatementStart(word_start)) {
      Statement();
    } else {
      Values();
    }
    return items_;
  }

 private:
  // True after the `->` that starts a single output type.
  bool AfterArrow(uint32_t word_start) const {
    uint32_t end = word_start;
    while (end > 0 && std::isspace(static_cast<unsigned char>(text_[end - 1]))) --end;
    return end >= 2 && text_.substr(end - 2, 2) == "->";
  }

  bool IsStatementStart(uint32_t word_start) const {
    char before = LastNonSpace(text_, word_start, true);
    if (before == '\n' || before == '{' || before == '}') return true;
    // `binding = |`: a task call follows.
    uint32_t line_start = word_start;
    while (line_start > 0 && text_[line_start - 1] != '\n') --line_start;
    return IsBindingStart(text_.substr(line_start, word_start - line_start));
  }

  void Members(const std::string& object) {
    if (object == "run") {
      for (std::string_view name : kRunPlaceholders) items_.push_back(Item(name, kItemConstant));
      return;
    }
    if (!owner_) return;
    if (owner_->kind == ast::DeclKind::kComponent) {
      // `input.path`, `output.path`: the placeholders of a container command.
      for (std::string_view name : {"path", "uri", "metadata"}) {
        items_.push_back(Item(name, kItemProperty));
      }
      return;
    }
    const ast::Stmt* binding = FindBinding(*owner_, object);
    const ast::Decl* callee = binding ? analysis_.FindDecl(binding->task.callee) : nullptr;
    if (!callee) return;
    for (const ast::Param& output : callee->outputs) {
      nlohmann::json item = Item(output.name, kItemField, TypeText(output.type));
      if (!output.doc.empty()) item["documentation"] = output.doc;
      items_.push_back(std::move(item));
    }
    if (callee->single_output && callee->outputs.size() == 1) {
      items_.push_back(Item("output", kItemField, TypeText(callee->outputs[0].type)));
    }
  }

  void Types() {
    for (std::string_view name : kParameterTypes) items_.push_back(Item(name, kItemTypeParameter));
    for (std::string_view name : kArtifactTypes) {
      items_.push_back(Item(name, kItemStruct, "system." + std::string(name)));
    }
    for (const auto& [name, decl] : analysis_.declarations) {
      if (decl->kind == ast::DeclKind::kArtifact) {
        items_.push_back(Item(name, kItemStruct, Signature(analysis_, *decl)));
      }
    }
  }

  void Arguments(uint32_t open, uint32_t word_start);
  void Statement();
  void Values();
  void Callables();

  const Request& request_;
  const Analysis& analysis_;
  std::string_view text_;
  const ast::Decl* owner_ = nullptr;
  nlohmann::json items_ = nlohmann::json::array();
};

void Completer::Arguments(uint32_t open, uint32_t word_start) {
  const ast::Decl* callee = analysis_.FindDecl(IdentifierBefore(text_, open));
  char before = LastNonSpace(text_, word_start, false);
  if (before != '(' && before != ',') return Values();  // a value, not an argument name
  if (!callee || callee->kind == ast::DeclKind::kArtifact) return;

  std::set<std::string> given = NamedArguments(text_.substr(open, word_start - open));
  for (const ast::Param& input : callee->inputs) {
    if (given.count(input.name)) continue;
    nlohmann::json item = Item(input.name, kItemVariable, ParamText(analysis_, input));
    item["insertText"] = input.name + " = ";
    if (!input.doc.empty()) item["documentation"] = input.doc;
    items_.push_back(std::move(item));
  }
}

void Completer::Callables() {
  for (const auto& [name, decl] : analysis_.declarations) {
    if (decl->kind != ast::DeclKind::kComponent && decl->kind != ast::DeclKind::kPipeline) continue;
    if (decl == owner_) continue;  // a pipeline cannot call itself
    int kind = decl->kind == ast::DeclKind::kComponent ? kItemFunction : kItemModule;
    nlohmann::json item = Item(name, kind, Signature(analysis_, *decl));
    std::string description = Description(*decl);
    if (!description.empty()) item["documentation"] = description;
    items_.push_back(std::move(item));
  }
}

void Completer::Statement() {
  if (owner_ && owner_->kind == ast::DeclKind::kComponent) {
    for (std::string_view name : kComponentSettings) items_.push_back(Item(name, kItemProperty));
    return;
  }
  if (owner_ && owner_->kind == ast::DeclKind::kArtifact) {
    for (std::string_view name : kArtifactSettings) items_.push_back(Item(name, kItemProperty));
    return;
  }
  Callables();
  for (std::string_view keyword : kStatementKeywords) items_.push_back(Item(keyword, kItemKeyword));
  for (std::string_view name : kPipelineSettings) items_.push_back(Item(name, kItemProperty));
}

// A value: the inputs of the enclosing declaration, the pipeline's task bindings and literals.
void Completer::Values() {
  if (owner_) {
    for (const ast::Param& input : owner_->inputs) {
      items_.push_back(Item(input.name, kItemVariable, TypeText(input.type)));
    }
  }
  if (owner_ && owner_->kind == ast::DeclKind::kPipeline) {
    std::vector<const ast::Stmt*> tasks;
    std::function<void(const std::vector<ast::Stmt>&)> collect = [&](const auto& body) {
      for (const ast::Stmt& stmt : body) {
        if (stmt.kind == ast::StmtKind::kTask && !stmt.task.binding.empty()) tasks.push_back(&stmt);
        for (const ast::Branch& branch : stmt.branches) collect(branch.body);
        collect(stmt.body);
        collect(stmt.finally_body);
      }
    };
    collect(owner_->body);
    for (const ast::Stmt* task : tasks) {
      items_.push_back(Item(task->task.binding, kItemVariable, task->task.callee + "(...)"));
    }
    items_.push_back(Item("run", kItemModule, "run placeholders"));
  }
  for (std::string_view keyword : {"true", "false", "none", "and", "or", "not"}) {
    items_.push_back(Item(keyword, kItemKeyword));
  }
}

}  // namespace

nlohmann::json Completion(const Request& request) {
  return {{"isIncomplete", false}, {"items", Completer(request).Complete()}};
}

}  // namespace kfpc::lsp
