// Compares kfpc's hand-written lexer with the lexer ANTLR generates from grammar/KfLexer.g4. Both
// must give the same tokens for every committed `.kf` file, for the edge cases of each rule and
// for random texts made of the pieces that the rules distinguish.

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "compiler/parse/lexer_check.h"
#include "tests/unit/committed_sources.h"

namespace {

using kfpc::parse::CompareWithGeneratedLexer;

TEST(LexerTest, CommittedSourcesMatchGeneratedLexer) {
  size_t files = 0;
  for (const std::filesystem::path& path : kfpc::testing::CommittedSources()) {
    ++files;
    std::optional<std::string> difference = CompareWithGeneratedLexer(kfpc::testing::ReadAll(path));
    EXPECT_FALSE(difference.has_value()) << path << ": " << *difference;
  }
  // The examples and test programs number in the hundreds; far fewer means the walk went wrong.
  EXPECT_GT(files, 200u);
}

TEST(LexerTest, EdgeCasesMatchGeneratedLexer) {
  const std::vector<std::string> texts = {
      "",
      " \t\r\n\f",
      "\xEF\xBB\xBFpipeline p() {}",
      "import artifact component pipeline return if else for in try finally true false none",
      "and or not env parallelism iff _if if_ x1 _ __ A_Z",
      "-> ( ) { } [ ] , : . ? == != <= >= < > = - ! !! =!= <== >==",
      "1 -1 12.5 -12.5 1e5 1E+5 1e-5 1.5e3 -1.5E-3",
      "1. 1.x 1.5.3 1e 1e+ 1.e+5 1.e+5x 1.5e5e+3 1.5xe+3 12abc 0x1F 1_000 1..2 -1e -1.e",
      "--1 - 1 -x ->1 -.5 .5 5.",
      "\"\" \"a\" \"a\\\"b\" \"a\\\\\" \"unterminated",
      "\"ends in backslash\\",
      "\"ends in backslash\\\nnext",
      "\"line\nbreak\" \"cr\rbreak\"",
      "\"\"\"raw\"\"\" \"\"\"\"\"\" \"\"\"a\"b\"\"c\"\"\" \"\"\"a\"\"\"\" \"\"\"\"x\"\"\"",
      "\"\"\"unterminated raw\n  text\"\"",
      "\"\"\"unterminated raw ending in a quote\"",
      "#\"\"\"hash raw \"\"\" inside\"\"\"# #\"\"\"\"\"\"# #\"\"\"never closed\"\"\"",
      "# #\" #\"\" #x",
      "'single' 'unterminated\n'x'' ''",
      "// comment\n/// doc\n//// four\n/ slash\n//\r\n///",
      "\\ @ $ % ^ & * ` ~ ; |",
      "caf\xC3\xA9 \xE2\x80\xAE \xF0\x9F\x98\x80 \xFF\xFE",
      std::string("nul\0byte", 8),
      "a\n\nb\r\nc\rd",
  };
  for (const std::string& text : texts) {
    std::optional<std::string> difference = CompareWithGeneratedLexer(text);
    EXPECT_FALSE(difference.has_value()) << "text `" << text << "`: " << *difference;
  }
}

TEST(LexerTest, RandomTextsMatchGeneratedLexer) {
  // The pieces where the lexer rules start, end or compete.
  const std::vector<std::string> pieces = {
      "\"", "\"\"\"", "#", "'", "-", "->", "0", "12", ".", "e", "E", "+", "/", "//", "///", "\n",
      "\r", "\\", " ", "\t", "if", "in", "x", "_", "=", "!", "<", ">", "{", "}", "(", ",",
      "\xC3\xA9", "\xEF\xBB\xBF", "\xFF", std::string(1, '\0'), "\f", "none", "1.5", "1e3",
  };
  std::mt19937 random(20261205);  // fixed, so that a failure reproduces
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 16);
  int differences = 0;
  for (int i = 0; i < 20000 && differences < 5; ++i) {
    std::string text;
    for (int n = length(random); n > 0; --n) text += pieces[pick(random)];
    std::optional<std::string> difference = CompareWithGeneratedLexer(text);
    if (difference) {
      ++differences;
      ADD_FAILURE() << "text `" << text << "`: " << *difference;
    }
  }
}

}  // namespace
