import { Link, useNavigate } from 'react-router';
import { signup } from './api';
import { AuthCard } from './AuthCard';
import { useAuth } from './AuthProvider';
import { NewAccountForm } from './NewAccountForm';

/** /signup: open sign-up, when the server allows it (SIGNUP=open). */
export default function SignUpPage() {
  const { info, signIn } = useAuth();
  const navigate = useNavigate();

  async function create(username: string, password: string) {
    signIn(await signup(username, password));
    navigate('/', { replace: true });
  }

  return (
    <AuthCard title="Create an account">
      {info?.signup === 'open' ? (
        <NewAccountForm submitLabel="Create my account" busyLabel="Creating your account…" onSubmit={create} />
      ) : (
        <p className="notice notice-info" role="status">
          {info?.signup === 'invite' ? 'This server is by invitation only: ask an administrator for an invite link.' : 'This server does not take new accounts.'}
        </p>
      )}
      <p className="small muted auth-links">
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </AuthCard>
  );
}
