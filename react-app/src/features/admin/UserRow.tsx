import type { Role } from '../auth/api';
import { formatDay, formatWhen } from '../account/api';
import { formatNumber } from '../dashboard/api';
import type { AdminUser } from './api';

export interface RowActions {
  onRole: (u: AdminUser, role: Role) => void;
  onToggleDisabled: (u: AdminUser) => void;
  onLimits: (u: AdminUser) => void;
  onResetLink: (u: AdminUser) => void;
  onDelete: (u: AdminUser) => void;
}

const limit = (n: number | null) => (n === null ? 'default' : formatNumber(n));

/** One person in the users table: role, status, today's use, daily limits, and what can be done. */
export function UserRow({ user: u, isMe, actions }: { user: AdminUser; isMe: boolean; actions: RowActions }) {
  return (
    <tr className={u.disabled ? 'row-disabled' : undefined}>
      <th scope="row">
        {u.username} {isMe && <span className="badge">you</span>}
        <div className="muted small">since {formatDay(u.created_at)}</div>
      </th>
      <td>
        <select className="select-sm" value={u.role} onChange={(e) => actions.onRole(u, e.target.value as Role)} aria-label={`Role of ${u.username}`}>
          <option value="user">User</option>
          <option value="admin">Administrator</option>
        </select>
      </td>
      <td>
        <div className="cell-stack">
          <span className={`badge ${u.disabled ? 'badge-warn' : 'badge-ok'}`}>{u.disabled ? 'Disabled' : 'Active'}</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => actions.onToggleDisabled(u)} aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}>
            {u.disabled ? 'Enable' : 'Disable'}
          </button>
        </div>
      </td>
      <td>
        {formatNumber(u.usage_today.requests)} requests
        <div className="muted small">{formatNumber(u.usage_today.tokens)} tokens</div>
      </td>
      <td>
        <div className="cell-stack">
          <div>
            {limit(u.daily_request_limit)} requests
            <div className="muted small">{limit(u.daily_token_limit)} tokens</div>
          </div>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => actions.onLimits(u)} aria-label={`Change the daily limits of ${u.username}`}>
            Change
          </button>
        </div>
      </td>
      <td>{formatWhen(u.last_seen_at, 'Never')}</td>
      <td>
        <div className="cell-stack">
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => actions.onResetLink(u)} aria-label={`Reset password of ${u.username}: make a link`}>
            Reset password
          </button>
          <button type="button" className="btn btn-ghost btn-sm danger-text" onClick={() => actions.onDelete(u)} aria-label={`Delete ${u.username}`}>
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}
