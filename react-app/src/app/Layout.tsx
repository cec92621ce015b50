import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { Icon, type IconName } from '../components/Icon';
import { AccountMenu } from '../features/auth/AccountMenu';
import { useAuth } from '../features/auth/AuthProvider';
import { useHealth } from '../lib/health';
import { useTheme } from '../lib/theme';

const NAV: { to: string; label: string; icon: IconName; end?: boolean }[] = [
  { to: '/', label: 'Text to Text', icon: 'chat', end: true },
  { to: '/image-to-text', label: 'Image to Text', icon: 'image' },
  { to: '/text-to-image', label: 'Text to Image', icon: 'sparkles' },
  { to: '/voice-to-text', label: 'Voice to Text', icon: 'mic' },
  { to: '/dashboard', label: 'Dashboard', icon: 'chart' },
];

export function Layout() {
  const [theme, toggleTheme] = useTheme();
  const { health, error } = useHealth();
  const { info, signedIn } = useAuth();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  // Move focus to the new page's content on navigation, so keyboard and screen-reader users land there.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [location.pathname]);

  // The tools are shown once it is known that this person may use them: signed in, or no accounts.
  const accounts = info?.mode === 'accounts';
  const showNav = accounts ? signedIn : Boolean(health || error);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            A
          </span>
          <span className="brand-name">AI Assistant</span>
        </NavLink>
        {showNav ? (
          <nav aria-label="Main" className="nav">
            {NAV.map((item) => (
              <NavLink key={item.to} to={item.to} end={item.end} className="nav-link">
                <Icon name={item.icon} />
                <span className="nav-label">{item.label}</span>
              </NavLink>
            ))}
          </nav>
        ) : (
          <div className="nav" />
        )}
        <div className="topbar-end">
          <span className={`status-dot ${error ? 'down' : health ? 'up' : ''}`} role="img" aria-label={error ? 'API unreachable' : health ? `API online, version ${health.version}` : 'Checking the API'} title={error ?? (health ? `API ${health.version}` : 'Checking…')} />
          <button type="button" className="btn btn-ghost btn-icon" onClick={toggleTheme} aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}>
            <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
          </button>
          {accounts && signedIn && <AccountMenu />}
        </div>
      </header>
      {error && (
        <div className="banner" role="alert">
          The API could not be reached ({error}). Start it with <code>python app.py</code> or check REACT_APP_API_URL.
        </div>
      )}
      <main id="main" ref={mainRef} tabIndex={-1} className="main">
        <Outlet />
      </main>
    </div>
  );
}
