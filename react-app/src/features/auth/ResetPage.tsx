import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { messageOf } from '../../lib/api';
import { codeFromHash, MIN_PASSWORD, resetPassword } from './api';
import { AuthCard } from './AuthCard';
import { useAuth, type SignInNotice } from './AuthProvider';
import { PasswordField } from './fields';
import { SignedInElsewhere } from './SignedInElsewhere';
import { passwordProblem } from './validation';

/** /reset#<code>: a new password from the link an administrator made; then sign in with it. */
export default function ResetPage() {
  const { signedIn } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const code = codeFromHash(location.hash);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = passwordProblem(password, repeat);
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      await resetPassword(code, password);
      const state: SignInNotice = { notice: 'Your new password is set. Sign in with it.' };
      navigate('/signin', { replace: true, state });
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Set a new password" intro="Choose the new password for your account.">
      {!code ? (
        <p className="notice notice-error" role="alert">
          This reset link is incomplete: the code after the # is missing. Open the whole link you were sent.
        </p>
      ) : signedIn ? (
        <SignedInElsewhere what="set a new password with this link" returnTo={`/reset${location.hash}`} />
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          <PasswordField label="New password" value={password} onChange={setPassword} autoComplete="new-password" hint={`At least ${MIN_PASSWORD} characters.`} required />
          <PasswordField label="Repeat the new password" value={repeat} onChange={setRepeat} autoComplete="new-password" required />
          <ErrorAlert message={error} />
          <button type="submit" className="btn btn-primary btn-block" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving…' : 'Set the new password'}
          </button>
        </form>
      )}
      <p className="small muted auth-links">
        <Link to="/signin">Back to sign in</Link>
      </p>
    </AuthCard>
  );
}
