#!/usr/bin/env python3
"""Validates `kfpc check --format sarif` output against the official SARIF 2.1.0 JSON schema.

The schema is not vendored. It comes from the npm package @microsoft/jest-sarif, pinned below,
which ships the SARIF 2.1.0 JSON schema as Microsoft's SARIF SDK and SchemaStore publish it:
sarif-2.1.0-rtm.5.json, a draft-04 schema. NOTE: OASIS publishes the standard's schema as
sarif-schema-2.1.0.json, with later errata; this test has not compared the two files. The package
is fetched once with `npm pack` into the cache directory, and the schema file must match a pinned
SHA-256, so later runs need no network. The pin keeps the test reproducible, and this package is
the smallest one found on npm that ships the schema file (40 kB, no install scripts). Exits 77
(skipped) when the schema is not cached and npm is not installed.

Usage: sarif_schema_test.py --kfpc KFPC --sample SAMPLE --repo REPO --cache DIR
"""

import argparse
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import tarfile

import jsonschema

SCHEMA_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SCHEMA_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
SCHEMA_SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"
EXIT_SKIPPED = 77


def fetch_schema(cache: pathlib.Path) -> pathlib.Path:
    """Returns the path of the cached schema, fetching the npm package when it is missing."""
    schema_path = cache / "sarif-2.1.0-rtm.5.json"
    if schema_path.exists() and sha256(schema_path) == SCHEMA_SHA256:
        return schema_path
    npm = shutil.which("npm")
    if npm is None:
        print(f"skipped: npm is needed once to fetch {SCHEMA_PACKAGE}, which has the schema")
        sys.exit(EXIT_SKIPPED)
    cache.mkdir(parents=True, exist_ok=True)
    output = subprocess.run([npm, "pack", SCHEMA_PACKAGE, "--pack-destination", str(cache)],
                            check=True, capture_output=True, text=True).stdout
    tarball = cache / output.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        data = archive.extractfile(SCHEMA_MEMBER).read()
    if hashlib.sha256(data).hexdigest() != SCHEMA_SHA256:
        sys.exit(f"error: {SCHEMA_MEMBER} in {tarball} does not have the pinned SHA-256")
    schema_path.write_bytes(data)
    return schema_path


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_kfpc(kfpc, repo, *args):
    result = subprocess.run([kfpc, "check", *args], cwd=repo, capture_output=True, text=True)
    return result.returncode, result.stdout, result.stderr


class Checks:
    """Counts passed and failed checks, printing each failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def expect(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAILED: {what}")


def check_log_invariants(checks, log, what):
    """Checks what the schema cannot: rule references, relative URIs and 1-based regions."""
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    checks.expect(len(ids) == len(set(ids)), f"{what}: rule ids are unique")
    for result in run["results"]:
        index = result["ruleIndex"]
        checks.expect(rules[index]["id"] == result["ruleId"],
                      f"{what}: ruleIndex {index} names {result['ruleId']}")
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        checks.expect(location["artifactLocation"].get("uriBaseId") == "%SRCROOT%"
                      and not uri.startswith(("/", "..")),
                      f"{what}: {uri} is relative to %SRCROOT%")
        region = location["region"]
        checks.expect(region["startLine"] >= 1 and region["startColumn"] >= 1,
                      f"{what}: region of {uri} is 1-based")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kfpc", required=True)
    parser.add_argument("--sample", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--cache", required=True)
    args = parser.parse_args()

    schema = json.loads(fetch_schema(pathlib.Path(args.cache)).read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    checks = Checks()

    def validate(log, what):
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        for error in errors[:5]:
            print(f"{what}: {'/'.join(map(str, error.path))}: {error.message}")
        checks.expect(not errors, f"{what} is valid SARIF 2.1.0")

    # Every diagnostic case of the test suite: many kinds, labels and imported files.
    status, out, err = run_kfpc(args.kfpc, args.repo, "--format", "sarif", "--sarif-root",
                                args.repo, "tests/diagnostics")
    checks.expect(status == 1, f"check tests/diagnostics exits 1 (got {status}: {err})")
    log = json.loads(out)
    validate(log, "tests/diagnostics")
    check_log_invariants(checks, log, "tests/diagnostics")
    results = log["runs"][0]["results"]
    checks.expect(len(results) >= 50, f"tests/diagnostics has many results ({len(results)})")
    checks.expect(any("relatedLocations" in r for r in results),
                  "some result of tests/diagnostics has related locations")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    checks.expect("tests/diagnostics/unknown_type.kf" in uris,
                  "uris are relative to the repository root")

    # The CIFAR-10 example is clean: no results, a successful invocation.
    status, out, err = run_kfpc(args.kfpc, args.repo, "--format", "sarif", "examples/cifar10")
    checks.expect(status == 0, f"check examples/cifar10 exits 0 (got {status}: {err})")
    log = json.loads(out)
    validate(log, "examples/cifar10")
    checks.expect(log["runs"][0]["results"] == [], "examples/cifar10 has no results")

    # A missing file: exit 2 and a tool execution notification.
    status, out, err = run_kfpc(args.kfpc, args.repo, "--format", "sarif", "no-such-file.kf")
    checks.expect(status == 2, f"check of a missing file exits 2 (got {status})")
    log = json.loads(out)
    validate(log, "missing file")
    checks.expect(not log["runs"][0]["invocations"][0]["executionSuccessful"],
                  "a missing file makes the execution unsuccessful")

    # Fixes, notes and non-ASCII columns, which `kfpc check` cannot produce today.
    sample = json.loads(subprocess.run([args.sample], check=True, capture_output=True,
                                       text=True).stdout)
    validate(sample, "sample with a fix")
    checks.expect("fixes" in sample["runs"][0]["results"][1], "the sample carries a fix")

    # The validator rejects what it must: a level SARIF does not define.
    broken = json.loads(json.dumps(sample))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    checks.expect(not validator.is_valid(broken), "an unknown level is rejected")
    del broken["runs"][0]["results"][0]["level"]
    del broken["runs"][0]["results"][0]["message"]
    checks.expect(not validator.is_valid(broken), "a result without a message is rejected")

    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
