/**
 * The session token (from sign-in, setup or sign-up), kept in this browser's localStorage: the one
 * place that reads or writes it. No cookies: the web app and the API are two origins in production.
 */
const KEY = 'sessionToken';
const RETIRED_KEYS = ['accessToken']; // the old APP_ACCESS_TOKEN, no longer used by any server

try {
  for (const k of RETIRED_KEYS) localStorage.removeItem(k);
} catch {
  /* storage disabled */
}

/** The localStorage key, so that another tab's sign-in or sign-out can be noticed (a `storage` event). */
export const TOKEN_STORAGE_KEY = KEY;

export function getToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    /* storage disabled: nothing to remember */
  }
}

export const authHeader = (): Record<string, string> => {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
};

/**
 * Fired when the API answers 401 `unauthorized` (no, expired or revoked session, or a disabled account):
 * lib/api.ts calls it, the auth provider forgets the token and opens the sign-in page.
 */
const UNAUTHORIZED = 'assistant:unauthorized';

export function notifyUnauthorized(message: string): void {
  window.dispatchEvent(new CustomEvent<string>(UNAUTHORIZED, { detail: message }));
}

export function onUnauthorized(listener: (message: string) => void): () => void {
  const handler = (e: Event) => listener((e as CustomEvent<string>).detail ?? '');
  window.addEventListener(UNAUTHORIZED, handler);
  return () => window.removeEventListener(UNAUTHORIZED, handler);
}
