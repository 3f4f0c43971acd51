// Compares kfpc's hand-written parser (compiler/parse/direct_parser.cc) with the parser ANTLR
// generates from grammar/KfParser.g4 and the AstBuilder behind it. On every input the two must give
// the same tree, spans and doc comments included, and the same diagnostics. Every input that the
// generated parser reads without a diagnostic must be taken by the hand-written parser, so that a
// parser that always gives up fails here.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "compiler/parse/parser_check.h"
#include "tests/unit/committed_sources.h"

namespace {

using kfpc::parse::CompareWithGeneratedParser;
using kfpc::parse::ParserComparison;
using kfpc::testing::ReadAll;

// Checks one input; returns whether the hand-written parser built its tree.
bool ExpectSameTree(const std::string& text, const std::string& where) {
  ParserComparison comparison = CompareWithGeneratedParser(text);
  EXPECT_FALSE(comparison.difference.has_value()) << where << ": " << *comparison.difference;
  EXPECT_TRUE(!comparison.clean || comparison.parsed_directly)
      << where
      << ": the generated parser reported nothing, but the hand-written one "
         "gave up";
  return comparison.parsed_directly;
}

std::string Pipeline(const std::string& body) {
  return "component c(x: string = \"\") -> (out: string) {\n  image = "
         "\"alpine\"\n}\n"
         "pipeline p(a: int = 1, b: bool = true) {\n" +
         body + "\n}\n";
}

TEST(DirectParserTest, CommittedSourcesGiveTheSameTree) {
  size_t files = 0, direct = 0;
  for (const std::filesystem::path& path : kfpc::testing::CommittedSources()) {
    ++files;
    direct += ExpectSameTree(ReadAll(path), path.string());
  }
  // Hundreds of files, most of them without syntax errors.
  EXPECT_GT(files, 200u);
  EXPECT_GT(direct, files / 2);
}

TEST(DirectParserTest, EveryRuleGivesTheSameTree) {
  const std::vector<std::string> texts = {
      "",
      "/// one\n/// two\n// plain\n/// three\nartifact Model { a = 1 }",
      "import \"lib.kf\"\nimport \"\"\"raw.kf\"\"\"\n",
      "/// doc\ncomponent c(\n  /// input doc\n  artifact: Model?,\n  env: "
      "list<dict<string, "
      "int>,>,\n  parallelism: int = -1,\n) -> Model {\n  image = \"x\"\n  env "
      "A = \"1\"\n  env "
      "= 2\n  env { a = 1 }\n  resources { cpu = \"1\" nested { deeper = [] } "
      "}\n}",
      "component c() -> (a: string, /// b doc\n b: int,) { }",
      "component c() -> () { }",
      "pipeline p() { }",
      Pipeline("t = c(x = \"a\")\nc(\"b\")\nu = c(x = t.out) { retry { max = 2 } "
               "caching = false }\nv = c() {}"),
      Pipeline("description = \"d\"\nenv X = \"1\"\nenv env = \"2\"\nenv = "
               "3\nkubernetes { "
               "toleration { key = \"k\" } }"),
      Pipeline("return c().out\n"),
      Pipeline("return out = t.out\nreturn env = (x)"),
      Pipeline("if a == 1 { c() } else if not b { c() } else if a > 2 and b or "
               "a <= 0 { c() } "
               "else { c() }"),
      Pipeline("if a { c() }\nif b { c() } else { c() }"),
      Pipeline("for item in [1, 2, 3,] parallelism = 2 { c(x = item) }\nfor x "
               "in a.b { }"),
      Pipeline("try { c() } finally { c() }\ntry \"cleanup\" { c() } finally { "
               "c() }"),
      Pipeline("try #\"\"\"name\"\"\"# { } finally { }"),
      Pipeline("x = - a . b . c\ny = -(a).b\nz = not not a == b\nw = (a == b) == c\n"
               "v = a == b == c\nu = a < b and c >= d or e != f and not g\n"
               "s = ((a))\nr = (-1).x\nq = - -a"),
      Pipeline("x = {\"k\": [1, {\"n\": none}], \"e\": {},}\ny = []\nz = {}\n"
               "w = if_present(a, then = [1], else = [2])\nv = concat(\"a\", "
               "f(artifact = g()))"),
      Pipeline("x = 1.5\ny = 2e3\nz = -0.5E-2\nw = true\nv = false\nu = none\n"
               "s = \"a {t.out} b \\\"q\\\" \\u{e9}\"\nr = \"\"\"raw\n  text\"\"\""),
      Pipeline("t = (c())\nu = c().out\nv = c() == c()"),
      Pipeline("parallelism = 3\nenv(1)\nartifacts = artifact"),
      Pipeline("if x.y { t = c() { a = 1 } }\nfor i in l { for j in i { if j { "
               "c() } } }"),
      "pipeline p(x: int = 1,) -> (o: string) { return o = \"a\" }",
      "pipeline p() -> string { return \"a\" }",
  };
  for (const std::string& text : texts) {
    EXPECT_TRUE(ExpectSameTree(text, "`" + text + "`")) << "`" << text << "`";
  }
}

// Inputs where the hand-written parser must give up, so that the generated parser reports the
// syntax error, or so that AstBuilder reports what it reports while building the tree.
TEST(DirectParserTest, ErrorsAreLeftToTheGeneratedParser) {
  const std::vector<std::string> texts = {
      "pipeline p( {",
      "component c() -> (a: string = \"x\") { }",
      "component c(x: list<>) { }",
      "artifact A { x }",
      "artifact A { x = }",
      "pipeline p() { x = 1 { a = 1 } }",
      "pipeline p() { x = (c()) { a = 1 } }",
      "pipeline p() { if a { } else }",
      "pipeline p() { try { } }",
      "pipeline p() { try 'name' { } finally { } }",
      "pipeline p() { x = \"bad \\q escape\" }",
      "pipeline p() { x = \"unterminated }",
      "pipeline p() { x = 99999999999999999999 }",
      "pipeline p() { x = 1e999 }",
      "pipeline p() { x = 1x }",
      "pipeline p() { x = 'single' }",
      "pipeline p() { x = \"\"\"{{$.inputs}}\"\"\" }",
      "pipeline p() { x = a b }",
      "pipeline p() { x = artifact(1) }",
      "pipeline p() { return }",
      "pipeline p() { for in x { } }",
      "pipeline p() { c() ] }",
      "pipeline p() { @ }",
      "pipeline p() {",
      "import x",
      "component",
      "}",
  };
  for (const std::string& text : texts) {
    EXPECT_FALSE(ExpectSameTree(text, "`" + text + "`")) << "`" << text << "`";
  }
}

// Random expressions over every operator, with random parentheses and spacing, in random statement
// forms: precedence, associativity and spans must come out the same.
class RandomProgram {
 public:
  explicit RandomProgram(uint32_t seed) : random_(seed) {}

  std::string Build() {
    std::string body;
    for (int n = Pick(1, 6); n > 0; --n) body += Stmt(0) + Space() + "\n";
    return Pick(0, 3) == 0 ? "/// doc\n" + Pipeline(body) : Pipeline(body);
  }

 private:
  int Pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  std::string Space() {
    static const char* const spaces[] = {" ", "", "  ", "\n", " // note\n", "\t"};
    return spaces[Pick(0, 5)];
  }
  std::string Name() {
    static const char* const names[] = {"a", "b", "env", "parallelism", "t", "x_1"};
    return names[Pick(0, 5)];
  }

  std::string Expr(int depth) {
    int choice = depth > 3 ? Pick(0, 3) : Pick(0, 11);
    std::string s = Space();
    switch (choice) {
      case 0:
        return s + Name();
      case 1: {
        static const char* const literals[] = {"1",    "-2",    "3.5",         "true",
                                               "none", "\"s\"", "\"{t.out}\"", "\"\"\"r\"\"\""};
        return s + literals[Pick(0, 7)];
      }
      case 2:
        return s + Name() + Space() + "." + Space() + (Pick(0, 1) ? "artifact" : Name());
      case 3:
        return s + "f(" + Space() + ")";
      case 4:
      case 5: {
        static const char* const ops[] = {"==", "!=", "<", "<=", ">", ">=", "and", "or"};
        return Expr(depth + 1) + " " + ops[Pick(0, 7)] + " " + Expr(depth + 1);
      }
      case 6:
        return s + "- " + Expr(depth + 1);
      case 7:
        return s + "not " + Expr(depth + 1);
      case 8:
        return s + "(" + Expr(depth + 1) + Space() + ")";
      case 9:
        return s + "(" + Expr(depth + 1) + ")" + Space() + "." + Name();
      case 10: {
        std::string list = s + "[";
        for (int n = Pick(0, 3); n > 0; --n) list += Expr(depth + 1) + ",";
        return list + (Pick(0, 1) ? Expr(depth + 1) : "") + "]";
      }
      default: {
        std::string call = s + "g(";
        for (int n = Pick(0, 2); n > 0; --n) {
          call += (Pick(0, 1) ? Name() + " = " : "") + Expr(depth + 1) + ",";
        }
        return call + (Pick(0, 1) ? "else = " + Expr(depth + 1) : "") + ")";
      }
    }
  }

  std::string Stmt(int depth) {
    switch (depth > 2 ? Pick(0, 2) : Pick(0, 6)) {
      case 0:
        return Name() + " = " + Expr(0);
      case 1:
        return Name() + " = c(x = " + Expr(0) + ")" + (Pick(0, 1) ? " { a = 1 }" : "");
      case 2:
        return "env " + Name() + " = " + Expr(0);
      case 3:
        return "if " + Expr(0) + " {" + Stmt(depth + 1) + "} else if " + Expr(0) + " {}" +
               (Pick(0, 1) ? " else {" + Stmt(depth + 1) + "}" : "");
      case 4:
        return "for i in " + Expr(0) + (Pick(0, 1) ? " parallelism = " + Expr(0) : "") + " {" +
               Stmt(depth + 1) + "}";
      case 5:
        return "return " + (Pick(0, 1) ? "o = " + Expr(0) : Expr(0));
      default:
        return "try {" + Stmt(depth + 1) + "} finally { c() }";
    }
  }

  std::mt19937 random_;
};

TEST(DirectParserTest, RandomProgramsGiveTheSameTree) {
  RandomProgram program(20261205);  // fixed, so that a failure reproduces
  int direct = 0;
  for (int i = 0; i < 3000 && !HasFailure(); ++i) {
    direct += ExpectSameTree(program.Build(), "random program " + std::to_string(i));
  }
  // Every program is valid syntax, so all of them go through the hand-written parser.
  EXPECT_EQ(direct, 3000);
}

// Valid files with one token deleted, doubled or swapped with its neighbour: mostly syntax errors,
// which must still give the same diagnostics whichever parser starts.
TEST(DirectParserTest, MutatedExamplesGiveTheSameTree) {
  const std::filesystem::path root = KFPC_SOURCE_DIR;
  std::mt19937 random(20261205);
  int inputs = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / "examples")) {
    if (entry.path().extension() != ".kf") continue;
    std::string text = ReadAll(entry.path());
    // Cut at spaces and line breaks, which separate most tokens of these files.
    std::vector<std::string> words;
    std::string word;
    for (char c : text) {
      word += c;
      if (c == ' ' || c == '\n') words.push_back(std::move(word)), word.clear();
    }
    words.push_back(word);
    for (int i = 0; i < 40 && !HasFailure(); ++i) {
      std::vector<std::string> mutated = words;
      size_t at = std::uniform_int_distribution<size_t>(0, words.size() - 2)(random);
      switch (i % 3) {
        case 0:
          mutated.erase(mutated.begin() + at);
          break;
        case 1:
          mutated.insert(mutated.begin() + at, words[at]);
          break;
        default:
          std::swap(mutated[at], mutated[at + 1]);
          break;
      }
      std::string joined;
      for (const std::string& w : mutated) joined += w;
      ExpectSameTree(joined, entry.path().filename().string() + " mutation " + std::to_string(i));
      ++inputs;
    }
  }
  EXPECT_GT(inputs, 100);
}

}  // namespace
