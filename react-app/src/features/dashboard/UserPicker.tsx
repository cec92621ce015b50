import { useEffect, useState } from 'react';
import { isAbort } from '../../lib/api';
import { listUsers, type AdminUser } from '../admin/api';

/** An administrator picks whose usage to see: everyone, or one person. */
export function UserPicker({ value, onChange }: { value: string | null; onChange: (userId: string | null) => void }) {
  const [users, setUsers] = useState<AdminUser[]>([]);
  useEffect(() => {
    const ctrl = new AbortController();
    listUsers(ctrl.signal)
      .then(setUsers)
      .catch((err) => !isAbort(err) && setUsers([])); // the picker then offers only "Everyone"
    return () => ctrl.abort();
  }, []);
  const known = value === null || users.some((u) => u.id === value);
  return (
    <div className="field field-inline">
      <label htmlFor="dashboard-user">Usage of</label>
      <select id="dashboard-user" className="select-sm" value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">Everyone</option>
        {!known && value && <option value={value}>This user</option>}
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.username}
          </option>
        ))}
      </select>
    </div>
  );
}
