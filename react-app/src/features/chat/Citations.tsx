import './attachments.css';
import { useRef, useState } from 'react';
import type { Citation } from './attachmentsApi';
import { AttachmentViewer } from './AttachmentViewer';

export const citationLabel = (c: Citation) => (c.page ? `${c.filename}, page ${c.page}` : c.filename);

/**
 * The sources a reply drew on, as chips under it. With `open` (a signed-in view), a chip opens the
 * cited page's text with the quote highlighted; closing it puts focus back on the chip.
 */
export function Citations({ citations, open = true }: { citations: Citation[]; open?: boolean }) {
  const [current, setCurrent] = useState<number | null>(null);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  if (!citations.length) return null;

  function close() {
    const i = current;
    setCurrent(null);
    if (i !== null) requestAnimationFrame(() => buttons.current[i]?.focus());
  }

  const c = current !== null ? citations[current] : null;
  return (
    <div className="citations">
      <span className="citations-label small muted" aria-hidden="true">
        Sources:
      </span>
      <ul className="citation-list" aria-label="Sources">
        {citations.map((cit, i) => (
          <li key={`${cit.attachment_id}-${cit.page ?? ''}-${i}`}>
            {open ? (
              <button
                ref={(el) => void (buttons.current[i] = el)}
                type="button"
                className="citation-chip"
                aria-haspopup="dialog"
                title={cit.quote ? `“${cit.quote}”` : undefined}
                onClick={() => setCurrent(i)}
              >
                {citationLabel(cit)}
              </button>
            ) : (
              <span className="citation-chip" title={cit.quote ?? undefined}>
                {citationLabel(cit)}
              </span>
            )}
          </li>
        ))}
      </ul>
      {c && <AttachmentViewer attachmentId={c.attachment_id} filename={c.filename} page={c.page ?? null} quote={c.quote} onClose={close} />}
    </div>
  );
}
