// Runs the built kfpc binary (KFPC_BINARY) as a user would and checks exit statuses, stdout,
// stderr and the files it leaves behind.

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kHelloPipeline =
    "component echo() {\n"
    "  image   = \"alpine:3.19\"\n"
    "  command = [\"echo\", \"hello\"]\n"
    "}\n"
    "\n"
    "pipeline hello() {\n"
    "  echo()\n"
    "}\n";

constexpr std::string_view kPythonPipeline =
    "component add(a: int, b: int) -> int {\n"
    "  python = \"\"\"\n"
    "def add(a: int, b: int) -> int:\n"
    "    return a + b\n"
    "\"\"\"\n"
    "}\n"
    "\n"
    "pipeline sum(a: int, b: int) -> int {\n"
    "  total = add(a = a, b = b)\n"
    "  return total.output\n"
    "}\n";

// Refers to a component that nothing declares.
constexpr std::string_view kBrokenPipeline =
    "pipeline broken() {\n"
    "  missing_component()\n"
    "}\n";

constexpr std::string_view kComponentOnly =
    "component echo() {\n"
    "  image = \"alpine:3.19\"\n"
    "}\n";

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const fs::path& path, std::string_view contents) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

std::set<std::string> ListDirectory(const fs::path& directory) {
  std::set<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// Each test works in its own fresh directory, the working directory of every kfpc it runs.
class DriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "kfpc-driver-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(dir_, ignored);
  }

  // Runs `kfpc ARGS` in dir_; ARGS is passed through the shell, so quote where needed. Standard
  // output goes to `stdout_path`, which is read back unless another path is given.
  Outcome Kfpc(const std::string& args, const std::string& stdout_path = ".stdout") {
    std::string command = "cd '" + dir_.string() + "' && '" KFPC_BINARY "' " + args + " >" +
                          stdout_path + " 2>.stderr";
    int raw = std::system(command.c_str());
    Outcome outcome;
    outcome.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    if (stdout_path == ".stdout") outcome.out = ReadFile(dir_ / ".stdout");
    outcome.err = ReadFile(dir_ / ".stderr");
    fs::remove(dir_ / ".stdout");
    fs::remove(dir_ / ".stderr");
    return outcome;
  }

  fs::path dir_;
};

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

TEST_F(DriverTest, VersionPrintsProjectVersion) {
  Outcome run = Kfpc("--version");
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.out, "kfpc " KFPC_VERSION "\n");
  EXPECT_EQ(run.err, "");
}

TEST_F(DriverTest, HelpOnEveryCommand) {
  Outcome top = Kfpc("--help");
  EXPECT_EQ(top.status, 0);
  EXPECT_TRUE(StartsWith(top.out, "kfpc compiles .kf pipeline files")) << top.out;
  EXPECT_NE(top.out.find("  kfpc check [--format text|json|sarif] [--werror] [--sarif-root DIR] "
                         "[-o FILE] [--target NAME]\n"),
            std::string::npos)
      << top.out;
  EXPECT_NE(top.out.find("  kfpc lock [FILE.kf...] [--lock FILE]"), std::string::npos) << top.out;
  EXPECT_EQ(top.err, "");

  Outcome build = Kfpc("build --help");
  EXPECT_EQ(build.status, 0);
  EXPECT_NE(build.out.find("Usage:\n  kfpc build FILE.kf [-o OUT.yaml [--check]] [--pipeline NAME] "
                           "[--kfp-version X.Y[.Z]]\n"),
            std::string::npos)
      << build.out;
  EXPECT_NE(build.out.find("--kfp-version X.Y[.Z]"), std::string::npos);
  EXPECT_EQ(build.out.find("--kfp-backend"), std::string::npos) << "the option was removed";
  EXPECT_EQ(build.err, "");

  Outcome check = Kfpc("check -h");
  EXPECT_EQ(check.status, 0);
  EXPECT_NE(check.out.find("Usage:\n  kfpc check [--format text|json|sarif] [--werror] "
                           "[--sarif-root DIR] [-o FILE] [--target NAME]\n"
                           "             [--kfp-version X.Y[.Z]] [--lock FILE] [--require-lock] "
                           "FILE_OR_DIRECTORY...\n"),
            std::string::npos)
      << check.out;
  EXPECT_EQ(check.err, "");
}

TEST_F(DriverTest, HelpLinesHaveNoTrailingSpaces) {
  for (const char* command :
       {"--help", "build --help", "check --help", "lock --help", "fmt --help", "lsp --help"}) {
    Outcome run = Kfpc(command);
    EXPECT_EQ(run.status, 0) << command;
    EXPECT_GT(run.out.size(), 100u) << command;
    EXPECT_EQ(run.out.find(" \n"), std::string::npos) << command << ":\n" << run.out;
  }
}

TEST_F(DriverTest, MissingCommandIsUsageError) {
  Outcome run = Kfpc("");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err, "kfpc: error: missing command\ntry 'kfpc --help' for more information\n");
  EXPECT_EQ(run.out, "");
}

TEST_F(DriverTest, UnknownCommandIsUsageError) {
  Outcome run = Kfpc("compile x.kf");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err,
            "kfpc: error: unknown command `compile`\ntry 'kfpc --help' for more information\n");
  EXPECT_EQ(run.out, "");
}

TEST_F(DriverTest, UnknownOptionIsUsageError) {
  Outcome build = Kfpc("build --optimize hello.kf");
  EXPECT_EQ(build.status, 2);
  EXPECT_EQ(build.err, "kfpc: error: unknown option `--optimize`\n"
                       "try 'kfpc build --help' for more information\n");

  Outcome check = Kfpc("check -q .");
  EXPECT_EQ(check.status, 2);
  EXPECT_EQ(check.err,
            "kfpc: error: unknown option `-q`\ntry 'kfpc check --help' for more information\n");

  Outcome top = Kfpc("--verbose");
  EXPECT_EQ(top.status, 2);
  EXPECT_EQ(top.err,
            "kfpc: error: unknown option `--verbose`\ntry 'kfpc --help' for more information\n");
}

TEST_F(DriverTest, DashFileNameIsAFile) {
  // git passes such names to pre-commit hooks as they are.
  WriteFile(dir_ / "-dash.kf", kHelloPipeline);
  Outcome check = Kfpc("check -dash.kf --werror");
  EXPECT_EQ(check.status, 0) << check.err;
  EXPECT_EQ(check.err, "");
  Outcome fmt = Kfpc("fmt -dash.kf");
  EXPECT_EQ(fmt.status, 0) << fmt.err;
  Outcome formatted = Kfpc("fmt --check -dash.kf");
  EXPECT_EQ(formatted.status, 0) << formatted.err;
  Outcome build = Kfpc("build -dash.kf -o dash.yaml");
  EXPECT_EQ(build.status, 0) << build.err;
  EXPECT_TRUE(fs::exists(dir_ / "dash.yaml"));
  WriteFile(dir_ / "--dd.kf", kHelloPipeline);
  Outcome double_dash = Kfpc("check --dd.kf");
  EXPECT_EQ(double_dash.status, 0) << double_dash.err;
  // Other arguments that start with `-` are still options.
  Outcome unknown = Kfpc("check -dash.yaml");
  EXPECT_EQ(unknown.status, 2);
}

TEST_F(DriverTest, InvalidInsecureRegistryIsUsageError) {
  for (const char* value : {"http://127.0.0.1:5000", "127.0.0.1:99999", "127.0.0.1:05000",
                            "127.0.0.1", "a/b:80", "'exa mple:80'", "''"}) {
    Outcome run = Kfpc(std::string("lock --insecure-registry ") + value + " hello.kf");
    EXPECT_EQ(run.status, 2) << value;
    EXPECT_NE(run.err.find("kfpc: error: invalid `--insecure-registry` value"), std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("help: write the registry as `HOST:PORT`"), std::string::npos)
        << run.err;
  }
}

TEST_F(DriverTest, MisspeltNamesGetSuggestion) {
  Outcome command = Kfpc("biuld hello.kf");
  EXPECT_EQ(command.status, 2);
  EXPECT_EQ(command.err, "kfpc: error: unknown command `biuld`\nhelp: did you mean `build`\n"
                         "try 'kfpc --help' for more information\n");

  Outcome option = Kfpc("build --taget graviton4 hello.kf");
  EXPECT_EQ(option.status, 2);
  EXPECT_EQ(option.err, "kfpc: error: unknown option `--taget`\nhelp: did you mean `--target`\n"
                        "try 'kfpc build --help' for more information\n");

  Outcome check_option = Kfpc("check --wrror .");
  EXPECT_EQ(check_option.status, 2);
  EXPECT_EQ(check_option.err,
            "kfpc: error: unknown option `--wrror`\nhelp: did you mean `--werror`\n"
            "try 'kfpc check --help' for more information\n");

  Outcome top = Kfpc("--versoin");
  EXPECT_EQ(top.status, 2);
  EXPECT_EQ(top.err, "kfpc: error: unknown option `--versoin`\nhelp: did you mean `--version`\n"
                     "try 'kfpc --help' for more information\n");
}

TEST_F(DriverTest, BuildArgumentCountIsChecked) {
  Outcome none = Kfpc("build");
  EXPECT_EQ(none.status, 2);
  EXPECT_EQ(none.err,
            "kfpc: error: missing input file\ntry 'kfpc build --help' for more information\n");

  Outcome two = Kfpc("build a.kf b.kf");
  EXPECT_EQ(two.status, 2);
  EXPECT_TRUE(StartsWith(two.err, "kfpc: error: `kfpc build` takes one input file, got 2\n"
                                  "try 'kfpc build --help'"))
      << two.err;

  Outcome no_value = Kfpc("build a.kf -o");
  EXPECT_EQ(no_value.status, 2);
  EXPECT_EQ(no_value.err, "kfpc: error: option `o` is missing an argument\n"
                          "try 'kfpc build --help' for more information\n");
}

TEST_F(DriverTest, InvalidKfpVersionIsUsageError) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  Outcome run = Kfpc("build hello.kf --kfp-version latest");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err,
            "kfpc: error: invalid `--kfp-version` value `latest`: expected a KFP release such "
            "as 2.14 or 2.14.6\ntry 'kfpc build --help' for more information\n");
  EXPECT_EQ(run.out, "");

  Outcome old_flag = Kfpc("build hello.kf --kfp-backend 2.14");
  EXPECT_EQ(old_flag.status, 2);
  EXPECT_TRUE(StartsWith(old_flag.err, "kfpc: error: unknown option `--kfp-backend`\n"))
      << old_flag.err;
}

TEST_F(DriverTest, BuildWritesYamlToStdout) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  Outcome run = Kfpc("build hello.kf");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_TRUE(StartsWith(run.out, "# PIPELINE DEFINITION\n# Name: hello\n")) << run.out;
  EXPECT_NE(run.out.find("\nsdkVersion: kfpc-" KFPC_VERSION "\n"), std::string::npos) << run.out;

  Outcome dash = Kfpc("build hello.kf -o -");
  EXPECT_EQ(dash.status, 0) << dash.err;
  EXPECT_EQ(dash.out, run.out);
  EXPECT_EQ(ListDirectory(dir_), std::set<std::string>{"hello.kf"});
}

TEST_F(DriverTest, BuildWritesOutputFile) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  Outcome to_stdout = Kfpc("build hello.kf");
  ASSERT_EQ(to_stdout.status, 0) << to_stdout.err;
  WriteFile(dir_ / "hello.yaml", "previous contents\n");

  Outcome run = Kfpc("build hello.kf -o hello.yaml");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(ReadFile(dir_ / "hello.yaml"), to_stdout.out);
  EXPECT_EQ(ListDirectory(dir_), (std::set<std::string>{"hello.kf", "hello.yaml"}));
}

TEST_F(DriverTest, OutputToDeviceWritesInPlace) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  Outcome run = Kfpc("build hello.kf -o /dev/null");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  EXPECT_EQ(ListDirectory(dir_), std::set<std::string>{"hello.kf"});
}

TEST_F(DriverTest, OutputThroughSymlinkReplacesTarget) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  WriteFile(dir_ / "out/real.yaml", "previous contents\n");
  fs::create_symlink("out/real.yaml", dir_ / "link.yaml");
  Outcome run = Kfpc("build hello.kf -o link.yaml");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.yaml"));
  EXPECT_TRUE(StartsWith(ReadFile(dir_ / "out/real.yaml"), "# PIPELINE DEFINITION\n"));
}

TEST_F(DriverTest, OutputThroughDanglingSymlinkCreatesTarget) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  fs::create_directory(dir_ / "out");
  fs::create_symlink("out/new.yaml", dir_ / "link.yaml");
  fs::create_symlink("link.yaml", dir_ / "second.yaml");
  Outcome run = Kfpc("build hello.kf -o second.yaml");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(fs::is_symlink(dir_ / "second.yaml"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.yaml"));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir_ / "out/new.yaml")));
  EXPECT_TRUE(StartsWith(ReadFile(dir_ / "out/new.yaml"), "# PIPELINE DEFINITION\n"));
}

TEST_F(DriverTest, OutputThroughSymlinkLoopIsIoError) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  fs::create_symlink("b.yaml", dir_ / "a.yaml");
  fs::create_symlink("a.yaml", dir_ / "b.yaml");
  Outcome run = Kfpc("build hello.kf -o a.yaml");
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("failed to write `a.yaml`: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("symbolic links"), std::string::npos) << run.err;
  EXPECT_TRUE(fs::is_symlink(dir_ / "a.yaml"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "b.yaml"));
}

TEST_F(DriverTest, KfpVersionSetsPipPin) {
  WriteFile(dir_ / "sum.kf", kPythonPipeline);
  Outcome default_pin = Kfpc("build sum.kf");
  EXPECT_EQ(default_pin.status, 0) << default_pin.err;
  EXPECT_NE(default_pin.out.find("kfp==2.14.6"), std::string::npos) << default_pin.out;

  Outcome pinned = Kfpc("build sum.kf --kfp-version 2.15.0");
  EXPECT_EQ(pinned.status, 0) << pinned.err;
  EXPECT_NE(pinned.out.find("kfp==2.15.0"), std::string::npos) << pinned.out;
  EXPECT_EQ(pinned.out.find("kfp==2.14.6"), std::string::npos);
  EXPECT_NE(pinned.out.find("\nsdkVersion: kfpc-" KFPC_VERSION "+kfp-2.15.0\n"), std::string::npos)
      << pinned.out;

  Outcome minor_only = Kfpc("build sum.kf --kfp-version 2.15");
  EXPECT_EQ(minor_only.status, 0) << minor_only.err;
  EXPECT_NE(minor_only.out.find("kfp==2.15.2"), std::string::npos) << minor_only.out;
  EXPECT_NE(minor_only.out.find("\nsdkVersion: kfpc-" KFPC_VERSION "+kfp-2.15\n"),
            std::string::npos);
  EXPECT_NE(default_pin.out.find("\nsdkVersion: kfpc-" KFPC_VERSION "\n"), std::string::npos)
      << "without the option sdkVersion is unchanged";

  // A minor version with no known release cannot be pinned exactly.
  Outcome unknown_minor = Kfpc("build sum.kf --kfp-version 2.18");
  EXPECT_EQ(unknown_minor.status, 2);
  EXPECT_NE(unknown_minor.err.find("`--kfp-version 2.18` names no known SDK release to pin"),
            std::string::npos)
      << unknown_minor.err;
  EXPECT_EQ(Kfpc("build sum.kf --kfp-version 2.18.0").status, 0);
}

TEST_F(DriverTest, KfpVersionGatesKubernetesFields) {
  // nodeAffinity is read from KFP 2.14 on; 2.13 drops the whole platform spec.
  WriteFile(dir_ / "affinity.kf",
            "component echo() {\n"
            "  image = \"alpine:3.19\"\n"
            "}\n"
            "pipeline p() {\n"
            "  echo() {\n"
            "    node_affinity { match_expression { key = \"zone\"  operator = \"In\"  "
            "values = [\"a\"] } }\n"
            "  }\n"
            "}\n");
  Outcome old_release = Kfpc("build affinity.kf --kfp-version 2.13.1");
  EXPECT_EQ(old_release.status, 1);
  EXPECT_NE(old_release.err.find("error: task `echo` needs the Kubernetes field `nodeAffinity`, "
                                 "which KFP backend 2.13 cannot read"),
            std::string::npos)
      << old_release.err;
  EXPECT_NE(old_release.err.find("help: build with `--kfp-version 2.14.0` or later"),
            std::string::npos)
      << old_release.err;
  // The help's version is one that `--kfp-version` takes.
  EXPECT_EQ(Kfpc("check affinity.kf --kfp-version 2.14.0").status, 0);

  Outcome checked = Kfpc("check affinity.kf --kfp-version 2.13");
  EXPECT_EQ(checked.status, 1) << checked.err;

  Outcome current = Kfpc("build affinity.kf --kfp-version 2.14");
  EXPECT_EQ(current.status, 0) << current.err;
  EXPECT_NE(current.out.find("nodeAffinity"), std::string::npos);
}

TEST_F(DriverTest, ProjectConfigAllowsImportDirectory) {
  WriteFile(dir_ / "shared" / "echo.kf", "component echo() {\n  image = \"alpine:3.19\"\n}\n");
  WriteFile(dir_ / "project" / "main.kf", "import \"../shared/echo.kf\"\n\npipeline p() {\n  echo()\n}\n");
  WriteFile(dir_ / "project" / "kfpc.yaml", "version: 1\n");
  Outcome rejected = Kfpc("build project/main.kf");
  EXPECT_EQ(rejected.status, 1);
  EXPECT_NE(rejected.err.find("resolves to a file outside the project"), std::string::npos)
      << rejected.err;

  WriteFile(dir_ / "project" / "kfpc.yaml", "version: 1\nimport_directories: [../shared]\n");
  Outcome built = Kfpc("build project/main.kf");
  EXPECT_EQ(built.status, 0) << built.err;
  Outcome checked = Kfpc("check project/main.kf");
  EXPECT_EQ(checked.status, 0) << checked.err;

  WriteFile(dir_ / "project" / "kfpc.yaml", "version: 1\nimport_directories: ../shared\n");
  Outcome invalid = Kfpc("build project/main.kf");
  EXPECT_EQ(invalid.status, 1);
  EXPECT_NE(invalid.err.find("`import_directories` must be a list of directories"),
            std::string::npos)
      << invalid.err;
}

TEST_F(DriverTest, LockDirectoryIsIoError) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  fs::create_directory(dir_ / "locks");
  Outcome run = Kfpc("build hello.kf --target arm64 --lock locks");
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("error: failed to read lock file `locks`: Is a directory"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(DriverTest, LockFifoIsRejectedWithoutBlocking) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  ASSERT_EQ(::mkfifo((dir_ / "kfpc.lock").c_str(), 0600), 0);
  // Nothing writes to the FIFO, so a blocking open would hang here.
  Outcome run = Kfpc("build hello.kf --target arm64 --lock kfpc.lock");
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("failed to read lock file `kfpc.lock`: it is a FIFO (named pipe), not "
                         "a regular file"),
            std::string::npos)
      << run.err;
}

TEST_F(DriverTest, ProjectConfigFifoIsRejectedWithoutBlocking) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  ASSERT_EQ(::mkfifo((dir_ / "kfpc.yaml").c_str(), 0600), 0);
  Outcome run = Kfpc("build hello.kf --target arm64");
  EXPECT_EQ(run.status, 2) << run.err;
  EXPECT_NE(run.err.find("failed to read `" + (dir_ / "kfpc.yaml").string() + "`: it is a FIFO"),
            std::string::npos)
      << run.err;
}

TEST_F(DriverTest, InputErrorsExitOneAndWriteNothing) {
  WriteFile(dir_ / "broken.kf", kBrokenPipeline);
  Outcome run = Kfpc("build broken.kf");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(StartsWith(run.err, "broken.kf:2:3: error: ")) << run.err;
  EXPECT_NE(run.err.find("missing_component"), std::string::npos) << run.err;
}

TEST_F(DriverTest, FailedBuildKeepsPreviousOutput) {
  WriteFile(dir_ / "broken.kf", kBrokenPipeline);
  WriteFile(dir_ / "out.yaml", "previous contents\n");
  Outcome run = Kfpc("build broken.kf -o out.yaml");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(ReadFile(dir_ / "out.yaml"), "previous contents\n");
  EXPECT_EQ(ListDirectory(dir_), (std::set<std::string>{"broken.kf", "out.yaml"}));

  Outcome fresh = Kfpc("build broken.kf -o new.yaml");
  EXPECT_EQ(fresh.status, 1);
  EXPECT_FALSE(fs::exists(dir_ / "new.yaml"));
}

TEST_F(DriverTest, OutputOverInputIsRejected) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  fs::create_symlink("hello.kf", dir_ / "link.kf");
  Outcome run = Kfpc("build hello.kf -o ./link.kf");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err,
            "kfpc: error: `./link.kf` is the input file; the YAML would replace it\n"
            "help: write the YAML to another file, such as `pipeline.yaml`\n");
  EXPECT_EQ(ReadFile(dir_ / "hello.kf"), kHelloPipeline);
}

TEST_F(DriverTest, OutputOverImportOrProjectFileIsRejected) {
  const std::string lib =
      "component echo() {\n  image   = \"alpine:3.19\"\n  command = [\"echo\"]\n}\n";
  WriteFile(dir_ / "lib.kf", lib);
  WriteFile(dir_ / "main.kf", "import \"lib.kf\"\n\npipeline hello() {\n  echo()\n}\n");
  WriteFile(dir_ / "kfpc.yaml", "version: 1\n");
  Outcome over_import = Kfpc("build main.kf -o lib.kf");
  EXPECT_EQ(over_import.status, 2);
  EXPECT_EQ(over_import.err,
            "kfpc: error: `-o lib.kf` names a file that the build reads; the YAML would replace "
            "it\n"
            "help: write the YAML to another file, such as `pipeline.yaml`\n");
  EXPECT_EQ(ReadFile(dir_ / "lib.kf"), lib);

  Outcome over_config = Kfpc("build main.kf -o kfpc.yaml");
  EXPECT_EQ(over_config.status, 2);
  EXPECT_EQ(ReadFile(dir_ / "kfpc.yaml"), "version: 1\n");

  Outcome check_over_input = Kfpc("check --format json -o main.kf main.kf");
  EXPECT_EQ(check_over_input.status, 2);
  EXPECT_EQ(check_over_input.err,
            "kfpc: error: `-o main.kf` names a file that the check reads; the report would "
            "replace it\n"
            "help: write the report to another file, such as `kfpc-check.sarif`\n");
  EXPECT_EQ(ReadFile(dir_ / "main.kf"),
            "import \"lib.kf\"\n\npipeline hello() {\n  echo()\n}\n");
}

TEST_F(DriverTest, OutputOverImportThroughAnotherPathNamesBoth) {
  WriteFile(dir_ / "lib.kf",
            "component echo() {\n  image   = \"alpine:3.19\"\n  command = [\"echo\"]\n}\n");
  WriteFile(dir_ / "main.kf", "import \"lib.kf\"\n\npipeline hello() {\n  echo()\n}\n");
  fs::create_symlink("lib.kf", dir_ / "link.kf");
  Outcome run = Kfpc("build main.kf -o link.kf");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("`link.kf` is `"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("which the build reads"), std::string::npos) << run.err;
}

TEST_F(DriverTest, OutputThatIsADirectoryIsNamed) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  fs::create_directory(dir_ / "d");
  Outcome run = Kfpc("build hello.kf -o d/");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err,
            "kfpc: error: failed to write `d/`: it is a directory\n"
            "help: name a file, such as `d/pipeline.yaml`\n");
  EXPECT_EQ(ListDirectory(dir_ / "d"), std::set<std::string>{});

  Outcome without_slash = Kfpc("check --format json -o d hello.kf");
  EXPECT_EQ(without_slash.status, 2);
  EXPECT_EQ(without_slash.err,
            "kfpc: error: failed to write `d`: it is a directory\n"
            "help: name a file, such as `d/kfpc-check.sarif`\n");
}

TEST_F(DriverTest, FailedWriteToStandardOutputIsIoError) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  const std::string expected =
      "kfpc: error: failed to write to standard output: No space left on device\n";
  for (const std::string& args :
       {std::string("build hello.kf"), std::string("check --format json hello.kf"),
        std::string("check --format sarif hello.kf"),
        std::string("fmt - <hello.kf"), std::string("--version"), std::string("--help"),
        std::string("build --help")}) {
    Outcome run = Kfpc(args, "/dev/full");
    EXPECT_EQ(run.status, 2) << args;
    EXPECT_EQ(run.err, expected) << args;
  }
  // Input errors are still reported; the failed write makes the status 2.
  WriteFile(dir_ / "broken.kf", kBrokenPipeline);
  Outcome broken = Kfpc("check --format json broken.kf", "/dev/full");
  EXPECT_EQ(broken.status, 2);
  EXPECT_NE(broken.err.find(expected), std::string::npos) << broken.err;
  // A command that writes nothing to standard output does not fail.
  Outcome quiet = Kfpc("check hello.kf", "/dev/full");
  EXPECT_EQ(quiet.status, 0) << quiet.err;
}

TEST_F(DriverTest, UnknownDefaultTargetIsReportedInProjectConfig) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  WriteFile(dir_ / "kfpc.yaml",
            "version: 1\n"
            "default_target: team-amr\n"
            "targets:\n"
            "  team-arm:\n"
            "    base: graviton4\n");
  Outcome run = Kfpc("build hello.kf");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            (dir_ / "kfpc.yaml").string() +
                ":2:17: error: invalid `kfpc.yaml`: `default_target` names unknown target "
                "`team-amr`\n"
                "2 | default_target: team-amr\n"
                "  |                 ^\n"
                "help: did you mean `team-arm`\n");

  WriteFile(dir_ / "kfpc.yaml", "version: 1\ndefault_target: zzzzzz\n");
  Outcome far = Kfpc("check hello.kf");
  EXPECT_EQ(far.status, 1);
  EXPECT_NE(far.err.find("kfpc.yaml:2:17: error: invalid `kfpc.yaml`: `default_target` names "
                         "unknown target `zzzzzz`\n"),
            std::string::npos)
      << far.err;
  EXPECT_NE(far.err.find("help: the targets are `"), std::string::npos) << far.err;
}

TEST_F(DriverTest, ProjectConfigValuesAreQuotedOnOneLine) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  WriteFile(dir_ / "kfpc.yaml",
            "version: 1\n"
            "targets:\n"
            "  team-arm:\n"
            "    architecture: \"arm64\\n\"\n");
  Outcome run = Kfpc("check hello.kf");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("error: invalid `kfpc.yaml`: architecture `arm64\\n` is not "
                         "supported\n"),
            std::string::npos)
      << run.err;
}

TEST_F(DriverTest, CommandLineErrorsExitTwo) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  for (const char* command : {"build", "check"}) {
    Outcome target = Kfpc(std::string(command) + " --target nope hello.kf");
    EXPECT_EQ(target.status, 2) << command << "\n" << target.err;
    EXPECT_NE(target.err.find("error: unknown target `nope`"), std::string::npos) << target.err;

    Outcome lock = Kfpc(std::string(command) + " --require-lock hello.kf");
    EXPECT_EQ(lock.status, 2) << command << "\n" << lock.err;
    EXPECT_NE(lock.err.find("kfpc: error: `--require-lock` pins no image"), std::string::npos)
        << lock.err;

    // A warning without a location leaves the status alone.
    Outcome named = Kfpc(std::string(command) + " --lock elsewhere.lock hello.kf");
    EXPECT_EQ(named.status, 0) << command << "\n" << named.err;
    EXPECT_NE(named.err.find("kfpc: warning: `--lock elsewhere.lock` pins no image"),
              std::string::npos)
        << named.err;
  }
}

TEST_F(DriverTest, MissingInputIsIoError) {
  Outcome run = Kfpc("build missing.kf");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err, "kfpc: error: failed to read `missing.kf`: No such file or directory\n");
  EXPECT_EQ(run.out, "");
}

TEST_F(DriverTest, DirectoryAsInputIsIoError) {
  fs::create_directory(dir_ / "pipelines.kf");
  Outcome run = Kfpc("build pipelines.kf");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err, "kfpc: error: failed to read `pipelines.kf`: Is a directory\n");
}

TEST_F(DriverTest, UnreadableInputIsIoError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their permissions";
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  fs::permissions(dir_ / "hello.kf", fs::perms::none);
  Outcome run = Kfpc("build hello.kf");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err, "kfpc: error: failed to read `hello.kf`: Permission denied\n");
}

TEST_F(DriverTest, MissingOutputDirectoryIsIoError) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  Outcome run = Kfpc("build hello.kf -o no/such/dir/out.yaml");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err,
            "kfpc: error: failed to write `no/such/dir/out.yaml`: No such file or directory\n");
  EXPECT_EQ(run.out, "");
}

TEST_F(DriverTest, OutputUnderRegularFileIsIoError) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  Outcome run = Kfpc("build hello.kf -o hello.kf/out.yaml");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err, "kfpc: error: failed to write `hello.kf/out.yaml`: Not a directory\n");
}

TEST_F(DriverTest, OutputOverDirectoryIsIoError) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  fs::create_directory(dir_ / "out.yaml");
  Outcome run = Kfpc("build hello.kf -o out.yaml");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err,
            "kfpc: error: failed to write `out.yaml`: it is a directory\n"
            "help: name a file, such as `out.yaml/pipeline.yaml`\n");
  // The temporary file is removed after the failed rename.
  EXPECT_EQ(ListDirectory(dir_), (std::set<std::string>{"hello.kf", "out.yaml"}));
}

TEST_F(DriverTest, UnwritableOutputDirectoryIsIoError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes files whatever their permissions";
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  fs::create_directory(dir_ / "locked");
  fs::permissions(dir_ / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  Outcome run = Kfpc("build hello.kf -o locked/out.yaml");
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.err, "kfpc: error: failed to write `locked/out.yaml`: Permission denied\n");
}

TEST_F(DriverTest, BuildWithoutPipelineIsInputError) {
  WriteFile(dir_ / "library.kf", kComponentOnly);
  Outcome run = Kfpc("build library.kf");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("error: "), std::string::npos) << run.err;
}

TEST_F(DriverTest, CheckAcceptsComponentLibrary) {
  WriteFile(dir_ / "library.kf", kComponentOnly);
  Outcome run = Kfpc("check library.kf");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "");
}

// Two pipelines that share a component, and a component that only the second one calls. The
// images have a tag and no digest.
constexpr std::string_view kTwoPipelines = R"(component hello() {
  image = "alpine:3.19"
  command = ["echo", "hello"]
}
component bye() {
  image = "busybox:1.36"
  command = ["echo", "bye"]
}
pipeline first() {
  hello()
}
pipeline second() {
  hello()
  bye()
}
)";

TEST_F(DriverTest, CheckAcceptsSeveralPipelines) {
  WriteFile(dir_ / "two.kf", kTwoPipelines);
  Outcome check = Kfpc("check two.kf");
  EXPECT_EQ(check.status, 0) << check.err;
  EXPECT_EQ(check.err, "");
  // Only `kfpc build` needs to know which pipeline to compile.
  Outcome build = Kfpc("build two.kf");
  EXPECT_EQ(build.status, 1);
  EXPECT_NE(build.err.find("error: `two.kf` declares 2 pipelines and none is chosen to compile"),
            std::string::npos)
      << build.err;
  EXPECT_EQ(Kfpc("build two.kf --pipeline second -o second.yaml").status, 0);
}

TEST_F(DriverTest, CheckRunsPassesOnEachPipelineOnce) {
  WriteFile(dir_ / "two.kf", kTwoPipelines);
  Outcome run = Kfpc("check --target graviton4 --require-lock two.kf");
  EXPECT_EQ(run.status, 1);
  for (const std::string image : {"alpine:3.19", "busybox:1.36"}) {
    const std::string message = "error: image `" + image + "` is not in `kfpc.lock`";
    size_t first = run.err.find(message);
    ASSERT_NE(first, std::string::npos) << run.err;
    EXPECT_EQ(run.err.find(message, first + 1), std::string::npos) << run.err;
  }
}

TEST_F(DriverTest, CacheReportOnlyAfterSuccessfulBuild) {
  WriteFile(dir_ / "hello.kf", kHelloPipeline);
  Outcome failed = Kfpc("build hello.kf --target graviton4 --require-lock --cache-report");
  EXPECT_EQ(failed.status, 1);
  EXPECT_NE(failed.err.find("error: image `alpine:3.19` is not in `kfpc.lock`"), std::string::npos)
      << failed.err;
  EXPECT_EQ(failed.err.find("key: "), std::string::npos) << failed.err;

  Outcome built = Kfpc("build hello.kf --target graviton4 --cache-report -o hello.yaml");
  EXPECT_EQ(built.status, 0) << built.err;
  EXPECT_NE(built.err.find("task root/echo (executor exec-echo, target graviton4)\n  key: "),
            std::string::npos)
      << built.err;
}

TEST_F(DriverTest, YamlInputIsRejected) {
  // A shell glob such as `*` picks up hello.yaml beside hello.kf.
  WriteFile(dir_ / "hello.yaml", "pipelineInfo:\n  name: hello\n");
  for (const std::string command : {"check", "fmt --check", "build"}) {
    Outcome run = Kfpc(command + " hello.yaml");
    EXPECT_EQ(run.status, 2) << command;
    EXPECT_EQ(run.err,
              "kfpc: error: `hello.yaml` is a YAML file, not a .kf source file\n"
              "help: pass the .kf file, such as `hello.kf`\n")
        << command;
  }
}

TEST_F(DriverTest, CheckSearchesDirectoriesRecursively) {
  WriteFile(dir_ / "tree/a/hello.kf", kHelloPipeline);
  WriteFile(dir_ / "tree/b/c/broken.kf", kBrokenPipeline);
  WriteFile(dir_ / "tree/notes.txt", "not a source file\n");
  Outcome run = Kfpc("check tree");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(StartsWith(run.err, "tree/b/c/broken.kf:2:3: error: ")) << run.err;
  EXPECT_EQ(run.err.find("hello.kf"), std::string::npos) << run.err;

  Outcome clean = Kfpc("check tree/a");
  EXPECT_EQ(clean.status, 0) << clean.err;
  EXPECT_EQ(clean.err, "");
}

TEST_F(DriverTest, CheckReportsEveryFile) {
  WriteFile(dir_ / "one.kf", kBrokenPipeline);
  WriteFile(dir_ / "two.kf", kBrokenPipeline);
  Outcome run = Kfpc("check one.kf two.kf");
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(StartsWith(run.err, "one.kf:2:3: error: ")) << run.err;
  EXPECT_NE(run.err.find("\ntwo.kf:2:3: error: "), std::string::npos) << run.err;
}

TEST_F(DriverTest, CheckReportsSharedImportOnce) {
  // Both pipelines import lib.kf, whose error used to be reported once per importer; a file
  // given twice, in two spellings, was checked twice.
  const std::string importer =
      "import \"lib.kf\"\n"
      "pipeline p() {\n"
      "  say(message = \"hi\")\n"
      "}\n";
  WriteFile(dir_ / "tree/a.kf", importer);
  WriteFile(dir_ / "tree/b.kf", importer);
  WriteFile(dir_ / "tree/lib.kf",
            "component say(message: string) {\n"
            "  image = \"alpine\"\n"
            "  command = [\"echo\", messag]\n"
            "}\n");
  auto count = [](const std::string& text, const std::string& part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  };
  Outcome run = Kfpc("check tree");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(count(run.err, "tree/lib.kf:3:22: error: "), 1u) << run.err;

  Outcome twice = Kfpc("check --format json tree/a.kf ./tree/a.kf tree/../tree/a.kf");
  EXPECT_EQ(twice.status, 1);
  EXPECT_EQ(count(twice.out, "\"errorCount\": 1,"), 1u) << twice.out;
  EXPECT_EQ(count(twice.out, "tree/a.kf"), 1u) << twice.out;
}

TEST_F(DriverTest, CheckIoErrorWinsOverInputErrors) {
  WriteFile(dir_ / "broken.kf", kBrokenPipeline);
  fs::create_directory(dir_ / "empty");
  Outcome run = Kfpc("check empty missing.kf broken.kf");
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(StartsWith(run.err,
                         "kfpc: error: no `.kf` files found under `empty`\n"
                         "help: give a `.kf` file, or a directory that contains one\n"
                         "kfpc: error: failed to read `missing.kf`: No such file or directory\n"
                         "broken.kf:2:3: error: "))
      << run.err;
}

}  // namespace
