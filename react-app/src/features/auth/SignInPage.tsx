import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { messageOf } from '../../lib/api';
import { login, safeNext } from './api';
import { AuthCard } from './AuthCard';
import { useAuth, type SignInNotice } from './AuthProvider';
import { PasswordField, UsernameField } from './fields';

/** /signin: username and password; back to where the person was (`?next=`) afterwards. */
export default function SignInPage() {
  const { info, signIn, notice: sessionNotice } = useAuth();
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const notice = (location.state as SignInNotice | null)?.notice ?? sessionNotice;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (info?.setup_required) return <Navigate to="/setup" replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter your username and your password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      signIn(await login(username.trim(), password));
      navigate(next, { replace: true });
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Sign in" intro="Sign in to use the assistant. Your conversations and files are yours alone.">
      {notice && !error && (
        <p className="notice notice-info" role="status">
          {notice}
        </p>
      )}
      <form className="stack" onSubmit={submit} noValidate>
        <UsernameField value={username} onChange={setUsername} required />
        <PasswordField label="Password" value={password} onChange={setPassword} autoComplete="current-password" required />
        <ErrorAlert message={error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} aria-busy={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <div className="stack auth-links small">
        {info?.signup === 'open' && (
          <p>
            New here? <Link to="/signup">Create an account</Link>
          </p>
        )}
        {info?.signup === 'invite' && <p className="muted">New here? Ask an administrator for an invite link.</p>}
        <p className="muted">Forgot your password? An administrator can give you a link to set a new one.</p>
      </div>
    </AuthCard>
  );
}
