import { useId, type ReactNode } from 'react';

/** The centred card that every signed-out page (sign in, setup, invite, sign-up, reset) sits in. */
export function AuthCard({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <div className="auth-page">
      <section className="card auth-card stack" aria-labelledby={id}>
        <div className="stack auth-heading">
          <h1 id={id}>{title}</h1>
          {intro && <p className="muted">{intro}</p>}
        </div>
        {children}
      </section>
    </div>
  );
}
