#!/usr/bin/env bash
# Runs the hooks of .pre-commit-hooks.yaml through the real pre-commit framework in a scratch git
# repository: a commit with a .kf error, an unformatted .kf file or a stale compiled .yaml (from
# a change to the file itself, to a file it imports or to the lock file, a deleted lock file or
# a hand edit of the .yaml) is blocked, and a good one goes through. A .yaml that git ignores is
# not checked.
# The hook's args reach every build of kfpc-build-up-to-date.
#
#   pre_commit_test.sh KFPC_BINARY REPOSITORY_ROOT
#
# Exits 77 (skipped) when pre-commit is not installed (scripts/install-deps installs it).
set -euo pipefail

kfpc=$(realpath "$1")
root=$(realpath "$2")
if ! command -v pre-commit >/dev/null; then
  echo "pre-commit is not installed; skipping"
  exit 77
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/bin"
ln -s "$kfpc" "$scratch/bin/kfpc"
export PATH="$scratch/bin:$PATH"
export PRE_COMMIT_HOME="$scratch/cache"
export GIT_CONFIG_GLOBAL="$scratch/gitconfig"
git config --global user.name "kfpc test"
git config --global user.email "test@example.invalid"
git config --global init.defaultBranch main

# The hooks repository: the published manifest and the script it runs, committed so that
# pre-commit can clone them.
git init -q "$scratch/hooks"
mkdir "$scratch/hooks/scripts"
cp "$root/.pre-commit-hooks.yaml" "$scratch/hooks/"
cp "$root/scripts/kfpc-build-up-to-date" "$scratch/hooks/scripts/"
git -C "$scratch/hooks" add .pre-commit-hooks.yaml scripts/kfpc-build-up-to-date
git -C "$scratch/hooks" commit -q -m "hooks"
rev=$(git -C "$scratch/hooks" rev-parse HEAD)

work="$scratch/work"
git init -q "$work"
cd "$work"
# Writes the project's hook config; `$1`, when given, is the args line of kfpc-build-up-to-date.
write_config() {
  cat > .pre-commit-config.yaml <<CONFIG
repos:
  - repo: $scratch/hooks
    rev: $rev
    hooks:
      - id: kfpc-check
      - id: kfpc-fmt
      - id: kfpc-build-up-to-date
${1:+        $1}
CONFIG
}
write_config
git add .pre-commit-config.yaml
pre-commit install >/dev/null

failures=0
# Commits the staged files and checks that the commit succeeds (`pass`) or is blocked (`fail`)
# and that the hooks' output contains `expected`.
expect_commit() {
  local outcome=$1 expected=$2 name=$3 output status=0
  output=$(git commit -q -m "$name" 2>&1) || status=$?
  if [[ $outcome == pass && $status -ne 0 ]] || [[ $outcome == fail && $status -eq 0 ]]; then
    echo "FAIL: $name: expected the commit to $outcome, git exited with $status:"
    echo "$output"
    failures=$((failures + 1))
  elif [[ $output != *"$expected"* ]]; then
    echo "FAIL: $name: the output lacks \`$expected\`:"
    echo "$output"
    failures=$((failures + 1))
  else
    echo "ok: $name"
  fi
}

write_hello() {
  cat > hello.kf <<KF
component echo(message: string) {
  image = "alpine:3.19"
  command = ["echo", message]
}

pipeline hello(message: string = "$1") {
  echo(message = message)
}
KF
}

write_hello "hello world"
kfpc build hello.kf -o hello.yaml
git add hello.kf hello.yaml
expect_commit pass "kfpc fmt --check" "good file passes"

cat > broken.kf <<'KF'
pipeline broken() {
  missing_component(message = "x")
}
KF
git add broken.kf
expect_commit fail "broken.kf:2:3: error" "check error blocks"
git rm -q --cached broken.kf
rm broken.kf

write_hello "hello again"
git add hello.kf
expect_commit fail "\`hello.yaml\` is out of date" "stale yaml blocks"
kfpc build hello.kf -o hello.yaml
git add hello.yaml
expect_commit pass "compiled YAML up to date" "rebuilt yaml passes"

printf 'component  echo2( message :string ){image   = "alpine:3.19"\n  command=["echo",message]}\n' \
  > unformatted.kf
git add unformatted.kf
expect_commit fail "unformatted.kf" "unformatted file blocks"
kfpc fmt unformatted.kf
git add unformatted.kf
expect_commit pass "kfpc fmt --check" "formatted file passes"

# A pipeline whose YAML goes stale through a change to an imported file only.
mkdir lib
write_lib() {
  cat > lib/c.kf <<KF
component shout(message: string) {
  image = "$1"
  command = ["echo", message]
}
KF
}
write_lib "alpine:3.19"
cat > importer.kf <<'KF'
import "lib/c.kf"

pipeline importer(message: string = "hi") {
  shout(message = message)
}
KF
kfpc build importer.kf -o importer.yaml
git add lib/c.kf importer.kf importer.yaml
expect_commit pass "compiled YAML up to date" "pipeline with import passes"
write_lib "alpine:3.20"
git add lib/c.kf
expect_commit fail "\`importer.yaml\` is out of date" "stale import blocks"
kfpc build importer.kf -o importer.yaml
git add importer.yaml
expect_commit pass "compiled YAML up to date" "rebuilt import passes"

# A pipeline whose YAML goes stale through a change to the kfpc.lock beside it only: kfpc.yaml
# sets a target, so the build pins the image to the lock file's arm64 digest.
mkdir locked
printf 'version: 1\ndefault_target: graviton4\n' > locked/kfpc.yaml
write_lock() {
  cat > locked/kfpc.lock <<LOCK
{
  "images": {
    "alpine:3.19": {
      "digest": "sha256:$(printf 'a%.0s' {1..64})",
      "mediaType": "application/vnd.oci.image.index.v1+json",
      "platforms": {
        "linux/arm64": "sha256:$(printf "$1%.0s" {1..64})"
      },
      "repository": "docker.io/library/alpine"
    }
  },
  "version": 1
}
LOCK
}
write_lock b
sed 's/hello/locked/g' hello.kf > locked/locked.kf
kfpc build locked/locked.kf -o locked/locked.yaml
git add locked
expect_commit pass "compiled YAML up to date" "locked pipeline passes"
write_lock c
git add locked/kfpc.lock
expect_commit fail "\`locked/locked.yaml\` is out of date" "stale lock blocks"

# Deleting the lock file makes the YAML stale too. pre-commit passes no deleted file to a hook,
# so only a hook that runs on every commit can block it.
git rm -q -f locked/kfpc.lock
expect_commit fail "\`locked/locked.yaml\` is out of date" "deleted lock blocks"
write_lock b
git add locked/kfpc.lock

# A built YAML edited by hand and staged alone.
sed -i 's/defaultValue: .*/defaultValue: edited by hand/' hello.yaml
git add hello.yaml
expect_commit fail "\`hello.yaml\` is out of date" "hand-edited yaml blocks"
kfpc build hello.kf -o hello.yaml
git add hello.yaml

# A YAML file that git ignores is a local build, which the commit does not contain.
mkdir local
printf 'local/*.yaml\n' > .gitignore
sed 's/hello/mine/g' hello.kf > local/mine.kf
kfpc build local/mine.kf -o local/mine.yaml
sed -i 's/string = "[^"]*"/string = "changed"/' local/mine.kf
git add .gitignore local/mine.kf
expect_commit pass "compiled YAML up to date" "ignored local yaml is left alone"

# A file name that starts with `-` is a file, not an option.
sed 's/hello/dash/g' hello.kf > ./-dash.kf
kfpc build -o ./-dash.yaml -- ./-dash.kf
sed -i 's/string = "[^"]*"/string = "changed"/' ./-dash.kf
git add -- -dash.kf -dash.yaml
expect_commit fail "\`./-dash.yaml\` is out of date" "stale yaml of a dash name blocks"
git rm -q --cached -- -dash.kf -dash.yaml
rm -- -dash.kf -dash.yaml

# YAML built with an option is up to date only when the hook's args pass the same option.
write_hello "built for KFP 2.15"
kfpc build hello.kf -o hello.yaml --kfp-version=2.15
git add hello.kf hello.yaml
expect_commit fail "run \`kfpc build hello.kf -o hello.yaml\` to update it" \
  "yaml built with an option blocks without args"
write_config "args: [--kfp-version=2.15]"
kfpc build importer.kf -o importer.yaml --kfp-version=2.15
kfpc build locked/locked.kf -o locked/locked.yaml --kfp-version=2.15
git add .pre-commit-config.yaml importer.yaml locked/locked.yaml
expect_commit pass "compiled YAML up to date" "hook args reach every build"

if ((failures > 0)); then
  echo "$failures pre-commit case(s) failed"
  exit 1
fi
