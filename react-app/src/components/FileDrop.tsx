import { useId, useState, type DragEvent } from 'react';
import { Icon } from './Icon';

/** A file picker that also accepts drag-and-drop; the real <input type=file> keeps it keyboard-usable. */
export function FileDrop({ accept, label, hint, onFile, disabled }: { accept: string; label: string; hint: string; onFile: (f: File) => void; disabled?: boolean }) {
  const id = useId();
  const [over, setOver] = useState(false);

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  }

  return (
    <div
      className={`dropzone${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <input
        id={id}
        type="file"
        className="sr-only file-input"
        accept={accept}
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(file);
          e.target.value = '';
        }}
      />
      <label htmlFor={id} className="dropzone-label">
        <Icon name="upload" size={28} />
        <span className="dropzone-title">{label}</span>
        <span className="muted small">{hint}</span>
      </label>
    </div>
  );
}
