import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort, messageOf } from '../../lib/api';
import { getConversation, sendMessage, type Message } from './api';

export interface ChatMessage extends Message {
  /** The reply is still arriving. */
  streaming?: boolean;
  /** Why an incomplete reply stopped, shown under it. */
  note?: string;
}

let localIds = 0;
const localId = () => `local-${++localIds}`;

/** One conversation: its messages, sending with a streamed reply, stopping, and loading a saved one. */
export function useChat(conversationId: string | null, onSaved: (id: string) => void) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [engine, setEngine] = useState<string | null>(null);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  // The id the current stream created: navigating to it must not reload over the live reply.
  const ownIdRef = useRef<string | null>(null);

  useEffect(() => {
    if (conversationId && conversationId === ownIdRef.current) return;
    abortRef.current?.abort();
    ownIdRef.current = null;
    setError(null);
    if (!conversationId) {
      setMessages([]);
      setEngine(null);
      return;
    }
    const ctrl = new AbortController();
    setLoading(true);
    getConversation(conversationId, ctrl.signal)
      .then((c) => {
        setMessages(c.messages);
        const last = [...c.messages].reverse().find((m) => m.role === 'assistant' && m.engine);
        setEngine(last?.engine ?? null);
      })
      .catch((err) => !isAbort(err) && setError(messageOf(err)))
      .finally(() => !ctrl.signal.aborted && setLoading(false));
    return () => ctrl.abort();
  }, [conversationId]);

  useEffect(() => () => abortRef.current?.abort(), []);

  const patchLast = (patch: (m: ChatMessage) => ChatMessage) =>
    setMessages((ms) => (ms.length ? [...ms.slice(0, -1), patch(ms[ms.length - 1])] : ms));

  const send = useCallback(
    async (text: string) => {
      const ctrl = new AbortController();
      abortRef.current = ctrl;
      setError(null);
      setStreaming(true);
      setMessages((ms) => [...ms, { id: localId(), role: 'user', content: text }, { id: localId(), role: 'assistant', content: '', streaming: true }]);
      let savedId = conversationId;
      try {
        for await (const ev of sendMessage(text, conversationId, ctrl.signal)) {
          if (ev.type === 'meta') {
            if (ev.engine) setEngine(ev.model ? `${ev.engine} · ${ev.model}` : ev.engine);
            if (ev.conversationId !== savedId) {
              savedId = ev.conversationId;
              ownIdRef.current = savedId;
              onSaved(savedId);
            }
          } else if (ev.type === 'delta') {
            patchLast((m) => ({ ...m, content: m.content + ev.text }));
          } else if (ev.type === 'done') {
            patchLast((m) => ({ ...m, id: ev.messageId ?? m.id, streaming: false, status: 'complete' }));
          }
        }
        patchLast((m) => (m.streaming ? { ...m, streaming: false, status: 'incomplete', note: 'The reply ended early.' } : m));
      } catch (err) {
        const stopped = isAbort(err);
        if (!stopped) setError(messageOf(err));
        patchLast((m) => ({ ...m, streaming: false, status: 'incomplete', note: stopped ? 'Stopped.' : messageOf(err) }));
      } finally {
        if (abortRef.current === ctrl) abortRef.current = null;
        setStreaming(false);
        if (savedId) onSaved(savedId);
      }
    },
    [conversationId, onSaved],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);

  return { messages, engine, streaming, error, setError, loading, send, stop };
}
