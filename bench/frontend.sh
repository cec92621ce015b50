#!/usr/bin/env bash
# Front-end budgets for the BUILT app (react-app/build):
#   - initial JavaScript, gzip (the entry script plus its modulepreloads): budget <= 150 KB;
#   - Lighthouse 12.2.3 (Debian chromium, headless) performance and accessibility: budget >= 95 each,
#     on the chat page (/) and the dashboard, served with gzip and the real API behind /api, signed in:
#     the administrator is created with POST /api/auth/setup and its session token put in the browser
#     profile's localStorage (playwright-core) before Lighthouse opens the page; then the sign-in page (/).
# Usage: bench/frontend.sh [--build]   (builds first when asked or when there is no build)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
APP="$ROOT/react-app"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
export CHROME_PATH

cd "$APP"
if [[ "${1:-}" == "--build" || ! -f build/index.html ]]; then npm run build >/dev/null; fi

node --input-type=module -e '
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
const html = readFileSync("build/index.html", "utf8");
const files = [...html.matchAll(/<(?:script[^>]*type="module"[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+)"/g)].map((m) => m[1]);
let total = 0;
for (const f of files) total += gzipSync(readFileSync("build" + f), { level: 9 }).length;
const kb = (total / 1024).toFixed(1);
console.log(`initial JS (gzip): ${kb} KB in ${files.length} file(s) [budget 150 KB] ${total <= 150 * 1024 ? "OK" : "OVER"}`);
'

TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
API_PORT="$(free_port)"
WEB_PORT="$(free_port)"
STORAGE="database://"
(cd "$ROOT" && AI_PROVIDER=local GEMINI_API_KEY= PORT="$API_PORT" DATABASE_URL="sqlite:///$TMP/bench.db" LOG_LEVEL=WARNING \
  AUTH_MODE=accounts RATELIMIT_STORAGE_URI="$STORAGE" RATE_LIMIT=1000000/minute exec "$PY" app.py >"$TMP/api.log" 2>&1) &
PIDS+=($!)
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$API_PORT/api/health" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$API_PORT/api/health" >/dev/null || { echo "the API did not start:" >&2; cat "$TMP/api.log" >&2; exit 1; }
TOKEN="$(curl -sf -X POST -H 'Content-Type: application/json' -d '{"username":"admin","password":"bench password 1"}' \
  "http://127.0.0.1:$API_PORT/api/auth/setup" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).token))')"
node e2e/serve.mjs "$WEB_PORT" "http://127.0.0.1:$API_PORT" >"$TMP/web.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 40); do curl -sf "http://127.0.0.1:$WEB_PORT/" >/dev/null && break; sleep 0.25; done
echo "API signed in as admin (SQLite, rate-limit storage $STORAGE)"

# A browser profile that holds the session, as a signed-in visitor's would; Lighthouse keeps its storage.
PROFILE="$TMP/profile"
node --input-type=module -e '
import { chromium } from "playwright-core";
const [profile, url, token] = process.argv.slice(1);
const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROME_PATH, args: ["--no-sandbox"] });
const page = await context.newPage();
await page.goto(url);
await page.evaluate((t) => localStorage.setItem("sessionToken", t), token);
await context.close();
' "$PROFILE" "http://127.0.0.1:$WEB_PORT/" "$TOKEN"

FLAGS="--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update --disable-sync"
run_lighthouse() {  # page, label, extra chrome flags, extra lighthouse flags
  local out="$TMP/lh.json"
  npx --yes lighthouse@12.2.3 "http://127.0.0.1:$WEB_PORT$1" --quiet --chrome-flags="$FLAGS $3" $4 \
    --only-categories=performance,accessibility --output=json --output-path="$out" >/dev/null 2>"$TMP/lh.err" || { cat "$TMP/lh.err" >&2; exit 1; }
  node -e '
    const r = require(process.argv[1]);
    const s = (c) => Math.round(r.categories[c].score * 100);
    const a = r.audits;
    const me = (a["network-requests"].details?.items ?? []).find((i) => i.url.endsWith("/api/auth/me"));
    const who = me ? (me.statusCode === 200 ? "signed in" : `GET /api/auth/me ${me.statusCode}`) : "signed out";
    if (process.argv[3] === "signed in" && who !== "signed in") { console.error(`lighthouse ${process.argv[2]}: expected a signed-in page, got ${who}`); process.exit(1); }
    const ok = s("performance") >= 95 && s("accessibility") >= 95 ? "OK" : "BELOW";
    console.log(`lighthouse ${process.argv[2].padEnd(11)} ${who.padEnd(10)} performance ${s("performance")}  accessibility ${s("accessibility")} [budget 95] ${ok}  (FCP ${a["first-contentful-paint"].displayValue}, LCP ${a["largest-contentful-paint"].displayValue}, TBT ${a["total-blocking-time"].displayValue}, CLS ${a["cumulative-layout-shift"].displayValue})`);
    for (const [id, au] of Object.entries(a)) if (au.score !== null && au.score < 1 && r.categories.accessibility.auditRefs.some((x) => x.id === id && x.weight > 0)) console.log(`  a11y: ${id}: ${au.title}`);
  ' "$out" "$1" "$2"
}
for page in / /dashboard; do
  run_lighthouse "$page" "signed in" "--user-data-dir=$PROFILE" "--disable-storage-reset"
done
run_lighthouse / "signed out" "" ""  # what a visitor sees first: the sign-in page
