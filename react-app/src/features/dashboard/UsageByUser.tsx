import { formatNumber, type UserUsage } from './api';

/** An administrator's view of everyone: each person's requests, errors and tokens, busiest first. */
export function UsageByUser({ users, onPick }: { users: UserUsage[]; onPick: (userId: string) => void }) {
  const rows = [...users].sort((a, b) => b.requests - a.requests);
  return (
    <section className="card stack" aria-labelledby="by-user-heading">
      <h2 id="by-user-heading">By user</h2>
      {rows.length === 0 ? (
        <p className="muted">Nobody has used the assistant in this range.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Usage by user">
          <table className="numbers">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Requests</th>
                <th scope="col">Errors</th>
                <th scope="col">Tokens in</th>
                <th scope="col">Tokens out</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u, i) => (
                <tr key={u.user_id ?? `none-${i}`}>
                  <th scope="row">
                    {u.user_id ? (
                      <button type="button" className="link-button" onClick={() => onPick(u.user_id!)} aria-label={`Show only ${u.username}’s usage`}>
                        {u.username}
                      </button>
                    ) : (
                      <span className="muted">{u.username}</span>
                    )}
                  </th>
                  <td>{formatNumber(u.requests)}</td>
                  <td>{formatNumber(u.errors)}</td>
                  <td>{formatNumber(u.input_tokens)}</td>
                  <td>{formatNumber(u.output_tokens)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
