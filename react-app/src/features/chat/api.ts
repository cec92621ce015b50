import { del, getJson, streamEvents } from '../../lib/api';

export interface ConversationSummary {
  id: string;
  title: string;
  updated_at: string;
  message_count: number;
}

export interface Message {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  created_at?: string;
  status?: 'complete' | 'incomplete';
  engine?: string | null;
}

export interface Conversation {
  id: string;
  title: string;
  messages: Message[];
}

export type ChatEvent =
  | { type: 'meta'; conversationId: string; engine?: string; model?: string }
  | { type: 'delta'; text: string }
  | { type: 'done'; messageId: string | null };

export const listConversations = (signal?: AbortSignal) =>
  getJson<{ conversations: ConversationSummary[] }>('/api/conversations', signal).then((r) => r.conversations);

export const getConversation = (id: string, signal?: AbortSignal) => getJson<Conversation>(`/api/conversations/${encodeURIComponent(id)}`, signal);

export const deleteConversation = (id: string) => del(`/api/conversations/${encodeURIComponent(id)}`);

/** Stream a reply: typed events from the SSE stream; an `error` event is thrown as ApiError. */
export async function* sendMessage(message: string, conversationId: string | null, signal: AbortSignal): AsyncGenerator<ChatEvent> {
  const body = conversationId ? { message, conversation_id: conversationId } : { message };
  for await (const { event, data } of streamEvents('/api/chat', body, signal)) {
    const d = (data ?? {}) as Record<string, unknown>;
    if (event === 'meta') yield { type: 'meta', conversationId: String(d.conversation_id), engine: d.engine as string | undefined, model: d.model as string | undefined };
    else if (event === 'delta' && typeof d.text === 'string') yield { type: 'delta', text: d.text };
    else if (event === 'done') yield { type: 'done', messageId: (d.message_id as string | null) ?? null };
  }
}
