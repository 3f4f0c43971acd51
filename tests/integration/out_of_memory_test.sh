#!/usr/bin/env bash
# Runs `kfpc build` on a 10,000-task pipeline with its address space capped (`ulimit -v`), so that
# an allocation fails partway through. The user must get exit status 2 and the out-of-memory error
# with its help line on stderr. Nothing may reach stdout, and the previous output file must stay
# as it was, with no temporary file left beside it. A two-task build under the same cap must
# succeed, which shows that the failure comes from the large pipeline and not from start-up.
# Usage: out_of_memory_test.sh KFPC GENERATE_PY
set -euo pipefail
kfpc="$(realpath "$1")"
generate="$(realpath "$2")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# 100 MB: the two-task build needs about 50 MB of address space, and the 10,000-task nested build
# has a peak resident size of about 140 MB, so it cannot fit. `kfpc check` of that file fits, so
# only `build` is run.
cap_kb=100000
python3 "$generate" --sizes 10000 --shapes nested "$scratch/generated" > /dev/null
large="$scratch/generated/nested_10000.kf"
small="$scratch/generated/two_tasks.kf"
mkdir "$scratch/out"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

run_capped() {  # run_capped ARGS...: runs kfpc under the cap and sets status, stdout and stderr
  set +e
  (ulimit -v "$cap_kb" && exec "$kfpc" "$@") > "$scratch/stdout" 2> "$scratch/stderr"
  status=$?
  set -e
}

run_capped build "$small" -o "$scratch/out/small.yaml"
if [[ $status -ne 0 ]]; then
  fail "the two-task build under a ${cap_kb} KB cap exited with $status; stderr:"
  cat "$scratch/stderr"
fi

expected_stderr="kfpc: error: out of memory
help: give the process more memory (see \`ulimit -v\` and the container's memory limit)"

echo "previous output" > "$scratch/out/pipeline.yaml"
run_capped build "$large" -o "$scratch/out/pipeline.yaml"
[[ $status -eq 2 ]] || fail "build -o FILE exited with $status, expected 2"
[[ "$(cat "$scratch/stderr")" == "$expected_stderr" ]] ||
  fail "build -o FILE wrote to stderr: $(cat "$scratch/stderr")"
[[ ! -s "$scratch/stdout" ]] || fail "build -o FILE wrote to stdout"
[[ "$(cat "$scratch/out/pipeline.yaml")" == "previous output" ]] ||
  fail "build -o FILE changed the previous output file"
leftover="$(ls -A "$scratch/out" | grep -v -x -e pipeline.yaml -e small.yaml || true)"
[[ -z "$leftover" ]] || fail "build -o FILE left files behind: $leftover"

run_capped build "$large" -o -
[[ $status -eq 2 ]] || fail "build -o - exited with $status, expected 2"
[[ "$(cat "$scratch/stderr")" == "$expected_stderr" ]] ||
  fail "build -o - wrote to stderr: $(cat "$scratch/stderr")"
[[ ! -s "$scratch/stdout" ]] || fail "build -o - wrote $(wc -c < "$scratch/stdout") bytes to stdout"

# Caps from 10 MB up to what start-up needs. Under each, the two-task build either fails in the
# dynamic loader, reports the error (a static initializer's allocation included), or succeeds. A signal,
# such as the abort of an uncaught std::bad_alloc, fails the test.
reported=0
for ((cap_kb = 10000; cap_kb <= 60000; cap_kb += 2000)); do
  run_capped build "$small" -o -
  if [[ $status -eq 2 ]]; then
    reported=$((reported + 1))
    [[ "$(cat "$scratch/stderr")" == "$expected_stderr" ]] ||
      fail "two tasks under ${cap_kb} KB wrote to stderr: $(cat "$scratch/stderr")"
  elif [[ $status -gt 128 ]]; then
    fail "two tasks under ${cap_kb} KB ended with signal $((status - 128))"
  fi
done
[[ $reported -gt 0 ]] || fail "no cap between 10 and 60 MB made the two-task build run out of memory"

if [[ $failures -ne 0 ]]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "out of memory: exit status 2, one error, previous output kept"
