import { del, getBlob, getJson, patchJson, postForBlob, streamEvents } from '../../lib/api';
import { toCitations, type AttachmentRef, type Citation } from './attachmentsApi';

/** Where a search found its words: an excerpt and the [start, end) of each matched word in it. */
export interface SearchMatch {
  field: 'title' | 'message';
  text: string;
  ranges: [number, number][];
}

export interface ConversationSummary {
  id: string;
  title: string;
  updated_at: string;
  message_count: number;
  /** With a search: where the words were found. */
  match?: SearchMatch | null;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  next_cursor: string | null;
}

export interface Message {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  created_at?: string;
  status?: 'complete' | 'incomplete';
  engine?: string | null;
  model?: string | null;
  parent_id?: string | null;
  /** The ids of this message's versions (itself included), oldest first. */
  versions?: string[];
  /** Questions: the files sent with it. */
  attachments?: AttachmentRef[];
  /** Replies: the attached files (and pages) it drew on. */
  citations?: Citation[];
}

export interface Conversation {
  id: string;
  title: string;
  current_leaf_id?: string | null;
  /** The chat model this conversation keeps (an id from GET /api/models); null: the server's default. */
  model?: string | null;
  /** The path being viewed, first to last. */
  messages: Message[];
}

export type ChatEvent =
  | { type: 'meta'; conversationId: string; userMessageId?: string; engine?: string; model?: string }
  | { type: 'delta'; text: string }
  | { type: 'done'; messageId: string | null; citations: Citation[] };

const conv = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;

function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const PAGE_SIZE = 30;

/** One page of the history, newest first; `q` searches titles and messages. */
export const listConversations = ({ q, cursor, limit = PAGE_SIZE }: { q?: string; cursor?: string | null; limit?: number } = {}, signal?: AbortSignal) =>
  getJson<Partial<ConversationPage>>(`/api/conversations${query({ q: q?.trim(), cursor, limit })}`, signal).then(
    (r): ConversationPage => ({ conversations: r.conversations ?? [], next_cursor: r.next_cursor ?? null }),
  );

/** The conversation with the path being viewed: through message `at` (a version flipped to) when given. */
export const getConversation = (id: string, at?: string | null, signal?: AbortSignal) => getJson<Conversation>(`${conv(id)}${query({ at })}`, signal);

export const renameConversation = (id: string, title: string) => patchJson<{ id: string; title: string; updated_at: string }>(conv(id), { title });

export const deleteConversation = (id: string) => del(conv(id));

export type ExportFormat = 'pdf' | 'md' | 'json';

/** The path being viewed (through `at`) as a file made by the server. */
export const exportConversation = (id: string, format: ExportFormat, at?: string | null, signal?: AbortSignal) => getBlob(`${conv(id)}/export${query({ format, at })}`, signal);

/** What to send: a new message (continuing from `parentId`), a new version of an earlier question, or of the last reply. */
export type ChatRequest = (
  | { kind: 'message'; message: string; conversationId: string | null; parentId?: string | null; attachments?: string[] }
  | { kind: 'edit'; message: string; conversationId: string; editOf: string }
  | { kind: 'regenerate'; conversationId: string; parentId?: string | null }
) & {
  /** A model picked for this message (an id from GET /api/models); the conversation keeps it. */
  model?: string | null;
};

function bodyOf(req: ChatRequest): Record<string, unknown> {
  const base: Record<string, unknown> = {
    ...(req.conversationId ? { conversation_id: req.conversationId } : {}),
    ...(req.model ? { model: req.model } : {}),
  };
  if (req.kind === 'edit') return { ...base, message: req.message, edit_of: req.editOf };
  if (req.kind === 'regenerate') return { ...base, message: '', regenerate: true, ...(req.parentId ? { parent_id: req.parentId } : {}) };
  return { ...base, message: req.message, ...(req.parentId ? { parent_id: req.parentId } : {}), ...(req.attachments?.length ? { attachments: req.attachments } : {}) };
}

/** Stream a reply: typed events from the SSE stream; an `error` event is thrown as ApiError. */
export async function* sendMessage(req: ChatRequest, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  for await (const { event, data } of streamEvents('/api/chat', bodyOf(req), signal)) {
    const d = (data ?? {}) as Record<string, unknown>;
    if (event === 'meta')
      yield {
        type: 'meta',
        conversationId: String(d.conversation_id),
        userMessageId: typeof d.user_message_id === 'string' ? d.user_message_id : undefined,
        engine: d.engine as string | undefined,
        model: d.model as string | undefined,
      };
    else if (event === 'delta' && typeof d.text === 'string') yield { type: 'delta', text: d.text };
    else if (event === 'done') yield { type: 'done', messageId: (d.message_id as string | null) ?? null, citations: toCitations(d.citations) };
  }
}

/** One chat model the server offers. */
export interface ModelChoice {
  id: string;
  engine: string;
  label: string;
  default: boolean;
}

/** The chat models to pick from, the default first. */
export const listModels = (signal?: AbortSignal) => getJson<{ models?: ModelChoice[] }>('/api/models', signal).then((r) => r.models ?? []);

/** A text read aloud by the server: a WAV file (markdown is read as plain words). */
export const speak = (text: string, voice?: string | null, signal?: AbortSignal) =>
  postForBlob('/api/speech', { text, ...(voice ? { voice } : {}) }, signal).then((r) => r.blob);
