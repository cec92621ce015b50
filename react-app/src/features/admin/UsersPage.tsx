import { useCallback, useEffect, useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { isAbort, messageOf } from '../../lib/api';
import type { Role } from '../auth/api';
import { useAuth } from '../auth/AuthProvider';
import { createPasswordReset, deleteUser, listUsers, resetLink, updateUser, type AdminUser, type Code, type UserPatch } from './api';
import { DeleteUserDialog } from './DeleteUserDialog';
import { InviteForm } from './InviteForm';
import { LimitsDialog } from './LimitsDialog';
import { OneTimeLink } from './OneTimeLink';
import { UserRow, type RowActions } from './UserRow';

/** /admin/users: everyone's account, today's use and limits; invites, reset links, disabling, deleting. */
export default function UsersPage() {
  const { user: me, refreshUser } = useAuth();
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');
  const [reset, setReset] = useState<{ username: string; code: Code } | null>(null);
  const [limitsFor, setLimitsFor] = useState<AdminUser | null>(null);
  const [deleting, setDeleting] = useState<AdminUser | null>(null);

  const load = useCallback(
    (signal?: AbortSignal) =>
      listUsers(signal)
        .then(setUsers)
        .catch((err) => !isAbort(err) && setError(messageOf(err))),
    [],
  );
  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  /** Applies a change; throws the API's error (for dialogs to show). */
  async function save(u: AdminUser, patch: UserPatch, done: string) {
    const updated = await updateUser(u.id, patch);
    setUsers((list) => list?.map((x) => (x.id === updated.id ? updated : x)) ?? null);
    setAnnounce(done);
    if (u.id === me?.id && patch.role !== undefined) refreshUser(); // a changed role changes what this person may see
  }

  /** Applies a change from the table; an error (the last administrator, say) is shown above it. */
  function change(u: AdminUser, patch: UserPatch, done: string, confirmSelf?: string) {
    setError(null);
    if (u.id === me?.id && confirmSelf && !window.confirm(confirmSelf)) return;
    save(u, patch, done).catch((err) => setError(messageOf(err)));
  }

  const actions: RowActions = {
    onRole: (u, role: Role) =>
      change(u, { role }, `${u.username} is now ${role === 'admin' ? 'an administrator' : 'a user'}.`, role === 'user' ? 'Give up your own administrator role? You will no longer see this page.' : undefined),
    onToggleDisabled: (u) =>
      change(u, { disabled: !u.disabled }, `${u.username} is ${u.disabled ? 'enabled' : 'disabled'}.`, u.disabled ? undefined : 'Disable your own account? You will be signed out and cannot sign in again.'),
    onLimits: (u) => setLimitsFor(u),
    onResetLink: (u) => {
      setError(null);
      createPasswordReset(u.id)
        .then((code) => setReset({ username: u.username, code }))
        .catch((err) => setError(messageOf(err)));
    },
    onDelete: (u) => setDeleting(u),
  };

  return (
    <div className="page">
      <header className="page-header">
        <h1>Users</h1>
        <p className="muted">Everyone with an account on this server. Each person sees only their own conversations and files.</p>
      </header>
      <InviteForm />
      <section className="card stack" aria-labelledby="users-heading">
        <h2 id="users-heading">Accounts</h2>
        {reset && <OneTimeLink title={`Password reset link for ${reset.username}`} link={resetLink(reset.code.code)} expiresAt={reset.code.expires_at} onDismiss={() => setReset(null)} />}
        <ErrorAlert message={error} onDismiss={() => setError(null)} />
        <p className="sr-only" aria-live="polite">
          {announce}
        </p>
        {users === null ? (
          !error && <p className="muted">Loading the accounts…</p>
        ) : (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Account list">
            <table className="users-table">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Today</th>
                  <th scope="col">Daily limits</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <UserRow key={u.id} user={u} isMe={u.id === me?.id} actions={actions} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {limitsFor && <LimitsDialog user={limitsFor} onSave={(patch) => save(limitsFor, patch, `Limits for ${limitsFor.username} saved.`)} onClose={() => setLimitsFor(null)} />}
      {deleting && (
        <DeleteUserDialog
          user={deleting}
          onDelete={async () => {
            await deleteUser(deleting.id);
            setUsers((list) => list?.filter((x) => x.id !== deleting.id) ?? null);
            setAnnounce(`${deleting.username} is deleted.`);
          }}
          onClose={() => setDeleting(null)}
        />
      )}
    </div>
  );
}
