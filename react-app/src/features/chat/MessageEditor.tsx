import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';

/** An earlier question, edited in place: "Save and send" makes it a new version and the conversation goes on from it. */
export function MessageEditor({ initial, onSend, onCancel }: { initial: string; onSend: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  useEffect(() => {
    const ta = ref.current;
    if (!ta) return;
    ta.focus();
    ta.setSelectionRange(ta.value.length, ta.value.length);
  }, []);

  const changed = text.trim() !== '' && text.trim() !== initial.trim();

  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (changed) onSend(text.trim());
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  return (
    <form className="message-editor" onSubmit={submit}>
      <label htmlFor={id} className="sr-only">
        Edit your message
      </label>
      <textarea id={id} ref={ref} value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} rows={Math.min(8, Math.max(2, text.split('\n').length))} aria-describedby={`${id}-hint`} />
      <p id={`${id}-hint`} className="small muted">
        Sending makes a new version of this question; the conversation goes on from it. The earlier version stays. Enter to send, Escape to cancel.
      </p>
      <div className="row dialog-actions">
        <button type="button" className="btn btn-secondary btn-sm" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary btn-sm" disabled={!changed}>
          Save and send
        </button>
      </div>
    </form>
  );
}
