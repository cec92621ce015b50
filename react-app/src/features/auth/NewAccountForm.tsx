import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { messageOf } from '../../lib/api';
import { MIN_PASSWORD } from './api';
import { PasswordField, UsernameField } from './fields';
import { passwordProblem, usernameProblem } from './validation';

interface Props {
  submitLabel: string;
  busyLabel: string;
  /** Creates the account; a thrown error's message is shown above the button. */
  onSubmit: (username: string, password: string) => Promise<void>;
  /** Extra fields after the password (the setup code). */
  extra?: ReactNode;
}

/** Username, password and its repetition, checked here first, then by the server. */
export function NewAccountForm({ submitLabel, busyLabel, onSubmit, extra }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = usernameProblem(username) ?? passwordProblem(password, repeat);
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      await onSubmit(username.trim(), password);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <UsernameField value={username} onChange={setUsername} hint="3 to 64 letters, digits or . _ @ + - (an email address is fine)." required />
      <PasswordField label="Password" value={password} onChange={setPassword} autoComplete="new-password" hint={`At least ${MIN_PASSWORD} characters.`} required />
      <PasswordField label="Repeat the password" value={repeat} onChange={setRepeat} autoComplete="new-password" required />
      {extra}
      <ErrorAlert message={error} />
      <button type="submit" className="btn btn-primary btn-block" disabled={busy} aria-busy={busy}>
        {busy ? busyLabel : submitLabel}
      </button>
    </form>
  );
}
