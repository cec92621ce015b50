import { useRef, useState } from 'react';
import { Icon } from '../../components/Icon';
import type { ConversationSummary } from './api';
import { Highlighted } from './Highlighted';
import { RenameField } from './RenameField';

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
};

interface Props {
  conversation: ConversationSummary;
  active: boolean;
  onOpen: () => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => void;
}

/** One conversation in the history: open it, rename it in place, delete it; a search shows where its words are. */
export function ConversationEntry({ conversation: c, active, onOpen, onRename, onDelete }: Props) {
  const [renaming, setRenaming] = useState(false);
  const renameRef = useRef<HTMLButtonElement>(null);
  const name = c.title || 'Untitled';
  const match = c.match;

  if (renaming)
    return (
      <li className={`renaming${active ? ' active' : ''}`}>
        <RenameField
          initial={c.title}
          onSave={onRename}
          onDone={(refocus) => {
            setRenaming(false);
            if (refocus) setTimeout(() => renameRef.current?.focus(), 0);
          }}
        />
      </li>
    );

  return (
    <li className={active ? 'active' : undefined}>
      <button type="button" className="conversation-open" onClick={onOpen} aria-current={active ? 'true' : undefined}>
        <span className="conversation-title">{match?.field === 'title' ? <Highlighted text={match.text} ranges={match.ranges} /> : name}</span>
        {match?.field === 'message' && (
          <span className="conversation-excerpt">
            <Highlighted text={match.text} ranges={match.ranges} />
          </span>
        )}
        <span className="conversation-meta">
          {when(c.updated_at)} · {c.message_count} messages
        </span>
      </button>
      <span className="conversation-actions">
        <button ref={renameRef} type="button" className="btn btn-ghost btn-icon btn-sm" onClick={() => setRenaming(true)} aria-label={`Rename conversation “${name}”`} title="Rename">
          <Icon name="pencil" size={15} />
        </button>
        <button type="button" className="btn btn-ghost btn-icon btn-sm" onClick={onDelete} aria-label={`Delete conversation “${name}”`} title="Delete">
          <Icon name="trash" size={15} />
        </button>
      </span>
    </li>
  );
}
