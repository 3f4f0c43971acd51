#!/usr/bin/env bash
# Runs one step of the VS Code extension's tests for ctest, in a copy of editors/vscode under the
# build directory so that node_modules never lands in the source tree.
#   ctest.sh install SOURCE_DIR WORK_DIR   copy the extension and run `npm ci` (only when
#                                          package-lock.json changed since the last run)
#   ctest.sh grammar SOURCE_DIR WORK_DIR   tokenize sample lines with the grammar (node --test)
#   ctest.sh package SOURCE_DIR WORK_DIR   build WORK_DIR/kfpc.vsix with @vscode/vsce, no publishing
# Exits 77 (skipped) when node or npm is not installed.
set -euo pipefail

step=$1
source_dir=$2
work_dir=$3

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "skipped: node and npm are needed for the VS Code extension tests"
  exit 77
fi

copy_sources() {
  mkdir -p "$work_dir"
  rm -rf "$work_dir/syntaxes" "$work_dir/test"
  cp -r "$source_dir/syntaxes" "$source_dir/test" "$work_dir/"
  local file
  for file in package.json package-lock.json extension.js language-configuration.json README.md \
              .vscodeignore; do
    cp "$source_dir/$file" "$work_dir/"
  done
}

case "$step" in
  install)
    copy_sources
    stamp="$work_dir/.npm-ci-stamp"
    lock_hash=$(sha256sum "$source_dir/package-lock.json" | cut -d' ' -f1)
    if [[ -d "$work_dir/node_modules" && -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
      echo "node_modules is up to date with package-lock.json"
      exit 0
    fi
    rm -f "$stamp"
    (cd "$work_dir" && npm ci --no-audit --no-fund --prefer-offline)
    echo "$lock_hash" >"$stamp"
    ;;
  grammar)
    copy_sources
    cd "$work_dir"
    node --test test/
    ;;
  package)
    copy_sources
    cd "$work_dir"
    rm -f kfpc.vsix
    npx --no-install vsce package --skip-license --allow-missing-repository -o kfpc.vsix
    # The package must carry the grammar, the language configuration and the client library.
    listing=$(unzip -l kfpc.vsix 2>/dev/null || python3 -m zipfile -l kfpc.vsix)
    for entry in extension/syntaxes/kf.tmLanguage.json extension/language-configuration.json \
                 extension/extension.js extension/node_modules/vscode-languageclient/node.js; do
      if ! grep -q "$entry" <<<"$listing"; then
        echo "error: kfpc.vsix has no $entry" >&2
        exit 1
      fi
    done
    if grep -q "extension/test/" <<<"$listing"; then
      echo "error: kfpc.vsix contains the tests" >&2
      exit 1
    fi
    echo "packaged $work_dir/kfpc.vsix"
    ;;
  *)
    echo "usage: $0 install|grammar|package SOURCE_DIR WORK_DIR" >&2
    exit 2
    ;;
esac
