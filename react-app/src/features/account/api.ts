/** The signed-in person's own account: password and personal API tokens. */
import { del, getJson, postJson, postNoContent } from '../../lib/api';

export interface ApiToken {
  id: string;
  name: string | null;
  /** The first characters of the secret (`aia_…`), to recognise it. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

export interface NewApiToken {
  id: string;
  name: string;
  /** The secret: the server shows it once, now. */
  token: string;
  expires_at: string | null;
}

export const changePassword = (currentPassword: string, newPassword: string) =>
  postNoContent('/api/auth/password', { current_password: currentPassword, new_password: newPassword });

export const listTokens = (signal?: AbortSignal) => getJson<{ tokens: ApiToken[] }>('/api/auth/tokens', signal).then((r) => r.tokens);

export const createToken = (name: string, expiresInDays: number | null) =>
  postJson<NewApiToken>('/api/auth/tokens', expiresInDays ? { name, expires_in_days: expiresInDays } : { name });

export const revokeToken = (id: string) => del(`/api/auth/tokens/${encodeURIComponent(id)}`);

/** A date and time for tables, or a dash. */
export function formatWhen(iso: string | null | undefined, fallback = '–'): string {
  if (!iso) return fallback;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? fallback : d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A date alone, or a dash. */
export function formatDay(iso: string | null | undefined, fallback = '–'): string {
  if (!iso) return fallback;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? fallback : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}
