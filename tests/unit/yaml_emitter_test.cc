#include "runtime/yaml/emitter.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace kfpc::yaml {
namespace {

std::string EmitOne(const Node& node) { return EmitDocuments({node}); }

Node Map(const std::string& key, Node value) {
  Node map = Node::Mapping();
  map.Set(key, std::move(value));
  return map;
}

std::string EmitValue(const std::string& text) { return EmitOne(Map("k", Node::String(text))); }

// ---------------------------------------------------------------------------------------------
// Literal cases, so that the emitter is checked without Python too.
// ---------------------------------------------------------------------------------------------

TEST(YamlEmitterTest, QuotesYaml11NonStrings) {
  EXPECT_EQ(EmitValue("on"), "k: 'on'\n");
  EXPECT_EQ(EmitValue("yes"), "k: 'yes'\n");
  EXPECT_EQ(EmitValue("1.5"), "k: '1.5'\n");
  EXPECT_EQ(EmitValue("1_000"), "k: '1_000'\n");
  EXPECT_EQ(EmitValue("2024-01-01"), "k: '2024-01-01'\n");
  EXPECT_EQ(EmitValue("10:30"), "k: '10:30'\n");
  EXPECT_EQ(EmitValue(""), "k: ''\n");
  EXPECT_EQ(EmitValue("null"), "k: 'null'\n");
  EXPECT_EQ(EmitValue("~"), "k: '~'\n");
  EXPECT_EQ(EmitValue(" leading space"), "k: ' leading space'\n");
  EXPECT_EQ(EmitValue("hello world"), "k: hello world\n");
  EXPECT_EQ(EmitValue("a: b"), "k: 'a: b'\n");
  EXPECT_EQ(EmitValue("it's"), "k: it's\n");
  EXPECT_EQ(EmitValue("'q'"), "k: '''q'''\n");
  EXPECT_EQ(EmitValue("-c"), "k: -c\n");
  EXPECT_EQ(EmitValue("- c"), "k: '- c'\n");
}

// PyYAML leaves these plain; a YAML 1.2 reader would take them for numbers, so kfpc quotes them.
TEST(YamlEmitterTest, QuotesYaml12Numbers) {
  EXPECT_EQ(EmitValue("0o17"), "k: '0o17'\n");
  EXPECT_EQ(EmitValue("1e3"), "k: '1e3'\n");
  EXPECT_EQ(EmitValue("08"), "k: '08'\n");
  EXPECT_EQ(EmitValue("+.5"), "k: '+.5'\n");
  EXPECT_EQ(EmitValue("1.5e3"), "k: '1.5e3'\n");
  EXPECT_EQ(EmitValue("0o"), "k: 0o\n");
  EXPECT_EQ(EmitValue("1e"), "k: 1e\n");
}

TEST(YamlEmitterTest, EscapesControlAndNonAscii) {
  EXPECT_EQ(EmitValue("a\tb"), "k: \"a\\tb\"\n");
  EXPECT_EQ(EmitValue("caf\xc3\xa9"), "k: \"caf\\xE9\"\n");
  EXPECT_EQ(EmitValue("dash \xe2\x80\x94"), "k: \"dash \\u2014\"\n");
  EXPECT_EQ(EmitValue("\x1b[0m"), "k: \"\\e[0m\"\n");
  EXPECT_EQ(EmitValue("bad \xff byte"), "k: \"bad \\xFF byte\"\n");
}

TEST(YamlEmitterTest, WritesMultiLineStrings) {
  EXPECT_EQ(EmitValue("set -e -x\ngsutil cat\n"), "k: 'set -e -x\n\n  gsutil cat\n\n  '\n");
  EXPECT_EQ(EmitValue("\nx"), "k: '\n\n  x'\n");
  EXPECT_EQ(EmitValue("a \nb"), "k: \"a \\nb\"\n");
}

TEST(YamlEmitterTest, FoldsLongScalarsAtWidth80) {
  std::string words;
  for (int i = 0; i < 12; ++i) words += "word" + std::to_string(i) + " ";
  words += "end more words here ok";
  EXPECT_EQ(EmitValue(words),
            "k: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 end"
            " more\n  words here ok\n");
  EXPECT_EQ(EmitValue("'" + words),
            "k: '''word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 end\n"
            "  more words here ok'\n");
  EXPECT_EQ(EmitValue("\t" + words),
            "k: \"\\tword0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11"
            " end\\\n  \\ more words here ok\"\n");
  std::string long_word(200, 'x');
  EXPECT_EQ(EmitValue(long_word), "k: " + long_word + "\n");
}

TEST(YamlEmitterTest, WritesPythonFloats) {
  EXPECT_EQ(YamlFloat(2.0), "2.0");
  EXPECT_EQ(YamlFloat(20971520.0), "20971520.0");
  EXPECT_EQ(YamlFloat(1e-05), "1.0e-05");
  EXPECT_EQ(YamlFloat(1e16), "1.0e+16");
  EXPECT_EQ(YamlFloat(1e15), "1000000000000000.0");
  EXPECT_EQ(YamlFloat(0.0001), "0.0001");
  EXPECT_EQ(YamlFloat(0.1), "0.1");
  EXPECT_EQ(YamlFloat(-0.0), "-0.0");
  EXPECT_EQ(YamlFloat(1.5e300), "1.5e+300");
  EXPECT_EQ(YamlFloat(1.0 / 0.0), ".inf");
  EXPECT_EQ(YamlFloat(-1.0 / 0.0), "-.inf");
  EXPECT_EQ(YamlFloat(0.0 / 0.0), ".nan");
  EXPECT_EQ(PythonFloatRepr(1e-05), "1e-05");
  EXPECT_EQ(PythonFloatRepr(900), "900.0");
  EXPECT_EQ(EmitOne(Map("n", Node::Int(-3))), "n: -3\n");
  EXPECT_EQ(EmitOne(Map("b", Node::Bool(true))), "b: true\n");
  EXPECT_EQ(EmitOne(Map("z", Node())), "z: null\n");
}

TEST(YamlEmitterTest, WritesBlockCollections) {
  Node list = Node::Sequence();
  list.Append(Node::String("a"));
  Node inner = Node::Mapping();
  inner.Set("y", Node::Int(1));
  inner.Set("x", Node::Sequence());
  list.Append(inner);
  Node nested = Node::Sequence();
  nested.Append(Node::String("n"));
  list.Append(nested);
  Node root = Node::Mapping();
  root.Set("list", list);
  root.Set("empty", Node::Mapping());
  EXPECT_EQ(EmitOne(root),
            "empty: {}\n"
            "list:\n"
            "- a\n"
            "- x: []\n"
            "  y: 1\n"
            "- - n\n");
  EXPECT_EQ(EmitDocuments({Map("a", Node::Int(1)), Map("b", Node::Int(2))}),
            "a: 1\n---\nb: 2\n");
}

TEST(YamlEmitterTest, WritesLongKeysExplicitly) {
  EXPECT_EQ(EmitOne(Map("", Node::Int(1))), "? ''\n: 1\n");
  std::string key(123, 'k');
  EXPECT_EQ(EmitOne(Map(key, Node::Int(1))), "? " + key + "\n: 1\n");
  std::string short_key(122, 'k');
  EXPECT_EQ(EmitOne(Map(short_key, Node::Int(1))), short_key + ": 1\n");
}

// Names (a letter or digit, then letters, digits, `_`, `-`, `.`, `/`) skip the scalar analysis,
// so they must come out as the analysis would write them.
TEST(YamlEmitterTest, WritesNamesLikeAnalyzedStrings) {
  EXPECT_EQ(EmitValue("comp-step-12"), "k: comp-step-12\n");
  EXPECT_EQ(EmitValue("a-b.c/d_1"), "k: a-b.c/d_1\n");
  EXPECT_EQ(EmitValue("Nullable"), "k: Nullable\n");
  EXPECT_EQ(EmitValue("offset"), "k: offset\n");
  EXPECT_EQ(EmitValue("No"), "k: 'No'\n");
  EXPECT_EQ(EmitValue("FALSE"), "k: 'FALSE'\n");
  EXPECT_EQ(EmitValue("1abc"), "k: 1abc\n");
  EXPECT_EQ(EmitValue("1.5"), "k: '1.5'\n");
  EXPECT_EQ(EmitValue("0x1F"), "k: '0x1F'\n");
  EXPECT_EQ(EmitValue("2024-01-01"), "k: '2024-01-01'\n");
  EXPECT_EQ(EmitOne(Map("off", Node::Int(1))), "'off': 1\n");
  EXPECT_EQ(EmitOne(Map("x", Node::String("y"))), "x: y\n");
}

// ir_to_yaml writes `components:` one entry at a time; the pieces must join into the text of the
// whole mapping, whatever each entry holds.
TEST(YamlEmitterTest, NestedEntriesJoinIntoWholeMapping) {
  Node inner = Node::Mapping();
  inner.Set("a", Node::String("plain"));
  inner.Set(std::string(130, 'k'), Node::String("after a long key"));
  std::string folded;
  for (int i = 0; i < 30; ++i) folded += "word" + std::to_string(i) + " ";
  inner.Set("folded", Node::String(folded));
  inner.Set("quoted", Node::String("it's: \"both\"\nand a break"));
  Node list = Node::Sequence();
  list.Append(Node::Mapping());
  list.Append(Node::String("yes"));
  list.Append(Map("deep", Map("deeper", Node::Int(3))));
  inner.Set("list", std::move(list));
  inner.Set("empty", Node::Mapping());
  inner.Set("caf\xc3\xa9", Node::Double(1.5));

  Node whole = Node::Mapping();
  whole.Set("components", inner);
  // In key order, as Node::Set keeps them: by bytes, so the 130 k's come after "folded".
  std::string expected = EmitOne(whole);
  std::string pieces = "components:";
  for (const char* key : {"a", "caf\xc3\xa9", "empty", "folded"}) {
    AppendNestedEntry(key, *inner.Find(key), pieces);
  }
  AppendNestedEntry(std::string(130, 'k'), *inner.Find(std::string(130, 'k')), pieces);
  for (const char* key : {"list", "quoted"}) AppendNestedEntry(key, *inner.Find(key), pieces);
  pieces += '\n';
  EXPECT_EQ(pieces, expected);
}

TEST(YamlEmitterTest, StaysLinearOnLongStrings) {
  std::string text;
  for (int i = 0; i < 200000; ++i) text += "ab cd\t";
  std::string out = EmitValue(text);
  EXPECT_GT(out.size(), text.size());
}

// ---------------------------------------------------------------------------------------------
// Comparison with PyYAML on a generated corpus.
// ---------------------------------------------------------------------------------------------

// Dumps each document of the JSON file as the KFP SDK does, plus the YAML 1.2 core-schema
// resolvers that stand for kfpc's deliberate quoting of 1.2 numbers (see emitter.h).
constexpr const char* kPyYamlScript = R"(
import json, re, sys, yaml
class Dumper(yaml.Dumper):
    pass
Dumper.add_implicit_resolver('tag:yaml.org,2002:int',
    re.compile(r'^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$'), list('-+0123456789'))
Dumper.add_implicit_resolver('tag:yaml.org,2002:float',
    re.compile(r'^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$'),
    list('-+0123456789.'))
docs = json.load(open(sys.argv[1], encoding='utf-8'))
out = [yaml.dump_all([d], Dumper=Dumper, sort_keys=True) for d in docs]
out.append(yaml.dump_all(docs[:3], Dumper=Dumper, sort_keys=True))
json.dump(out, open(sys.argv[2], 'w', encoding='utf-8'))
)";

// A small deterministic generator, so that a failure reproduces.
class Lcg {
 public:
  uint32_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state_ >> 33);
  }

 private:
  uint64_t state_ = 42;
};

std::vector<std::string> TrickyStrings() {
  std::vector<std::string> corpus = {
      "", " ", "  ", "a", "'", "\"", "''", "it's", "say \"hi\"", "both ' and \"", ":", "a:b",
      "a: b", "a :b", "key:", "#", "a #b", "a#b", "# c", " lead", "trail ", " both ", "- x",
      "-x", "-", "--", "---", "---x", "...", "... x", "? x", "?x", "?", "[a]", "{a}", "a,b",
      "a[b]", "&a", "*a", "!a", "|", ">", "%a", "@a", "`a", "a\tb", "\t", "a\rb", "a\r\nb",
      std::string("a\0b", 3), "\x7f", "\x01", "\x1b", "\xc2\x85", "\xc2\xa0", "\xe2\x80\xa8",
      "\xe2\x80\xa9", "\xef\xbb\xbf", "\xf0\x9f\x98\x80", "caf\xc3\xa9", "\\", "a\\nb",
      "yes", "No", "ON", "off", "y", "n", "Y", "true", "False", "TRUE", "NULL", "~", "null",
      "Null", "nUll", "<<", "=", "1", "-1", "+1", "0", "00", "07", "08", "09", "0b101", "0b2",
      "0x1F", "-0x1F", "0xg", "1_000", "1:20", "1:60", "190:20:30", "1.5", "1.", ".5", "-.5",
      "+.5", "1e3", "1E3", "-1e3", "1.0e+3", "1.0e3", "1e+3", ".inf", "-.Inf", "+.INF", ".NaN",
      "nan", "inf", "2024-01-01", "2024-1-1", "2001-12-14t21:59:43.10-05:00",
      "2001-12-14 21:59:43.10", "2001-12-15 2:59:43.10", "2001-12-14 21:59:43.10 Z",
      "2002-12-14T", "0o17", "0o", "1_0.5", "6.8523015e+5", "685.230_15e+03", "190:20:30.15",
      "-0", "+0", "1__", "_1", "0b", "0x", "12e03", "1.2.3", "1e", ".", "+", "a\nb", "a\n\nb",
      "a\n", "\na", "a \nb", "a\n b", "a\n\n", "\n", "\n\n", " \n", "a\n ", "x\n\n\ny\n",
      "{{$.inputs.parameters['text']}}", "{{$}}", "pip install 'kfp==2.14.3'",
      "--executor_input", "echo \"$0\" | gsutil cp - \"$1\"",
  };
  // Long lines: with single spaces, double spaces, none, and with content that forces each
  // quoting style, at lengths around the width.
  const std::vector<std::string> kFlavours = {"", "'", "\t", "\xc3\xa9", "\n", ": ", " "};
  for (size_t length : {70, 78, 79, 80, 81, 82, 85, 100, 160, 250}) {
    for (const std::string& flavour : kFlavours) {
      std::string words, doubled, solid(length, 'w');
      for (size_t i = 0; words.size() < length; ++i) {
        words += std::string(1 + i % 7, static_cast<char>('a' + i % 26)) + " ";
        doubled += std::string(1 + i % 5, 'b') + "  ";
      }
      corpus.push_back(flavour + words);
      corpus.push_back(words + flavour + words);
      corpus.push_back(doubled + flavour);
      corpus.push_back(solid + flavour + " " + solid);
    }
  }
  // Random strings over an alphabet rich in characters that matter to YAML.
  const std::vector<std::string> kAlphabet = {" ", " ", " ", "a", "b", "c", "word", ":", "#",
                                              "'", "\"", "\n", "\n", "\t", "-", "\xc3\xa9", "\\",
                                              "1", ".", "?", ",", "[", "}", "longerword"};
  Lcg random;
  for (int i = 0; i < 300; ++i) {
    std::string text;
    size_t pieces = random.Next() % 60;
    for (size_t k = 0; k < pieces; ++k) text += kAlphabet[random.Next() % kAlphabet.size()];
    corpus.push_back(text);
  }
  return corpus;
}

// Builds the document for one string: as a value, in nested sequences, and as a key.
Node CaseDocument(const std::string& text) {
  Node doc = Node::Mapping();
  doc.Set("a_value", Node::String(text));
  Node list = Node::Sequence();
  list.Append(Node::String(text));
  Node inner = Node::Sequence();
  inner.Append(Node::String(text));
  list.Append(inner);
  Node map = Node::Mapping();
  map.Set("m", Node::String(text));
  list.Append(map);
  doc.Set("b_list", list);
  Node nested = Node::Mapping();
  nested.Set(text, Node::String(text));
  doc.Set("c_key", nested);
  return doc;
}

nlohmann::json CaseJson(const std::string& text) {
  return {{"a_value", text},
          {"b_list", {text, {text}, {{"m", text}}}},
          {"c_key", {{text, text}}}};
}

TEST(YamlEmitterTest, MatchesPyYamlOnCorpus) {
  std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  if (std::system((python + " -c 'import yaml' 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "python3 with PyYAML not found; the literal cases still ran";
  }
  std::vector<std::string> corpus = TrickyStrings();
  nlohmann::json input = nlohmann::json::array();
  std::vector<Node> documents;
  for (const std::string& text : corpus) {
    input.push_back(CaseJson(text));
    documents.push_back(CaseDocument(text));
  }
  // Non-string scalars and empty collections.
  Node scalars = Node::Mapping();
  nlohmann::json scalars_json = nlohmann::json::object();
  const double kDoubles[] = {0.0, -0.0, 1.0, 2.5, 1e-05, 1e16, 1e15, 123456789.125, 0.1, 1e300,
                             -2e-300, 20971520.0};
  for (size_t i = 0; i < std::size(kDoubles); ++i) {
    scalars.Set("d" + std::to_string(i), Node::Double(kDoubles[i]));
    scalars_json["d" + std::to_string(i)] = kDoubles[i];
  }
  scalars.Set("i", Node::Int(-42));
  scalars.Set("t", Node::Bool(false));
  scalars.Set("z", Node());
  scalars.Set("e", Node::Sequence());
  scalars.Set("f", Node::Mapping());
  scalars_json.update({{"i", -42}, {"t", false}, {"z", nullptr}, {"e", nlohmann::json::array()},
                       {"f", nlohmann::json::object()}});
  input.push_back(scalars_json);
  documents.push_back(scalars);

  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("kfpc_yaml_emitter_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "script.py") << kPyYamlScript;
  std::ofstream(dir / "in.json") << input.dump();
  std::string command = python + " " + (dir / "script.py").string() + " " +
                        (dir / "in.json").string() + " " + (dir / "out.json").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream out_file(dir / "out.json");
  nlohmann::json expected = nlohmann::json::parse(out_file);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(expected.size(), documents.size() + 1);
  for (size_t i = 0; i < documents.size(); ++i) {
    EXPECT_EQ(EmitDocuments({documents[i]}), expected[i].get<std::string>())
        << "case " << i << ": " << nlohmann::json(i < corpus.size() ? corpus[i] : "").dump();
  }
  std::vector<Node> first_three(documents.begin(), documents.begin() + 3);
  EXPECT_EQ(EmitDocuments(first_three), expected.back().get<std::string>());
}

}  // namespace
}  // namespace kfpc::yaml
