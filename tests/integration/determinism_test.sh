#!/usr/bin/env bash
# Builds every example pipeline under varied conditions and fails unless each build writes the
# same bytes. The conditions are two runs, another working directory with a relative path, the locales C, C.UTF-8 and
# tr_TR.UTF-8 (when installed), an emptied and an unusual environment, and a copy of the example
# directory elsewhere whose root file lists its imports in reverse order.
# Usage: determinism_test.sh KFPC EXAMPLES_DIR
set -euo pipefail
kfpc="$(realpath "$1")"
examples="$(realpath "$2")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

locales=(C C.UTF-8)
if locale -a 2>/dev/null | grep -qi '^tr_TR\.utf-\?8$'; then locales+=(tr_TR.UTF-8); fi

failures=0
built=0
check_same() {  # check_same NAME FILE: compares FILE with the baseline output
  if ! cmp -s "$scratch/baseline.yaml" "$2"; then
    echo "FAIL: $case: output differs under $1"
    diff "$scratch/baseline.yaml" "$2" | head -5
    failures=$((failures + 1))
  fi
}

while IFS= read -r -d '' case; do
  [[ "$case" == */components/* ]] && continue
  dir="$(dirname "$case")"
  name="$(basename "$case")"
  # Files that need `--pipeline` or do not build are covered by the golden tests instead.
  (cd / && LC_ALL=C "$kfpc" build "$case" -o - >"$scratch/baseline.yaml" 2>/dev/null) || continue
  built=$((built + 1))

  (cd / && LC_ALL=C "$kfpc" build "$case" -o - >"$scratch/again.yaml" 2>/dev/null)
  check_same "a second run" "$scratch/again.yaml"
  (cd "$dir" && LC_ALL=C "$kfpc" build "$name" -o - >"$scratch/relative.yaml" 2>/dev/null)
  check_same "a relative path from the example's directory" "$scratch/relative.yaml"
  for locale in "${locales[@]}"; do
    (cd / && LC_ALL="$locale" LANG="$locale" "$kfpc" build "$case" -o - >"$scratch/locale.yaml" 2>/dev/null)
    check_same "LC_ALL=$locale" "$scratch/locale.yaml"
  done
  (cd / && env -i "$kfpc" build "$case" -o - >"$scratch/empty_env.yaml" 2>/dev/null)
  check_same "an empty environment" "$scratch/empty_env.yaml"
  (cd / && env HOME=/nonexistent TZ=Pacific/Kiritimati TMPDIR=/nonexistent LC_NUMERIC=de_DE.UTF-8 \
     PYTHONHASHSEED=1 "$kfpc" build "$case" -o - >"$scratch/odd_env.yaml" 2>/dev/null)
  check_same "an unusual environment" "$scratch/odd_env.yaml"

  # A copy in another directory, with the root file's imports reversed. A `.git` directory marks
  # the copy as the project root, so imports with `..` stay inside the project.
  copy="$scratch/copy/$(basename "$examples")"
  rm -rf "$scratch/copy"
  mkdir -p "$scratch/copy"
  cp -r "$examples" "$copy"
  mkdir -p "$scratch/copy/.git"
  copied_case="$copy/${case#"$examples"/}"
  python3 - "$copied_case" <<'PYTHON'
import re, sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
imports = [i for i, line in enumerate(lines) if re.match(r'\s*import\s+"', line)]
reordered = [lines[i] for i in reversed(imports)]
for i, line in zip(imports, reordered):
    lines[i] = line
open(path, "w", encoding="utf-8").write("\n".join(lines))
PYTHON
  (cd "$scratch" && LC_ALL=C "$kfpc" build "$copied_case" -o - >"$scratch/copy.yaml" 2>/dev/null) ||
    { echo "FAIL: $case: the copy with reversed imports does not build"; failures=$((failures + 1)); continue; }
  check_same "another directory with the imports reversed" "$scratch/copy.yaml"
done < <(find "$examples" -name '*.kf' -type f -print0 | sort -z)

echo "determinism: $built examples built under ${#locales[@]} locales and 5 other variations," \
     "$failures differences"
if ((built == 0)); then
  echo "FAIL: no example built"
  exit 1
fi
((failures == 0))
