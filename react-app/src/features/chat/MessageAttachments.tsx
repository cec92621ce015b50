import './attachments.css';
import { useEffect, useRef, useState } from 'react';
import { isAbort } from '../../lib/api';
import { attachmentContent, KIND_LABEL, kindOf, type AttachmentRef } from './attachmentsApi';
import { AttachmentViewer } from './AttachmentViewer';

// The bytes of the pictures already shown, by id: flipping versions or reading the path again after a
// reply does not fetch them again. Bounded: the oldest go first.
const cache = new Map<string, Promise<Blob>>();
const CACHE_MAX = 60;

function bytesOf(id: string): Promise<Blob> {
  let p = cache.get(id);
  if (!p) {
    p = attachmentContent(id);
    cache.set(id, p);
    p.catch(() => cache.delete(id));
    while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
  }
  return p;
}

/** An image attachment's thumbnail: the bytes fetched with the session, shown through an object URL. */
function Thumbnail({ item }: { item: AttachmentRef }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    setFailed(false);
    bytesOf(item.id)
      .then((blob) => {
        if (!live) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch((err) => live && !isAbort(err) && setFailed(true));
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [item.id]);
  if (url) return <img className="sent-thumb" src={url} alt={item.filename} />;
  return (
    <span className="sent-thumb sent-thumb-placeholder" role="img" aria-label={failed ? `${item.filename} (the picture could not be loaded)` : `${item.filename} (loading)`}>
      {failed ? '!' : '…'}
    </span>
  );
}

/**
 * The files a question was sent with. Pictures as thumbnails; documents as chips that open their text.
 * Without `fileAccess` (a shared page, no session) only the names.
 */
export function MessageAttachments({ items, fileAccess }: { items: AttachmentRef[]; fileAccess?: boolean }) {
  const [open, setOpen] = useState<AttachmentRef | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  if (!items.length) return null;

  function close() {
    setOpen(null);
    requestAnimationFrame(() => opener.current?.focus());
  }

  return (
    <>
      <ul className="sent-attachments" aria-label="Attached files">
      {items.map((a) => {
        const kind = kindOf(a.mime_type, a.filename);
        return (
          <li key={a.id} className={`sent-attachment sent-${kind}`}>
            {kind === 'image' && fileAccess ? (
              <figure>
                <Thumbnail item={a} />
                <figcaption className="small">{a.filename}</figcaption>
              </figure>
            ) : fileAccess && kind !== 'image' ? (
              <button
                type="button"
                className="attach-file-chip"
                aria-haspopup="dialog"
                title={`Open the text of ${a.filename}`}
                onClick={(e) => {
                  opener.current = e.currentTarget;
                  setOpen(a);
                }}
              >
                <span className="attach-kind">{KIND_LABEL[kind]}</span> <span className="attach-name">{a.filename}</span>
              </button>
            ) : (
              <span className="attach-file-chip">
                <span className="attach-kind" aria-hidden="true">
                  {KIND_LABEL[kind]}
                </span>
                <span className="attach-name">{a.filename}</span>
              </span>
            )}
          </li>
        );
      })}
      </ul>
      {open && <AttachmentViewer attachmentId={open.id} filename={open.filename} onClose={close} />}
    </>
  );
}
