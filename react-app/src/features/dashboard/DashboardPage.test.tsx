import { screen } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import { renderPage } from '../../test/render';
import DashboardPage from './DashboardPage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
});
afterAll(() => server.close());

const feature = (name: string, requests: number, errors: number, p95: number) => ({ feature: name, requests, errors, input_tokens: 0, output_tokens: 0, bytes_in: 0, avg_latency_ms: p95 / 2, p50_latency_ms: p95 / 2, p95_latency_ms: p95 });

describe('Dashboard', () => {
  it('shows the totals, quota, system panel and recent activity from the API', async () => {
    server.routes.set('GET /api/dashboard', (req, res) => {
      expect(req.url).toBe('/api/dashboard?range=24h');
      json(res, 200, {
        range: '24h',
        bucket: 'hour',
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-02T00:00:00Z',
        totals: { requests: 1234, errors: 12, input_tokens: 500, output_tokens: 700, bytes_in: 0, error_rate: 0.0097, estimated_cost_usd: 0.0123 },
        features: [feature('chat', 1000, 10, 2400), feature('upload', 234, 2, 900)],
        series: [{ start: '2026-01-01T00:00:00Z', requests: 1234, errors: 12, input_tokens: 0, output_tokens: 0, avg_latency_ms: 10 }],
        errors: [{ code: 'upstream_timeout', count: 12 }],
        models: [],
        unpriced_models: [],
        recent: [{ at: '2026-01-01T10:00:00Z', feature: 'chat', method: 'POST', status: 200, error_code: null, engine: 'gemini', model: 'm', latency_ms: 812, input_tokens: 1, output_tokens: 2 }],
        quota: { requests: { used: 90, limit: 100, remaining: 10 }, tokens: { used: 5, limit: null, remaining: null }, resets_at: '2026-01-02T00:00:00Z' },
        server: { pid: 1, cpu_percent: 12.5, memory_rss_bytes: 200 * 1024 * 1024, memory_percent: 1.2, threads: 8, uptime_seconds: 3700, database: { status: 'ok', dialect: 'postgresql', ping_ms: 1.5 } },
      });
    });
    renderPage(<DashboardPage />, '/dashboard');
    expect(await screen.findByText((1234).toLocaleString())).toBeInTheDocument();
    expect(screen.getByText('1.0% of requests')).toBeInTheDocument();
    expect(screen.getByText(`${(2400).toLocaleString()} ms`)).toBeInTheDocument(); // slowest p95
    expect(screen.getByText('90 / 100')).toBeInTheDocument();
    expect(screen.getByText('5 used · no limit')).toBeInTheDocument();
    expect(screen.getByText('upstream_timeout')).toBeInTheDocument();
    expect(screen.getByText('12.5%')).toBeInTheDocument();
    expect(screen.getByText('1h 1m')).toBeInTheDocument();
    expect(screen.getByText(/postgresql/)).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Recent requests' })).toHaveTextContent('812 ms');
  });

  it('an API error shows its message', async () => {
    server.routes.set('GET /api/dashboard', (_q, res) => json(res, 503, { error: { code: 'capability_unavailable', message: 'The database is not reachable, so usage cannot be shown right now.' } }));
    renderPage(<DashboardPage />, '/dashboard');
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is not reachable, so usage cannot be shown right now.');
  });
});
