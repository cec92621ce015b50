/** Share links: read-only snapshots of a conversation that anyone with the link can open, no account needed. */
import { del, getJson, getPublicJson, postJson } from '../../lib/api';

export interface Share {
  id: string;
  /** The server's address for it (its idea of the web app's origin; see `shareUrl`). */
  url: string;
  conversation_id: string;
  title: string;
  created_at: string;
  expires_at: string | null;
}

export interface SharedMessage {
  role: 'user' | 'assistant';
  content: string;
  status: 'complete' | 'incomplete';
  created_at: string;
}

export interface SharedConversation {
  title: string;
  shared_at: string;
  expires_at: string | null;
  messages: SharedMessage[];
}

/**
 * The link to hand out: this web app's own /shared/<id>. The server builds `url` from the first of its
 * ALLOWED_ORIGINS, which is not this app when the app is served behind the API's own proxy (or is empty).
 */
export const shareUrl = (share: Pick<Share, 'id'>) => `${window.location.origin}/shared/${encodeURIComponent(share.id)}`;

export const createShare = (conversationId: string, opts: { expiresInDays: number | null; at?: string | null }) =>
  postJson<Share>(`/api/conversations/${encodeURIComponent(conversationId)}/share`, {
    ...(opts.expiresInDays ? { expires_in_days: opts.expiresInDays } : {}),
    ...(opts.at ? { at: opts.at } : {}),
  });

export const listShares = (signal?: AbortSignal) => getJson<{ shares: Share[] }>('/api/shares', signal).then((r) => r.shares);

export const revokeShare = (id: string) => del(`/api/shares/${encodeURIComponent(id)}`);

/** What anyone with the link sees: asked without the session, it is nobody's in particular. */
export const getShared = (id: string, signal?: AbortSignal) => getPublicJson<SharedConversation>(`/api/shared/${encodeURIComponent(id)}`, signal);
