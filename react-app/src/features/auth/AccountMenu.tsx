import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { Icon } from '../../components/Icon';
import { useAuth } from './AuthProvider';

/**
 * The top bar's account button: a disclosure (aria-expanded) with the signed-in name, Account, Users
 * (administrators) and Sign out. Arrow keys move between the entries, Escape closes and returns to the
 * button, Tab moves on as usual (and out of it closes it); a click elsewhere or a navigation closes it.
 */
export function AccountMenu() {
  const { user, isAdmin, signOut } = useAuth();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const { pathname } = useLocation();

  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (e: PointerEvent) => {
      if (!wrapRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const entries = () => Array.from(wrapRef.current?.querySelectorAll<HTMLElement>('.account-entry') ?? []);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape' && open) {
      e.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
      return;
    }
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    if (!open) {
      setOpen(true);
      requestAnimationFrame(() => (e.key === 'ArrowUp' || e.key === 'End' ? entries().at(-1) : entries()[0])?.focus());
      return;
    }
    const items = entries();
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : e.key === 'ArrowDown' ? (at + 1) % items.length : (at <= 0 ? items.length : at) - 1;
    items[next]?.focus();
  }

  const name = user?.username ?? 'Account';
  return (
    <div
      className="account-menu"
      ref={wrapRef}
      onKeyDown={onKeyDown}
      onBlur={(e) => {
        // Tabbing past the last entry closes it (a click elsewhere is handled above).
        if (e.relatedTarget && !wrapRef.current?.contains(e.relatedTarget as Node)) setOpen(false);
      }}
    >
      <button ref={buttonRef} type="button" className="btn btn-ghost account-button" aria-expanded={open} aria-controls={panelId} aria-label={user ? `Account menu, signed in as ${user.username}` : 'Account menu'} onClick={() => setOpen((o) => !o)}>
        <span className="account-avatar">
          <Icon name="user" size={16} />
        </span>
        <span className="account-name">{name}</span>
      </button>
      <div id={panelId} className="account-panel card" hidden={!open}>
        <p className="account-who">
          <span className="muted small">Signed in as</span>
          <strong>{name}</strong>
          {isAdmin && <span className="badge badge-info">Administrator</span>}
        </p>
        <ul className="plain-list">
          <li>
            <Link className="account-entry" to="/account" onClick={() => setOpen(false)}>
              <Icon name="user" /> Account
            </Link>
          </li>
          {isAdmin && (
            <li>
              <Link className="account-entry" to="/admin/users" onClick={() => setOpen(false)}>
                <Icon name="users" /> Users
              </Link>
            </li>
          )}
          <li>
            <button type="button" className="account-entry" onClick={() => signOut().catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)))}>
              <Icon name="logout" /> Sign out
            </button>
          </li>
        </ul>
        {error && (
          <p className="small danger-text" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
