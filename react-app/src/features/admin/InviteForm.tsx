import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { messageOf } from '../../lib/api';
import type { Role } from '../auth/api';
import { createInvite, inviteLink, type Code } from './api';
import { OneTimeLink } from './OneTimeLink';

const EXPIRY = [
  { hours: 24, label: '1 day' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '7 days' },
];

/** Make an invite link: whoever opens it creates one account with the chosen role. */
export function InviteForm() {
  const [role, setRole] = useState<Role>('user');
  const [hours, setHours] = useState(72);
  const [invite, setInvite] = useState<Code | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setInvite(await createInvite(role, hours));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="invite-heading">
      <div className="stack-tight">
        <h2 id="invite-heading">Invite someone</h2>
        <p className="muted small">An invite link creates one account. Send it to the person privately.</p>
      </div>
      <form className="token-form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="user">User</option>
            <option value="admin">Administrator</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="invite-expiry">Link expires after</label>
          <select id="invite-expiry" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {EXPIRY.map((o) => (
              <option key={o.hours} value={o.hours}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating…' : 'Create invite link'}
        </button>
      </form>
      <ErrorAlert message={error} />
      {invite && <OneTimeLink title={role === 'admin' ? 'Invite link (administrator)' : 'Invite link'} link={inviteLink(invite.code)} expiresAt={invite.expires_at} onDismiss={() => setInvite(null)} />}
    </section>
  );
}
