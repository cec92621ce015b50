import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { messageOf } from '../../lib/api';
import { MIN_PASSWORD } from '../auth/api';
import { PasswordField } from '../auth/fields';
import { passwordProblem } from '../auth/validation';
import { changePassword } from './api';

/** Change the password; the server ends every other session, this one stays. */
export function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    const problem = !current ? 'Enter your current password.' : passwordProblem(password, repeat);
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      await changePassword(current, password);
      setCurrent('');
      setPassword('');
      setRepeat('');
      setDone(true);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card stack" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form className="stack" onSubmit={submit} noValidate>
        <PasswordField label="Current password" value={current} onChange={setCurrent} autoComplete="current-password" required />
        <PasswordField label="New password" value={password} onChange={setPassword} autoComplete="new-password" hint={`At least ${MIN_PASSWORD} characters.`} required />
        <PasswordField label="Repeat the new password" value={repeat} onChange={setRepeat} autoComplete="new-password" required />
        <ErrorAlert message={error} />
        {done && (
          <p className="notice notice-ok" role="status">
            Your password is changed. Every other device signed in to your account was signed out.
          </p>
        )}
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
