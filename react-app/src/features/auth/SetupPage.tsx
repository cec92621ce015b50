import { useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { ApiError } from '../../lib/api';
import { useHealth } from '../../lib/health';
import { setupAdmin } from './api';
import { AuthCard } from './AuthCard';
import { useAuth, type SignInNotice } from './AuthProvider';
import { PasswordField } from './fields';
import { NewAccountForm } from './NewAccountForm';

/** /setup: the first visit to a server without accounts creates its administrator. */
export default function SetupPage() {
  const { info, signIn } = useAuth();
  const { refresh } = useHealth();
  const navigate = useNavigate();
  const [code, setCode] = useState('');
  const [conflict, setConflict] = useState<string | null>(null);

  if (!info?.setup_required) {
    const state: SignInNotice | null = conflict ? { notice: conflict } : null;
    return <Navigate to="/signin" replace state={state} />;
  }

  async function create(username: string, password: string) {
    if (info?.setup_code_required && !code.trim()) throw new Error('Enter the setup code.');
    try {
      signIn(await setupAdmin(username, password, info?.setup_code_required ? code.trim() : undefined));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'conflict') {
        // Someone else was first: this server has its administrator now; sign-in says so.
        setConflict(err.message);
        await refresh();
      }
      throw err; // shown on the form (unseen once the page has moved on to sign-in)
    }
    navigate('/', { replace: true });
    void refresh(); // health no longer says setup_required
  }

  return (
    <AuthCard
      title="Create the administrator account"
      intro="This server has no accounts yet. The first one is the administrator's: it can invite people, set their daily limits and reset their passwords."
    >
      <NewAccountForm
        submitLabel="Create the administrator account"
        busyLabel="Creating the account…"
        onSubmit={create}
        extra={
          info.setup_code_required && (
            <PasswordField label="Setup code" value={code} onChange={setCode} autoComplete="off" hint="The SETUP_CODE set where this server runs (its environment or .env file)." required />
          )
        }
      />
    </AuthCard>
  );
}
