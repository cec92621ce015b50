#!/usr/bin/env bash
# Sets up (first time: several minutes) and runs the app: the API on :5000 and the web app on :3000.
# No key needed: the embedded engines answer offline. Put GEMINI_API_KEY etc. in .env to use Gemini.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
export PORT="${PORT:-5000}"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
python app.py & pids+=($!)
if [ -f react-app/package.json ]; then
  (cd react-app && npm run dev -- --port 3000 --strictPort) & pids+=($!)
  echo "API on http://localhost:$PORT — app on http://localhost:3000 (Ctrl-C stops both)"
fi
wait -n "${pids[@]}"
