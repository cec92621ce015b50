import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../config/env';
import { json, startServer, type TestServer } from '../test/server';
import { onUnauthorized, setToken } from './auth';
import { ApiError, errorFromBody, filenameFrom, getJson, postForBlob, postJson, streamEvents, uploadForm } from './api';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function collect<T>(gen: AsyncGenerator<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const x of gen) items.push(x);
    return { items, error: null };
  } catch (error) {
    return { items, error };
  }
}

describe('error envelope', () => {
  it('becomes an ApiError with the code, message, status and Retry-After', async () => {
    server.routes.set('GET /api/busy', (_req, res) => json(res, 503, { error: { code: 'engine_busy', message: 'The local model is busy; try again in a few seconds.' } }, { 'Retry-After': '7' }));
    const err = await getJson('/api/busy').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'engine_busy', message: 'The local model is busy; try again in a few seconds.', status: 503, retryAfter: 7 });
  });

  it('a body that is not the envelope (a proxy’s HTML page) still gives a readable message', () => {
    const err = errorFromBody(502, '<html>Bad Gateway</html>');
    expect(err.code).toBe('http_error');
    expect(err.message).toBe('The server answered with status 502. Please try again.');
  });

  it('a server that cannot be reached gives network_error', async () => {
    const { env } = await import('../config/env');
    const saved = env.apiUrl;
    env.apiUrl = 'http://127.0.0.1:9'; // discard port: nothing listens
    const err = await getJson('/api/health').catch((e) => e);
    env.apiUrl = saved;
    expect(err).toMatchObject({ code: 'network_error' });
  });
});

describe('SSE over a POST stream', () => {
  it('parses events split at arbitrary byte boundaries, multi-byte characters included', async () => {
    const stream = 'event: meta\ndata: {"conversation_id":"abc","engine":"gemini"}\n\n' + 'event: delta\ndata: {"text":"Héllo "}\n\n' + ': keep-alive comment\n\n' + 'event: delta\r\ndata: {"text":"wörld ✓"}\r\n\r\n' + 'event: done\ndata: {"message_id":"m1","usage":{}}\n\n';
    server.routes.set('POST /api/chat', async (req, res) => {
      expect(req.headers.accept).toBe('text/event-stream');
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const bytes = Buffer.from(stream, 'utf8');
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7)); // splits lines and UTF-8 sequences
        await new Promise((r) => setTimeout(r, 1));
      }
      res.end();
    });
    const { items, error } = await collect(streamEvents('/api/chat', { message: 'hi' }));
    expect(error).toBeNull();
    expect(items.map((e) => e.event)).toEqual(['meta', 'delta', 'delta', 'done']);
    expect(items.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text).join('')).toBe('Héllo wörld ✓');
    expect(JSON.parse(server.requests.at(-1)!.body)).toEqual({ message: 'hi' });
  });

  it('an error event is thrown as ApiError after the deltas before it', async () => {
    server.routes.set('POST /api/chat', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('event: delta\ndata: {"text":"partial"}\n\nevent: error\ndata: {"error":{"code":"upstream_timeout","message":"Gemini did not answer in time."}}\n\n');
    });
    const { items, error } = await collect(streamEvents('/api/chat', { message: 'hi' }));
    expect(items).toHaveLength(1);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'upstream_timeout', message: 'Gemini did not answer in time.' });
  });

  it('an error before the stream starts is the envelope', async () => {
    server.routes.set('POST /api/chat', (_req, res) => json(res, 400, { error: { code: 'invalid_request', message: 'message: must not be empty.' } }));
    const { error } = await collect(streamEvents('/api/chat', { message: '' }));
    expect(error).toMatchObject({ code: 'invalid_request', message: 'message: must not be empty.', status: 400 });
  });

  it('aborting stops the stream with an AbortError', async () => {
    server.routes.set('POST /api/chat', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write('event: delta\ndata: {"text":"first"}\n\n'); // then never ends
    });
    const ctrl = new AbortController();
    const items: unknown[] = [];
    let error: unknown = null;
    try {
      for await (const ev of streamEvents('/api/chat', { message: 'hi' }, ctrl.signal)) {
        items.push(ev);
        ctrl.abort();
      }
    } catch (e) {
      error = e;
    }
    expect(items).toHaveLength(1);
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('files', () => {
  it('reads the file name from Content-Disposition', () => {
    expect(filenameFrom('attachment; filename="report.pdf"')).toBe('report.pdf');
    expect(filenameFrom("attachment; filename=x.pdf; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")).toBe('résumé.pdf');
    expect(filenameFrom(null)).toBeNull();
  });

  it('postForBlob returns the bytes and the server’s name', async () => {
    server.routes.set('POST /api/export/pdf', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="chat.pdf"' });
      res.end('%PDF-1.4 test');
    });
    const { blob, filename } = await postForBlob('/api/export/pdf', { conversation_id: 'x' });
    expect(filename).toBe('chat.pdf');
    expect(await blob.text()).toBe('%PDF-1.4 test');
  });

  it('uploadForm sends multipart and maps the error envelope', async () => {
    server.routes.set('POST /api/upload', (req, res, body) => {
      expect(req.headers['content-type']).toMatch(/^multipart\/form-data/);
      expect(body).toContain('name="file"');
      json(res, 413, { error: { code: 'payload_too_large', message: 'The file is larger than 20 MB (MAX_UPLOAD_MB).' } });
    });
    const form = new FormData();
    form.append('file', new Blob(['x'.repeat(1000)]), 'big.png');
    const err = await uploadForm('/api/upload', form).catch((e) => e);
    expect(err).toMatchObject({ code: 'payload_too_large', message: 'The file is larger than 20 MB (MAX_UPLOAD_MB).', status: 413 });
  });
});

describe('session token', () => {
  it('is sent as a bearer token when set; a 401 `unauthorized` is reported once, with the server’s message', async () => {
    server.routes.set('GET /api/private', (req, res) =>
      req.headers.authorization === 'Bearer s3cret' ? json(res, 200, { ok: true }) : json(res, 401, { error: { code: 'unauthorized', message: 'Your session has ended. Sign in again.' } }),
    );
    const heard: string[] = [];
    const stop = onUnauthorized((message) => heard.push(message));
    const err = (await getJson('/api/private').catch((e) => e)) as ApiError;
    expect(err).toMatchObject({ code: 'unauthorized', status: 401, message: 'Your session has ended. Sign in again.' });
    expect(heard).toEqual(['Your session has ended. Sign in again.']); // the auth provider signs out and opens sign-in
    setToken('s3cret');
    expect(await getJson('/api/private')).toEqual({ ok: true });
    setToken(null);
    expect(heard).toHaveLength(1);
    stop();
  });

  it('the server’s wording for API clients (naming the header) becomes a sentence for people', () => {
    const stop = onUnauthorized(() => undefined);
    const err = errorFromBody(401, JSON.stringify({ error: { code: 'unauthorized', message: 'Please sign in: send `Authorization: Bearer <token>`.' } }));
    stop();
    expect(err.message).toBe('Your session has ended. Sign in again to continue.');
  });

  it('wrong credentials on sign-in are not an ended session', async () => {
    server.routes.set('POST /api/auth/login', (_q, res) => json(res, 401, { error: { code: 'invalid_credentials', message: 'Wrong username or password.' } }));
    let heard = 0;
    const stop = onUnauthorized(() => heard++);
    const err = await postJson('/api/auth/login', { username: 'a', password: 'b' }).catch((e) => e);
    stop();
    expect(err).toMatchObject({ code: 'invalid_credentials', message: 'Wrong username or password.' });
    expect(heard).toBe(0);
  });
});

describe('env', () => {
  it('accepts empty (same origin), http(s) URLs and paths; refuses the rest with a clear message', () => {
    expect(parseEnv({})).toEqual({ apiUrl: '' });
    expect(parseEnv({ REACT_APP_API_URL: 'https://api.example.com/' })).toEqual({ apiUrl: 'https://api.example.com' });
    expect(parseEnv({ REACT_APP_API_URL: '/backend' })).toEqual({ apiUrl: '/backend' });
    expect(() => parseEnv({ REACT_APP_API_URL: 'not a url' })).toThrow(/REACT_APP_API_URL is not a valid URL/);
    expect(() => parseEnv({ REACT_APP_API_URL: 'ftp://x' })).toThrow(/must be http/);
  });
});
