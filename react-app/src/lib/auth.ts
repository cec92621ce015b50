/** The optional access token (server's APP_ACCESS_TOKEN), kept in this browser only. */
const KEY = 'accessToken';

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

/** Fired when the API answers 401: the layout then asks for a token (lib/api.ts calls it). */
const UNAUTHORIZED = 'assistant:unauthorized';

export function notifyUnauthorized(): void {
  window.dispatchEvent(new Event(UNAUTHORIZED));
}

export function onUnauthorized(listener: () => void): () => void {
  window.addEventListener(UNAUTHORIZED, listener);
  return () => window.removeEventListener(UNAUTHORIZED, listener);
}
