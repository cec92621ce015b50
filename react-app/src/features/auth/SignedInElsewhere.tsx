import { useAuth } from './AuthProvider';

/** On an invite or reset link while signed in: the link is for someone else's account, so sign out first. */
export function SignedInElsewhere({ what, returnTo }: { what: string; returnTo: string }) {
  const { user, signOut } = useAuth();
  return (
    <div className="stack">
      <p className="notice notice-info" role="status">
        {user ? `You are signed in as ${user.username}.` : 'You are signed in.'} To {what}, sign out first; this link stays open.
      </p>
      <button type="button" className="btn btn-secondary btn-block" onClick={() => void signOut({ then: returnTo })}>
        Sign out
      </button>
    </div>
  );
}
