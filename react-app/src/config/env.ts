/** Build-time configuration, validated once at start-up so a bad value fails loudly, not on first click. */
export interface Env {
  /** Base URL of the API, without a trailing slash; '' means the same origin as the app. */
  apiUrl: string;
}

export function parseEnv(raw: Record<string, unknown>): Env {
  const value = raw.REACT_APP_API_URL;
  if (value === undefined || value === null || value === '') return { apiUrl: '' };
  if (typeof value !== 'string') throw new Error('REACT_APP_API_URL must be a string.');
  const trimmed = value.trim().replace(/\/+$/, '');
  if (trimmed.startsWith('/')) return { apiUrl: trimmed };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`REACT_APP_API_URL is not a valid URL: "${value}". Use e.g. https://api.example.com or leave it empty.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`REACT_APP_API_URL must be http(s), got "${url.protocol}".`);
  }
  return { apiUrl: trimmed };
}

export const env: Env = parseEnv(import.meta.env as Record<string, unknown>);
