import { Icon } from '../../components/Icon';
import type { ConversationSummary } from './api';

interface Props {
  conversations: ConversationSummary[];
  activeId: string | null;
  onOpen: (id: string) => void;
  onNew: () => void;
  onDelete: (c: ConversationSummary) => void;
  error: string | null;
}

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
};

export function ConversationSidebar({ conversations, activeId, onOpen, onNew, onDelete, error }: Props) {
  return (
    <aside className="chat-sidebar" aria-label="Conversations">
      <button type="button" className="btn btn-primary btn-block" onClick={onNew}>
        <Icon name="plus" /> New chat
      </button>
      <h2 className="sidebar-title">History</h2>
      {error && <p className="muted small">{error}</p>}
      {!error && conversations.length === 0 && <p className="muted small">No conversations yet.</p>}
      <ul className="conversation-list">
        {conversations.map((c) => (
          <li key={c.id} className={c.id === activeId ? 'active' : undefined}>
            <button type="button" className="conversation-open" onClick={() => onOpen(c.id)} aria-current={c.id === activeId ? 'true' : undefined}>
              <span className="conversation-title">{c.title || 'Untitled'}</span>
              <span className="conversation-meta">
                {when(c.updated_at)} · {c.message_count} messages
              </span>
            </button>
            <button type="button" className="btn btn-ghost btn-icon btn-sm" onClick={() => onDelete(c)} aria-label={`Delete conversation “${c.title || 'Untitled'}”`}>
              <Icon name="trash" size={15} />
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
