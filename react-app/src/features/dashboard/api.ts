import { getJson } from '../../lib/api';

export type Range = '24h' | '7d' | '30d';

interface Counts {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
}

export interface FeatureUsage extends Counts {
  feature: string;
  bytes_in: number;
  avg_latency_ms: number | null;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
}

export interface QuotaLine {
  used: number;
  limit: number | null;
  remaining: number | null;
}

/** One person's totals in an administrator's view of everyone. */
export interface UserUsage extends Counts {
  /** null: requests made without an account (before sign-in, or in AUTH_MODE=none). */
  user_id: string | null;
  username: string;
}

export interface Dashboard {
  range: Range;
  /** Whose usage this is: one person, or everyone (null; administrators only). */
  scope?: { user_id: string | null; username: string | null };
  /** Per-person breakdown, when an administrator views everyone. */
  users?: UserUsage[];
  bucket: 'hour' | 'day';
  totals: Counts & { bytes_in: number; error_rate: number; estimated_cost_usd: number };
  features: FeatureUsage[];
  series: (Counts & { start: string; avg_latency_ms: number | null })[];
  errors: { code: string; count: number }[];
  unpriced_models: string[];
  models: { engine: string; model: string; requests: number; input_tokens: number; output_tokens: number; estimated_cost_usd: number | null }[];
  recent: { at: string; feature: string; method: string; status: number; error_code: string | null; engine: string | null; model: string | null; latency_ms: number }[];
  quota: { requests: QuotaLine; tokens: QuotaLine; resets_at: string };
  /** The API process (may be left out for people who are not administrators). */
  server?: {
    pid: number;
    cpu_percent: number;
    memory_rss_bytes: number;
    memory_percent: number;
    threads: number;
    uptime_seconds: number;
    database: { status: 'ok' | 'unavailable'; dialect: string; ping_ms: number | null };
  };
}

/** `userId`: an administrator's view of one person (others always get their own usage). */
export const getDashboard = (range: Range, userId: string | null, signal?: AbortSignal) =>
  getJson<Dashboard>(`/api/dashboard?range=${range}${userId ? `&user=${encodeURIComponent(userId)}` : ''}`, signal);

export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

export const formatNumber = (n: number) => new Intl.NumberFormat().format(n);
