import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Icon } from '../../components/Icon';
import { messageOf } from '../../lib/api';
import { saveBlob, slug } from '../../lib/download';
import { useCapability } from '../../lib/health';
import { exportConversation, type ExportFormat } from './api';

const FORMATS: { format: ExportFormat; label: string; hint: string }[] = [
  { format: 'pdf', label: 'PDF', hint: 'to print or send' },
  { format: 'md', label: 'Markdown', hint: 'text with formatting' },
  { format: 'json', label: 'JSON', hint: 'for programs' },
];

/**
 * "Export" in the chat header: a menu of PDF, Markdown and JSON, each a download of the path being
 * viewed (`at`: its last message, so a flipped version exports as shown). Arrow keys move between
 * the entries, Escape closes it and returns to the button.
 */
export function ExportMenu({ conversationId, at, title, disabled, onError }: { conversationId: string; at: string | null; title: string; disabled?: boolean; onError: (message: string | null) => void }) {
  const pdf = useCapability('pdf_export');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (e: PointerEvent) => !wrapRef.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const items = () => Array.from(wrapRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);

  function openAndFocus(last = false) {
    setOpen(true);
    setTimeout(() => (last ? items().at(-1) : items()[0])?.focus(), 0);
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape' && open) {
      e.preventDefault();
      setOpen(false);
      buttonRef.current?.focus();
      return;
    }
    if (e.key === 'Tab' && open) return setOpen(false);
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    if (!open) return openAndFocus(e.key === 'ArrowUp' || e.key === 'End');
    const list = items();
    const i = list.indexOf(document.activeElement as HTMLElement);
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? list.length - 1 : e.key === 'ArrowDown' ? (i + 1) % list.length : (i <= 0 ? list.length : i) - 1;
    list[next]?.focus();
  }

  async function run(format: ExportFormat) {
    setOpen(false);
    buttonRef.current?.focus();
    setBusy(format);
    onError(null);
    try {
      const { blob, filename } = await exportConversation(conversationId, format, at);
      saveBlob(blob, filename ?? `${slug(title, 'conversation')}.${format}`);
    } catch (err) {
      onError(messageOf(err));
    } finally {
      setBusy(null);
    }
  }

  const pdfOff = pdf !== undefined && !pdf.available;
  return (
    <div className="menu-wrap" ref={wrapRef} onKeyDown={onKeyDown}>
      <button
        ref={buttonRef}
        type="button"
        className="btn btn-secondary"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => (open ? setOpen(false) : openAndFocus())}
        disabled={disabled}
        aria-busy={busy !== null}
      >
        <Icon name="download" /> <span className="tool-label">{busy ? 'Exporting…' : 'Export'}</span>
        <Icon name="chevronDown" size={14} />
      </button>
      <div id={menuId} role="menu" aria-label="Export as" className="menu card" hidden={!open}>
        {FORMATS.map(({ format, label, hint }) => {
          const off = format === 'pdf' && pdfOff;
          return (
            <button
              key={format}
              type="button"
              role="menuitem"
              className="menu-entry"
              tabIndex={-1}
              onClick={() => !off && void run(format)}
              aria-disabled={off || undefined}
              title={off ? `PDF export is unavailable: ${pdf?.reason ?? ''}` : undefined}
            >
              <span>{label}</span>
              <span className="muted small" aria-hidden="true">
                {hint}
              </span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
