import { useRef, useState, type FormEvent } from 'react';
import { CapabilityNotice } from '../../components/CapabilityNotice';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ExportPdfButton } from '../../components/ExportPdfButton';
import { Icon } from '../../components/Icon';
import { isAbort, messageOf, postJson } from '../../lib/api';
import { base64ToBlob, saveBlob, slug } from '../../lib/download';
import { useCapability } from '../../lib/health';

interface GeneratedImage {
  mime_type: string;
  data: string;
}

const RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4'] as const;

export default function TextToImagePage() {
  const cap = useCapability('image_generation');
  const [prompt, setPrompt] = useState('');
  const [ratio, setRatio] = useState<(typeof RATIOS)[number]>('1:1');
  const [images, setImages] = useState<GeneratedImage[]>([]);
  const [engine, setEngine] = useState<string | null>(null);
  const [usedPrompt, setUsedPrompt] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const unavailable = cap !== undefined && !cap.available;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!prompt.trim() || unavailable) return;
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    setBusy(true);
    setError(null);
    try {
      const r = await postJson<{ images: GeneratedImage[]; engine: string }>('/api/image/generate', { prompt: prompt.trim(), aspect_ratio: ratio }, ctrl.signal);
      setImages(r.images);
      setEngine(r.engine);
      setUsedPrompt(prompt.trim());
    } catch (err) {
      if (!isAbort(err)) setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  const ext = (mime: string) => (mime.split('/')[1] ?? 'png').replace('jpeg', 'jpg');

  return (
    <div className="page">
      <header className="page-header">
        <h1>Text to Image</h1>
        <p className="muted">Describe a picture and the image model draws it.</p>
      </header>
      <CapabilityNotice name="image_generation" />
      <form className="card stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="image-prompt">Prompt</label>
          <textarea id="image-prompt" rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="A lighthouse on a cliff at sunset, watercolour" disabled={unavailable || busy} />
        </div>
        <fieldset className="field" disabled={unavailable || busy}>
          <legend>Aspect ratio</legend>
          <div className="segmented">
            {RATIOS.map((r) => (
              <label key={r} className={ratio === r ? 'selected' : undefined}>
                <input type="radio" name="ratio" value={r} checked={ratio === r} onChange={() => setRatio(r)} className="sr-only" />
                <span className="ratio-box" style={{ aspectRatio: r.replace(':', '/') }} aria-hidden="true" />
                {r}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={!prompt.trim() || busy || unavailable}>
            <Icon name="sparkles" /> {busy ? 'Generating…' : 'Generate'}
          </button>
          {busy && (
            <button type="button" className="btn btn-secondary" onClick={() => abortRef.current?.abort()}>
              Cancel
            </button>
          )}
        </div>
        <p className="sr-only" aria-live="polite">
          {busy ? 'Generating the image…' : images.length ? `${images.length} image${images.length > 1 ? 's' : ''} ready.` : ''}
        </p>
        <ErrorAlert message={error} onDismiss={() => setError(null)} />
      </form>
      {images.length > 0 && (
        <section className="card stack" aria-labelledby="images-heading">
          <div className="row space-between">
            <h2 id="images-heading">
              Result {engine && <span className="badge">{engine}</span>}
            </h2>
            <ExportPdfButton name={usedPrompt} onError={setError} body={() => ({ title: usedPrompt.slice(0, 80) || 'Generated image', content: `**Prompt:** ${usedPrompt}\n\n**Aspect ratio:** ${ratio}`, images: images.map((i) => i.data) })} />
          </div>
          <div className="image-grid">
            {images.map((img, i) => (
              <figure key={i} className="generated">
                <img src={`data:${img.mime_type};base64,${img.data}`} alt={`Generated image ${i + 1} for: ${usedPrompt}`} />
                <figcaption>
                  <button type="button" className="btn btn-secondary btn-sm" onClick={() => saveBlob(base64ToBlob(img.data, img.mime_type), `${slug(usedPrompt, 'image')}-${i + 1}.${ext(img.mime_type)}`)}>
                    <Icon name="download" size={15} /> Download image {images.length > 1 ? i + 1 : ''}
                  </button>
                </figcaption>
              </figure>
            ))}
          </div>
        </section>
      )}
    </div>
  );
}
