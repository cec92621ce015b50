import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isAbort, messageOf } from '../../lib/api';
import { TextField } from '../auth/fields';
import { createToken, formatWhen, listTokens, revokeToken, type ApiToken, type NewApiToken } from './api';

const EXPIRY: { days: number | null; label: string }[] = [
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
  { days: null, label: 'Never' },
];

/** The secret of a token just made: shown this once, with a copy button. */
function NewTokenSecret({ created, onDone }: { created: NewApiToken; onDone: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div ref={ref} tabIndex={-1} className="notice notice-ok secret stack" role="status" aria-labelledby="new-token-title">
      <p id="new-token-title">
        <strong>Token “{created.name}” created.</strong> Copy it now: you will not see it again.
      </p>
      <div className="secret-row">
        <code className="secret-value" data-testid="new-token">
          {created.token}
        </code>
        <CopyButton text={created.token} label="Copy token" />
      </div>
      <p className="small">
        Send it as <code>Authorization: Bearer &lt;token&gt;</code>. {created.expires_at ? `It expires ${formatWhen(created.expires_at)}.` : 'It does not expire.'}
      </p>
      <div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={onDone}>
          Done, I have copied it
        </button>
      </div>
    </div>
  );
}

/** Personal API tokens: for scripts and other programs that use the API as this person. */
export function ApiTokens() {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [days, setDays] = useState<string>('90');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<NewApiToken | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      listTokens(signal)
        .then(setTokens)
        .catch((err) => !isAbort(err) && setError(messageOf(err))),
    [],
  );
  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setError('Give the token a name, e.g. the program that will use it.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setCreated(await createToken(name.trim(), days === 'never' ? null : Number(days)));
      setName('');
      await load();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(t: ApiToken) {
    if (!window.confirm(`Revoke the token “${t.name ?? t.prefix}”? Programs using it stop working at once.`)) return;
    setError(null);
    try {
      await revokeToken(t.id);
      if (created?.id === t.id) setCreated(null);
      await load();
    } catch (err) {
      setError(messageOf(err));
    }
  }

  return (
    <section className="card stack" aria-labelledby="tokens-heading">
      <div className="stack-tight">
        <h2 id="tokens-heading">API tokens</h2>
        <p className="muted small">A token lets a script or another program use the API as you. Revoke it when it is no longer needed.</p>
      </div>
      {created && <NewTokenSecret created={created} onDone={() => setCreated(null)} />}
      <form className="token-form" onSubmit={create} noValidate>
        <TextField label="Name" value={name} onChange={setName} placeholder="e.g. backup script" maxLength={100} autoComplete="off" />
        <div className="field">
          <label htmlFor="token-expiry">Expires after</label>
          <select id="token-expiry" value={days} onChange={(e) => setDays(e.target.value)}>
            {EXPIRY.map((o) => (
              <option key={o.label} value={o.days === null ? 'never' : String(o.days)}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </form>
      <ErrorAlert message={error} onDismiss={() => setError(null)} />
      {tokens === null ? (
        !error && <p className="muted">Loading your tokens…</p>
      ) : tokens.length === 0 ? (
        <p className="muted">You have no API tokens.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Your API tokens">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Token</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name ?? <span className="muted">Unnamed</span>}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{formatWhen(t.created_at)}</td>
                  <td>{formatWhen(t.last_used_at, 'Never')}</td>
                  <td>{formatWhen(t.expires_at, 'Never')}</td>
                  <td className="cell-actions">
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => void revoke(t)} aria-label={`Revoke the token “${t.name ?? t.prefix}”`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
