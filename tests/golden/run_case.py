#!/usr/bin/env python3
"""Run one golden test case of kfpc and fail loudly, with a diff, on a mismatch.

Modes:
  diagnostics CASE.kf   `kfpc check NAME.kf` in the case's directory must exit 1 and write
                        exactly NAME.kf.expected to stderr. A first line `// kfpc: build`
                        runs `kfpc build NAME.kf` instead, for diagnostics that only a build
                        gives.
  example CASE.kf       a file with a sibling NAME.yaml must build to exactly that YAML. A file
                        under a `components/` directory is a library and must pass
                        `kfpc check` with no diagnostics. Any other file must build with no
                        diagnostics.
  conformance CASE.kf   the output must mean the same as the KFP SDK's YAML for the same
                        pipeline, compared with ir-diff. A line `// ir-diff: ARGS...` in
                        the comment lines that start the case passes ARGS (such as
                        `--ignore PATTERN`) to ir-diff, and a line `// build-args: ARGS...`
                        passes ARGS (such as `--kfp-version 2.13`) to `kfpc build`. Exits 77
                        (skipped) when the reference data is not available.

With KFPC_UPDATE_GOLDEN=1 the diagnostics and example modes rewrite the expected files instead
of failing.
"""

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile

EXIT_SKIPPED = 77
KFP_PIN = re.compile(rb"kfp==[0-9][0-9A-Za-z.+-]*")
SDK_VERSION_LINE = re.compile(rb"^sdkVersion:.*$", re.MULTILINE)
IR_DIFF_DIRECTIVE = "// ir-diff:"
BUILD_ARGS_DIRECTIVE = "// build-args:"


def updating():
    return os.environ.get("KFPC_UPDATE_GOLDEN") == "1"


def run_kfpc(kfpc, args, cwd):
    """Run kfpc and return (exit status, stdout bytes, stderr bytes)."""
    completed = subprocess.run([kfpc, *args], cwd=cwd, capture_output=True, check=False)
    return completed.returncode, completed.stdout, completed.stderr


def fail(message, stderr=b""):
    print(f"FAIL: {message}")
    if stderr:
        print("kfpc wrote to stderr:")
        print(stderr.decode("utf-8", "replace"), end="")
    return 1


def show_diff(expected_path, expected, actual):
    """Print a unified diff of two byte strings, expected first."""
    diff = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        actual.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=expected_path,
        tofile="actual output",
    )
    sys.stdout.writelines(diff)
    print()


def compare_golden(expected_path, actual):
    """Compare `actual` with the file, or rewrite it when updating. Returns the exit status."""
    if updating():
        with open(expected_path, "wb") as handle:
            handle.write(actual)
        print(f"updated {expected_path}")
        return 0
    if not os.path.exists(expected_path):
        return fail(f"{expected_path} is missing; run with KFPC_UPDATE_GOLDEN=1 to create it")
    with open(expected_path, "rb") as handle:
        expected = handle.read()
    if expected == actual:
        return 0
    print(f"FAIL: the output differs from {expected_path} (- expected, + actual):")
    show_diff(expected_path, expected, actual)
    print("If the new output is right, rerun with KFPC_UPDATE_GOLDEN=1 and review the diff.")
    return 1


def run_diagnostics(kfpc, case):
    directory, name = os.path.split(os.path.abspath(case))
    with open(case, "rb") as source:
        first_line = source.readline().strip()
    command = "build" if first_line == b"// kfpc: build" else "check"
    status, stdout, stderr = run_kfpc(kfpc, [command, name], directory)
    if status != 1:
        return fail(f"`kfpc {command} {name}` exited with {status}, expected 1", stderr)
    if stdout:
        return fail(f"`kfpc {command} {name}` wrote to stdout: {stdout!r}")
    return compare_golden(os.path.join(directory, name + ".expected"), stderr)


def is_component_library(case, examples_root):
    relative = os.path.relpath(os.path.abspath(case), os.path.abspath(examples_root))
    return "components" in relative.split(os.sep)[:-1]


def run_example(kfpc, case, examples_root):
    directory, name = os.path.split(os.path.abspath(case))
    golden = os.path.join(directory, os.path.splitext(name)[0] + ".yaml")
    command = "check" if is_component_library(case, examples_root) else "build"
    status, stdout, stderr = run_kfpc(kfpc, [command, name], directory)
    if status != 0:
        return fail(f"`kfpc {command} {name}` exited with {status}, expected 0", stderr)
    if command == "build" and os.path.exists(golden):
        return compare_golden(golden, stdout)
    if stderr:
        return fail(f"`kfpc {command} {name}` reported diagnostics, expected none", stderr)
    if command == "build" and not stdout:
        return fail(f"`kfpc build {name}` wrote no YAML")
    return 0


def directive_arguments(case, directive):
    """Return the arguments of the `directive` line among the comment lines that start `case`."""
    with open(case, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line.startswith("//"):
                break
            if line.startswith(directive):
                return shlex.split(line[len(directive):])
    return []


def without_version_stamps(yaml_bytes):
    """Blank the sdkVersion line and the kfp== pin, which name the compiler, not the pipeline."""
    return KFP_PIN.sub(b"kfp==<version>", SDK_VERSION_LINE.sub(b"sdkVersion:", yaml_bytes))


def conformance_inputs(repo, conformance_root, case):
    """Return (reference YAML, ir-diff path) or print why the test is skipped and return None."""
    shared = os.path.join(os.path.dirname(os.path.abspath(repo)), "shared")
    reference_dir = os.environ.get("KFPC_KFP_REFERENCE") or os.path.join(shared, "kfp-reference")
    ir_diff = os.environ.get("KFPC_IR_DIFF") or os.path.join(shared, "tools", "ir-diff")
    if not os.path.isdir(reference_dir):
        print(f"SKIPPED: conformance test skipped because the KFP reference directory "
              f"{reference_dir} does not exist; set KFPC_KFP_REFERENCE to its path")
        return None
    if not os.path.isfile(ir_diff):
        print(f"SKIPPED: conformance test skipped because the ir-diff tool {ir_diff} does not "
              f"exist; set KFPC_IR_DIFF to its path")
        return None
    try:
        import yaml  # noqa: F401  (ir-diff needs PyYAML in this interpreter)
    except ImportError:
        print(f"SKIPPED: conformance test skipped because {sys.executable} has no PyYAML, "
              f"which ir-diff needs; install python3-yaml")
        return None
    relative = os.path.relpath(os.path.abspath(case), os.path.abspath(conformance_root))
    reference = os.path.join(reference_dir, os.path.splitext(relative)[0] + ".yaml")
    return reference, ir_diff


def run_conformance(kfpc, case, repo, conformance_root):
    inputs = conformance_inputs(repo, conformance_root, case)
    if inputs is None:
        return EXIT_SKIPPED
    reference, ir_diff = inputs
    if not os.path.isfile(reference):
        return fail(f"no reference YAML {reference} for {case}; name the case after a "
                    f"reference pipeline")
    directory, name = os.path.split(os.path.abspath(case))
    with tempfile.TemporaryDirectory(prefix="kfpc-conformance-") as scratch:
        actual = os.path.join(scratch, "actual.yaml")
        build_args = directive_arguments(case, BUILD_ARGS_DIRECTIVE)
        status, _, stderr = run_kfpc(kfpc, ["build", name, "-o", actual, *build_args], directory)
        if status != 0:
            return fail(f"`kfpc build {name}` exited with {status}, expected 0", stderr)
        command = [sys.executable, ir_diff, reference, actual,
                   *directive_arguments(case, IR_DIFF_DIRECTIVE)]
        compared = subprocess.run(command, capture_output=True, text=True, check=False)
        with open(actual, "rb") as handle:
            actual_bytes = handle.read()
    with open(reference, "rb") as handle:
        identical = without_version_stamps(handle.read()) == without_version_stamps(actual_bytes)
    print(f"byte-identical to the reference apart from sdkVersion and the kfp== pin: "
          f"{'yes' if identical else 'no'}")
    if compared.returncode != 0:
        print(f"FAIL: ir-diff {reference} found differences (exit {compared.returncode}):")
        print(compared.stdout + compared.stderr, end="")
        return 1
    if stderr:
        print("kfpc wrote warnings:")
        print(stderr.decode("utf-8", "replace"), end="")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["diagnostics", "example", "conformance"])
    parser.add_argument("case", help="the .kf file of the case")
    parser.add_argument("--kfpc", required=True, help="path of the kfpc binary")
    parser.add_argument("--examples-root", help="the examples/ directory (example mode)")
    parser.add_argument("--conformance-root", help="tests/conformance (conformance mode)")
    parser.add_argument("--repo", help="the repository root (conformance mode)")
    args = parser.parse_args()
    kfpc = os.path.abspath(args.kfpc)
    if args.mode == "diagnostics":
        return run_diagnostics(kfpc, args.case)
    if args.mode == "example":
        return run_example(kfpc, args.case, args.examples_root)
    return run_conformance(kfpc, args.case, args.repo, args.conformance_root)


if __name__ == "__main__":
    sys.exit(main())
