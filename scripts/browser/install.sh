#!/usr/bin/env bash
# Installs the headless browser the console's tests drive: Debian's Chromium (apt), never a browser
# download. Playwright (playwright-core, a dev dependency) drives it at $CHROMIUM_PATH (/usr/bin/chromium).
set -euo pipefail

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

if "$CHROMIUM_PATH" --version >/dev/null 2>&1; then
  echo "[browser] $("$CHROMIUM_PATH" --version 2>/dev/null)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "[browser] no Chromium at $CHROMIUM_PATH and no apt-get: install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || { echo "[browser] installing Chromium needs root (apt-get install chromium)" >&2; exit 1; }
  SUDO="sudo"
fi
echo "[browser] installing Debian's chromium" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -yq --no-install-recommends chromium fonts-liberation
echo "[browser] $("$CHROMIUM_PATH" --version 2>/dev/null)" >&2
