import { useEffect, useId, useRef, useState } from 'react';
import { Icon } from '../../components/Icon';
import { ApiError, isAbort, messageOf, postForResponse } from '../../lib/api';
import { useCapability } from '../../lib/health';
import { speak } from './api';
import { PcmScheduler, UnsupportedWav, WavStreamDecoder } from './pcmStream';

type State = 'idle' | 'loading' | 'playing';

/** One reply reads aloud at a time: starting another stops this one. */
let stopCurrent: (() => void) | null = null;

const BLOCKED = 'The browser blocked the audio. Click Read aloud again.';
const UNPLAYABLE = 'The audio could not be played.';
const CUT_OFF = 'The connection was lost while the audio was streaming.';

type AudioContextClass = typeof AudioContext;

/** Web Audio and readable streams, for playing the WAV as it arrives; null where either is missing. */
function streamingAudio(): AudioContextClass | null {
  const w = globalThis as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass };
  const Ctx = w.AudioContext ?? w.webkitAudioContext;
  return typeof Ctx === 'function' && typeof ReadableStream === 'function' ? Ctx : null;
}

const isWav = (type: string | null) => /^audio\/(x-)?wav(e)?\b|^audio\/vnd\.wave\b/i.test(type ?? '');

/**
 * "Read aloud" for one reply: the server speaks the text (POST /api/speech, behind the session's token,
 * so fetched rather than given to <audio src>). A WAV plays while it streams in: its samples are scheduled
 * back to back on an AudioContext made on the click, so the first sentence sounds while the rest is being
 * spoken. Other audio, or a browser without Web Audio or streams, plays from a Blob URL once it has all
 * arrived. Stop ends it. Disabled, with the reason, when the server has no voice.
 */
export function ReadAloud({ text }: { text: string }) {
  const cap = useCapability('speech');
  const [state, setState] = useState<State>('idle');
  const [error, setError] = useState<string | null>(null);
  const ctrlRef = useRef<AbortController | null>(null);
  const audioRef = useRef<HTMLAudioElement | null>(null);
  const urlRef = useRef<string | null>(null);
  const ctxRef = useRef<AudioContext | null>(null);
  const playerRef = useRef<PcmScheduler | null>(null);
  const reasonId = useId();

  function closeContext() {
    playerRef.current?.stop();
    playerRef.current = null;
    const ctx = ctxRef.current;
    ctxRef.current = null;
    try {
      if (ctx && ctx.state !== 'closed') void ctx.close().catch(() => undefined);
    } catch {
      /* an old webkitAudioContext without close() */
    }
  }

  function release() {
    ctrlRef.current?.abort(); // ends the fetch and with it the stream's reader
    ctrlRef.current = null;
    closeContext();
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

  /** The whole audio from a Blob URL in an <audio> element. */
  async function playBlob(blob: Blob) {
    const url = URL.createObjectURL(blob);
    urlRef.current = url;
    const audio = new Audio(url);
    audio.dataset.readAloud = '';
    audioRef.current = audio;
    audio.onended = () => stop();
    audio.onerror = () => {
      stop();
      setError(UNPLAYABLE);
    };
    await audio.play();
    if (audioRef.current === audio) setState('playing');
  }

  /** The WAV's samples scheduled as they arrive; returns once the stream has ended (the sound may go on). */
  async function playStream(res: Response, body: ReadableStream<Uint8Array>, ctx: AudioContext, ctrl: AbortController) {
    const reader = body.getReader();
    const decoder = new WavStreamDecoder();
    const player = new PcmScheduler(ctx);
    playerRef.current = player;
    player.onDrained = () => {
      if (playerRef.current === player) stop();
    };
    const head: Uint8Array[] = []; // what came before the format was known, for the Blob way
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (ctrl.signal.aborted || isAbort(err)) return;
          if (!player.scheduled) throw new ApiError('network_error', CUT_OFF);
          setError(CUT_OFF); // what arrived still plays to its end
          break;
        }
        if (ctrl.signal.aborted) return;
        if (chunk.done) break;
        if (!decoder.format) head.push(chunk.value);
        let pcm: Float32Array[] | null;
        try {
          pcm = decoder.push(chunk.value);
        } catch (err) {
          if (!(err instanceof UnsupportedWav)) throw err;
          // A WAV the decoder cannot read (compressed, say): the browser's own decoder may, once it has all of it.
          for (let rest = await reader.read(); !rest.done; rest = await reader.read()) head.push(rest.value);
          if (ctrl.signal.aborted) return;
          closeContext();
          await playBlob(new Blob(head as BlobPart[], { type: res.headers.get('Content-Type') ?? 'audio/wav' }));
          return;
        }
        if (!pcm) continue;
        head.length = 0;
        player.schedule(pcm, decoder.format!.sampleRate);
        if (player.scheduled === 1) {
          // Made on the click, the context runs; a browser that still holds it suspended gets one more try.
          if (ctx.state === 'suspended') await Promise.race([ctx.resume(), new Promise((ok) => setTimeout(ok, 1000))]).catch(() => undefined);
          if (ctrl.signal.aborted) return;
          if (ctx.state !== 'running') throw new DOMException('The audio context did not start.', 'NotAllowedError');
          setState('playing');
        }
      }
      if (!decoder.format) throw new Error(UNPLAYABLE); // ended before its first samples
      player.finish(); // back to "Read aloud" when the last run has played (at once if there was none)
    } finally {
      if (ctrl.signal.aborted) void reader.cancel().catch(() => undefined);
      else reader.releaseLock();
    }
  }

  async function play() {
    stopCurrent?.();
    stopCurrent = stop;
    release();
    setError(null);
    setState('loading');
    const ctrl = new AbortController();
    ctrlRef.current = ctrl;
    // Made here, in the click, so that autoplay rules let it sound.
    const Ctx = streamingAudio();
    let ctx: AudioContext | null = null;
    try {
      ctx = Ctx ? new Ctx() : null;
    } catch {
      ctx = null; // too many contexts, say: the Blob way
    }
    ctxRef.current = ctx;
    try {
      if (!ctx) {
        const blob = await speak(text, null, ctrl.signal);
        if (ctrl.signal.aborted) return;
        await playBlob(blob);
        return;
      }
      const res = await postForResponse('/api/speech', { text }, ctrl.signal);
      if (ctrl.signal.aborted) return;
      if (res.body && isWav(res.headers.get('Content-Type'))) {
        await playStream(res, res.body, ctx, ctrl);
        return;
      }
      closeContext();
      const blob = await res.blob();
      if (ctrl.signal.aborted) return;
      await playBlob(blob);
    } catch (err) {
      if (ctrl.signal.aborted || isAbort(err)) return;
      release();
      if (stopCurrent === stop) stopCurrent = null;
      setState('idle');
      setError((err as { name?: unknown } | null)?.name === 'NotAllowedError' ? BLOCKED : messageOf(err));
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
