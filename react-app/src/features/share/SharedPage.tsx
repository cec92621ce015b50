import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageLoading } from '../../components/PageLoading';
import { ApiError, isAbort, messageOf } from '../../lib/api';
import { formatWhen } from '../account/api';
import { MessageItem } from '../chat/MessageItem';
import { getShared, type SharedConversation } from './api';

/**
 * /shared/:id, open to anyone (no sign-in): a read-only snapshot of a conversation, rendered like the
 * chat, kept out of search engines while shown. A revoked or expired link says so.
 */
export default function SharedPage() {
  const { id = '' } = useParams();
  const [shared, setShared] = useState<SharedConversation | null>(null);
  const [gone, setGone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    setError(null);
    getShared(id, ctrl.signal)
      .then((s) => {
        setShared(s);
        setGone(false);
      })
      .catch((err) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 404) setGone(true);
        else setError(messageOf(err));
      });
    return () => ctrl.abort();
  }, [id, attempt]);

  useEffect(() => {
    const before = document.title;
    if (shared) document.title = `${shared.title || 'Shared conversation'} · AI Assistant`;
    return () => {
      document.title = before;
    };
  }, [shared]);

  // React puts this in <head> while the page is shown, and takes it away after.
  const noindex = <meta name="robots" content="noindex" />;

  if (gone)
    return (
      <div className="page shared-page">
        {noindex}
        <div className="card stack shared-gone">
          <h1>This link no longer works</h1>
          <p>The shared conversation was revoked by the person who shared it, or the link expired. Ask them for a new link.</p>
          <p>
            <Link to="/">Go to AI Assistant</Link>
          </p>
        </div>
      </div>
    );

  if (error)
    return (
      <div className="page shared-page">
        {noindex}
        <h1>Shared conversation</h1>
        <ErrorAlert message={error} />
        <div>
          <button type="button" className="btn btn-secondary" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      </div>
    );

  if (!shared)
    return (
      <>
        {noindex}
        <PageLoading />
      </>
    );

  return (
    <div className="page shared-page">
      {noindex}
      <header className="page-header shared-header">
        <p className="shared-badge">
          <span className="badge badge-info">Shared snapshot</span>
        </p>
        <h1>{shared.title || 'Untitled conversation'}</h1>
        <p className="muted small">
          A read-only copy of a conversation, shared {formatWhen(shared.shared_at)}. It does not change when the conversation goes on.
          {shared.expires_at ? ` The link works until ${formatWhen(shared.expires_at)}.` : ''}
        </p>
      </header>
      <section className="shared-messages" aria-label="Messages">
        {shared.messages.map((m, i) => (
          <MessageItem key={i} message={{ id: `shared-${i}`, role: m.role, content: m.content, status: m.status }} />
        ))}
        {shared.messages.length === 0 && <p className="muted">This conversation has no messages.</p>}
      </section>
    </div>
  );
}
