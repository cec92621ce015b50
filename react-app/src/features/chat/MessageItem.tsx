import { useEffect, useRef } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { Icon } from '../../components/Icon';
import { LazyMarkdown } from '../../components/LazyMarkdown';
import { toCitations } from './attachmentsApi';
import { Citations } from './Citations';
import { MessageAttachments } from './MessageAttachments';
import { MessageEditor } from './MessageEditor';
import { ReadAloud } from './ReadAloud';
import { isLocal, type ChatMessage } from './useChat';
import { VersionSwitcher } from './VersionSwitcher';

interface Actions {
  /** A reply is streaming or a version is loading: the tools wait. */
  busy?: boolean;
  onFlip?: (versionId: string) => void;
  /** Questions: open the editor (`editing`), send the edited text, or close it. */
  editing?: boolean;
  onEdit?: () => void;
  onSendEdit?: (text: string) => void;
  onCancelEdit?: () => void;
  /** The last reply: answer the question again. */
  onRegenerate?: () => void;
  /** Replies: offer "Read aloud" (needs the session: not on a shared page). */
  readAloud?: boolean;
  /** Attachments: show pictures and open the cited pages (needs the session: not on a shared page). */
  fileAccess?: boolean;
}

/** One message; with the tools when given (versions, edit, regenerate), read-only without (a shared page). */
export function MessageItem({ message, busy, onFlip, editing, onEdit, onSendEdit, onCancelEdit, onRegenerate, readAloud, fileAccess }: { message: ChatMessage } & Actions) {
  const mine = message.role === 'user';
  const incomplete = message.status === 'incomplete';
  const versions = message.versions ?? [];
  const editRef = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Closing the editor (Cancel, Escape) puts focus back on its Edit button.
  useEffect(() => {
    if (wasEditing.current && !editing) editRef.current?.focus();
    wasEditing.current = Boolean(editing);
  }, [editing]);

  const saved = !isLocal(message.id);
  const canEdit = mine && onEdit && saved;
  return (
    <article className={`message ${mine ? 'message-user' : 'message-assistant'}`} aria-label={mine ? 'You said' : 'Assistant replied'}>
      <div className="message-avatar" aria-hidden="true">
        {mine ? 'You' : 'AI'}
      </div>
      <div className="message-body">
        {mine && message.attachments && message.attachments.length > 0 && <MessageAttachments items={message.attachments} fileAccess={fileAccess} />}
        {editing && onSendEdit && onCancelEdit ? (
          <MessageEditor initial={message.content} onSend={onSendEdit} onCancel={onCancelEdit} />
        ) : mine ? (
          <div className="message-text">{message.content}</div>
        ) : message.content ? (
          <LazyMarkdown text={message.content} />
        ) : message.streaming ? (
          <div className="typing" aria-label="Thinking">
            <span />
            <span />
            <span />
          </div>
        ) : null}
        {message.streaming && message.content && <span className="cursor" aria-hidden="true" />}
        {!mine && !message.streaming && message.citations && message.citations.length > 0 && <Citations citations={toCitations(message.citations)} open={fileAccess} />}
        {incomplete && (
          <p className="incomplete-tag">
            <span className="badge badge-warn">Incomplete</span> {message.note ?? 'This reply was cut short.'}
          </p>
        )}
        {!message.streaming && !editing && (message.content || onRegenerate || versions.length > 1) && (
          <div className="message-actions">
            {onFlip && versions.length > 1 && <VersionSwitcher versions={versions} current={message.id} kind={mine ? 'question' : 'reply'} busy={busy} onFlip={onFlip} />}
            {message.content && <CopyButton text={message.content} />}
            {readAloud && !mine && message.content && <ReadAloud text={message.content} />}
            {canEdit && (
              <button ref={editRef} type="button" className="btn btn-ghost btn-sm" onClick={onEdit} disabled={busy}>
                <Icon name="pencil" size={15} /> Edit
              </button>
            )}
            {onRegenerate && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={onRegenerate} disabled={busy}>
                <Icon name="refresh" size={15} /> Regenerate
              </button>
            )}
          </div>
        )}
        {message.streaming && versions.length > 1 && onFlip && (
          <div className="message-actions">
            <VersionSwitcher versions={versions} current={message.id} kind="reply" busy onFlip={onFlip} />
          </div>
        )}
      </div>
    </article>
  );
}
