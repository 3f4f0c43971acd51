#!/usr/bin/env bash
# Runs the fuzz target BINARY once on every file under the given directories: the committed
# seeds and the inputs of fixed findings. Exits non-zero when one crashes, leaks, hangs or fails
# a sanitizer check. ctest runs it as fuzz/TARGET.
set -euo pipefail
binary="${1:?usage: fuzz/replay.sh BINARY DIRECTORY...}"
shift
inputs=()
for dir in "$@"; do
  [[ -d "$dir" ]] || continue
  while IFS= read -r -d '' file; do
    inputs+=("$file")
  done < <(find "$dir" -type f -print0 | sort -z)
done
if (( ${#inputs[@]} == 0 )); then
  echo "fuzz/replay.sh: no inputs in $*" >&2
  exit 1
fi
"$binary" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}"
