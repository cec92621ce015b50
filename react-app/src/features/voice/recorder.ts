/** Browser recording helpers: the mime type each browser supports, and messages for each failure. */

// Chrome/Firefox record webm/opus, Firefox also ogg, Safari (iPhone included) only mp4/aac.
const CANDIDATES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4;codecs=mp4a.40.2', 'audio/mp4', 'audio/mpeg'];

export function pickMimeType(isSupported: (t: string) => boolean = (t) => MediaRecorder.isTypeSupported(t)): string | null {
  return CANDIDATES.find((t) => isSupported(t)) ?? null;
}

export function extensionFor(mime: string): string {
  if (mime.includes('webm')) return 'webm';
  if (mime.includes('ogg')) return 'ogg';
  if (mime.includes('mp4')) return 'm4a';
  if (mime.includes('mpeg')) return 'mp3';
  return 'webm';
}

/** Why recording cannot work in this browser, or null when it can. */
export function recordingUnsupportedReason(): string | null {
  if (typeof window !== 'undefined' && window.isSecureContext === false) {
    return 'Recording needs a secure page (HTTPS or localhost). You can still upload an audio file.';
  }
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
    return 'This browser cannot record audio. You can still upload an audio file.';
  }
  return null;
}

export function microphoneErrorMessage(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Microphone access was refused. Allow the microphone for this site in the browser’s address bar or settings, then try again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Plug one in, or upload an audio file instead.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone is busy or could not be started (another app may be using it).';
    default:
      return 'The microphone could not be started. You can upload an audio file instead.';
  }
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
