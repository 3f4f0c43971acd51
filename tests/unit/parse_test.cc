#include "compiler/parse/parse.h"

#include <gtest/gtest.h>

namespace kfpc::parse {
namespace {

TEST(Parse, ReadsEveryDeclarationKind) {
  diag::SourceManager sources;
  diag::FileId id = sources.AddFile("a.kf",
                                    "import \"lib.kf\"\n"
                                    "artifact A { schema_title = \"x.A\" }\n"
                                    "component c(a: int) -> int { image = \"i\" }\n"
                                    "pipeline p() { t = c(a = 1) }\n");
  diag::DiagnosticSink sink;
  ast::File file = Parse(sources, id, sink);
  EXPECT_EQ(diag::RenderAll(sources, sink.diagnostics()), "");
  ASSERT_EQ(file.decls.size(), 4u);
  EXPECT_EQ(file.decls[0].import_path, "lib.kf");
  EXPECT_EQ(file.decls[3].body[0].task.callee, "c");
}

}  // namespace
}  // namespace kfpc::parse
