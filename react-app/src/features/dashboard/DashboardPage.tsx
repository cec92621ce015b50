import { Component, Fragment, lazy, Suspense, useCallback, useEffect, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isAbort, messageOf } from '../../lib/api';
import { formatBytes } from '../../lib/download';
import { useHealth } from '../../lib/health';
import { useAuth } from '../auth/AuthProvider';
import { formatDuration, formatNumber, getDashboard, type Dashboard, type QuotaLine, type Range } from './api';
import { UsageByUser } from './UsageByUser';
import { UserPicker } from './UserPicker';

const RequestsChart = lazy(() => import('./Charts').then((m) => ({ default: m.RequestsChart })));
const FeatureChart = lazy(() => import('./Charts').then((m) => ({ default: m.FeatureChart })));
const LatencyChart = lazy(() => import('./Charts').then((m) => ({ default: m.LatencyChart })));

const REFRESH_MS = 15_000;
const RANGES: Range[] = ['24h', '7d', '30d'];

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

function QuotaBar({ label, line }: { label: string; line: QuotaLine }) {
  if (line.limit === null)
    return (
      <div className="quota">
        <div className="row space-between">
          <span>{label}</span>
          <span className="muted">{formatNumber(line.used)} used · no limit</span>
        </div>
      </div>
    );
  const pct = line.limit ? Math.min(100, Math.round((line.used / line.limit) * 100)) : 100;
  return (
    <div className="quota">
      <div className="row space-between">
        <span id={`quota-${label}`}>{label}</span>
        <span className="muted">
          {formatNumber(line.used)} / {formatNumber(line.limit)}
        </span>
      </div>
      <progress className={`progress${pct >= 90 ? ' progress-danger' : ''}`} max={100} value={pct} aria-labelledby={`quota-${label}`} />
    </div>
  );
}

/** If the chart chunk cannot load (offline after a deploy, very old browser), the rest still works. */
class ChartBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    return this.state.failed ? <div className="chart-placeholder">This chart could not be drawn.</div> : this.props.children;
  }
}

function ChartCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card chart-card" aria-label={title}>
      <h2>{title}</h2>
      <ChartBoundary>
        <Suspense fallback={<div className="chart-placeholder">Loading chart…</div>}>{children}</Suspense>
      </ChartBoundary>
    </section>
  );
}

/** Whose numbers these are, in words. */
function scopeLabel(data: Dashboard | null, accounts: boolean, myId: string | undefined): string | null {
  if (!accounts || !data?.scope) return null;
  const { user_id, username } = data.scope;
  if (user_id === null) return 'Everyone’s usage';
  return user_id === myId ? 'Your usage' : `Usage of ${username ?? 'one user'}`;
}

export default function DashboardPage() {
  const { health } = useHealth();
  const { info, user, isAdmin } = useAuth();
  const [params, setParams] = useSearchParams();
  // An administrator may look at one person (?user=<id>), kept in the address so the view can be shared.
  const userId = isAdmin ? params.get('user') : null;
  const pickUser = (id: string | null) => setParams(id ? { user: id } : {}, { replace: true });
  const [range, setRange] = useState<Range>('24h');
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      getDashboard(range, userId, signal)
        .then((d) => {
          setData(d);
          setError(null);
          setUpdated(new Date());
        })
        .catch((err) => !isAbort(err) && setError(messageOf(err))),
    [range, userId],
  );

  // Refreshes itself while the tab is visible.
  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    const timer = setInterval(() => document.visibilityState === 'visible' && void load(ctrl.signal), REFRESH_MS);
    return () => {
      ctrl.abort();
      clearInterval(timer);
    };
  }, [load]);

  const t = data?.totals;
  const latency = data?.features.filter((f) => f.p95_latency_ms !== null) ?? [];
  const p95 = latency.length ? Math.max(...latency.map((f) => f.p95_latency_ms ?? 0)) : null;
  const scope = scopeLabel(data, info?.mode === 'accounts', user?.id);

  return (
    <div className="page">
      <header className="page-header row space-between wrap">
        <div>
          <h1>Dashboard</h1>
          <p className="muted small">
            {scope && <span data-testid="scope">{scope} · </span>}
            {updated ? `Updated ${updated.toLocaleTimeString()} · refreshes every ${REFRESH_MS / 1000} s` : 'Loading…'}
          </p>
        </div>
        <div className="row wrap dashboard-controls">
          {isAdmin && <UserPicker value={userId} onChange={pickUser} />}
          <div className="segmented" role="group" aria-label="Time range">
            {RANGES.map((r) => (
              <button key={r} type="button" className={r === range ? 'selected' : undefined} aria-pressed={r === range} onClick={() => setRange(r)}>
                {r}
              </button>
            ))}
          </div>
        </div>
      </header>
      <ErrorAlert message={error} />
      {t && data && (
        <>
          <div className="stats" data-testid="totals">
            <Stat label="Requests" value={formatNumber(t.requests)} hint={`in the last ${range}`} />
            <Stat label="Errors" value={formatNumber(t.errors)} hint={`${(t.error_rate * 100).toFixed(1)}% of requests`} />
            <Stat label="Tokens" value={formatNumber(t.input_tokens + t.output_tokens)} hint={`${formatNumber(t.input_tokens)} in · ${formatNumber(t.output_tokens)} out`} />
            <Stat label="Slowest p95" value={p95 === null ? '–' : `${formatNumber(p95)} ms`} hint="across features" />
            <Stat label="Estimated cost" value={`$${t.estimated_cost_usd.toFixed(4)}`} hint={data.unpriced_models.length ? `${data.unpriced_models.length} unpriced model(s)` : 'from USAGE_PRICES'} />
          </div>
          <div className="grid-2">
            <ChartCard title={`Requests per ${data.bucket}`}>
              <RequestsChart data={data} />
            </ChartCard>
            <ChartCard title="Requests by feature">
              <FeatureChart data={data} />
            </ChartCard>
            <ChartCard title="Latency by feature">
              <LatencyChart data={data} />
            </ChartCard>
            <section className="card stack" aria-labelledby="quota-heading">
              <h2 id="quota-heading">Your use today</h2>
              <QuotaBar label="Requests" line={data.quota.requests} />
              <QuotaBar label="Tokens" line={data.quota.tokens} />
              <p className="muted small">Resets at {new Date(data.quota.resets_at).toLocaleString()}</p>
              {data.errors.length > 0 && (
                <>
                  <h3>Errors by code</h3>
                  <ul className="plain-list">
                    {data.errors.map((e) => (
                      <li key={e.code} className="row space-between">
                        <code>{e.code}</code> <span>{e.count}</span>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          </div>
          {data.users && <UsageByUser users={data.users} onPick={pickUser} />}
          <div className="grid-2">
            {data.server && (
              <section className="card stack" aria-labelledby="system-heading">
                <h2 id="system-heading">System</h2>
                <dl className="kv">
                  <dt>CPU</dt>
                  <dd>{data.server.cpu_percent.toFixed(1)}%</dd>
                  <dt>Memory</dt>
                  <dd>
                    {formatBytes(data.server.memory_rss_bytes)} ({data.server.memory_percent.toFixed(1)}%)
                  </dd>
                  <dt>Uptime</dt>
                  <dd>{formatDuration(data.server.uptime_seconds)}</dd>
                  <dt>Threads</dt>
                  <dd>{data.server.threads}</dd>
                  <dt>Database</dt>
                  <dd>
                    <span className={`badge ${data.server.database.status === 'ok' ? 'badge-ok' : 'badge-warn'}`}>{data.server.database.status}</span> {data.server.database.dialect}
                    {data.server.database.ping_ms !== null && ` · ${data.server.database.ping_ms} ms`}
                  </dd>
                  {health && (
                    <>
                      <dt>Version</dt>
                      <dd>{health.version}</dd>
                    </>
                  )}
                </dl>
                {health && (
                  <>
                    <h3>Engines</h3>
                    <ul className="plain-list">
                      {Object.entries(health.capabilities).map(([name, c]) => (
                        <li key={name} className="row space-between">
                          <span>{name.replace('_', ' ')}</span>
                          <span className={`badge ${c?.available ? 'badge-ok' : 'badge-warn'}`} title={c?.reason ?? undefined}>
                            {c?.available ? c.engine : 'unavailable'}
                          </span>
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </section>
            )}
            <section className="card stack" aria-labelledby="recent-heading">
              <h2 id="recent-heading">Recent activity</h2>
              {data.recent.length === 0 ? (
                <p className="muted">No requests yet in this range.</p>
              ) : (
                <div className="table-wrap" tabIndex={0} role="region" aria-label="Recent requests">
                  <table className="activity">
                    <thead>
                      <tr>
                        <th scope="col">Time</th>
                        <th scope="col">Feature</th>
                        <th scope="col">Status</th>
                        <th scope="col">Latency</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.recent.map((a, i) => (
                        <tr key={i}>
                          <td>{new Date(a.at).toLocaleTimeString()}</td>
                          <td>
                            {a.method} {a.feature}
                            {a.engine && <span className="muted small"> · {a.engine}</span>}
                          </td>
                          <td>
                            <span className={`badge ${a.status < 400 && !a.error_code ? 'badge-ok' : 'badge-warn'}`}>{a.error_code ? breakAtUnderscores(a.error_code) : a.status}</span>
                          </td>
                          <td>{formatNumber(a.latency_ms)} ms</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}

/** An error code that may wrap after its underscores in a narrow column (no hidden characters when copied). */
function breakAtUnderscores(code: string): ReactNode {
  return code.split('_').map((part, i) => (
    <Fragment key={i}>
      {i > 0 && (
        <>
          _<wbr />
        </>
      )}
      {part}
    </Fragment>
  ));
}
