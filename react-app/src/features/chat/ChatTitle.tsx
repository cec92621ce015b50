import { useRef, useState } from 'react';
import { Icon } from '../../components/Icon';
import { RenameField } from './RenameField';

/** The chat's heading: the conversation's title, renamed in place with the pencil beside it. */
export function ChatTitle({ title, onRename }: { title: string | null; onRename?: (title: string) => Promise<void> }) {
  const [renaming, setRenaming] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  return (
    <div className="chat-title-row">
      <h1 id="chat-heading" className={renaming ? 'sr-only' : undefined}>
        {title ?? 'Text to Text'}
      </h1>
      {renaming && onRename ? (
        <RenameField
          className="rename-heading"
          initial={title ?? ''}
          onSave={onRename}
          onDone={(refocus) => {
            setRenaming(false);
            if (refocus) setTimeout(() => buttonRef.current?.focus(), 0);
          }}
        />
      ) : (
        onRename && (
          <button ref={buttonRef} type="button" className="btn btn-ghost btn-icon btn-sm" onClick={() => setRenaming(true)} aria-label="Rename conversation" title="Rename">
            <Icon name="pencil" size={15} />
          </button>
        )
      )}
    </div>
  );
}
