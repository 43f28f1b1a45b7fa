#!/usr/bin/env bash
# The Debian packages the tests need: redis-server (shared rate limits), chromium + ripgrep + libkrb5-dev
# (the extension runs in code-server's VS Code driven by chromium), curl (the start banner's curl line, uploads with
# Expect: 100-continue), python3 with pip and mypy (the Python SDK's tests install it with pip and type-check it with
# mypy --strict), prometheus for its promtool (/metrics must pass `promtool check metrics`; the service is never
# started by the tests).
# Installs what is missing when it can (root with apt-get); otherwise says exactly what to install.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
command -v curl >/dev/null || need+=(curl)
command -v promtool >/dev/null || need+=(prometheus)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v python3 >/dev/null || need+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
command -v mypy >/dev/null || need+=(mypy)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing test dependencies: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "The tests need these Debian packages: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi
