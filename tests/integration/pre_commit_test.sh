#!/usr/bin/env bash
# Runs the hooks of .pre-commit-hooks.yaml through the real pre-commit framework in a scratch git
# repository: a commit with a .kf error, an unformatted .kf file or a stale compiled .yaml is
# blocked, and a good one goes through.
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

# The hooks repository: the published manifest, committed so that pre-commit can clone it.
git init -q "$scratch/hooks"
cp "$root/.pre-commit-hooks.yaml" "$scratch/hooks/"
git -C "$scratch/hooks" add .pre-commit-hooks.yaml
git -C "$scratch/hooks" commit -q -m "hooks"
rev=$(git -C "$scratch/hooks" rev-parse HEAD)

work="$scratch/work"
git init -q "$work"
cd "$work"
cat > .pre-commit-config.yaml <<CONFIG
repos:
  - repo: $scratch/hooks
    rev: $rev
    hooks:
      - id: kfpc-check
      - id: kfpc-fmt
      - id: kfpc-build-up-to-date
CONFIG
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

if ((failures > 0)); then
  echo "$failures pre-commit case(s) failed"
  exit 1
fi
