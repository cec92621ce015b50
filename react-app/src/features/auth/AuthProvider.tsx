/**
 * Who is signed in, in one place: the session token (kept by lib/auth.ts), the current user
 * (GET /api/auth/me once per token), signing in and out, and the one handler for a 401 from any request:
 * forget the token, so that the page's guard (RequireAccount) opens the sign-in page with `?next=` the
 * address the person was at, and say why there.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { isAbort, messageOf } from '../../lib/api';
import { getToken, onUnauthorized, setToken, TOKEN_STORAGE_KEY } from '../../lib/auth';
import { useHealth, type AuthInfo } from '../../lib/health';
import { getMe, logout, logoutEverywhere, type Session, type User } from './api';

/** What the sign-in page shows above its form (navigation state). */
export interface SignInNotice {
  notice?: string;
}

const NO_ACCOUNTS: AuthInfo = { mode: 'none', setup_required: false, setup_code_required: false, signup: 'closed' };

interface AuthState {
  /** The server's sign-in settings; null while /api/health is loading or unreachable. */
  info: AuthInfo | null;
  /** Accounts are on and this browser holds a session token. */
  signedIn: boolean;
  /** The signed-in person, once GET /api/auth/me has answered. */
  user: User | null;
  /** Why the user could not be loaded (other than an ended session, which signs out). */
  userError: string | null;
  /** Why the last session ended (the server's 401 message, or a sign-out), for the sign-in page. */
  notice: string | null;
  isAdmin: boolean;
  signIn: (session: Session) => void;
  /** Asks the server again who is signed in (after a change to one's own role). */
  refreshUser: () => void;
  /** Ends this session (or every session) on the server, forgets it here, opens the sign-in page (or `then`). */
  signOut: (opts?: { everywhere?: boolean; then?: string }) => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const { health } = useHealth();
  const info = health ? (health.auth ?? NO_ACCOUNTS) : null;
  const accounts = info?.mode === 'accounts';
  const [token, setTokenState] = useState<string | null>(getToken);
  // The user belongs to one token: a new token (another account) never shows the previous user.
  const [known, setKnown] = useState<{ token: string; user: User } | null>(null);
  const [userError, setUserError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const navigate = useNavigate();

  const forget = useCallback(() => {
    setToken(null);
    setTokenState(null);
    setKnown(null);
  }, []);

  // A 401 from any request, anywhere: handled here, once. The guard around the page does the rest.
  useEffect(
    () =>
      onUnauthorized((message) => {
        // The first answer says why (a disabled account, say); the requests still under way with the same
        // token only repeat that it no longer works.
        if (getToken() !== null) setNotice(message);
        forget();
      }),
    [forget],
  );

  // Signing in or out in another tab of this browser applies here too.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key === TOKEN_STORAGE_KEY || e.key === null) setTokenState(getToken());
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const user = known && known.token === token ? known.user : null;
  useEffect(() => {
    if (!accounts || !token || user) return;
    const ctrl = new AbortController();
    setUserError(null);
    getMe(ctrl.signal)
      .then((u) => setKnown({ token, user: u }))
      .catch((err) => !isAbort(err) && setUserError(messageOf(err)));
    return () => ctrl.abort();
  }, [accounts, token, user]);

  const signIn = useCallback((session: Session) => {
    setToken(session.token);
    setTokenState(session.token);
    setKnown({ token: session.token, user: session.user });
    setUserError(null);
    setNotice(null);
  }, []);

  const refreshUser = useCallback(() => setKnown(null), []);

  const signOut = useCallback(
    async ({ everywhere = false, then }: { everywhere?: boolean; then?: string } = {}) => {
      try {
        if (everywhere) await logoutEverywhere(); // an error here is shown: the other sessions may still be open
        else await logout().catch(() => undefined); // gone from this browser either way
      } catch (err) {
        if (!(err instanceof Error && 'code' in err && err.code === 'unauthorized')) throw err;
      }
      forget();
      setNotice(everywhere ? 'You are signed out on every device.' : 'You are signed out.');
      navigate(then ?? '/signin', { replace: true });
    },
    [forget, navigate],
  );

  const value = useMemo<AuthState>(
    () => ({
      info,
      signedIn: accounts && Boolean(token),
      user: accounts ? user : null,
      userError,
      notice,
      isAdmin: accounts && user?.role === 'admin',
      signIn,
      refreshUser,
      signOut,
    }),
    [info, accounts, token, user, userError, notice, signIn, refreshUser, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth() needs an <AuthProvider> above it.');
  return ctx;
}
