import { useCallback, useEffect, useRef, useState } from 'react';
import { extensionFor, microphoneErrorMessage, pickMimeType, recordingUnsupportedReason } from './recorder';

export interface Recording {
  blob: Blob;
  filename: string;
}

/** MediaRecorder with a running timer and an input level (0..1) from an AnalyserNode. */
export function useRecorder(onDone: (r: Recording) => void) {
  const [recording, setRecording] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [level, setLevel] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const cleanupRef = useRef<() => void>(() => undefined);
  const recorderRef = useRef<MediaRecorder | null>(null);
  const onDoneRef = useRef(onDone);
  onDoneRef.current = onDone;

  useEffect(() => () => cleanupRef.current(), []);

  const start = useCallback(async () => {
    setError(null);
    const unsupported = recordingUnsupportedReason();
    if (unsupported) return setError(unsupported);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
    } catch (err) {
      return setError(microphoneErrorMessage(err));
    }
    const mimeType = pickMimeType();
    const recorder = mimeType ? new MediaRecorder(stream, { mimeType }) : new MediaRecorder(stream);
    const type = recorder.mimeType || mimeType || 'audio/webm';
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);

    const audio = new AudioContext();
    const analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    audio.createMediaStreamSource(stream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    const started = performance.now();
    let frame = 0;
    const tick = () => {
      analyser.getByteTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += ((v - 128) / 128) ** 2;
      setLevel(Math.min(1, Math.sqrt(sum / samples.length) * 3));
      setElapsed((performance.now() - started) / 1000);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);

    const cleanup = () => {
      cancelAnimationFrame(frame);
      stream.getTracks().forEach((t) => t.stop());
      void audio.close().catch(() => undefined);
      setRecording(false);
      setLevel(0);
      cleanupRef.current = () => undefined;
    };
    cleanupRef.current = () => {
      recorder.onstop = null;
      if (recorder.state !== 'inactive') recorder.stop();
      cleanup();
    };
    recorder.onstop = () => {
      cleanup();
      const blob = new Blob(chunks, { type });
      if (blob.size) onDoneRef.current({ blob, filename: `recording.${extensionFor(type)}` });
      else setError('Nothing was recorded. Check the microphone and try again.');
    };
    recorderRef.current = recorder;
    recorder.start(250);
    setElapsed(0);
    setRecording(true);
  }, []);

  const stop = useCallback(() => {
    const r = recorderRef.current;
    if (r && r.state !== 'inactive') r.stop();
  }, []);

  return { recording, elapsed, level, error, setError, start, stop };
}
