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

export interface Dashboard {
  range: Range;
  bucket: 'hour' | 'day';
  totals: Counts & { bytes_in: number; error_rate: number; estimated_cost_usd: number };
  features: FeatureUsage[];
  series: (Counts & { start: string; avg_latency_ms: number | null })[];
  errors: { code: string; count: number }[];
  unpriced_models: string[];
  models: { engine: string; model: string; requests: number; input_tokens: number; output_tokens: number; estimated_cost_usd: number | null }[];
  recent: { at: string; feature: string; method: string; status: number; error_code: string | null; engine: string | null; model: string | null; latency_ms: number }[];
  quota: { requests: QuotaLine; tokens: QuotaLine; resets_at: string };
  server: {
    pid: number;
    cpu_percent: number;
    memory_rss_bytes: number;
    memory_percent: number;
    threads: number;
    uptime_seconds: number;
    database: { status: 'ok' | 'unavailable'; dialect: string; ping_ms: number | null };
  };
}

export const getDashboard = (range: Range, signal?: AbortSignal) => getJson<Dashboard>(`/api/dashboard?range=${range}`, signal);

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
