#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR for SECONDS seconds each (one worker), on a fresh
# seed corpus (fuzz/collect_corpus.sh) plus what earlier runs found, with the target's dictionary
# from fuzz/dictionaries/. Exits non-zero when a target crashes, leaks, hangs (10 s for one
# input) or fails a sanitizer check; the failing input is written to BUILD_DIR/fuzz-artifacts/.
#
# New inputs are kept in WORK_DIR/TARGET (default BUILD_DIR/fuzz-found), so a long run can keep
# its corpus outside the build directory. TARGETS limits the run to some targets, for example
# TARGETS="compile lsp"; MAX_LEN replaces every target's input length limit, for example
# MAX_LEN=512 for more, smaller runs. FUZZ_ARGS adds libFuzzer options to every run, for example
# FUZZ_ARGS=-reload=60 for workers that share WORK_DIR. By default each worker lists and reads
# WORK_DIR every second for the inputs that the others found. With ten thousand inputs, that took
# 6% of the CPU time of fuzz_compile (perf).
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: fuzz/run.sh BUILD_DIR SECONDS [WORK_DIR]"
build="${1:?$usage}"
seconds="${2:?$usage}"
work="${3:-$build/fuzz-found}"
targets="${TARGETS:-compile lsp lock_file project_config}"

# Inputs longer than this are cut; the seeds of each target are shorter than their limit, apart
# from a few of the largest examples.
declare -A max_len=([compile]=4096 [lsp]=8192 [lock_file]=4096 [project_config]=4096)
declare -A dictionary=([compile]=compile [lsp]=json [lock_file]=json
                       [project_config]=project_config)
# The entropic scheduler, libFuzzer's default, updates a frequency for every feature of every run.
# With the tens of thousands of features of the whole compiler, that took three quarters of the
# CPU time of fuzz_compile (perf, clang 14): 3,000 runs took 17.5 s of CPU with it, 4.5 s without.
declare -A options=([compile]=-entropic=0 [lsp]=-entropic=0 [lock_file]= [project_config]=)

# Each run collects the seeds into a directory of its own, so that runs of different targets can go
# on side by side, because collect_corpus.sh empties its output directory first.
mkdir -p "$build/fuzz-artifacts"
seeds="$(mktemp -d "$build/corpus.XXXXXX")"
trap 'rm -rf "$seeds"' EXIT
fuzz/collect_corpus.sh "$seeds"
for target in $targets; do
  binary="$build/fuzz/fuzz_$target"
  if [[ ! -x "$binary" ]]; then
    echo "fuzz/run.sh: $binary is not built" >&2
    exit 2
  fi
  mkdir -p "$work/$target"
  echo "fuzz/run.sh: fuzz_$target for ${seconds}s"
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${MAX_LEN:-${max_len[$target]}}" -dict="fuzz/dictionaries/${dictionary[$target]}.dict" \
    ${options[$target]} ${FUZZ_ARGS:-} -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/${target}-" \
    "$work/$target" "$seeds/$target"
done
