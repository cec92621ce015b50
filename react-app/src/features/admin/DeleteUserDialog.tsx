import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Modal } from '../../components/Modal';
import { messageOf } from '../../lib/api';
import { TextField } from '../auth/fields';
import type { AdminUser } from './api';

/** Deleting a person removes all their data: the username must be typed to confirm. */
export function DeleteUserDialog({ user, onDelete, onClose }: { user: AdminUser; onDelete: () => Promise<void>; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const matches = typed.trim().toLowerCase() === user.username.toLowerCase();

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!matches) return;
    setBusy(true);
    setError(null);
    try {
      await onDelete();
      onClose();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  return (
    <Modal title={`Delete ${user.username}?`} onClose={onClose} describedBy="delete-intro">
      <form className="stack" onSubmit={submit} noValidate>
        <p id="delete-intro" className="dialog-warning">
          This deletes the account and all its data: conversations, files, API tokens and usage. It cannot be undone.
        </p>
        <TextField label={`Type “${user.username}” to confirm`} value={typed} onChange={setTyped} autoComplete="off" autoCapitalize="none" spellCheck={false} />
        <ErrorAlert message={error} />
        <div className="row dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={!matches || busy} aria-busy={busy}>
            {busy ? 'Deleting…' : 'Delete the account'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
