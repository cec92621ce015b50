import { useState } from 'react';
import { messageOf, postForBlob } from '../lib/api';
import { saveBlob, slug } from '../lib/download';
import { useCapability } from '../lib/health';
import { Icon } from './Icon';

export type ExportBody = { conversation_id: string } | { title: string; content: string; images?: string[] };

/** Downloads the given content as a PDF made by the server (POST /api/export/pdf). */
export function ExportPdfButton({ body, name, onError, disabled }: { body: () => ExportBody | Promise<ExportBody>; name: string; onError: (message: string | null) => void; disabled?: boolean }) {
  const cap = useCapability('pdf_export');
  const [busy, setBusy] = useState(false);
  const unavailable = cap !== undefined && !cap.available;

  async function run() {
    setBusy(true);
    onError(null);
    try {
      const { blob, filename } = await postForBlob('/api/export/pdf', await body());
      saveBlob(blob, filename ?? `${slug(name)}.pdf`);
    } catch (err) {
      onError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <button
      type="button"
      className="btn btn-secondary"
      onClick={run}
      disabled={busy || disabled || unavailable}
      title={unavailable ? `PDF export is unavailable: ${cap?.reason ?? ''}` : undefined}
      aria-busy={busy}
    >
      <Icon name="download" /> {busy ? 'Preparing PDF…' : 'Export PDF'}
    </button>
  );
}
