import { ENABLE_HINTS, useCapability, type CapabilityName } from '../lib/health';

const LABELS: Record<CapabilityName, string> = {
  chat: 'Chat',
  vision: 'AI analysis of images and documents',
  image_generation: 'Image generation',
  transcription: 'Transcription',
  ocr: 'Text recognition (OCR)',
  pdf_export: 'PDF export',
  speech: 'Reading aloud',
};

/** Says why a capability is unavailable and how to enable it; renders nothing when it is available. */
export function CapabilityNotice({ name }: { name: CapabilityName }) {
  const cap = useCapability(name);
  if (!cap || cap.available) return null;
  return (
    <div className="notice notice-warn" role="status">
      <strong>{LABELS[name]} is not available on this server.</strong>
      {cap.reason && <p>{cap.reason}</p>}
      {/* The server's reason usually names the setting already; otherwise say how to enable it. */}
      {!/[A-Z]{2,}_[A-Z_]+/.test(cap.reason ?? '') && <p className="muted">How to enable it: {ENABLE_HINTS[name]}</p>}
    </div>
  );
}
