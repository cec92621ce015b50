/** Route guards: who may see a page, decided from /api/health's `auth` and the session. */
import { Navigate, Outlet, useLocation, useSearchParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageLoading } from '../../components/PageLoading';
import { useHealth } from '../../lib/health';
import { safeNext } from './api';
import { useAuth } from './AuthProvider';

/** The sign-in address that returns to `path` afterwards. */
export const signInPath = (path: string) => (path === '/' ? '/signin' : `/signin?next=${encodeURIComponent(path)}`);

/**
 * Pages that need a signed-in person (every page, when accounts are on). Without a session: the
 * administrator setup when no account exists yet, else the sign-in page. In `none` mode, or when the
 * API cannot be reached (the layout says so), the page itself is shown.
 */
export function RequireAccount() {
  const { health, error } = useHealth();
  const { info, signedIn } = useAuth();
  const location = useLocation();
  if (!health && !error) return <PageLoading />;
  if (info?.mode === 'accounts' && !signedIn) {
    if (info.setup_required) return <Navigate to="/setup" replace />;
    return <Navigate to={signInPath(location.pathname + location.search)} replace />;
  }
  return <Outlet />;
}

/** Pages for administrators only; others are told so, not bounced around. */
export function RequireAdmin() {
  const { info, user, userError } = useAuth();
  if (info?.mode === 'none') return <Navigate to="/" replace />;
  if (!user) return userError ? <div className="page"><ErrorAlert message={userError} /></div> : <PageLoading />;
  if (user.role !== 'admin')
    return (
      <div className="page">
        <h1>Administrators only</h1>
        <p>This page is for the administrators of this server. Pick a tool from the menu.</p>
      </div>
    );
  return <Outlet />;
}

/** Invite and reset links, and the signed-out pages: only where accounts are on. */
export function AccountsOn() {
  const { health, error } = useHealth();
  const { info } = useAuth();
  if (!health && !error) return <PageLoading />;
  if (info?.mode === 'none') return <Navigate to="/" replace />;
  return <Outlet />;
}

/** Sign-in, sign-up and setup: pointless once signed in (go where the person was headed) or without accounts. */
export function SignedOutOnly() {
  const { signedIn } = useAuth();
  const [params] = useSearchParams();
  if (signedIn) return <Navigate to={safeNext(params.get('next'))} replace />;
  return <Outlet />;
}
