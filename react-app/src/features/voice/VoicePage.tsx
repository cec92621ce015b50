import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { CapabilityNotice } from '../../components/CapabilityNotice';
import { CopyButton } from '../../components/CopyButton';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ExportPdfButton } from '../../components/ExportPdfButton';
import { FileDrop } from '../../components/FileDrop';
import { Icon } from '../../components/Icon';
import { UploadProgress } from '../../components/UploadProgress';
import { isAbort, messageOf, uploadForm } from '../../lib/api';
import { useCapability } from '../../lib/health';
import { formatClock } from './recorder';
import { useRecorder, type Recording } from './useRecorder';

interface Transcript {
  text: string;
  language: string | null;
  duration_seconds: number;
  engine: string;
  segments: { start: number; end: number; text: string }[];
}

const ACCEPT = 'audio/*,.webm,.ogg,.opus,.wav,.mp3,.m4a,.mp4,.aac,.flac';

export default function VoicePage() {
  const cap = useCapability('transcription');
  const navigate = useNavigate();
  const [progress, setProgress] = useState<number | null>(null);
  const [transcript, setTranscript] = useState<Transcript | null>(null);
  const [source, setSource] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  const unavailable = cap !== undefined && !cap.available;
  const busy = progress !== null;

  async function transcribe({ blob, filename }: Recording) {
    const ctrl = new AbortController();
    abortRef.current = ctrl;
    setError(null);
    setTranscript(null);
    setSource(filename);
    setProgress(0);
    const form = new FormData();
    form.append('audio', blob, filename);
    try {
      setTranscript(await uploadForm<Transcript>('/api/voice/transcribe', form, { onProgress: setProgress, signal: ctrl.signal }));
    } catch (err) {
      if (!isAbort(err)) setError(messageOf(err));
    } finally {
      setProgress(null);
    }
  }

  const rec = useRecorder(transcribe);
  const markdown = transcript ? `${transcript.text}\n\n---\n\n${transcript.segments.map((s) => `- **${formatClock(s.start)}–${formatClock(s.end)}** ${s.text}`).join('\n')}` : '';

  return (
    <div className="page">
      <header className="page-header">
        <h1>Voice to Text</h1>
        <p className="muted">Record in the browser or upload a recording, and get a timed transcript.</p>
      </header>
      <CapabilityNotice name="transcription" />
      <div className="grid-2">
        <section className="card stack" aria-labelledby="record-heading">
          <h2 id="record-heading">Record</h2>
          <div className="recorder">
            <button
              type="button"
              className={`record-button${rec.recording ? ' recording' : ''}`}
              onClick={rec.recording ? rec.stop : rec.start}
              disabled={unavailable || busy}
              aria-label={rec.recording ? 'Stop recording' : 'Start recording'}
            >
              <Icon name={rec.recording ? 'stop' : 'mic'} size={30} />
            </button>
            <div className="recorder-info">
              <div className="timer" role="timer" aria-label="Recording time">
                {formatClock(rec.elapsed)}
              </div>
              <div className="level" aria-hidden="true">
                <div className="level-fill" style={{ transform: `scaleX(${rec.level})` }} />
              </div>
              <p className="muted small" aria-live="polite">
                {rec.recording ? 'Recording… press stop when you are done.' : 'Press the microphone to start.'}
              </p>
            </div>
          </div>
          <ErrorAlert message={rec.error} onDismiss={() => rec.setError(null)} />
          <div className="divider">
            <span>or</span>
          </div>
          <FileDrop accept={ACCEPT} label="Upload an audio file" hint="webm, ogg, wav, mp3, m4a or flac" disabled={unavailable || busy || rec.recording} onFile={(f) => transcribe({ blob: f, filename: f.name })} />
          <UploadProgress fraction={progress} processingLabel="Transcribing…" />
          {busy && (
            <button type="button" className="btn btn-secondary" onClick={() => abortRef.current?.abort()}>
              Cancel
            </button>
          )}
          <ErrorAlert message={error} onDismiss={() => setError(null)} />
        </section>
        <section className="card stack" aria-labelledby="transcript-heading">
          <div className="row space-between">
            <h2 id="transcript-heading">Transcript</h2>
            {transcript && <span className="badge">{transcript.engine}</span>}
          </div>
          {!transcript && <p className="muted">The transcript appears here.</p>}
          {transcript && (
            <>
              <p className="muted small">
                {source} · {transcript.duration_seconds.toFixed(1)} s{transcript.language ? ` · ${transcript.language}` : ''}
              </p>
              <p className="transcript-text">{transcript.text || <em>No speech was heard.</em>}</p>
              {transcript.segments.length > 0 && (
                <ol className="segments" aria-label="Segments">
                  {transcript.segments.map((s, i) => (
                    <li key={i}>
                      <span className="segment-time">
                        {formatClock(s.start)}–{formatClock(s.end)}
                      </span>
                      <span>{s.text}</span>
                    </li>
                  ))}
                </ol>
              )}
              <div className="row wrap">
                <button type="button" className="btn btn-primary" disabled={!transcript.text} onClick={() => navigate('/', { state: { draft: transcript.text } })}>
                  <Icon name="chat" /> Send to chat
                </button>
                <CopyButton text={transcript.text} />
                <ExportPdfButton name={`transcript ${source}`} onError={setError} body={() => ({ title: `Transcript: ${source}`, content: markdown })} />
              </div>
            </>
          )}
        </section>
      </div>
    </div>
  );
}
