// Prints a SARIF log that uses every feature kfpc's SARIF output has: a result with notes, help,
// labels (related locations) and a fix, non-ASCII columns, a warning, and a path that failed to
// read (a tool execution notification). sarif_schema_test.py validates it against the official
// SARIF 2.1.0 schema, since no diagnostic that `kfpc check` reports today carries a fix.

#include <iostream>

#include "compiler/report/sarif_report.h"

int main() {
  using namespace kfpc;
  report::CheckedFile file;
  file.path = "src/p.kf";
  diag::FileId id =
      file.sources.AddFile("src/p.kf", "pipeline p() {\n  x = \"\xC3\xA9\" nope()\n}\n");
  diag::DiagnosticSink sink;
  diag::Diagnostic& error = sink.Report(diag::Kind::kUnknownComponent, diag::Span{id, 26, 30},
                                        "unknown component `nope`");
  error.help = "declare `nope`";
  error.notes.push_back("components are looked up by name");
  error.labels.push_back({diag::Span{id, 0, 8}, "in this pipeline"});
  error.fix = diag::Fix{diag::Span{id, 26, 30}, "echo", "call `echo`"};
  sink.Report(diag::Kind::kArchitectureSuffixedTag, diag::Span{id, 9, 10}, "a warning");
  file.diagnostics = sink.diagnostics();

  report::CheckedFile unreadable;
  unreadable.path = "missing.kf";
  diag::DiagnosticSink unreadable_sink;
  unreadable_sink.Report(diag::Kind::kReadFailed, diag::Span{}, "failed to read `missing.kf`");
  unreadable.diagnostics = unreadable_sink.diagnostics();

  std::vector<report::CheckedFile> files;
  files.push_back(std::move(file));
  files.push_back(std::move(unreadable));
  report::SarifOptions options{"0.0.0", "/repo", "/repo"};
  std::cout << report::SarifReport(files, options).dump(2) << "\n";
  return 0;
}
