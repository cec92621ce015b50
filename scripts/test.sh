#!/usr/bin/env bash
# Sets up and runs every test: pytest (API, real engines, fake Gemini, SQLite and PostgreSQL), the web
# app's unit tests, and the end-to-end tests in Chromium. System packages come from apt when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PACKAGES="postgresql redis-server tesseract-ocr tesseract-ocr-eng espeak-ng fonts-dejavu-core chromium poppler-utils"
missing=$(for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
  echo "==> Installing system packages: $missing"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
scripts/setup.sh --dev
. .venv/bin/activate
echo "==> pytest"
python -m pytest -q "$@"
if [ -f react-app/package.json ]; then
  echo "==> web app unit tests"
  (cd react-app && npm test --silent)
  echo "==> end-to-end tests (builds the app, then drives it in Chromium against the real API)"
  (cd react-app && npm run e2e --silent)
fi
