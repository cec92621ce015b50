import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { CapabilityNotice } from '../../components/CapabilityNotice';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ExportPdfButton } from '../../components/ExportPdfButton';
import { FileDrop } from '../../components/FileDrop';
import { Icon } from '../../components/Icon';
import { LazyMarkdown } from '../../components/LazyMarkdown';
import { UploadProgress } from '../../components/UploadProgress';
import { isAbort, messageOf } from '../../lib/api';
import { fileToBase64, formatBytes } from '../../lib/download';
import { useCapability } from '../../lib/health';
import { resultAsMarkdown, uploadDocument, type UploadResult } from './api';

const ACCEPT = 'image/png,image/jpeg,image/webp,image/gif,image/tiff,image/bmp,application/pdf,.pdf';

export default function ImageToTextPage() {
  const vision = useCapability('vision');
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [question, setQuestion] = useState('');
  const [analyze, setAnalyze] = useState(true);
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<UploadResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const resultRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (!file || !file.type.startsWith('image/')) return setPreview(null);
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  useEffect(() => () => abortRef.current?.abort(), []);
  useEffect(() => {
    if (vision && !vision.available) setAnalyze(false);
  }, [vision]);

  const busy = progress !== null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    setError(null);
    setResult(null);
    setProgress(0);
    try {
      const r = await uploadDocument(file, { prompt: question, analyze, onProgress: setProgress, signal: ctrl.signal });
      setResult(r);
      requestAnimationFrame(() => resultRef.current?.focus());
    } catch (err) {
      if (!isAbort(err)) setError(messageOf(err));
    } finally {
      setProgress(null);
    }
  }

  return (
    <div className="page">
      <header className="page-header">
        <h1>Image to Text</h1>
        <p className="muted">Upload an image or a PDF: its text, page by page, and an AI analysis.</p>
      </header>
      <CapabilityNotice name="ocr" />
      <CapabilityNotice name="vision" />
      <div className="grid-2">
        <form className="card stack" onSubmit={submit}>
          <FileDrop
            accept={ACCEPT}
            label={file ? 'Choose another file' : 'Drop a file here or click to choose'}
            hint="PNG, JPEG, WebP, GIF, TIFF, BMP or PDF"
            disabled={busy}
            onFile={(f) => {
              setFile(f);
              setResult(null);
              setError(null);
            }}
          />
          {file && (
            <div className="file-preview">
              {preview ? <img src={preview} alt={`Preview of ${file.name}`} /> : <div className="file-icon" aria-hidden="true">PDF</div>}
              <div>
                <div className="file-name">{file.name}</div>
                <div className="muted small">{formatBytes(file.size)}</div>
              </div>
            </div>
          )}
          <div className="field">
            <label htmlFor="question">Question (optional)</label>
            <textarea id="question" rows={2} value={question} onChange={(e) => setQuestion(e.target.value)} placeholder="e.g. What is the total on this invoice?" disabled={busy} />
          </div>
          <label className="checkbox">
            <input type="checkbox" checked={analyze} onChange={(e) => setAnalyze(e.target.checked)} disabled={busy || (vision !== undefined && !vision.available)} />
            Analyse with AI {vision?.available && <span className="muted small">({vision.engine})</span>}
          </label>
          <UploadProgress fraction={progress} processingLabel={analyze ? 'Reading and analysing…' : 'Reading the text…'} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={!file || busy}>
              {busy ? 'Working…' : 'Extract text'}
            </button>
            {busy && (
              <button type="button" className="btn btn-secondary" onClick={() => abortRef.current?.abort()}>
                Cancel
              </button>
            )}
          </div>
          <ErrorAlert message={error} onDismiss={() => setError(null)} />
        </form>
        <section className="card stack" aria-labelledby="vision-result">
          <div className="row space-between">
            <h2 id="vision-result" ref={resultRef} tabIndex={-1}>
              Result
            </h2>
            {result && (
              <div className="row">
                {file && (
                  <button
                    type="button"
                    className="btn btn-secondary"
                    title="Start a new chat with this file attached"
                    onClick={() => navigate('/', { state: { attach: [file], ...(question.trim() ? { draft: question.trim() } : {}) } })}
                  >
                    <Icon name="chat" /> Ask about this in chat
                  </button>
                )}
                <ExportPdfButton
                  name={result.document.filename}
                  onError={setError}
                  body={async () => ({
                    title: result.document.filename,
                    content: resultAsMarkdown(result, question),
                    images: file && file.type.startsWith('image/') ? [await fileToBase64(file)] : undefined,
                  })}
                />
              </div>
            )}
          </div>
          {!result && <p className="muted">The extracted text and the analysis appear here.</p>}
          {result?.analysis && (
            <div className="analysis">
              <h3>
                Analysis <span className="badge">{result.analysis.engine}</span>
              </h3>
              {result.analysis.notice && <p className="muted small">{result.analysis.notice}</p>}
              <LazyMarkdown text={result.analysis.text} />
            </div>
          )}
          {result &&
            result.document.pages.map((p) => (
              <div key={p.number} className="page-text">
                <div className="row space-between">
                  <h3>
                    Page {p.number} <span className={`badge ${p.method === 'ocr' ? 'badge-info' : ''}`}>{p.method === 'ocr' ? 'OCR' : 'Text layer'}</span>
                  </h3>
                  {p.text && <CopyButton text={p.text} />}
                </div>
                <pre className="extracted">{p.text || 'No text found on this page.'}</pre>
              </div>
            ))}
        </section>
      </div>
    </div>
  );
}
