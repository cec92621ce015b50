/**
 * A real HTTP server for component and client tests: the code under test uses the real fetch and
 * XMLHttpRequest over a socket, with routes each test defines.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { env } from '../config/env';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export interface TestServer {
  url: string;
  routes: Map<string, Handler>;
  requests: { method: string; url: string; body: string }[];
  close: () => Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const requests: TestServer['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    res.setHeader('Access-Control-Allow-Methods', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition, Retry-After');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method ?? '', url: req.url ?? '', body });
    const path = (req.url ?? '').split('?')[0];
    const handler = routes.get(`${req.method} ${path}`);
    if (!handler) return json(res, 404, { error: { code: 'not_found', message: `No route ${req.method} ${path}.` } });
    await handler(req, res, body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env.apiUrl = url; // the app's one API client now talks to this server
  return {
    url,
    routes,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export const HEALTH_ALL = {
  status: 'ok',
  version: 'test',
  capabilities: Object.fromEntries(['chat', 'vision', 'image_generation', 'transcription', 'ocr', 'pdf_export'].map((k) => [k, { available: true, engine: 'gemini' }])),
};

/** /api/health of a server with accounts on; `auth` overrides its sign-in settings. */
export function healthWith(auth: Partial<{ mode: 'accounts' | 'none'; setup_required: boolean; setup_code_required: boolean; signup: 'invite' | 'open' | 'closed' }> = {}) {
  return { ...HEALTH_ALL, auth: { mode: 'accounts', setup_required: false, setup_code_required: false, signup: 'invite', ...auth } };
}

export const ADMIN = { id: 'u-admin', username: 'ada', role: 'admin', created_at: '2026-01-01T09:00:00Z' } as const;
export const MEMBER = { id: 'u-member', username: 'bob', role: 'user', created_at: '2026-01-02T09:00:00Z' } as const;

export const UNAUTHORIZED = { error: { code: 'unauthorized', message: 'Your session has ended. Sign in again.' } };

/** A route that answers only for `Authorization: Bearer <token>`; anything else is 401 `unauthorized`. */
export function authed(token: string, handler: Handler): Handler {
  return (req, res, body) => (req.headers.authorization === `Bearer ${token}` ? handler(req, res, body) : json(res, 401, UNAUTHORIZED));
}

/** The signed-in person, for GET /api/auth/me, behind `token`. */
export function meRoute(server: TestServer, token: string, user: object) {
  server.routes.set('GET /api/auth/me', authed(token, (_q, res) => json(res, 200, { user })));
}
