/** Administration (administrators only; others get 403 `forbidden`): users, invites, reset links. */
import { del, getJson, patchJson, postJson } from '../../lib/api';
import type { Role } from '../auth/api';

export interface AdminUser {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  created_at: string;
  last_seen_at: string | null;
  usage_today: { requests: number; tokens: number };
  /** null: the server's default (DAILY_REQUEST_LIMIT / DAILY_TOKEN_LIMIT). */
  daily_request_limit: number | null;
  daily_token_limit: number | null;
}

export type UserPatch = Partial<Pick<AdminUser, 'disabled' | 'role' | 'daily_request_limit' | 'daily_token_limit'>>;

/** A one-time code the API made; the web app turns it into a link. */
export interface Code {
  code: string;
  expires_at: string;
}

export const listUsers = (signal?: AbortSignal) => getJson<{ users: AdminUser[] }>('/api/admin/users', signal).then((r) => r.users);

export const updateUser = (id: string, patch: UserPatch) => patchJson<AdminUser>(`/api/admin/users/${encodeURIComponent(id)}`, patch);

export const deleteUser = (id: string) => del(`/api/admin/users/${encodeURIComponent(id)}`);

export const createInvite = (role: Role, expiresInHours: number) => postJson<Code>('/api/admin/invites', { role, expires_in_hours: expiresInHours });

export const createPasswordReset = (id: string) => postJson<Code>(`/api/admin/users/${encodeURIComponent(id)}/password-reset`, {});

/** The code goes in the fragment: browsers never send it to a server, so it stays out of every log. */
export const inviteLink = (code: string) => `${window.location.origin}/invite#${encodeURIComponent(code)}`;
export const resetLink = (code: string) => `${window.location.origin}/reset#${encodeURIComponent(code)}`;
