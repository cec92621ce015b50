import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { CapabilityNotice } from '../../components/CapabilityNotice';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ExportPdfButton } from '../../components/ExportPdfButton';
import { Icon } from '../../components/Icon';
import { messageOf } from '../../lib/api';
import { useCapability } from '../../lib/health';
import { deleteConversation, listConversations, type ConversationSummary } from './api';
import { ConversationSidebar } from './ConversationSidebar';
import { MessageItem } from './MessageItem';
import { useChat } from './useChat';

export default function ChatPage() {
  const [params, setParams] = useSearchParams();
  const conversationId = params.get('c');
  const location = useLocation();
  const navigate = useNavigate();
  const chatCap = useCapability('chat');
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const [draft, setDraft] = useState<string>(() => (location.state as { draft?: string } | null)?.draft ?? '');
  const [status, setStatus] = useState('');
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const endRef = useRef<HTMLDivElement>(null);

  const refreshList = useCallback(() => {
    listConversations()
      .then((cs) => {
        setConversations(cs);
        setListError(null);
      })
      .catch((err) => setListError(messageOf(err)));
  }, []);

  const onSaved = useCallback(
    (id: string) => {
      if (id !== conversationId) setParams({ c: id }, { replace: !conversationId });
      refreshList();
    },
    [conversationId, setParams, refreshList],
  );

  const chat = useChat(conversationId, onSaved);

  useEffect(refreshList, [refreshList]);

  // A draft handed over by another page (Voice to Text's "send to chat") is used once.
  useEffect(() => {
    if ((location.state as { draft?: string } | null)?.draft) {
      navigate(location.pathname + location.search, { replace: true, state: null });
      inputRef.current?.focus();
    }
  }, [location, navigate]);

  const lastLength = chat.messages.at(-1)?.content.length ?? 0;
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [chat.messages.length, lastLength]);

  useEffect(() => {
    if (chat.streaming) setStatus('The assistant is replying…');
    else if (chat.messages.length) setStatus(chat.messages.at(-1)?.status === 'incomplete' ? 'The reply stopped before the end.' : 'Reply complete.');
  }, [chat.streaming]); // eslint-disable-line react-hooks/exhaustive-deps

  const unavailable = chatCap !== undefined && !chatCap.available;

  function submit(e?: FormEvent) {
    e?.preventDefault();
    const text = draft.trim();
    if (!text || chat.streaming || unavailable) return;
    setDraft('');
    void chat.send(text);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  async function remove(c: ConversationSummary) {
    if (!window.confirm(`Delete “${c.title || 'Untitled'}”? This cannot be undone.`)) return;
    try {
      await deleteConversation(c.id);
      if (c.id === conversationId) setParams({});
      refreshList();
    } catch (err) {
      chat.setError(messageOf(err));
    }
  }

  const title = conversations.find((c) => c.id === conversationId)?.title;

  return (
    <div className="chat-layout">
      <ConversationSidebar
        conversations={conversations}
        activeId={conversationId}
        onOpen={(id) => setParams({ c: id })}
        onNew={() => {
          setParams({});
          inputRef.current?.focus();
        }}
        onDelete={remove}
        error={listError}
      />
      <section className="chat-main" aria-labelledby="chat-heading">
        <header className="chat-header">
          <div>
            <h1 id="chat-heading">{title ?? 'Text to Text'}</h1>
            <p className="muted small">
              Engine: <span className="engine-name">{chat.engine ?? chatCap?.engine ?? '…'}</span>
            </p>
          </div>
          {conversationId && <ExportPdfButton name={title ?? 'conversation'} body={() => ({ conversation_id: conversationId })} onError={chat.setError} disabled={chat.streaming} />}
        </header>
        <CapabilityNotice name="chat" />
        <div className="messages" role="log" aria-label="Messages" aria-busy={chat.streaming}>
          {chat.loading && <p className="muted">Loading the conversation…</p>}
          {!chat.loading && chat.messages.length === 0 && (
            <div className="empty">
              <h2>Ask anything</h2>
              <p className="muted">Replies stream as they are written. Markdown and code are formatted.</p>
            </div>
          )}
          {chat.messages.map((m) => (
            <MessageItem key={m.id} message={m} />
          ))}
          <div ref={endRef} />
        </div>
        <p className="sr-only" aria-live="polite">
          {status}
        </p>
        <ErrorAlert message={chat.error} onDismiss={() => chat.setError(null)} />
        <form className="composer" onSubmit={submit}>
          <label htmlFor="chat-input" className="sr-only">
            Your message
          </label>
          <textarea
            id="chat-input"
            ref={inputRef}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            placeholder={unavailable ? 'Chat is not available on this server' : 'Message the assistant…'}
            aria-describedby="chat-input-hint"
            rows={2}
            disabled={unavailable}
          />
          {chat.streaming ? (
            <button type="button" className="btn btn-danger" onClick={chat.stop}>
              <Icon name="stop" /> Stop
            </button>
          ) : (
            <button type="submit" className="btn btn-primary" disabled={!draft.trim() || unavailable}>
              <Icon name="send" /> Send
            </button>
          )}
        </form>
        <p id="chat-input-hint" className="composer-hint">
          Enter to send · Shift+Enter for a new line
        </p>
      </section>
    </div>
  );
}
