import { useEffect, useId, useRef, useState } from 'react';
import { Icon } from '../../components/Icon';
import { isAbort, messageOf } from '../../lib/api';
import { useCapability } from '../../lib/health';
import { speak } from './api';

type State = 'idle' | 'loading' | 'playing';

/** One reply reads aloud at a time: starting another stops this one. */
let stopCurrent: (() => void) | null = null;

/**
 * "Read aloud" for one reply: the server speaks the text (POST /api/speech, behind the session's token,
 * so fetched rather than given to <audio src>) and the WAV plays from a Blob URL; Stop ends it.
 * Disabled, with the reason, when the server has no voice.
 */
export function ReadAloud({ text }: { text: string }) {
  const cap = useCapability('speech');
  const [state, setState] = useState<State>('idle');
  const [error, setError] = useState<string | null>(null);
  const ctrlRef = useRef<AbortController | null>(null);
  const audioRef = useRef<HTMLAudioElement | null>(null);
  const urlRef = useRef<string | null>(null);
  const reasonId = useId();

  function release() {
    ctrlRef.current?.abort();
    ctrlRef.current = null;
    const audio = audioRef.current;
    if (audio) {
      audio.onended = null;
      audio.onerror = null;
      audio.pause();
      audio.removeAttribute('src');
      audioRef.current = null;
    }
    if (urlRef.current) URL.revokeObjectURL(urlRef.current);
    urlRef.current = null;
  }

  // Stable across renders (it only uses refs and a state setter), so it can be compared with stopCurrent.
  const stop = useRef(() => {
    release();
    if (stopCurrent === stop) stopCurrent = null;
    setState('idle');
  }).current;

  // Another text (a version flipped to in the same place) or leaving the page: the reading stops.
  useEffect(() => stop, [text, stop]);

  async function play() {
    stopCurrent?.();
    stopCurrent = stop;
    release();
    setError(null);
    setState('loading');
    const ctrl = new AbortController();
    ctrlRef.current = ctrl;
    try {
      const blob = await speak(text, null, ctrl.signal);
      if (ctrl.signal.aborted) return;
      const url = URL.createObjectURL(blob);
      urlRef.current = url;
      const audio = new Audio(url);
      audio.dataset.readAloud = '';
      audioRef.current = audio;
      audio.onended = () => stop();
      audio.onerror = () => {
        stop();
        setError('The audio could not be played.');
      };
      await audio.play();
      if (audioRef.current === audio) setState('playing');
    } catch (err) {
      if (ctrl.signal.aborted || isAbort(err)) return;
      release();
      setState('idle');
      setError((err as { name?: unknown } | null)?.name === 'NotAllowedError' ? 'The browser blocked the audio. Click Read aloud again.' : messageOf(err));
    }
  }

  const unavailable = cap !== undefined && !cap.available;
  const reason = unavailable ? `Reading aloud is not available: ${cap.reason || 'this server has no voice.'}` : undefined;
  return (
    <>
      {state === 'idle' ? (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => void play()} disabled={unavailable} title={reason} aria-describedby={unavailable ? reasonId : undefined}>
          <Icon name="speaker" size={15} /> Read aloud
        </button>
      ) : (
        <button type="button" className="btn btn-ghost btn-sm" onClick={stop} aria-label={state === 'loading' ? 'Stop reading aloud (preparing the audio)' : 'Stop reading aloud'}>
          <Icon name="stop" size={15} /> {state === 'loading' ? 'Preparing…' : 'Stop'}
        </button>
      )}
      {unavailable && (
        <span id={reasonId} className="sr-only">
          {reason}
        </span>
      )}
      {error && (
        <span className="read-aloud-error small" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
