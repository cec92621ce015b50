import './attachments.css';
import { useRef } from 'react';
import { Icon } from '../../components/Icon';
import { formatBytes } from '../../lib/download';
import { KIND_LABEL, kindOf } from './attachmentsApi';
import type { Chip } from './useAttachments';

const isImage = (c: Chip) => kindOf(c.type || c.attachment?.mime_type || '', c.name) === 'image';
/** A document from which nothing could be read: it is said on the chip. */
const unreadable = (c: Chip) => c.phase === 'empty' && !isImage(c);

function statusOf(c: Chip): string {
  switch (c.phase) {
    case 'uploading':
      return `Uploading… ${Math.round(c.uploaded * 100)}%`;
    case 'processing':
      return c.read !== null ? `Reading… ${Math.round(c.read * 100)}%` : 'Reading…';
    case 'ready': {
      const a = c.attachment;
      if (a?.pages) return `Ready · ${a.pages} ${a.pages === 1 ? 'page' : 'pages'}`;
      if (a?.duration_seconds) return `Ready · ${Math.round(a.duration_seconds)} s`;
      return 'Ready';
    }
    case 'empty':
      // A picture without words is still a picture the model sees; a document without text is not.
      return isImage(c) ? 'Ready · no text in it' : 'No text found';
    case 'failed':
      return 'Not attached';
  }
}

/**
 * The files waiting to go with the next message: name, size, progress of the upload and of the
 * server's reading, what went wrong, and a Remove button each. Removing one moves focus to the next
 * chip's Remove button, or back to the message box.
 */
export function AttachmentChips({ chips, onRemove, announce, afterLast }: { chips: Chip[]; onRemove: (key: string) => void; announce: string; afterLast: () => void }) {
  const listRef = useRef<HTMLUListElement>(null);

  function remove(i: number) {
    const next = chips[i + 1] ?? chips[i - 1];
    onRemove(chips[i].key);
    requestAnimationFrame(() => {
      const btn = next && listRef.current?.querySelector<HTMLButtonElement>(`[data-chip="${next.key}"] .chip-remove`);
      if (btn) btn.focus();
      else afterLast();
    });
  }

  return (
    <>
      <p className="sr-only" aria-live="polite" data-testid="attachments-status">
        {announce}
      </p>
      {chips.length > 0 && (
        <ul className="attach-chips" ref={listRef} aria-label="Files to send">
          {chips.map((c, i) => {
            const kind = kindOf(c.type || c.attachment?.mime_type || '', c.name);
            const busy = c.phase === 'uploading' || c.phase === 'processing';
            const statusId = `${c.key}-status`;
            return (
              <li key={c.key} data-chip={c.key} className={`attach-chip attach-${unreadable(c) ? 'empty' : c.phase === 'empty' ? 'ready' : c.phase}`}>
                {c.preview ? <img className="attach-thumb" src={c.preview} alt="" /> : <span className="attach-kind" aria-hidden="true">{KIND_LABEL[kind]}</span>}
                <span className="attach-info">
                  <span className="attach-name" title={c.name}>
                    {c.name}
                  </span>
                  <span className="attach-meta" id={statusId}>
                    {formatBytes(c.size)} · {statusOf(c)}
                  </span>
                  {busy && (
                    <progress
                      className="attach-progress"
                      max={100}
                      value={c.phase === 'uploading' ? Math.round(c.uploaded * 100) : c.read !== null ? Math.round(c.read * 100) : undefined}
                      aria-label={c.phase === 'uploading' ? `Uploading ${c.name}` : `Reading ${c.name}`}
                    />
                  )}
                  {unreadable(c) && (
                    <span className="attach-note">{c.error ?? 'No text could be read from this document: the assistant cannot answer from its content.'}</span>
                  )}
                  {c.phase === 'failed' && (
                    <span className="attach-error" role="alert">
                      {c.name}: {c.error}
                    </span>
                  )}
                </span>
                <button type="button" className="btn btn-ghost btn-icon btn-sm chip-remove" aria-label={`Remove ${c.name}`} aria-describedby={statusId} title={`Remove ${c.name}`} onClick={() => remove(i)}>
                  <Icon name="close" size={14} />
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
