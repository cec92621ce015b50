import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Modal } from '../../components/Modal';
import { messageOf } from '../../lib/api';
import { formatWhen } from '../account/api';
import { createShare, shareUrl, type Share } from './api';

export const EXPIRY: { days: number | null; label: string }[] = [
  { days: null, label: 'Never' },
  { days: 1, label: '1 day' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
];

/**
 * Share the conversation as it is now (the path being viewed, through `at`): choose when the link
 * expires, create it, copy it. Anyone with the link can read the snapshot without an account.
 */
export function ShareDialog({ conversationId, at, title, onClose }: { conversationId: string; at: string | null; title: string; onClose: () => void }) {
  const [days, setDays] = useState<string>('never');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [share, setShare] = useState<Share | null>(null);
  const linkRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (share) linkRef.current?.focus();
  }, [share]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setShare(await createShare(conversationId, { expiresInDays: days === 'never' ? null : Number(days), at }));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title="Share this conversation" onClose={onClose} describedBy="share-intro">
      <p id="share-intro" className="muted small">
        Anyone with the link can read “{title}” as it is now, the versions you see, without an account. Messages you add later are not in it. You can revoke the link from your Account page.
      </p>
      {share ? (
        <div ref={linkRef} tabIndex={-1} className="notice notice-ok stack share-link" role="status" aria-labelledby="share-done">
          <p id="share-done">
            <strong>Link created.</strong> {share.expires_at ? `It works until ${formatWhen(share.expires_at)}.` : 'It works until you revoke it.'}
          </p>
          <div className="secret-row">
            <code className="secret-value" data-testid="share-url">
              {shareUrl(share)}
            </code>
            <CopyButton text={shareUrl(share)} label="Copy link" />
          </div>
          <p className="small">
            <a href={shareUrl(share)} target="_blank" rel="noopener noreferrer">
              Open the shared page
            </a>{' '}
            · <Link to="/account#shared-links">Manage shared links</Link>
          </p>
        </div>
      ) : (
        <form id="share-form" className="stack" onSubmit={submit}>
          <fieldset className="field">
            <legend>The link expires</legend>
            <div className="segmented">
              {EXPIRY.map((o) => {
                const value = o.days === null ? 'never' : String(o.days);
                return (
                  <label key={value} className={days === value ? 'selected' : undefined}>
                    <input className="sr-only" type="radio" name="share-expiry" value={value} checked={days === value} onChange={() => setDays(value)} />
                    {o.label}
                  </label>
                );
              })}
            </div>
          </fieldset>
        </form>
      )}
      <ErrorAlert message={error} />
      <div className="row dialog-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          {share ? 'Done' : 'Cancel'}
        </button>
        {!share && (
          <button type="submit" form="share-form" className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Creating…' : 'Create link'}
          </button>
        )}
      </div>
    </Modal>
  );
}
