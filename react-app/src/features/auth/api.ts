/** Signing in, out and up (the public /api/auth routes), and who is signed in. */
import { getJson, postJson, postNoContent } from '../../lib/api';

export type Role = 'admin' | 'user';

export interface User {
  id: string;
  username: string;
  role: Role;
  created_at: string;
}

export interface Session {
  token: string;
  user: User;
}

export const MIN_PASSWORD = 10;
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 64;

export const login = (username: string, password: string) => postJson<Session>('/api/auth/login', { username, password });

export const setupAdmin = (username: string, password: string, setupCode?: string) =>
  postJson<Session>('/api/auth/setup', setupCode ? { username, password, setup_code: setupCode } : { username, password });

export const signup = (username: string, password: string, invite?: string) =>
  postJson<Session>('/api/auth/signup', invite ? { username, password, invite } : { username, password });

export const getMe = (signal?: AbortSignal) => getJson<{ user: User }>('/api/auth/me', signal).then((r) => r.user);

export const logout = () => postNoContent('/api/auth/logout');

export const logoutEverywhere = () => postNoContent('/api/auth/logout-all');

export const resetPassword = (code: string, newPassword: string) => postNoContent('/api/auth/reset', { code, new_password: newPassword });

/** A path inside this app to return to after signing in; anything else (another site, `//host`) is '/'. */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  return raw;
}

/** The code carried in a link's fragment (`/invite#code`): never sent to any server by the browser. */
export function codeFromHash(hash: string): string {
  const raw = hash.replace(/^#/, '').trim();
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
