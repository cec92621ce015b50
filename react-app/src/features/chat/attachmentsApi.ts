/**
 * Chat with files: the attachment routes (POST/GET/DELETE /api/attachments, GET …/content) and the
 * shapes messages carry (`attachments` on questions, `citations` on replies).
 */
import { ApiError, del, getBlob, getJson, uploadForm } from '../../lib/api';

/** What the server is doing with a file: still reading it, done, nothing to read, or refused. */
export type AttachmentStatus = 'processing' | 'ready' | 'empty' | 'failed';

export interface Attachment {
  id: string;
  filename: string;
  mime_type: string;
  size: number;
  pages?: number | null;
  duration_seconds?: number | null;
  status: AttachmentStatus;
  /** Why it failed (or why nothing could be read), in words. */
  error?: string | null;
  /** How far the reading has got, 0..1, when the server says. */
  progress?: number | null;
}

/** An attachment as a message lists it. */
export interface AttachmentRef {
  id: string;
  filename: string;
  mime_type: string;
}

/** A source a reply drew on: a file and (for documents) a page, with a short quote. */
export interface Citation {
  attachment_id: string;
  filename: string;
  page?: number | null;
  quote?: string | null;
}

export interface AttachmentPage {
  number: number;
  text: string;
  method?: string;
}

/** Files the composer offers to pick (the server sniffs the content whatever the name says). */
export const ATTACH_ACCEPT = 'image/*,application/pdf,.pdf,audio/*,.mp3,.m4a,.ogg,.opus,.webm,.wav,.flac,text/plain,text/markdown,.txt,.md,.markdown';

const STATUSES: AttachmentStatus[] = ['processing', 'ready', 'empty', 'failed'];

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The error a failed attachment carries: a string, or an envelope-like `{message}`. */
function errorText(v: unknown): string | null {
  if (typeof v === 'string') return v || null;
  if (v && typeof v === 'object') return str((v as { message?: unknown }).message);
  return null;
}

/** An attachment from any answer that holds one (`{"attachment": {…}}` or the object itself). */
export function toAttachment(body: unknown): Attachment {
  const root = (body ?? {}) as Record<string, unknown>;
  const a = (root.attachment && typeof root.attachment === 'object' ? root.attachment : root) as Record<string, unknown>;
  if (typeof a.id !== 'string') throw new ApiError('bad_response', 'The server sent a reply this app cannot read.');
  const status = STATUSES.includes(a.status as AttachmentStatus) ? (a.status as AttachmentStatus) : a.status === 'error' ? 'failed' : 'processing';
  const progress = num(a.progress);
  return {
    id: a.id,
    filename: str(a.filename) ?? 'file',
    mime_type: str(a.mime_type) ?? 'application/octet-stream',
    size: num(a.size) ?? 0,
    pages: num(a.pages),
    duration_seconds: num(a.duration_seconds),
    status,
    error: errorText(a.error) ?? str(a.message),
    progress: progress === null ? null : Math.max(0, Math.min(1, progress > 1 ? progress / 100 : progress)),
  };
}

/** The extracted text, page by page, from GET /api/attachments/<id> (pages as objects or as strings). */
export function toPages(body: unknown): AttachmentPage[] {
  const root = (body ?? {}) as Record<string, unknown>;
  const a = (root.attachment && typeof root.attachment === 'object' ? root.attachment : root) as Record<string, unknown>;
  const list = Array.isArray(a.pages) ? a.pages : Array.isArray(a.text) ? a.text : typeof a.text === 'string' ? [a.text] : [];
  return list.map((p, i) => {
    if (typeof p === 'string') return { number: i + 1, text: p };
    const o = (p ?? {}) as Record<string, unknown>;
    return { number: num(o.number) ?? num(o.page) ?? i + 1, text: str(o.text) ?? '', method: str(o.method) ?? undefined };
  });
}

const path = (id: string) => `/api/attachments/${encodeURIComponent(id)}`;

/** Upload one file; `onProgress` gets 0..1 while its bytes go up. */
export async function uploadAttachment(file: File, opts: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {}): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  return toAttachment(await uploadForm<unknown>('/api/attachments', form, opts));
}

export async function getAttachment(id: string, signal?: AbortSignal): Promise<{ attachment: Attachment; pages: AttachmentPage[] }> {
  const body = await getJson<unknown>(path(id), signal);
  return { attachment: toAttachment(body), pages: toPages(body) };
}

export const deleteAttachment = (id: string) => del(path(id));

/** The file's bytes (for an image's thumbnail), fetched with the session. */
export const attachmentContent = (id: string, signal?: AbortSignal) => getBlob(`${path(id)}/content`, signal).then((r) => r.blob);

/** Citations from a `done` event or a saved message: only well-formed ones. */
export function toCitations(v: unknown): Citation[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((c) => {
    const o = (c ?? {}) as Record<string, unknown>;
    if (typeof o.attachment_id !== 'string') return [];
    return [{ attachment_id: o.attachment_id, filename: str(o.filename) ?? 'file', page: num(o.page), quote: str(o.quote) }];
  });
}

/** What kind of file, in a word a person reads on a chip. */
export function kindOf(mime: string, name = ''): 'image' | 'pdf' | 'audio' | 'text' | 'file' {
  if (mime.startsWith('image/')) return 'image';
  if (mime === 'application/pdf' || /\.pdf$/i.test(name)) return 'pdf';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('text/') || /\.(txt|md|markdown)$/i.test(name)) return 'text';
  return 'file';
}

export const KIND_LABEL = { image: 'Image', pdf: 'PDF', audio: 'Audio', text: 'Text', file: 'File' } as const;
