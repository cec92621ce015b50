/**
 * A small static server for the built app (react-app/build) that forwards /api to the API, the way
 * a reverse proxy would in production. Unknown paths get index.html (client-side routes).
 * Without an API URL it forwards nothing: the app is then on its own origin and calls the API's
 * (REACT_APP_API_URL baked into that build), as on Render; `apiHits` counts calls that still came here.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { createGzip } from 'node:zlib';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon', '.woff2': 'font/woff2' };

export function serveBuild(root, apiUrl, port = 0) {
  const api = apiUrl ? new URL(apiUrl) : null;
  const stats = { apiHits: 0 };
  const server = createServer((req, res) => {
    if (!api && (req.url.startsWith('/api/') || req.url === '/api')) {
      stats.apiHits++;
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'This server only serves the web app.' } }));
      return;
    }
    if (req.url.startsWith('/api/') || req.url === '/api') {
      const upstream = request(
        { host: api.hostname, port: api.port, path: req.url, method: req.method, headers: { ...req.headers, host: api.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'upstream_error', message: 'The API is not reachable.' } }));
      });
      req.pipe(upstream);
      // The browser went away (e.g. Stop on a streamed reply): tell the API, as a real proxy would.
      res.on('close', () => !res.writableFinished && upstream.destroy());
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, path);
    let stat;
    try {
      stat = statSync(file);
      if (stat.isDirectory()) throw new Error('dir');
    } catch {
      file = join(root, 'index.html');
      stat = statSync(file);
    }
    const hashed = file.includes(`${join(root, 'assets')}`);
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const gzip = /gzip/.test(req.headers['accept-encoding'] ?? '') && /text|javascript|svg|json/.test(type);
    res.writeHead(200, {
      'Content-Type': type,
      ...(gzip ? { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } : { 'Content-Length': stat.size }),
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    const body = createReadStream(file);
    (gzip ? body.pipe(createGzip()) : body).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, stats, url: `http://127.0.0.1:${server.address().port}` })));
}

// `node e2e/serve.mjs [port] [apiUrl]`: serve the build by hand (bench/frontend.sh uses it).
if (import.meta.url === `file://${process.argv[1]}`) {
  const root = new URL('../build/', import.meta.url).pathname;
  const { url } = await serveBuild(root, process.argv[3] ?? 'http://127.0.0.1:5000', Number(process.argv[2] ?? 3000));
  console.log(`serving ${root} on ${url}`);
}
