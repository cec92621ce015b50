import { useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isAbort, messageOf } from '../../lib/api';
import { formatWhen } from '../account/api';
import { listShares, revokeShare, shareUrl, type Share } from './api';

/** The Account page's list of the links this person shared, each with copy and revoke (it stops working at once). */
export function SharedLinks() {
  const [shares, setShares] = useState<Share[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const { hash } = useLocation();

  const load = useCallback(
    (signal?: AbortSignal) =>
      listShares(signal)
        .then(setShares)
        .catch((err) => !isAbort(err) && setError(messageOf(err))),
    [],
  );
  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  // Arriving from the share dialog's "Manage shared links" (/account#shared-links): bring the list into view.
  useEffect(() => {
    if (hash === '#shared-links' && shares) document.getElementById('shared-links')?.scrollIntoView?.({ block: 'start' });
  }, [hash, shares]);

  async function revoke(s: Share) {
    if (!window.confirm(`Revoke the link to “${s.title || 'Untitled'}”? Anyone who has it can no longer open it.`)) return;
    setError(null);
    try {
      await revokeShare(s.id);
      setStatus(`The link to “${s.title || 'Untitled'}” is revoked.`);
      await load();
    } catch (err) {
      setError(messageOf(err));
    }
  }

  return (
    <section id="shared-links" className="card stack" aria-labelledby="shares-heading">
      <div className="stack-tight">
        <h2 id="shares-heading">Shared links</h2>
        <p className="muted small">Read-only snapshots of your conversations that anyone with the link can open. Revoke one and it stops working at once.</p>
      </div>
      <ErrorAlert message={error} onDismiss={() => setError(null)} />
      <p className="sr-only" role="status">
        {status}
      </p>
      {shares === null ? (
        !error && <p className="muted">Loading your shared links…</p>
      ) : shares.length === 0 ? (
        <p className="muted">You have not shared any conversation. Use Share in a conversation’s header.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Your shared links">
          <table>
            <thead>
              <tr>
                <th scope="col">Conversation</th>
                <th scope="col">Link</th>
                <th scope="col">Shared</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shares.map((s) => (
                <tr key={s.id}>
                  <td className="cell-wrap">
                    <Link to={`/?c=${encodeURIComponent(s.conversation_id)}`}>{s.title || 'Untitled'}</Link>
                  </td>
                  <td>
                    <div className="row share-cell">
                      <a href={shareUrl(s)} target="_blank" rel="noopener noreferrer" className="share-href">
                        <code>/shared/{s.id.slice(0, 8)}…</code>
                        <span className="sr-only"> (opens the shared page)</span>
                      </a>
                      <CopyButton text={shareUrl(s)} label="Copy link" />
                    </div>
                  </td>
                  <td>{formatWhen(s.created_at)}</td>
                  <td>
                    {formatWhen(s.expires_at, 'Never')}
                    {s.expires_at && Date.parse(s.expires_at) <= Date.now() && (
                      <>
                        {' '}
                        <span className="badge badge-warn">Expired</span>
                      </>
                    )}
                  </td>
                  <td className="cell-actions">
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => void revoke(s)} aria-label={`Revoke the link to “${s.title || 'Untitled'}”`}>
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
