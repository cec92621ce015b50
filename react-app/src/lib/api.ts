/**
 * The one API client. Every call goes through here so that:
 * - an error envelope `{"error": {"code", "message"}}` (or a network failure) becomes a thrown ApiError
 *   whose message can be shown to the user as is;
 * - Server-Sent Events are read from a fetch stream (so POST bodies work) with eventsource-parser;
 * - every call can be aborted with an AbortSignal.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { env } from '../config/env';
import { authHeader, notifyUnauthorized } from './auth';

export class ApiError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status = 0,
    public readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// By name, not instanceof: a DOMException can come from another realm (a worker, a test runtime).
export const isAbort = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';

/** The error to throw once the caller aborted, whatever the transport reported. */
const abortError = (signal: AbortSignal) => (isAbort(signal.reason) ? signal.reason : new DOMException('The request was cancelled.', 'AbortError'));

export function apiUrl(path: string): string {
  return `${env.apiUrl}${path}`;
}

const SESSION_ENDED = 'Your session has ended. Sign in again to continue.';

interface Envelope {
  error?: { code?: unknown; message?: unknown };
}

/** Turn any failed response body into an ApiError, even when it is not JSON (a proxy's HTML page). */
export function errorFromBody(status: number, body: string, retryAfter: string | null = null): ApiError {
  const wait = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  try {
    const data = JSON.parse(body) as Envelope;
    const { code, message } = data.error ?? {};
    if (code === 'unauthorized') {
      // No, expired or revoked session, or a disabled account: handled once, by the auth provider
      // (it forgets the token and opens the sign-in page, then comes back here).
      // The server's wording for a request without a token is for API clients (it names the header).
      const text = typeof message === 'string' && message && !/Authorization|Bearer/.test(message) ? message : SESSION_ENDED;
      notifyUnauthorized(text);
      return new ApiError(code, text, status, wait);
    }
    if (typeof code === 'string' && typeof message === 'string') return new ApiError(code, message, status, wait);
  } catch {
    /* not JSON: fall through */
  }
  return new ApiError('http_error', `The server answered with status ${status}. Please try again.`, status, wait);
}

const NETWORK_MESSAGE = 'Could not reach the server. Check that the API is running and your connection is up.';

async function send(path: string, init: RequestInit): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path), init);
  } catch (err) {
    if (init.signal?.aborted) throw abortError(init.signal);
    if (isAbort(err)) throw err;
    throw new ApiError('network_error', NETWORK_MESSAGE);
  }
  if (!res.ok) throw errorFromBody(res.status, await res.text().catch(() => ''), res.headers.get('Retry-After'));
  return res;
}

function jsonInit(method: string, body: unknown, signal?: AbortSignal, accept = 'application/json', auth = true): RequestInit {
  return {
    method,
    signal,
    headers: { Accept: accept, ...(auth ? authHeader() : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await send(path, jsonInit('GET', undefined, signal))).json() as Promise<T>;
}

/** GET a public resource (a shared conversation) without the session: it is nobody's request in particular. */
export async function getPublicJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await send(path, jsonInit('GET', undefined, signal, 'application/json', false))).json() as Promise<T>;
}

export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return (await send(path, jsonInit('POST', body, signal))).json() as Promise<T>;
}

export async function patchJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return (await send(path, jsonInit('PATCH', body, signal))).json() as Promise<T>;
}

/** POST for an answer without a body (204), e.g. signing out. */
export async function postNoContent(path: string, body?: unknown, signal?: AbortSignal): Promise<void> {
  await send(path, jsonInit('POST', body, signal));
}

export async function del(path: string, signal?: AbortSignal): Promise<void> {
  await send(path, jsonInit('DELETE', undefined, signal));
}

/** POST JSON and get a file back (e.g. a PDF): its bytes and the server's filename. */
export async function postForBlob(path: string, body: unknown, signal?: AbortSignal): Promise<{ blob: Blob; filename: string | null }> {
  const res = await send(path, jsonInit('POST', body, signal, '*/*'));
  return { blob: await res.blob(), filename: filenameFrom(res.headers.get('Content-Disposition')) };
}

/** POST JSON and hand back the response itself (errors already turned into ApiError): for a body read as it streams. */
export async function postForResponse(path: string, body: unknown, signal?: AbortSignal, accept = '*/*'): Promise<Response> {
  return send(path, jsonInit('POST', body, signal, accept));
}

/** GET a file (an export): its bytes and the server's filename. */
export async function getBlob(path: string, signal?: AbortSignal): Promise<{ blob: Blob; filename: string | null }> {
  const res = await send(path, jsonInit('GET', undefined, signal, '*/*'));
  return { blob: await res.blob(), filename: filenameFrom(res.headers.get('Content-Disposition')) };
}

export function filenameFrom(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall back to the plain form */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : null;
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/**
 * POST JSON and yield each Server-Sent Event as it arrives. An `event: error` frame is thrown as an
 * ApiError after the events before it were yielded, so a caller keeps the partial reply.
 */
export async function* streamEvents(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const res = await send(path, jsonInit('POST', body, signal, 'text/event-stream'));
  if (!res.body) throw new ApiError('stream_unsupported', 'This browser cannot read streamed replies.');
  const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<{ event?: string; data: string }>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (signal?.aborted) throw abortError(signal);
        if (isAbort(err)) throw err;
        throw new ApiError('network_error', 'The connection was lost while the reply was streaming.');
      }
      if (chunk.done) return;
      const name = chunk.value.event ?? 'message';
      let data: unknown;
      try {
        data = JSON.parse(chunk.value.data);
      } catch {
        data = chunk.value.data;
      }
      if (name === 'error') {
        const env = errorFromBody(0, typeof data === 'string' ? data : JSON.stringify(data));
        throw env;
      }
      yield { event: name, data };
    }
  } finally {
    reader.releaseLock();
    if (signal?.aborted) await res.body.cancel().catch(() => undefined);
  }
}

/**
 * Multipart upload through XMLHttpRequest, the one browser API that reports upload progress.
 * `onProgress` receives 0..1 while bytes go up; the promise resolves with the parsed JSON.
 */
export function uploadForm<T>(path: string, form: FormData, opts: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(path));
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(authHeader())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && opts.onProgress) opts.onProgress(e.loaded / e.total);
    };
    xhr.upload.onload = () => opts.onProgress?.(1);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError('bad_response', 'The server sent a reply this app cannot read.', xhr.status));
        }
      } else {
        reject(errorFromBody(xhr.status, xhr.responseText, xhr.getResponseHeader('Retry-After')));
      }
    };
    xhr.onerror = () => reject(new ApiError('network_error', NETWORK_MESSAGE));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    if (opts.signal) {
      if (opts.signal.aborted) return reject(new DOMException('The upload was cancelled.', 'AbortError'));
      opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(form);
  });
}

/** A message for any thrown value, for showing in the UI. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
