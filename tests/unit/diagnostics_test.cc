#include "compiler/diagnostics/diagnostic.h"
#include "compiler/diagnostics/suggest.h"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(SourceManager, ByteOrderMarkIsNotInFirstLine) {
  SourceManager sources;
  FileId file = sources.AddFile("a.kf",
                                "\xEF\xBB\xBF"
                                "ab\ncd");
  EXPECT_EQ(sources.Position(file, 3).line, 1u);
  EXPECT_EQ(sources.Position(file, 3).column, 1u);
  EXPECT_EQ(sources.Position(file, 4).column, 2u);
  EXPECT_EQ(sources.Position(file, 0).column, 1u);  // inside the mark
  EXPECT_EQ(sources.LineText(file, 1), "ab");
  EXPECT_EQ(sources.Offset(file, 1, 2), 4u);
  EXPECT_EQ(sources.Position(file, 7).line, 2u);
  EXPECT_EQ(sources.Position(file, 7).column, 2u);
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

TEST(Render, LongLinesShowAWindowAroundTheSpan) {
  // 160 bytes are shown whole; one more and the line is cut to 60 bytes before the span and 160
  // in all.
  std::string fits(160, 'a');
  EXPECT_EQ(Snippet(fits, 159, 160), "1 | " + fits + "\n  | " + std::string(159, ' ') + "^\n");
  std::string line = std::string(1000, 'a') + "bad" + std::string(1000, 'c');
  EXPECT_EQ(Snippet(line, 1000, 1003), "1 | ..." + std::string(60, 'a') + "bad" +
                                           std::string(97, 'c') + "...\n  |    " +
                                           std::string(60, ' ') + "^~~\n");
  // Near the start only the end is cut.
  EXPECT_EQ(Snippet(line, 2, 3),
            "1 | " + std::string(160, 'a') + "...\n  |   ^\n");
  // Near the end only the start is cut, and a caret after the last byte still shows.
  EXPECT_EQ(Snippet(line, 2003, 2003),
            "1 | ..." + std::string(60, 'c') + "\n  |    " + std::string(60, ' ') + "^\n");
}

// `count` copies of `text`.
std::string Repeat(std::string_view text, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += text;
  return out;
}

TEST(Render, LongLineCutOnWholeCharacters) {
  // `é` is two bytes and one column. Here the window would start at byte 21, inside an `é`, and
  // moves on to byte 22.
  std::string line = Repeat("é", 40) + "zz" + Repeat("é", 200) + "q";
  EXPECT_EQ(Snippet(line, 81, 82), "1 | ..." + Repeat("é", 29) + "zz" + Repeat("é", 50) +
                                       "...\n  |    " + std::string(30, ' ') + "^\n");
  // Here it would end at byte 160, inside an `é`, and takes the whole character.
  EXPECT_EQ(Snippet("a" + Repeat("é", 200), 3, 5),
            "1 | a" + Repeat("é", 80) + "...\n  |   ^\n");
}

TEST(DiagnosticSink, ErrorsPastTheLimitStillCount) {
  SourceManager sources;
  FileId file = sources.AddFile("p.kf", "x\n");
  DiagnosticSink sink;
  for (size_t i = 0; i < kMaxDiagnostics + 1; ++i) {
    sink.Report(Kind::kLiteralCredential, Span{file, 0, 1}, "w");
  }
  EXPECT_FALSE(sink.has_errors());
  sink.Report(Kind::kSyntaxError, Span{file, 0, 1}, "e").help = "thrown away";
  EXPECT_TRUE(sink.has_errors());
  EXPECT_EQ(sink.error_count(), 1u);
  ASSERT_EQ(sink.diagnostics().size(), kMaxDiagnostics);
  EXPECT_EQ(sink.diagnostics().back().message,
            "3 more diagnostics (1 of them errors) are not shown, past the limit of 1000");
  sink.Clear();
  EXPECT_FALSE(sink.has_errors());
  sink.Report(Kind::kSyntaxError, Span{file, 0, 1}, "e");
  EXPECT_EQ(sink.diagnostics().size(), 1u);
}

TEST(DiagnosticSink, SummaryOfLeftOutErrorsIsAnError) {
  SourceManager sources;
  FileId file = sources.AddFile("p.kf", "x\n");
  DiagnosticSink sink;
  for (size_t i = 0; i < kMaxDiagnostics + 1; ++i) {
    sink.Report(Kind::kLiteralCredential, Span{file, 0, 1}, "w");
  }
  EXPECT_EQ(sink.diagnostics().back().severity, Severity::kWarning);
  sink.Report(Kind::kSyntaxError, Span{file, 0, 1}, "e");
  // A report that reads only the kept diagnostics, such as an exit status, finds the error.
  EXPECT_EQ(sink.diagnostics().back().severity, Severity::kError);
  EXPECT_EQ(sink.left_out(), 3u);
  EXPECT_EQ(sink.left_out_errors(), 1u);
}

TEST(DiagnosticSink, LeftOutOfAnotherSinkStillCount) {
  SourceManager sources;
  FileId file = sources.AddFile("p.kf", "x\n");
  // Two sinks of 1,500 warnings each, the first also with an error past its limit, merged as
  // `kfpc check` merges the runs of several pipelines.
  DiagnosticSink merged;
  for (int run = 0; run < 2; ++run) {
    DiagnosticSink part;
    for (uint32_t i = 0; i < 1500; ++i) {
      part.Report(Kind::kLiteralCredential, Span{file, 0, 1}, std::to_string(run * 1500 + i));
    }
    if (run == 0) part.Report(Kind::kSyntaxError, Span{file, 0, 1}, "e");
    for (const Diagnostic& d : part.diagnostics()) {
      if (d.kind != Kind::kDiagnosticsLeftOut) merged.Report(d.kind, d.severity, d.span, d.message);
    }
    merged.CountLeftOut(part.left_out(), part.left_out_errors());
  }
  EXPECT_EQ(merged.error_count(), 1u);
  ASSERT_EQ(merged.diagnostics().size(), kMaxDiagnostics);
  // 999 of the 3,001 are shown.
  EXPECT_EQ(merged.diagnostics().back().message,
            "2002 more diagnostics (1 of them errors) are not shown, past the limit of 1000");
  EXPECT_EQ(merged.diagnostics().back().severity, Severity::kError);
}

TEST(Render, ManyErrorsOnOneLongLineStaySmall) {
  // A generated one-line file: each of its errors prints a window of at most 160 bytes and its
  // caret line, not the 200 KB line.
  SourceManager sources;
  FileId file = sources.AddFile("p.kf", std::string(200000, 'x') + "\n");
  DiagnosticSink sink;
  for (uint32_t i = 0; i < 1000; ++i) {
    sink.Report(Kind::kSyntaxError, Span{file, i * 200, i * 200 + 1}, "m");
  }
  std::string text = RenderAll(sources, sink.diagnostics());
  EXPECT_LT(text.size(), 1000u * 300u);  // Whole lines: 300 MB.
  EXPECT_EQ(std::count(text.begin(), text.end(), '^'), 1000);
}

}  // namespace

}  // namespace kfpc::diag
