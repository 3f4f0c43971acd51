#!/bin/sh
# End-to-end test of the language server with a real editor: a headless neovim opens a .kf file
# with an error, records the diagnostics the server pushes, applies the server's quick fix and
# waits for the diagnostics to clear (nvim_lsp_test.lua). Exits 77, which ctest reports as skipped, when nvim
# is not installed.
#
# Usage: nvim_lsp_test.sh LUA_SCRIPT SERVER_COMMAND [SERVER_ARGUMENT...]
set -eu

if ! command -v nvim >/dev/null 2>&1; then
  echo "SKIPPED: nvim is not installed (Debian package neovim)"
  exit 77
fi

script=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/echo.kf" <<'KF'
component echo(message: string) {
  image   = "alpine"
  command = ["echo", message]
}

pipeline p() {
  x = echo(message = "é😀") y = ech(message = "x")
}
KF

# The server command reaches the Lua script as one tab-separated string.
server=$(printf '%s\t' "$@")
KFPC_LSP_SERVER=$server KFPC_NVIM_FILE="$work/echo.kf" KFPC_NVIM_OUTPUT="$work/output.txt" \
  timeout 60 nvim --headless --clean -u NONE -c "luafile $script" </dev/null

# nvim reports columns in bytes: `ech` starts at byte 35 of line 6 (0-based), after "é😀".
cat > "$work/expected.txt" <<'EXPECTED'
6:35: E0204: unknown component `ech` | help: did you mean `echo`
1 code action(s)
action: replace with `echo` (quickfix)
line 6:   x = echo(message = "é😀") y = echo(message = "x")
cleared
server exit code 0
EXPECTED

if ! diff -u "$work/expected.txt" "$work/output.txt"; then
  echo "FAILED: neovim saw other diagnostics than expected (diff above: - expected, + actual)"
  exit 1
fi
echo "PASSED: neovim received the diagnostics, applied the quick fix and saw them clear"
