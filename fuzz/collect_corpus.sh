#!/usr/bin/env bash
# Builds the seed corpus of each fuzz target under OUT_DIR (default build-fuzz/corpus) from the
# repository itself: every tracked or untracked `.kf` file (examples, conformance and diagnostics
# cases) seeds `compile`, the hand-written seeds in fuzz/seeds/TARGET/ and the inputs of past
# findings in fuzz/regressions/TARGET/ seed each target. The first 200 `.kf` files are also
# wrapped in LSP didOpen messages, so the server reads real sources.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build-fuzz/corpus}"

rm -rf "$out"
mkdir -p "$out/compile" "$out/lsp" "$out/lock_file" "$out/project_config"
find examples tests -name '*.kf' -type f -print0 |
  while IFS= read -r -d '' file; do
    cp "$file" "$out/compile/$(printf '%s' "$file" | tr '/' '_')"
  done
for target in compile lsp lock_file project_config; do
  for dir in "fuzz/seeds/$target" "fuzz/regressions/$target"; do
    if [[ -d "$dir" ]]; then
      find "$dir" -type f -exec cp {} "$out/$target/" \;
    fi
  done
done
find . -name 'kfpc.yaml' -not -path './build*' -type f -print0 |
  while IFS= read -r -d '' file; do
    cp "$file" "$out/project_config/$(printf '%s' "$file" | tr '/' '_')"
  done
python3 - "$out" <<'PYTHON'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
for source in sorted((out / "compile").iterdir())[:200]:
    text = source.read_text(encoding="utf-8", errors="replace")
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": "file:///project/main.kf", "languageId": "kf",
                                     "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/documentSymbol",
         "params": {"textDocument": {"uri": "file:///project/main.kf"}}},
    ]
    framed = b""
    for message in messages:
        body = json.dumps(message).encode()
        framed += b"Content-Length: %d\r\n\r\n" % len(body) + body
    (out / "lsp" / (source.name + ".lsp")).write_bytes(framed)
PYTHON
echo "collect_corpus: $(ls "$out/compile" | wc -l) .kf seeds, $(ls "$out/lsp" | wc -l) LSP seeds," \
     "$(ls "$out/lock_file" | wc -l) lock file seeds, $(ls "$out/project_config" | wc -l)" \
     "project config seeds in $out"
