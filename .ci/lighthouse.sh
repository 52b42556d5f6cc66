#!/usr/bin/env bash
# Lighthouse accessibility 100 on every public page, both versions, 390 and 1280 px (issue 17). Needs node and npm;
# Lighthouse is installed from the npm registry into var/lighthouse at the pinned version, and drives Debian's
# Chromium (never a downloaded browser). Usage: .ci/lighthouse.sh   (exit 1 when any score is below 100)
set -euo pipefail
cd "$(dirname "$0")/.."

LIGHTHOUSE_VERSION=13.5.0
PREFIX=var/lighthouse  # ignored by git
if [ ! -x "$PREFIX/node_modules/.bin/lighthouse" ] || \
   [ "$("$PREFIX/node_modules/.bin/lighthouse" --version)" != "$LIGHTHOUSE_VERSION" ]; then
  echo "== installing lighthouse@$LIGHTHOUSE_VERSION from npm into $PREFIX"
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION"
fi

export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
.venv/bin/python .ci/lighthouse.py "$PREFIX/node_modules/.bin/lighthouse"
