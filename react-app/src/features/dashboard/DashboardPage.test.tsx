import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setToken } from '../../lib/auth';
import { ADMIN, authed, HEALTH_ALL, healthWith, json, MEMBER, meRoute, startServer, type TestServer } from '../../test/server';
import { renderPage } from '../../test/render';
import DashboardPage from './DashboardPage';

// Charts draw on a canvas, which jsdom has not got (uPlot fails as it loads); the e2e run checks them in Chromium.
vi.mock('uplot', () => ({ default: {} }));
vi.mock('./Charts', () => ({ RequestsChart: () => null, FeatureChart: () => null, LatencyChart: () => null }));

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
});
afterAll(() => server.close());

/** A dashboard answer with nothing in it but its scope (and, for everyone, the per-user rows). */
function emptyDashboard(scope: { user_id: string | null; username: string | null }, users?: object[]) {
  return {
    range: '24h', bucket: 'hour', scope, ...(users ? { users } : {}),
    totals: { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, bytes_in: 0, error_rate: 0, estimated_cost_usd: 0 },
    features: [], series: [], errors: [], models: [], unpriced_models: [], recent: [],
    quota: { requests: { used: 0, limit: null, remaining: null }, tokens: { used: 0, limit: null, remaining: null }, resets_at: '2026-01-02T00:00:00Z' },
    server: { pid: 1, cpu_percent: 1, memory_rss_bytes: 1, memory_percent: 1, threads: 1, uptime_seconds: 1, database: { status: 'ok', dialect: 'sqlite', ping_ms: 1 } },
  };
}

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

  it('an administrator sees everyone, a table per user, and can pick one person', async () => {
    setToken('sess-ada');
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith()));
    meRoute(server, 'sess-ada', ADMIN);
    server.routes.set('GET /api/admin/users', authed('sess-ada', (_q, res) => json(res, 200, { users: [{ ...ADMIN, disabled: false, last_seen_at: null, usage_today: { requests: 0, tokens: 0 }, daily_request_limit: null, daily_token_limit: null }, { ...MEMBER, disabled: false, last_seen_at: null, usage_today: { requests: 3, tokens: 40 }, daily_request_limit: null, daily_token_limit: null }] })));
    const asked: string[] = [];
    server.routes.set(
      'GET /api/dashboard',
      authed('sess-ada', (req, res) => {
        asked.push(req.url!);
        const one = new URL(req.url!, 'http://x').searchParams.get('user');
        if (one === MEMBER.id) return json(res, 200, emptyDashboard({ user_id: MEMBER.id, username: 'bob' }));
        json(res, 200, emptyDashboard({ user_id: null, username: null }, [
          { user_id: MEMBER.id, username: 'bob', requests: 7, errors: 1, input_tokens: 120, output_tokens: 340 },
          { user_id: ADMIN.id, username: 'ada', requests: 2, errors: 0, input_tokens: 10, output_tokens: 20 },
        ]));
      }),
    );
    renderPage(<DashboardPage />, '/dashboard');
    const table = await screen.findByRole('region', { name: 'Usage by user' });
    expect(screen.getByTestId('scope')).toHaveTextContent('Everyone’s usage');
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent(/bob\s*71120340/); // busiest first: requests, errors, tokens in, out
    const user = userEvent.setup();
    const picker = await screen.findByLabelText('Usage of');
    await waitFor(() => expect(within(picker).getByRole('option', { name: 'bob' })).toBeInTheDocument());
    await user.selectOptions(picker, 'bob');
    await waitFor(() => expect(screen.getByTestId('scope')).toHaveTextContent('Usage of bob'));
    expect(asked.at(-1)).toBe(`/api/dashboard?range=24h&user=${MEMBER.id}`);
    expect(screen.queryByRole('region', { name: 'Usage by user' })).not.toBeInTheDocument();
    await user.selectOptions(picker, 'Everyone');
    expect(await screen.findByRole('region', { name: 'Usage by user' })).toBeInTheDocument();
    setToken(null);
  });

  it('a person who is not an administrator sees their own usage, with no picker', async () => {
    setToken('sess-bob');
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith()));
    meRoute(server, 'sess-bob', MEMBER);
    server.routes.set('GET /api/dashboard', authed('sess-bob', (_q, res) => json(res, 200, emptyDashboard({ user_id: MEMBER.id, username: 'bob' }))));
    renderPage(<DashboardPage />, '/dashboard');
    await waitFor(() => expect(screen.getByTestId('scope')).toHaveTextContent('Your usage'));
    expect(screen.queryByLabelText('Usage of')).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Usage by user' })).not.toBeInTheDocument();
    setToken(null);
  });
});
