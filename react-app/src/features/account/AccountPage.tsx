import { useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { messageOf } from '../../lib/api';
import { useAuth } from '../auth/AuthProvider';
import { formatWhen } from './api';
import { ApiTokens } from './ApiTokens';
import { SharedLinks } from '../share/SharedLinks';
import { PasswordForm } from './PasswordForm';

/** /account: who you are, your password, your API tokens, your shared links, and signing out (here or everywhere). */
export default function AccountPage() {
  const { user, signOut } = useAuth();
  const [error, setError] = useState<string | null>(null);

  function end(everywhere: boolean) {
    setError(null);
    signOut({ everywhere }).catch((err: unknown) => setError(messageOf(err)));
  }

  return (
    <div className="page">
      <header className="page-header">
        <h1>Account</h1>
        {user && (
          <p className="muted">
            Signed in as <strong>{user.username}</strong>
            {user.role === 'admin' && (
              <>
                {' '}
                <span className="badge badge-info">Administrator</span>
              </>
            )}{' '}
            · member since {formatWhen(user.created_at)}
          </p>
        )}
      </header>
      <div className="grid-2">
        <PasswordForm />
        <section className="card stack" aria-labelledby="sessions-heading">
          <h2 id="sessions-heading">Sessions</h2>
          <p className="muted small">Signing out everywhere ends your sessions on every device and browser, this one included.</p>
          <ErrorAlert message={error} />
          <div className="row wrap">
            <button type="button" className="btn btn-secondary" onClick={() => end(false)}>
              Sign out
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => end(true)}>
              Sign out everywhere
            </button>
          </div>
        </section>
      </div>
      <ApiTokens />
      <SharedLinks />
    </div>
  );
}
