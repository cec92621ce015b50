import { Link, useLocation, useNavigate } from 'react-router';
import { codeFromHash, signup } from './api';
import { AuthCard } from './AuthCard';
import { useAuth } from './AuthProvider';
import { NewAccountForm } from './NewAccountForm';
import { SignedInElsewhere } from './SignedInElsewhere';

/** /invite#<code>: an invited person chooses a username and a password and is signed in. */
export default function InvitePage() {
  const { signedIn, signIn } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const code = codeFromHash(location.hash);

  async function accept(username: string, password: string) {
    signIn(await signup(username, password, code));
    navigate('/', { replace: true }); // the code leaves the address bar and the history
  }

  return (
    <AuthCard title="Create your account" intro="You have been invited to this AI Assistant. Choose a username and a password to start.">
      {!code ? (
        <p className="notice notice-error" role="alert">
          This invite link is incomplete: the code after the # is missing. Open the whole link you were sent.
        </p>
      ) : signedIn ? (
        <SignedInElsewhere what="accept this invitation with a new account" returnTo={`/invite${location.hash}`} />
      ) : (
        <NewAccountForm submitLabel="Create my account" busyLabel="Creating your account…" onSubmit={accept} />
      )}
      <p className="small muted auth-links">
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </AuthCard>
  );
}
