import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, isAbort, messageOf } from '../../lib/api';
import { deleteAttachment, getAttachment, uploadAttachment, type Attachment, type AttachmentRef } from './attachmentsApi';

/** Where a file in the composer stands: going up, being read by the server, done, nothing to read, refused. */
export type ChipPhase = 'uploading' | 'processing' | 'ready' | 'empty' | 'failed';

export interface Chip {
  key: string;
  name: string;
  size: number;
  type: string;
  /** An object URL of the picked file, for an image's preview. */
  preview: string | null;
  phase: ChipPhase;
  /** Upload progress, 0..1. */
  uploaded: number;
  /** How far the server has read it, 0..1, when it says. */
  read: number | null;
  attachment: Attachment | null;
  error: string | null;
}

let keys = 0;

/** The most files one message may carry (the API's limit). */
export const MAX_FILES = 10;

/** How often to ask whether a file has been read: soon at first, then less often. */
const POLL_FIRST_MS = 400;
const POLL_MAX_MS = 3000;
/** After this long reading a file, stop asking and say so (the server bounds its own work well below). */
const POLL_GIVE_UP_MS = 15 * 60 * 1000;
/** Network hiccups tolerated in a row while polling. */
const POLL_RETRIES = 4;

export const settled = (c: Chip) => c.phase !== 'uploading' && c.phase !== 'processing';

/** A name for a pasted picture (the clipboard calls every one "image.png"). */
export function pastedName(file: File, n: number): File {
  if (file.name && file.name !== 'image.png' && file.name !== 'image.jpeg') return file;
  const ext = (file.type.split('/')[1] ?? 'png').replace('jpeg', 'jpg').replace(/[^a-z0-9]/gi, '');
  const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
  return new File([file], `Pasted image ${stamp}${n > 0 ? ` (${n + 1})` : ''}.${ext || 'png'}`, { type: file.type, lastModified: file.lastModified });
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((ok, fail) => {
    const t = setTimeout(ok, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        fail(new DOMException('Stopped.', 'AbortError'));
      },
      { once: true },
    );
  });

/**
 * The files waiting in the composer: each is uploaded at once (with progress), then polled until the
 * server has read it. `announce` is a sentence for a polite live region when one changes state.
 */
export function useAttachments() {
  const [chips, setChips] = useState<Chip[]>([]);
  const [announce, setAnnounce] = useState('');
  const ctrls = useRef(new Map<string, AbortController>());
  const chipsRef = useRef(chips);
  chipsRef.current = chips;

  const patch = useCallback((key: string, p: Partial<Chip>) => setChips((cs) => cs.map((c) => (c.key === key ? { ...c, ...p } : c))), []);

  /** Patch from the server's view of the file. */
  const apply = useCallback(
    (key: string, name: string, a: Attachment) => {
      const phase: ChipPhase = a.status;
      patch(key, { attachment: a, phase, read: a.progress ?? null, error: a.status === 'failed' ? (a.error ?? `${name} could not be read.`) : a.status === 'empty' ? (a.error ?? null) : null });
      if (phase === 'ready' || (phase === 'empty' && a.mime_type.startsWith('image/'))) setAnnounce(`${name} is ready.`);
      else if (phase === 'empty') setAnnounce(`${name}: no text could be read from it.`);
    },
    [patch],
  );

  const track = useCallback(
    async (chip: Chip, file: File) => {
      const ctrl = new AbortController();
      ctrls.current.set(chip.key, ctrl);
      try {
        let a = await uploadAttachment(file, { signal: ctrl.signal, onProgress: (f) => patch(chip.key, { uploaded: f }) });
        patch(chip.key, { uploaded: 1 });
        if (a.status === 'processing') setAnnounce(`${chip.name} uploaded; reading it…`);
        apply(chip.key, chip.name, a);
        const start = Date.now();
        let wait = POLL_FIRST_MS;
        let misses = 0;
        while (a.status === 'processing') {
          if (Date.now() - start > POLL_GIVE_UP_MS) {
            patch(chip.key, { phase: 'failed', error: `${chip.name} is still being read after 15 minutes. Remove it and try a smaller file.` });
            return;
          }
          await sleep(wait, ctrl.signal);
          wait = Math.min(POLL_MAX_MS, Math.round(wait * 1.5));
          try {
            a = (await getAttachment(a.id, ctrl.signal)).attachment;
            misses = 0;
          } catch (err) {
            if (isAbort(err) || (err instanceof ApiError && err.status >= 400 && err.status < 500) || ++misses > POLL_RETRIES) throw err;
            continue;
          }
          apply(chip.key, chip.name, a);
        }
      } catch (err) {
        if (isAbort(err)) return;
        patch(chip.key, { phase: 'failed', error: messageOf(err) });
      } finally {
        if (ctrls.current.get(chip.key) === ctrl) ctrls.current.delete(chip.key);
      }
    },
    [apply, patch],
  );

  /** Add files (picked, dropped or pasted): each starts uploading at once. Returns a sentence when some were too many. */
  const add = useCallback(
    (given: File[]): string | null => {
      const room = Math.max(0, MAX_FILES - chipsRef.current.length);
      const files = given.slice(0, room);
      const fresh = files.map(
        (f): Chip => ({
          key: `file-${++keys}`,
          name: f.name || 'file',
          size: f.size,
          type: f.type,
          preview: f.type.startsWith('image/') && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(f) : null,
          phase: 'uploading',
          uploaded: 0,
          read: null,
          attachment: null,
          error: null,
        }),
      );
      const refused = given.length - files.length ? `A message can carry ${MAX_FILES} files at most: ${given.length - files.length === 1 ? 'one was' : `${given.length - files.length} were`} left out.` : null;
      if (!fresh.length) return refused;
      chipsRef.current = [...chipsRef.current, ...fresh];
      setChips((cs) => [...cs, ...fresh]);
      setAnnounce(fresh.length === 1 ? `Uploading ${fresh[0].name}…` : `Uploading ${fresh.length} files…`);
      fresh.forEach((c, i) => void track(c, files[i]));
      return refused;
    },
    [track],
  );

  const forget = (c: Chip) => {
    ctrls.current.get(c.key)?.abort();
    ctrls.current.delete(c.key);
    if (c.preview) URL.revokeObjectURL(c.preview);
  };

  /** Take a file out of the message: its upload stops, and the server forgets it. `onError`: a removal the server refused. */
  const remove = useCallback((key: string, onError?: (message: string) => void) => {
    const c = chipsRef.current.find((x) => x.key === key);
    if (!c) return;
    forget(c);
    setChips((cs) => cs.filter((x) => x.key !== key));
    setAnnounce(`${c.name} removed.`);
    if (c.attachment)
      deleteAttachment(c.attachment.id).catch((err) => {
        if (!(err instanceof ApiError && err.status === 404)) onError?.(`${c.name} was taken out of the message, but the server could not delete it: ${messageOf(err)}`);
      });
  }, []);

  /** The message is being sent with them: the composer starts empty again (the server keeps the files). */
  const take = useCallback((): Chip[] => {
    const taken = chipsRef.current.filter(settled);
    chipsRef.current = [];
    setChips([]);
    return taken;
  }, []);

  /** The server refused the message before taking it: its files come back to the composer. */
  const restore = useCallback((taken: Chip[]) => {
    chipsRef.current = [...taken, ...chipsRef.current];
    setChips((cs) => [...taken, ...cs]);
    setAnnounce(taken.length === 1 ? `${taken[0].name} is back in the message box.` : `${taken.length} files are back in the message box.`);
  }, []);

  /** The message went with them: their previews are no longer needed. */
  const release = useCallback((taken: Chip[]) => taken.forEach(forget), []);

  useEffect(
    () => () => {
      for (const c of chipsRef.current) forget(c);
    },
    [],
  );

  const pending = chips.filter((c) => !settled(c)).length;
  const failed = chips.filter((c) => c.phase === 'failed').length;
  /** What goes with the message: the files the server has (an empty document too: the reply says so). */
  const refs = useCallback(
    (): AttachmentRef[] => chipsRef.current.flatMap((c) => (c.attachment && (c.phase === 'ready' || c.phase === 'empty') ? [{ id: c.attachment.id, filename: c.attachment.filename || c.name, mime_type: c.attachment.mime_type }] : [])),
    [],
  );

  return { chips, add, remove, take, restore, release, refs, pending, failed, announce };
}
