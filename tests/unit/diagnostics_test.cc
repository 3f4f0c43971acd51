#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/suggest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kfpc::diag {
namespace {

TEST(SourceManager, PositionsAreOneBased) {
  SourceManager sources;
  FileId file = sources.AddFile("a.kf", "ab\ncd\n");
  EXPECT_EQ(sources.Position(file, 0).line, 1u);
  EXPECT_EQ(sources.Position(file, 0).column, 1u);
  EXPECT_EQ(sources.Position(file, 4).line, 2u);
  EXPECT_EQ(sources.Position(file, 4).column, 2u);
  EXPECT_EQ(sources.LineText(file, 2), "cd");
  EXPECT_EQ(sources.Offset(file, 2, 2), 4u);
}

TEST(SourceManager, CrLfAndCrAloneEndLines) {
  SourceManager sources;
  FileId file = sources.AddFile("a.kf", "ab\r\ncd\ref\ngh\r");
  EXPECT_EQ(sources.Position(file, 4).line, 2u);
  EXPECT_EQ(sources.Position(file, 4).column, 1u);
  EXPECT_EQ(sources.Position(file, 7).line, 3u);
  EXPECT_EQ(sources.Position(file, 7).column, 1u);
  EXPECT_EQ(sources.Position(file, 10).line, 4u);
  EXPECT_EQ(sources.LineText(file, 1), "ab");
  EXPECT_EQ(sources.LineText(file, 2), "cd");
  EXPECT_EQ(sources.LineText(file, 3), "ef");
  EXPECT_EQ(sources.LineText(file, 4), "gh");
  EXPECT_EQ(sources.Offset(file, 3, 2), 8u);
}

TEST(Render, ShowsLineCaretAndHelp) {
  SourceManager sources;
  FileId file = sources.AddFile("p.kf", "pipeline p() {\n  x = nope()\n}\n");
  DiagnosticSink sink;
  Diagnostic& d = sink.Report(Kind::kSyntaxError, Span{file, 21, 25}, "unknown component `nope`");
  d.help = "declare `nope` or import the file that declares it";
  EXPECT_EQ(Render(sources, d),
            "p.kf:2:7: error: unknown component `nope`\n"
            "2 |   x = nope()\n"
            "  |       ^~~~\n"
            "help: declare `nope` or import the file that declares it\n");
  EXPECT_EQ(sink.error_count(), 1u);
}

TEST(ClosestName, CountsSwapsAndPicksTheNearest) {
  std::vector<std::string> names = {"count", "counter", "mount", "image"};
  EXPECT_EQ(ClosestName("cuont", names), "count");
  EXPECT_EQ(ClosestName("countr", names), "count");
  EXPECT_EQ(ClosestName("counterr", names), "counter");
  EXPECT_EQ(ClosestName("imgae", names), "image");
  EXPECT_EQ(DidYouMean("imagee", names), "did you mean `image`");
}

TEST(ClosestName, RejectsNamesTooFarFromEveryCandidate) {
  std::vector<std::string> names = {"cpu_limit", "memory_limit"};
  // A third of the name's length may differ: `cpu_lmt` (7 characters) is two edits away,
  // `cpu_lm` (6 characters) three.
  EXPECT_EQ(ClosestName("cpu_lmt", names), "cpu_limit");
  EXPECT_EQ(ClosestName("cpu_lm", names), "");
  EXPECT_EQ(ClosestName("cpu_limitt", names), "cpu_limit");
  EXPECT_EQ(ClosestName("x", names), "");
  EXPECT_EQ(ClosestName("", names), "");
  EXPECT_EQ(DidYouMean("gpu", names), "");
  EXPECT_EQ(ClosestName("abc", {}), "");
}

TEST(ClosestName, PrefersTheFirstOfEquallyNearCandidates) {
  EXPECT_EQ(ClosestName("cat", {"bat", "hat", "cat"}), "cat");
  EXPECT_EQ(ClosestName("cot", {"bat", "cut", "cat"}), "cut");
}

TEST(ClosestName, LongNamesGetNoSuggestion) {
  // The distance table costs the product of the lengths, so names past 256 bytes are not
  // compared at all: a megabyte of identifier costs no quadratic work.
  std::string huge(1 << 20, 'a');
  std::string near = huge;
  near[10] = 'b';
  EXPECT_EQ(ClosestName(near, {huge, "aaaa"}), "");
  std::string longest(256, 'a');
  std::string typo = longest;
  typo[10] = 'b';
  EXPECT_EQ(ClosestName(typo, {"aaaa", longest}), longest);
}

// Renders a one-line error on bytes [begin, end) of `line`, keeping only the snippet.
std::string Snippet(const std::string& line, uint32_t begin, uint32_t end) {
  SourceManager sources;
  FileId file = sources.AddFile("p.kf", line + "\n");
  DiagnosticSink sink;
  Diagnostic& d = sink.Report(Kind::kSyntaxError, Span{file, begin, end}, "m");
  std::string text = Render(sources, d);
  return text.substr(text.find('\n') + 1);
}

TEST(Render, CaretCountsCharactersNotBytes) {
  // `é` is two bytes and one column; `名` is three bytes and two columns.
  EXPECT_EQ(Snippet("v = \"é\" + x", 10, 11), "1 | v = \"é\" + x\n  |          ^\n");
  EXPECT_EQ(Snippet("v = \"名\" + x", 11, 12), "1 | v = \"名\" + x\n  |           ^\n");
  EXPECT_EQ(Snippet("v = \"éé\"", 4, 10), "1 | v = \"éé\"\n  |     ^~~~\n");
}

TEST(Render, TabsBeforeTheCaretAreKept) {
  EXPECT_EQ(Snippet("\tv = x", 5, 6), "1 | \tv = x\n  | \t    ^\n");
}

TEST(Render, ShowsInvisibleAndInvalidCharactersAsEscapes) {
  // A right-to-left override would make the terminal print the rest of the line reversed.
  EXPECT_EQ(Snippet("// a\u202Eb c", 4, 7),
            "1 | // a<U+202E>b c\n  |     ^~~~~~~~\n");
  EXPECT_EQ(Snippet("x\u200By = 1", 1, 4), "1 | x<U+200B>y = 1\n  |  ^~~~~~~~\n");
  EXPECT_EQ(Snippet("a\x01" "b", 1, 2), "1 | a<U+0001>b\n  |  ^~~~~~~~\n");
  EXPECT_EQ(Snippet("a\xFF" "b", 1, 2), "1 | a<FF>b\n  |  ^~~~\n");
}

TEST(ShownText, EscapesWhatWouldChangeTheMessageLine) {
  EXPECT_EQ(diag::ShownText("arm64"), "arm64");
  EXPECT_EQ(diag::ShownText("é名"), "é名");
  EXPECT_EQ(diag::ShownText("arm64\n"), "arm64\\n");
  EXPECT_EQ(diag::ShownText("a\r\tb"), "a\\r\\tb");
  EXPECT_EQ(diag::ShownText("a\u202Eb\u200Bc"), "a<U+202E>b<U+200B>c");
  EXPECT_EQ(diag::ShownText(std::string("a\0b", 3)), "a<U+0000>b");
  EXPECT_EQ(diag::ShownText("a\x1B[2Jb"), "a<U+001B>[2Jb");
  EXPECT_EQ(diag::ShownText("a\xFF" "b\xC3"), "a<FF>b<C3>");
}

TEST(Render, CaretAfterTheEndOfTheLine) {
  EXPECT_EQ(Snippet("abc", 3, 3), "1 | abc\n  |    ^\n");
}

}  // namespace

}  // namespace kfpc::diag
