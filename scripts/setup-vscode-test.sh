#!/usr/bin/env bash
# Installs a real VS Code (code-server's bundled one) and playwright-core into .vscode-test/, outside the project's
# own dependency tree, so the extension's e2e suite can run offline (see docs in test/e2e/README.md).
# Idempotent: a second run with everything in place does nothing. Needs Debian's chromium, ripgrep and libkrb5-dev.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
RIPGREP_CACHE_VERSION=1.15.11 # the @vscode/ripgrep version code-server 4.100.3 depends on
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.vscode-test"

for tool in chromium rg; do
  if ! command -v "$tool" >/dev/null; then
    echo "setup-vscode-test: '$tool' is missing; install it with: apt-get install -y --no-install-recommends chromium ripgrep libkrb5-dev" >&2
    exit 1
  fi
done
if [ ! -e /usr/include/gssapi/gssapi.h ] && [ ! -e /usr/include/krb5.h ]; then
  echo "setup-vscode-test: libkrb5-dev is missing (code-server's kerberos addon builds against it); apt-get install -y libkrb5-dev" >&2
  exit 1
fi

installed_version() {
  node -p "require('$dir/node_modules/code-server/package.json').version" 2>/dev/null || true
}
# The marker is written last, so a half-finished install is redone.
marker="$dir/.installed-code-server-$CODE_SERVER_VERSION"
if [ -f "$marker" ] && [ "$(installed_version)" = "$CODE_SERVER_VERSION" ] && [ -d "$dir/node_modules/playwright-core" ]; then
  echo "setup-vscode-test: code-server $CODE_SERVER_VERSION and playwright-core already in $dir"
  exit 0
fi

mkdir -p "$dir"
# allowScripts: this npm runs no install script unless the manifest allows it; code-server's postinstall installs and
# builds VS Code's own modules, argon2's fetches-or-builds its addon.
cat >"$dir/package.json" <<'JSON'
{
  "name": "vscode-test-host",
  "private": true,
  "description": "code-server and playwright-core for the e2e suite; not part of the extension",
  "allowScripts": {
    "code-server": true,
    "argon2": true
  }
}
JSON

# @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable); seed its cache with Debian's rg.
tmp="${TMPDIR:-/tmp}"
cache="$tmp/vscode-ripgrep-cache-$RIPGREP_CACHE_VERSION"
mkdir -p "$cache"
if [ ! -s "$cache/$RIPGREP_ASSET" ]; then
  tar czf "$cache/$RIPGREP_ASSET" -C "$(dirname "$(command -v rg)")" rg
fi

# unsafe_perm: code-server's postinstall refuses root otherwise; yes: node-pty's postinstall runs `npx node-gyp`.
cd "$dir"
rm -rf "$dir/node_modules" "$dir/package-lock.json" "$dir"/.installed-code-server-*
npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund \
  "code-server@$CODE_SERVER_VERSION" playwright-core
touch "$marker"
echo "setup-vscode-test: installed code-server $(installed_version) into $dir"
