#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR for SECONDS seconds each (one worker), on a fresh
# seed corpus (fuzz/collect_corpus.sh) plus what earlier runs in BUILD_DIR found. Exits non-zero
# when a target crashes, leaks, hangs or fails a sanitizer check; the failing input is written to
# BUILD_DIR/fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:?usage: fuzz/run.sh BUILD_DIR SECONDS}"
seconds="${2:?usage: fuzz/run.sh BUILD_DIR SECONDS}"

fuzz/collect_corpus.sh "$build/corpus"
mkdir -p "$build/fuzz-artifacts"
for target in compile lsp lock_file project_config; do
  binary="$build/fuzz/fuzz_$target"
  [[ -x "$binary" ]] || continue
  mkdir -p "$build/fuzz-found/$target"
  echo "fuzz/run.sh: fuzz_$target for ${seconds}s"
  "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/${target}-" \
    "$build/fuzz-found/$target" "$build/corpus/$target"
done
