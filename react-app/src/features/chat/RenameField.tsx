import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { messageOf } from '../../lib/api';

export const MAX_TITLE = 200;

/**
 * A conversation's title, edited in place: Enter saves, Escape cancels, leaving the field saves a change.
 * `onDone(refocus)`: whether focus should go back to what opened it (Enter or Escape, not a click elsewhere).
 */
export function RenameField({ initial, onSave, onDone, className }: { initial: string; onSave: (title: string) => Promise<void>; onDone: (refocus: boolean) => void; className?: string }) {
  const [value, setValue] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  const finished = useRef(false);
  const id = useId();

  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);

  async function save(refocus: boolean) {
    if (finished.current || busy) return;
    const title = value.trim();
    if (!title || title === initial) {
      finished.current = true;
      onDone(refocus);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(title);
      finished.current = true;
      onDone(refocus);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
      ref.current?.focus();
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void save(true);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation(); // cancels the rename, not the drawer around it
      finished.current = true;
      onDone(true);
    }
  }

  return (
    <div className={`rename-field ${className ?? ''}`}>
      <input
        ref={ref}
        type="text"
        value={value}
        maxLength={MAX_TITLE}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => void save(false)}
        aria-label="Conversation title"
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        readOnly={busy}
      />
      <span id={`${id}-hint`} className="sr-only">
        Enter to save, Escape to cancel.
      </span>
      {error && (
        <span id={`${id}-error`} className="small danger-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
