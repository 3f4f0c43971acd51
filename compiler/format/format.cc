#include "compiler/format/format.h"

#include <fmt/format.h>

#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "compiler/format/printer.h"
#include "compiler/format/source_tokens.h"
#include "compiler/parse/limits.h"
#include "compiler/parse/parse.h"
#include "compiler/parse/parser_check.h"

namespace kfpc::format {

namespace {

// The span of the first node of `tree` whose dump differs from `formatted`'s: the declaration,
// input or output that a moved `///` comment changes. The start of the file when none is found.
diag::Span FirstChange(const ast::File& tree, const ast::File& formatted, diag::FileId file) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> result;
    size_t start = 0;
    for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
      result.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return result;
  };

  std::vector<std::string> before = lines(parse::DumpAst(tree, false));
  std::vector<std::string> after = lines(parse::DumpAst(formatted, false));
  std::vector<std::string> spanned = lines(parse::DumpAst(tree, true));
  size_t i = 0;
  while (i < before.size() && i < after.size() && before[i] == after[i]) ++i;
  if (i >= spanned.size() || before.size() != spanned.size()) return {file, 0, 0};

  // Spans are dumped as `FILE:BEGIN-END`, and the first one of a line is its node's. The line is
  // scanned by hand: std::regex recurses once per character, and a line may hold a long string.
  const std::string& line = spanned[i];
  auto number = [&](size_t at, size_t* end) -> std::optional<uint32_t> {
    size_t stop = at;
    while (stop < line.size() && std::isdigit(static_cast<unsigned char>(line[stop]))) ++stop;
    if (stop == at || stop - at > 9) return std::nullopt;
    *end = stop;
    return static_cast<uint32_t>(std::stoul(line.substr(at, stop - at)));
  };

  for (size_t at = 0; at < line.size(); ++at) {
    if (!std::isdigit(static_cast<unsigned char>(line[at])) ||
        (at > 0 && std::isdigit(static_cast<unsigned char>(line[at - 1])))) {
      continue;
    }
    size_t after_file = 0, after_begin = 0, after_end = 0;
    if (!number(at, &after_file) || after_file >= line.size() || line[after_file] != ':') continue;
    std::optional<uint32_t> begin = number(after_file + 1, &after_begin);
    if (!begin || after_begin >= line.size() || line[after_begin] != '-') continue;
    std::optional<uint32_t> end = number(after_begin + 1, &after_end);
    if (end) return {file, *begin, *end};
  }
  return {file, 0, 0};
}

}  // namespace

std::optional<std::string> Format(const diag::SourceManager& sources, diag::FileId file,
                                  diag::DiagnosticSink& sink) {
  size_t errors_before = sink.error_count();
  ast::File tree = parse::Parse(sources, file, sink);
  if (sink.error_count() > errors_before) return std::nullopt;

  const std::string& text = sources.contents(file);
  SourceTokens tokens(text);
  // The printer renders each bracketed expression flat once for every level around it, so its
  // time and memory grow with the text inside brackets counted once per level.
  constexpr uint64_t kMaxNestedBytes = uint64_t{64} << 20;
  if (uint64_t nested = tokens.NestedBytes(); nested > kMaxNestedBytes) {
    sink.Report(diag::Kind::kNestingTooDeep, {file, 0, 0},
                fmt::format("this file nests too much text too deeply to format: the text inside "
                            "brackets, counted once per level, is {} MiB, more than the limit of "
                            "{} MiB",
                            nested >> 20, kMaxNestedBytes >> 20))
        .help = "nest less deeply, or split the file";
    return std::nullopt;
  }
  std::string formatted = Printer(text, tokens).Print(tree);
  // Indentation can make the output larger than a source file may be, and kfpc could not read it.
  if (formatted.size() > parse::kMaxFileBytes) {
    sink.Report(diag::Kind::kFileTooLarge, {file, 0, 0},
                fmt::format("formatted, this file would be {} bytes, more than the limit of {} MiB "
                            "for a source file, so it is left as it is",
                            formatted.size(), parse::kMaxFileBytes >> 20))
        .help = "split the file, or nest less deeply: each level is indented by two spaces";
    return std::nullopt;
  }
  // The formatted text must parse to the same tree. A comment moved past a token can change it:
  // a `///` comment before the `(` of a component documents nothing, but after it, it documents
  // the first input.
  diag::SourceManager check_sources;
  diag::DiagnosticSink check_sink;
  diag::FileId check_file = check_sources.AddFile(sources.path(file), formatted);
  ast::File formatted_tree = parse::Parse(check_sources, check_file, check_sink);
  if (check_sink.has_errors() ||
      parse::DumpAst(formatted_tree, false) != parse::DumpAst(tree, false)) {
    diag::Span where{file, 0, 0};
    if (!check_sink.has_errors()) where = FirstChange(tree, formatted_tree, file);
    sink.Report(diag::Kind::kFormatChangesMeaning, where,
                "formatting this file would change what it means, so it is left as it is")
        .help =
        "a `///` comment documents only the declaration, input or output right after it. "
        "Move such a comment there or make it a `//` comment. If that is not the cause, "
        "report the file to the kfpc developers";
    return std::nullopt;
  }
  return formatted;
}

}  // namespace kfpc::format
