import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Modal } from '../../components/Modal';
import { isAbort, messageOf } from '../../lib/api';
import { getAttachment, type AttachmentPage } from './attachmentsApi';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where `quote` is in `text`: [start, end), or null. Exact first, then ignoring case, spacing and
 * quotation marks or ellipses around it, then its longest start found (a quote the model shortened or ran on).
 */
export function findQuote(text: string, quote: string | null | undefined): [number, number] | null {
  const q = (quote ?? '').trim().replace(/^["“”'‘’«»…]+|["“”'‘’«»…]+$/g, '').replace(/\.{3}$/, '').trim();
  if (!q || !text) return null;
  const exact = text.indexOf(q);
  if (exact >= 0) return [exact, exact + q.length];
  const words = q.split(/\s+/).filter(Boolean);
  // The longest start of the quote that is on the page (at least four words, or the whole of a shorter quote).
  for (let n = words.length; n >= Math.min(4, words.length); n--) {
    const m = new RegExp(words.slice(0, n).map(escape).join('\\s+'), 'i').exec(text);
    if (m) return [m.index, m.index + m[0].length];
  }
  return null;
}

/**
 * A file's extracted text in a dialog: one page with the quoted passage highlighted (a citation), or
 * every page (an attachment opened from a message). Escape or Close closes it; the caller puts focus back.
 */
export function AttachmentViewer({ attachmentId, filename, page, quote, onClose }: { attachmentId: string; filename: string; page?: number | null; quote?: string | null; onClose: () => void }) {
  const [pages, setPages] = useState<AttachmentPage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const markRef = useRef<HTMLElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    getAttachment(attachmentId, ctrl.signal)
      .then((r) => setPages(r.pages))
      .catch((err) => !isAbort(err) && setError(messageOf(err)));
    return () => ctrl.abort();
  }, [attachmentId]);

  // Block bodies: an effect must return nothing but a cleanup (scrolling returns a promise in new browsers).
  useEffect(() => {
    closeRef.current?.focus();
  }, []);
  useEffect(() => {
    markRef.current?.scrollIntoView?.({ block: 'center' });
  }, [pages]);

  const shown = pages && (page ? pages.filter((p) => p.number === page) : pages);
  const title = page ? `${filename} · page ${page}` : filename;

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  }

  return (
    <Modal title={title} onClose={onClose}>
      <div className="attachment-viewer stack" onKeyDown={onKeyDown}>
        {!pages && !error && (
          <p className="muted" role="status">
            Loading the text…
          </p>
        )}
        <ErrorAlert message={error} />
        {shown && shown.length === 0 && <p className="muted">{page ? `Page ${page} has no text this app can show.` : 'No text was read from this file.'}</p>}
        {shown?.map((p) => {
          const at = page ? findQuote(p.text, quote) : null;
          return (
            <section key={p.number} className="viewer-page" aria-label={`Page ${p.number}`}>
              {!page && <h3>Page {p.number}</h3>}
              <div className="viewer-text" tabIndex={0} role="region" aria-label={`Text of page ${p.number}`}>
                {!p.text ? (
                  <span className="muted">No text found on this page.</span>
                ) : at ? (
                  <>
                    {p.text.slice(0, at[0])}
                    <mark ref={markRef} className="cited-quote">
                      {p.text.slice(at[0], at[1])}
                    </mark>
                    {p.text.slice(at[1])}
                  </>
                ) : (
                  p.text
                )}
              </div>
              {page && quote && !at && (
                <p className="small">
                  The reply quoted: <q className="cited-quote-missing">{quote}</q>
                </p>
              )}
            </section>
          );
        })}
        <div className="row dialog-actions">
          <button ref={closeRef} type="button" className="btn btn-secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
