#include "compiler/diagnostics/diagnostic.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kfpc::diag
