#!/usr/bin/env bash
# Builds the seed corpus of each fuzz target under OUT_DIR (default build-fuzz/corpus) from the
# repository itself: every tracked or untracked `.kf` file (examples, conformance and diagnostics
# cases) seeds `compile`, and the hand-written seeds in fuzz/seeds/ seed `lsp` and `lock_file`.
# Every `.kf` file is also wrapped in an LSP didOpen message, so the server sees real sources.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build-fuzz/corpus}"

rm -rf "$out"
mkdir -p "$out/compile" "$out/lsp" "$out/lock_file" "$out/project_config"
find examples tests -name '*.kf' -type f -print0 |
  while IFS= read -r -d '' file; do
    cp "$file" "$out/compile/$(printf '%s' "$file" | tr '/' '_')"
  done
cp fuzz/seeds/lsp/* "$out/lsp/"
cp fuzz/seeds/lock_file/* "$out/lock_file/"
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
     "$(ls "$out/lock_file" | wc -l) lock file seeds in $out"
