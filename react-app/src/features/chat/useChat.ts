import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort, messageOf } from '../../lib/api';
import { getConversation, sendMessage, type ChatRequest, type Conversation, type Message } from './api';
import type { AttachmentRef } from './attachmentsApi';

export interface ChatMessage extends Message {
  /** The reply is still arriving. */
  streaming?: boolean;
  /** Why an incomplete reply stopped, shown under it. */
  note?: string;
}

let localIds = 0;
const localId = () => `local-${++localIds}`;
/** A message shown before the server gave it an id (or that it never saved). */
export const isLocal = (id: string) => id.startsWith('local-');

const versionsOf = (m: ChatMessage) => (m.versions?.length ? m.versions : [m.id]).filter((v) => !isLocal(v));

/** The message with its id (and its place among its versions) changed from a local one to the server's. */
const withId = (m: ChatMessage, from: string, to: string): ChatMessage =>
  m.id === from ? { ...m, id: to, versions: m.versions?.map((v) => (v === from ? to : v)) } : m;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** After Stop, how long to wait for the server to save the part that arrived (it notices the client left). */
const SETTLE_TRIES = 8;
const SETTLE_EVERY_MS = 300;

/**
 * One conversation: the path being viewed, sending with a streamed reply (a new message, a new version
 * of an earlier question, or of the last reply), stopping, flipping between versions, loading a saved one.
 * After each reply the path is read again from the server, so ids and version counts are the server's.
 */
export function useChat(conversationId: string | null, onSaved: (id: string, created: boolean) => void) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [title, setTitle] = useState<string | null>(null);
  const [engine, setEngine] = useState<string | null>(null);
  // The conversation's chat model (null: the server's default), or the one just picked for the next message.
  const [model, setModelState] = useState<string | null>(null);
  // A model picked since the conversation was loaded or last sent: it goes with the next message.
  const pickedRef = useRef<string | null>(null);
  const [streaming, setStreaming] = useState(false);
  const [switching, setSwitching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const viewRef = useRef<AbortController | null>(null);
  // The id the current stream created: navigating to it must not reload over the live reply.
  const ownIdRef = useRef<string | null>(null);
  // Each load, flip or send starts a new generation; an answer for an older one is dropped.
  const genRef = useRef(0);
  // Reading the path again after a reply: a message sent meanwhile waits for it (it needs the real ids).
  const settleRef = useRef<Promise<void> | null>(null);
  const messagesRef = useRef(messages);
  messagesRef.current = messages;

  const show = useCallback((c: Conversation) => {
    setMessages(c.messages);
    setTitle(c.title);
    if (!pickedRef.current) setModelState(c.model ?? null);
    const last = [...c.messages].reverse().find((m) => m.role === 'assistant' && m.engine);
    if (last?.engine) setEngine(last.model ? `${last.engine} · ${last.model}` : last.engine);
  }, []);

  useEffect(() => {
    if (conversationId && conversationId === ownIdRef.current) return;
    abortRef.current?.abort();
    viewRef.current?.abort();
    ownIdRef.current = null;
    const gen = ++genRef.current;
    setError(null);
    setTitle(null);
    pickedRef.current = null;
    setModelState(null);
    if (!conversationId) {
      setMessages([]);
      setEngine(null);
      return;
    }
    const ctrl = new AbortController();
    setLoading(true);
    setMessages([]);
    getConversation(conversationId, null, ctrl.signal)
      .then((c) => gen === genRef.current && show(c))
      .catch((err) => !isAbort(err) && setError(messageOf(err)))
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
  }, [conversationId, show]);

  useEffect(
    () => () => {
      abortRef.current?.abort();
      viewRef.current?.abort();
    },
    [],
  );

  /** Show the path through message `at` (another version of a message). */
  const view = useCallback(
    async (at: string): Promise<boolean> => {
      if (!conversationId) return false;
      viewRef.current?.abort();
      const ctrl = new AbortController();
      viewRef.current = ctrl;
      const gen = ++genRef.current;
      setSwitching(true);
      setError(null);
      try {
        const c = await getConversation(conversationId, at, ctrl.signal);
        if (gen !== genRef.current) return false;
        show(c);
        return true;
      } catch (err) {
        if (!isAbort(err)) setError(messageOf(err));
        return false;
      } finally {
        if (viewRef.current === ctrl) {
          viewRef.current = null;
          setSwitching(false);
        }
      }
    },
    [conversationId, show],
  );

  /** Read the path again once a reply ended: through the reply, or (stopped) through the question until the part that arrived is saved. */
  const settle = useCallback(
    async (id: string, at: string, stopped: boolean, gen: number) => {
      for (let i = 0; i < (stopped ? SETTLE_TRIES : 1); i++) {
        if (stopped) await sleep(SETTLE_EVERY_MS);
        if (gen !== genRef.current) return;
        let c: Conversation;
        try {
          c = await getConversation(id, at);
        } catch {
          return; // what is on screen stays; the next load corrects it
        }
        if (gen !== genRef.current) return;
        const last = c.messages.at(-1);
        if (stopped && (!last || last.id === at)) {
          if (messagesRef.current.at(-1)?.content) continue; // the part that arrived is not saved yet
          return; // nothing arrived: nothing will be saved
        }
        const note = messagesRef.current.at(-1)?.note;
        show({ ...c, messages: c.messages.map((m, j) => (j === c.messages.length - 1 && m.status === 'incomplete' && note ? { ...m, note } : m)) });
        return;
      }
    },
    [show],
  );

  const patchLast = (patch: (m: ChatMessage) => ChatMessage) => setMessages((ms) => (ms.length ? [...ms.slice(0, -1), patch(ms[ms.length - 1])] : ms));

  /**
   * Stream the reply to `req`; `prepare` puts the question and an empty reply on screen first.
   * Resolves false when the server refused the request before taking the question (nothing was saved).
   */
  const run = useCallback(
    async (req: ChatRequest, prepare: (ms: ChatMessage[]) => ChatMessage[]): Promise<boolean> => {
      viewRef.current?.abort();
      const ctrl = new AbortController();
      abortRef.current = ctrl;
      const gen = ++genRef.current;
      setError(null);
      setStreaming(true);
      setMessages(prepare);
      let savedId = req.conversationId;
      let created = false;
      let questionId: string | null = null;
      let replyId: string | null = null;
      let taken = false;
      let refused = false;
      const picked = pickedRef.current;
      const body: ChatRequest = picked ? { ...req, model: picked } : req;
      try {
        for await (const ev of sendMessage(body, ctrl.signal)) {
          if (ev.type === 'meta') {
            taken = true;
            // The server took the pick: the conversation keeps it from now on.
            if (picked && pickedRef.current === picked) pickedRef.current = null;
            if (ev.engine) setEngine(ev.model ? `${ev.engine} · ${ev.model}` : ev.engine);
            if (ev.userMessageId) {
              const real = ev.userMessageId;
              questionId = real;
              setMessages((ms) => ms.map((m, i) => (i === ms.length - 2 && m.role === 'user' ? withId(m, m.id, real) : m)));
            }
            if (ev.conversationId !== savedId) {
              savedId = ev.conversationId;
              created = true;
              ownIdRef.current = savedId;
              onSaved(savedId, false);
            }
          } else if (ev.type === 'delta') {
            patchLast((m) => ({ ...m, content: m.content + ev.text }));
          } else if (ev.type === 'done') {
            replyId = ev.messageId;
            patchLast((m) => ({ ...(ev.messageId ? withId(m, m.id, ev.messageId) : m), streaming: false, status: 'complete', ...(ev.citations.length ? { citations: ev.citations } : {}) }));
          }
        }
        patchLast((m) => (m.streaming ? { ...m, streaming: false, status: 'incomplete', note: 'The reply ended early.' } : m));
      } catch (err) {
        const stopped = isAbort(err);
        refused = !stopped && !taken;
        if (!stopped) setError(messageOf(err));
        patchLast((m) => ({ ...m, streaming: false, status: 'incomplete', note: stopped ? 'Stopped.' : messageOf(err) }));
      } finally {
        if (abortRef.current === ctrl) abortRef.current = null;
        setStreaming(false);
        if (savedId) {
          onSaved(savedId, created);
          const at = replyId ?? questionId;
          if (at && gen === genRef.current) {
            const settling = settle(savedId, at, !replyId, gen);
            settleRef.current = settling;
            void settling.finally(() => settleRef.current === settling && (settleRef.current = null));
          }
        }
      }
      return !refused;
    },
    [onSaved, settle],
  );

  /** A new message at the end of the path shown (continuing from its last message), with the files attached to it. */
  const send = useCallback(
    async (text: string, attachments: AttachmentRef[] = []): Promise<boolean> => {
      if (settleRef.current) await settleRef.current;
      const last = messagesRef.current.at(-1);
      // An unsaved last message (a stopped reply not yet read back): let the server continue from where it last wrote.
      const parentId = conversationId && last && !isLocal(last.id) ? last.id : null;
      const question: ChatMessage = { id: localId(), role: 'user', content: text, ...(attachments.length ? { attachments } : {}) };
      const reply: ChatMessage = { id: localId(), role: 'assistant', content: '', streaming: true };
      const ids = attachments.map((a) => a.id);
      return run({ kind: 'message', message: text, conversationId, parentId, ...(ids.length ? { attachments: ids } : {}) }, (ms) => [...ms, question, reply]);
    },
    [conversationId, run],
  );

  /** A new version of the last reply on the path. */
  const regenerate = useCallback(async () => {
    if (!conversationId) return;
    if (settleRef.current) await settleRef.current;
    const ms = messagesRef.current;
    const last = ms.at(-1);
    if (!last) return;
    const question = last.role === 'user' ? last : ms.at(-2);
    const anchor = !isLocal(last.id) ? last.id : question && !isLocal(question.id) ? question.id : null;
    const id = localId();
    const reply: ChatMessage = { id, role: 'assistant', content: '', streaming: true, versions: last.role === 'assistant' ? [...versionsOf(last), id] : undefined };
    await run({ kind: 'regenerate', conversationId, parentId: anchor }, (cur) => (last.role === 'assistant' ? [...cur.slice(0, -1), reply] : [...cur, reply]));
  }, [conversationId, run]);

  /** A new version of an earlier question: the conversation goes on from it. */
  const edit = useCallback(
    async (messageId: string, text: string) => {
      if (!conversationId) return;
      const at = messagesRef.current.findIndex((m) => m.id === messageId);
      if (at < 0) return;
      const old = messagesRef.current[at];
      const id = localId();
      const question: ChatMessage = { id, role: 'user', content: text, versions: [...versionsOf(old), id] };
      const reply: ChatMessage = { id: localId(), role: 'assistant', content: '', streaming: true };
      await run({ kind: 'edit', message: text, conversationId, editOf: messageId }, (cur) => {
        const i = cur.findIndex((m) => m.id === messageId);
        return [...cur.slice(0, i < 0 ? at : i), question, reply];
      });
    },
    [conversationId, run],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);

  /** Pick the chat model for the next message (an id from GET /api/models, the default's included). */
  const setModel = useCallback((id: string) => {
    pickedRef.current = id;
    setModelState(id);
  }, []);

  return { messages, title, setTitle, engine, model, setModel, streaming, switching, error, setError, loading, send, regenerate, edit, view, stop };
}
