#include "compiler/lsp/completion.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <set>

#include "compiler/check/check.h"
#include "compiler/check/declarations.h"
#include "compiler/check/kubernetes_settings.h"
#include "compiler/check/task_settings.h"
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

constexpr std::string_view kTopLevelKeywords[] = {"import", "artifact", "component", "pipeline"};
// `else` and `finally` are offered only right after the block that they can follow.
constexpr std::string_view kStatementKeywords[] = {"return", "if", "for", "try"};

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
  // The offset of the `(` of the `(...)` right before a `{`, as before a task's settings block.
  std::optional<uint32_t> after_parens;
};

// A `{...}` block that the scan closed: the offsets of its `{` and of its `}`.
struct ClosedBlock {
  uint32_t open = 0;
  uint32_t close = 0;
};

// The ranges [begin, end) of the comments and strings before the completed word, in order.
using SkippedRanges = std::vector<std::pair<uint32_t, uint32_t>>;

// Scans `text` up to `end`, skipping comments and strings. Returns false when `end` is inside a
// comment or a string, where only an interpolation is completed; `open_string` then receives the
// offset of the `"` of a one-line string that contains `end`. `last_block` receives the last
// `{...}` block closed before `end`, if any, and `skipped` the comments and strings.
bool ScanBrackets(std::string_view text, uint32_t end, std::vector<OpenBracket>* stack,
                  std::optional<ClosedBlock>* last_block, SkippedRanges* skipped,
                  std::optional<uint32_t>* open_string) {
  uint32_t i = 0;
  // The last `(...)` closed: the offset of its `(` and the offset after its `)`.
  std::optional<uint32_t> closed_open;
  uint32_t closed_end = 0;
  while (i < end) {
    if (text.substr(i, 2) == "//") {
      // A line ends with LF, CR LF or a lone CR.
      size_t newline = text.find_first_of("\r\n", i);
      if (newline == std::string_view::npos || newline >= end) return false;
      skipped->emplace_back(i, static_cast<uint32_t>(newline));
      i = static_cast<uint32_t>(newline) + 1;
    } else if (text.substr(i, 4) == "#\"\"\"") {
      // A hashed raw string ends at the first `"""#`, so it can hold `"""`.
      size_t close = text.find("\"\"\"#", i + 4);
      if (close == std::string_view::npos || close + 4 > end) return false;
      skipped->emplace_back(i, static_cast<uint32_t>(close) + 4);
      i = static_cast<uint32_t>(close) + 4;
    } else if (text.substr(i, 3) == "\"\"\"") {
      size_t close = text.find("\"\"\"", i + 3);
      if (close == std::string_view::npos || close + 3 > end) return false;
      skipped->emplace_back(i, static_cast<uint32_t>(close) + 3);
      i = static_cast<uint32_t>(close) + 3;
    } else if (text[i] == '"') {
      uint32_t start = i++;
      while (i < end && text[i] != '"' && text[i] != '\n' && text[i] != '\r') {
        // A backslash escapes no line break: the string ends unterminated with its line.
        bool before_break = i + 1 < end && (text[i + 1] == '\n' || text[i + 1] == '\r');
        i += text[i] == '\\' && !before_break ? 2 : 1;
      }
      if (i >= end) {
        if (i == end) *open_string = start;  // not when `end` follows a backslash
        return false;
      }
      ++i;
      skipped->emplace_back(start, i);
    } else {
      char c = text[i++];
      if (c == '(' || c == '[' || c == '{') {
        OpenBracket open{c, i - 1, std::nullopt};
        uint32_t before = i - 1;
        while (before > 0 && std::isspace(static_cast<unsigned char>(text[before - 1]))) --before;
        if (c == '{' && closed_open && before == closed_end) open.after_parens = closed_open;
        stack->push_back(open);
      }
      if ((c == ')' || c == ']' || c == '}') && !stack->empty()) {
        if (c == ')' && stack->back().bracket == '(') {
          closed_open = stack->back().offset;
          closed_end = i;
        }
        if (c == '}' && stack->back().bracket == '{')
          *last_block = ClosedBlock{stack->back().offset, i - 1};
        stack->pop_back();
      }
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
    if ((c == '\n' || c == '\r') && stop_at_newline) return '\n';
    if (!std::isspace(static_cast<unsigned char>(c))) return c;
    --end;
  }
  return '\n';
}

// Returns the text from the start of the line that contains `end` up to `end`.
std::string_view LineBefore(std::string_view text, uint32_t end) {
  uint32_t line_start = end;
  while (line_start > 0 && text[line_start - 1] != '\n' && text[line_start - 1] != '\r') {
    --line_start;
  }
  return text.substr(line_start, end - line_start);
}

// Adds the offset of the `{` that opens the settings block of each task in `body`, nested
// statements included. The parser keeps a task whose block has a syntax error, such as a
// half-typed setting name, so these offsets hold while the user types.
void CollectTaskBlocks(std::string_view text, const std::vector<ast::Stmt>& body,
                       std::set<uint32_t>* braces) {
  for (const ast::Stmt& stmt : body) {
    const ast::TaskCall& task = stmt.task;
    if (stmt.kind == ast::StmtKind::kTask && task.has_block && task.args_span.valid()) {
      size_t brace = SkipSpaces(text, task.args_span.end);
      if (brace < text.size() && text[brace] == '{') braces->insert(static_cast<uint32_t>(brace));
    }
    for (const ast::Branch& branch : stmt.branches) CollectTaskBlocks(text, branch.body, braces);
    CollectTaskBlocks(text, stmt.body, braces);
    CollectTaskBlocks(text, stmt.finally_body, braces);
  }
}

// Whether `type` is an artifact type or a list of them: any type but a parameter type.
bool IsArtifactType(const ast::TypeRef& type) {
  if (type.name == "list" && type.args.size() == 1) return IsArtifactType(type.args[0]);
  return std::find(std::begin(kParameterTypes), std::end(kParameterTypes), type.name) ==
         std::end(kParameterTypes);
}

class Completer {
 public:
  explicit Completer(const Request& request)
      : request_(request), analysis_(request.analysis), text_(analysis_.Text(request.file)) {}

  nlohmann::json Complete() {
    uint32_t word_start = request_.offset;
    while (word_start > 0 && IsIdentifierChar(text_[word_start - 1])) --word_start;
    word_start_ = word_start;
    std::vector<OpenBracket> stack;
    std::optional<uint32_t> open_string;
    bool in_code = ScanBrackets(text_, word_start, &stack, &last_block_, &skipped_, &open_string);
    owner_ = EnclosingDecl(analysis_, request_.file, word_start);
    if (!in_code) {
      if (open_string) Interpolation(*open_string, word_start);
      return items_;
    }

    char before = LastNonSpace(text_, word_start, false);
    if (word_start > 0 && text_[word_start - 1] == '.') {
      Members(IdentifierBefore(text_, word_start - 1));
    } else if (before == ':' || before == '<' || AfterArrow(word_start)) {
      Types();
    } else if (!stack.empty() && stack.back().bracket == '(') {
      Arguments(stack.back().offset, word_start);
    } else if (stack.empty()) {
      for (std::string_view keyword : kTopLevelKeywords) items_.push_back(Item(keyword, kItemKeyword));
    } else if (std::optional<size_t> task_block = TaskBlockIndex(stack)) {
      TaskSettings(stack, *task_block, word_start);
    } else if (IsStatementStart(word_start)) {
      Statement(stack, word_start);
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

  // True where a statement starts, and after `binding = `, where a task call follows.
  bool IsStatementStart(uint32_t word_start) const {
    return IsLineStart(word_start) || IsBindingStart(LineBefore(text_, word_start));
  }

  // True when the word is first on its line or follows a brace, where a statement or a setting
  // name starts.
  bool IsLineStart(uint32_t word_start) const {
    char before = LastNonSpace(text_, word_start, true);
    return before == '\n' || before == '{' || before == '}';
  }

  // Returns the index in `stack` of the `{` that opens the settings block of a task of the
  // enclosing pipeline, or nullopt when the position is in no such block.
  std::optional<size_t> TaskBlockIndex(const std::vector<OpenBracket>& stack) const {
    if (!owner_ || owner_->kind != ast::DeclKind::kPipeline) return std::nullopt;
    std::set<uint32_t> braces;
    CollectTaskBlocks(text_, owner_->body, &braces);
    for (size_t i = 0; i < stack.size(); ++i) {
      if (stack[i].bracket == '{' && braces.count(stack[i].offset)) return i;
    }
    // The parser drops a task whose arguments have a syntax error, such as `f(x = ) {`. Such a
    // block is still found by its `{` after `callee(...)`, where the callee is a component or a
    // pipeline. The first `{` is the pipeline's own, after its parameter list.
    for (size_t i = 1; i < stack.size(); ++i) {
      if (stack[i].bracket != '{' || !stack[i].after_parens) continue;
      const ast::Decl* callee = analysis_.FindDecl(IdentifierBefore(text_, *stack[i].after_parens));
      if (callee && (callee->kind == ast::DeclKind::kComponent ||
                     callee->kind == ast::DeclKind::kPipeline)) {
        return i;
      }
    }
    return std::nullopt;
  }

  // Completes the name or the member in a `{...}` of the string that opens at `quote`, if the word
  // is in one: `"{|}"`, `"{ta|}"` and `"{task.|}"`.
  void Interpolation(uint32_t quote, uint32_t word_start) {
    std::optional<uint32_t> brace;
    for (uint32_t i = quote + 1; i < word_start; ++i) {
      if (text_[i] == '\\') {
        ++i;  // `\{` and `\}` are literal braces
      } else if (text_[i] == '{') {
        brace = i;
      } else if (text_[i] == '}') {
        brace.reset();
      }
    }
    if (!brace) return;
    std::string_view inside = text_.substr(*brace + 1, word_start - *brace - 1);
    inside.remove_prefix(std::min(inside.size(), SkipSpaces(inside, 0)));
    if (inside.empty()) return Values(/*in_string=*/true);
    std::string object(inside.substr(0, inside.size() - 1));
    bool is_name = !object.empty() && std::all_of(object.begin(), object.end(), IsIdentifierChar);
    if (inside.back() == '.' && is_name) Members(object);
  }

  void Members(const std::string& object) {
    if (object == "run" && owner_ && owner_->kind == ast::DeclKind::kPipeline) {
      for (const std::string& name : check::RunPlaceholderNames()) {
        items_.push_back(Item(name, kItemConstant));
      }
      return;
    }
    if (!owner_) return;
    if (owner_->kind == ast::DeclKind::kComponent) {
      // The placeholders of a container command: `path`, `uri` and `metadata` of an artifact,
      // and `path` of an output parameter. An input parameter has none.
      const ast::Param* param = nullptr;
      for (const ast::Param& input : owner_->inputs) {
        if (input.name == object && IsArtifactType(input.type)) param = &input;
      }
      bool output_parameter = false;
      for (const ast::Param& output : owner_->outputs) {
        std::string name = owner_->single_output ? "Output" : output.name;
        if (name != object) continue;
        if (IsArtifactType(output.type))
          param = &output;
        else
          output_parameter = true;
      }
      if (output_parameter) items_.push_back(Item("path", kItemProperty));
      if (!param) return;
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
  void TaskSettings(const std::vector<OpenBracket>& stack, size_t task_block, uint32_t word_start);
  void Statement(const std::vector<OpenBracket>& stack, uint32_t word_start);
  std::string_view KeywordAfterBlock(uint32_t word_start) const;
  void Values(bool in_string = false);
  void Callables();

  // Adds the name of `setting` to `given` unless it is an `env` setting, a repeatable one or the
  // one whose name contains `word_start`: completion leaves out the settings that are given.
  static void AddGiven(const ast::Setting& setting, uint32_t word_start,
                       std::set<std::string>* given) {
    const std::vector<std::string>& repeatable = check::RepeatableKubernetesSettings();
    if (setting.form == ast::Setting::Form::kEnv) return;
    if (setting.name_span.begin <= word_start && word_start <= setting.name_span.end) return;
    if (std::find(repeatable.begin(), repeatable.end(), setting.name) != repeatable.end()) return;
    given->insert(setting.name);
  }

  static std::set<std::string> GivenSettings(const std::vector<ast::Setting>& settings,
                                             uint32_t word_start) {
    std::set<std::string> given;
    for (const ast::Setting& setting : settings) AddGiven(setting, word_start, &given);
    return given;
  }

  // Returns the given settings (GivenSettings) of the task whose block opens at `brace`.
  std::set<std::string> GivenTaskSettings(uint32_t brace, uint32_t word_start) const {
    const ast::TaskCall* task = TaskWithBlock(brace);
    return task ? GivenSettings(task->settings, word_start) : std::set<std::string>{};
  }

  // Returns the task whose block opens at `brace`, or null.
  const ast::TaskCall* TaskWithBlock(uint32_t brace) const {
    if (!owner_ || owner_->kind != ast::DeclKind::kPipeline) return nullptr;
    std::function<const ast::TaskCall*(const std::vector<ast::Stmt>&)> search =
        [&](const auto& body) -> const ast::TaskCall* {
      for (const ast::Stmt& stmt : body) {
        const ast::TaskCall& task = stmt.task;
        if (stmt.kind == ast::StmtKind::kTask && task.has_block && task.args_span.valid() &&
            SkipSpaces(text_, task.args_span.end) == brace) {
          return &task;
        }
        for (const ast::Branch& branch : stmt.branches) {
          if (const ast::TaskCall* found = search(branch.body)) return found;
        }
        if (const ast::TaskCall* found = search(stmt.body)) return found;
        if (const ast::TaskCall* found = search(stmt.finally_body)) return found;
      }
      return nullptr;
    };
    return search(owner_->body);
  }

  // Adds `names` as setting items, other than those in `given`.
  void SettingItems(const std::vector<std::string>& names, const std::set<std::string>& given,
                    const std::string& detail = "") {
    for (const std::string& name : names) {
      if (!given.count(name)) items_.push_back(Item(name, kItemProperty, detail));
    }
  }

  const Request& request_;
  const Analysis& analysis_;
  std::string_view text_;
  const ast::Decl* owner_ = nullptr;
  std::optional<ClosedBlock> last_block_;  // the last `{...}` closed before the word
  uint32_t word_start_ = 0;                // where the word being completed starts
  SkippedRanges skipped_;                  // the comments and strings before the word
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

// Adds the items for a position in the settings block of a task, which opens at
// `stack[task_block]`, or in a block setting within it: the names that block accepts where a
// setting starts, and values elsewhere.
void Completer::TaskSettings(const std::vector<OpenBracket>& stack, size_t task_block,
                             uint32_t word_start) {
  // Inside the task's block, a `{` after a name opens a block setting such as `retry { ... }`,
  // and `path` keeps those names from the outside in. Any other bracket starts a list or a map.
  std::vector<std::string> path;
  for (size_t i = task_block + 1; i < stack.size(); ++i) {
    uint32_t brace = stack[i].offset;
    if (stack[i].bracket != '{' || !IsIdentifierChar(LastNonSpace(text_, brace, false))) {
      return Values();
    }
    path.push_back(IdentifierBefore(text_, brace));
  }
  if (!IsLineStart(word_start)) {
    // After `env` comes the name of a new environment variable, which nothing can complete.
    std::string_view line = LineBefore(text_, word_start);
    line.remove_prefix(std::min(line.size(), SkipSpaces(line, 0)));
    if (path.empty() && line.substr(0, 3) == "env" && SkipSpaces(line, 3) == line.size()) return;
    return Values();  // the value of `name = |`
  }

  if (path.empty()) {
    SettingItems(check::TaskSettingNames(), GivenTaskSettings(stack[task_block].offset, word_start),
                 "task setting");
    items_.push_back(Item("env", kItemKeyword, "env NAME = value"));
    return;
  }
  if (path.size() == 1 && path[0] == "retry") {
    std::set<std::string> given;
    if (const ast::TaskCall* task = TaskWithBlock(stack[task_block].offset)) {
      for (const ast::Setting& setting : task->settings) {
        if (setting.name == "retry") given = GivenSettings(setting.children, word_start);
      }
    }
    return SettingItems(check::RetrySettingNames(), given, "retry setting");
  }
  // A Kubernetes block setting, such as `toleration`, or a block inside one, such as
  // `node_affinity.match_expression`. An unknown block offers nothing.
  std::string block_path = path[0];
  for (size_t i = 1; i < path.size(); ++i) block_path += "." + path[i];
  if (const std::vector<std::string>* fields = check::KubernetesBlockFields(block_path)) {
    for (const std::string& name : *fields) {
      items_.push_back(Item(name, kItemProperty, path.back() + " field"));
    }
  }
}

void Completer::Statement(const std::vector<OpenBracket>& stack, uint32_t word_start) {
  // Components and artifact types take only `name = value` settings, so after `=`, or on a line
  // inside a list or map, a value goes.
  bool settings_only = owner_ && (owner_->kind == ast::DeclKind::kComponent ||
                                  owner_->kind == ast::DeclKind::kArtifact);
  if (settings_only && (stack.size() > 1 || !IsLineStart(word_start))) return Values();
  if (owner_ && owner_->kind == ast::DeclKind::kComponent) {
    // A component with `python` takes the Python settings, one with `command` or `args` the
    // container settings; before either, both.
    std::set<std::string> given = GivenSettings(owner_->settings, word_start);
    if (given.count("python")) return SettingItems(check::PythonComponentSettingNames(), given);
    if (given.count("command") || given.count("args")) {
      return SettingItems(check::ContainerComponentSettingNames(), given);
    }
    return SettingItems(check::ComponentSettingNames(), given);
  }
  if (owner_ && owner_->kind == ast::DeclKind::kArtifact) {
    return SettingItems(check::ArtifactSettingNames(), GivenSettings(owner_->settings, word_start));
  }
  // The fields of a pipeline's `workspace { ... }` block.
  if (stack.size() == 2 && stack.back().bracket == '{' &&
      IdentifierBefore(text_, stack.back().offset) == "workspace") {
    std::set<std::string> given;
    for (size_t i = 0; owner_ && i < owner_->body.size(); ++i) {
      const ast::Stmt& stmt = owner_->body[i];
      if (stmt.kind != ast::StmtKind::kSetting || stmt.setting.name != "workspace") continue;
      for (const ast::Setting& field : stmt.setting.children) AddGiven(field, word_start, &given);
    }
    return SettingItems(check::WorkspaceFieldNames(), given, "workspace field");
  }
  Callables();
  for (std::string_view keyword : kStatementKeywords) items_.push_back(Item(keyword, kItemKeyword));
  if (std::string_view keyword = KeywordAfterBlock(word_start); !keyword.empty()) {
    items_.push_back(Item(keyword, kItemKeyword));
  }
  // Pipeline settings go directly in the pipeline's body, not inside `if`, `for` or `try`.
  if (stack.size() == 1) {
    std::set<std::string> given;
    for (size_t i = 0; owner_ && i < owner_->body.size(); ++i) {
      const ast::Stmt& stmt = owner_->body[i];
      if (stmt.kind == ast::StmtKind::kSetting) AddGiven(stmt.setting, word_start, &given);
    }
    SettingItems(check::PipelineSettingNames(), given);
  }
}

// Returns `else` when the word follows the block of an `if` or `else if`, `finally` when it follows
// the block of a `try`, and "" otherwise. Comments and line breaks may come between.
std::string_view Completer::KeywordAfterBlock(uint32_t word_start) const {
  if (!last_block_) return "";
  // Walks backward over code only: white space, comments and strings are passed over.
  size_t range = skipped_.size();
  auto previous_code = [&](uint32_t end) -> std::optional<uint32_t> {
    while (end > 0) {
      while (range > 0 && skipped_[range - 1].first >= end) --range;
      if (range > 0 && skipped_[range - 1].second >= end) {
        end = skipped_[range - 1].first;  // `end - 1` is inside this comment or string
        continue;
      }
      if (!std::isspace(static_cast<unsigned char>(text_[end - 1]))) return end - 1;
      --end;
    }
    return std::nullopt;
  };

  std::optional<uint32_t> close = previous_code(word_start);
  if (!close || *close != last_block_->close) return "";

  // The keyword that starts the block's header is the nearest one before its `{` outside
  // brackets: `if n == 1 and\n m == 2 {` and `} else if (n) {` end in `if`, `try "name" {` in
  // `try`. A `{` or `}` first means that no statement keyword heads the block, as for a task's
  // settings block.
  int depth = 0;
  for (std::optional<uint32_t> at = previous_code(last_block_->open); at; at = previous_code(*at)) {
    char c = text_[*at];
    if (c == ')' || c == ']') ++depth;
    if (c == '(' || c == '[') --depth;
    if (depth > 0) continue;
    if (depth < 0 || c == '{' || c == '}') return "";
    if (!IsIdentifierChar(c)) continue;
    uint32_t begin = *at;
    while (begin > 0 && IsIdentifierChar(text_[begin - 1])) --begin;
    std::string_view word = text_.substr(begin, *at + 1 - begin);
    if (word == "if") return "else";
    if (word == "try") return "finally";
    if (word == "else" || word == "for") return "";
    at = begin;
  }
  return "";
}

// A value: the inputs of the enclosing declaration (and a component's outputs in `command` and
// `args`, which name them), the pipeline's task bindings and, outside a string, the literals.
void Completer::Values(bool in_string) {
  if (owner_) {
    for (const ast::Param& input : owner_->inputs) {
      items_.push_back(Item(input.name, kItemVariable, TypeText(input.type)));
    }
  }
  bool in_command = false;
  for (size_t i = 0; owner_ && i < owner_->settings.size(); ++i) {
    const ast::Setting& setting = owner_->settings[i];
    in_command =
        in_command || ((setting.name == "command" || setting.name == "args") &&
                       setting.span.begin <= word_start_ && word_start_ <= setting.span.end);
  }
  if (owner_ && owner_->kind == ast::DeclKind::kComponent && in_command) {
    for (const ast::Param& output : owner_->outputs) {
      // A single output, `-> T`, is named `Output`, as in the IR.
      items_.push_back(Item(owner_->single_output ? "Output" : output.name, kItemVariable,
                            "output " + TypeText(output.type)));
    }
  }
  if (owner_ && owner_->kind == ast::DeclKind::kPipeline) {
    // The items of the loops around the cursor, innermost first.
    std::vector<const ast::Stmt*> loops;
    std::function<void(const std::vector<ast::Stmt>&)> enclosing = [&](const auto& body) {
      for (const ast::Stmt& stmt : body) {
        if (stmt.span.begin > word_start_ || word_start_ > stmt.span.end) continue;
        if (stmt.kind == ast::StmtKind::kFor && !stmt.loop_variable.empty()) loops.push_back(&stmt);
        for (const ast::Branch& branch : stmt.branches) enclosing(branch.body);
        enclosing(stmt.body);
        enclosing(stmt.finally_body);
      }
    };
    enclosing(owner_->body);
    for (auto loop = loops.rbegin(); loop != loops.rend(); ++loop) {
      items_.push_back(Item((*loop)->loop_variable, kItemVariable, "loop variable"));
    }
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
  if (in_string) return;
  for (std::string_view keyword : {"true", "false", "none"}) {
    items_.push_back(Item(keyword, kItemKeyword));
  }
  // `and` and `or` join two operands, so they are offered only after one.
  char before = LastNonSpace(text_, word_start_, false);
  uint32_t end = word_start_;
  while (end > 0 && std::isspace(static_cast<unsigned char>(text_[end - 1]))) --end;
  std::string previous = IdentifierBefore(text_, end);
  bool after_keyword = previous == "if" || previous == "and" || previous == "or" ||
                       previous == "not" || previous == "in" || previous == "return";
  if ((IsIdentifierChar(before) && !after_keyword) || before == '"' || before == ')' ||
      before == ']') {
    items_.push_back(Item("and", kItemKeyword));
    items_.push_back(Item("or", kItemKeyword));
  }
  items_.push_back(Item("not", kItemKeyword));
}

}  // namespace

nlohmann::json Completion(const Request& request) {
  return {{"isIncomplete", false}, {"items", Completer(request).Complete()}};
}

}  // namespace kfpc::lsp
