import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Modal } from '../../components/Modal';
import { messageOf } from '../../lib/api';
import { TextField } from '../auth/fields';
import type { AdminUser, UserPatch } from './api';

const asText = (n: number | null) => (n === null ? '' : String(n));

/** '' is the server's default (null); otherwise a whole number ≥ 0. */
function parseLimit(text: string): number | null | undefined {
  const t = text.trim();
  if (!t) return null;
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

/** A person's daily limits: requests and model tokens per UTC day; empty for the server's default. */
export function LimitsDialog({ user, onSave, onClose }: { user: AdminUser; onSave: (patch: UserPatch) => Promise<void>; onClose: () => void }) {
  const [requests, setRequests] = useState(asText(user.daily_request_limit));
  const [tokens, setTokens] = useState(asText(user.daily_token_limit));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = parseLimit(requests);
    const t = parseLimit(tokens);
    if (r === undefined || t === undefined) {
      setError('A limit is a whole number, or empty for the server’s default.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave({ daily_request_limit: r, daily_token_limit: t });
      onClose();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  return (
    <Modal title={`Daily limits for ${user.username}`} onClose={onClose} describedBy="limits-intro">
      <form className="stack" onSubmit={submit} noValidate>
        <p id="limits-intro" className="muted small">
          Counted per UTC day. Leave a field empty to use the server’s default (DAILY_REQUEST_LIMIT, DAILY_TOKEN_LIMIT).
        </p>
        <TextField label="Requests per day" value={requests} onChange={setRequests} inputMode="numeric" placeholder="Server default" autoComplete="off" />
        <TextField label="Model tokens per day" value={tokens} onChange={setTokens} inputMode="numeric" placeholder="Server default" autoComplete="off" />
        <ErrorAlert message={error} />
        <div className="row dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving…' : 'Save limits'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
