import { useEffect, useRef, useState, type FormEvent } from 'react';

export type TokenDialogReason = 'required' | 'rejected' | 'change';

function intro(reason: TokenDialogReason, hasToken: boolean): string {
  if (reason === 'required') return 'This server asks for an access token before it answers.';
  if (reason === 'rejected') return 'The server did not accept the access token. Enter it again.';
  return hasToken ? 'Enter a new access token, or forget the one this browser keeps.' : 'Enter the access token for this server.';
}

/**
 * Asks for the server's access token (APP_ACCESS_TOKEN) in a modal <dialog>: the browser traps focus,
 * Escape closes it, and focus returns to where it was. The token is kept in this browser only.
 */
export function TokenDialog({ reason, hasToken, onSave, onClose }: { reason: TokenDialogReason; hasToken: boolean; onSave: (token: string | null) => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
    return () => dialog?.close?.();
  }, []);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (value.trim()) onSave(value.trim());
  }

  return (
    <dialog ref={ref} className="dialog card" aria-labelledby="token-title" aria-describedby="token-intro" onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <h2 id="token-title">Access token</h2>
        <p id="token-intro" role={reason === 'rejected' ? 'alert' : undefined} className={reason === 'rejected' ? 'dialog-warning' : undefined}>
          {intro(reason, hasToken)}
        </p>
        <div className="field">
          <label htmlFor="token-input">Token</label>
          <input id="token-input" type="password" autoComplete="off" spellCheck={false} value={value} onChange={(e) => setValue(e.target.value)} autoFocus />
          <span className="muted small">Ask whoever runs this server (it is their APP_ACCESS_TOKEN). Kept in this browser only.</span>
        </div>
        <div className="row dialog-actions">
          {hasToken && (
            <button type="button" className="btn btn-ghost" onClick={() => onSave(null)}>
              Forget token
            </button>
          )}
          <button type="button" className="btn btn-secondary" onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={!value.trim()}>
            Save
          </button>
        </div>
      </form>
    </dialog>
  );
}
