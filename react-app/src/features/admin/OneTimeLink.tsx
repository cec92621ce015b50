import { CopyButton } from '../../components/CopyButton';
import { formatWhen } from '../account/api';

/** A link made for someone (an invite, a password reset): copy it and send it; it works once, until it expires. */
export function OneTimeLink({ title, link, expiresAt, onDismiss }: { title: string; link: string; expiresAt: string; onDismiss: () => void }) {
  return (
    <div className="notice notice-ok stack one-time-link" role="status">
      <p>
        <strong>{title}</strong>
      </p>
      <div className="secret-row">
        <code className="secret-value">{link}</code>
        <CopyButton text={link} label="Copy link" />
      </div>
      <p className="small">Send it to them privately. It works once and expires {formatWhen(expiresAt)}.</p>
      <div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}
