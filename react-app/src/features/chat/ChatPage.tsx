import { useCallback, useEffect, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { CapabilityNotice } from '../../components/CapabilityNotice';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Icon } from '../../components/Icon';
import { messageOf } from '../../lib/api';
import { useCapability } from '../../lib/health';
import { ShareDialog } from '../share/ShareDialog';
import { deleteConversation, listModels, renameConversation, type ConversationSummary, type ModelChoice } from './api';
import { AttachmentChips } from './AttachmentChips';
import { ATTACH_ACCEPT } from './attachmentsApi';
import { ChatTitle } from './ChatTitle';
import { ConversationSidebar } from './ConversationSidebar';
import { ExportMenu } from './ExportMenu';
import { MessageItem } from './MessageItem';
import { SHORTCUTS, useChatShortcuts } from './shortcuts';
import { pastedName, useAttachments } from './useAttachments';
import { isLocal, useChat } from './useChat';
import { useHistory } from './useHistory';

const DEFAULT_FILE_QUESTION = 'Summarise the attached file(s).';

/** After a new conversation's first reply the server may name it (a model call): look again this much later. */
export const TITLE_REFRESH_MS = 3000;
const HISTORY_ID = 'chat-history';
/** What another page hands over (Voice to Text: a draft; Image to Text: the file it read, and the question). */
type HandOver = { draft?: string; attach?: File[] } | null;
const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
const isPhone = () => typeof window.matchMedia === 'function' && window.matchMedia('(max-width: 720px)').matches;

export default function ChatPage() {
  const [params, setParams] = useSearchParams();
  const conversationId = params.get('c');
  const location = useLocation();
  const navigate = useNavigate();
  const chatCap = useCapability('chat');
  const history = useHistory();
  const { refresh: refreshList, renamed, removed } = history;
  const [draft, setDraft] = useState<string>(() => (location.state as HandOver)?.draft ?? '');
  const [status, setStatus] = useState('');
  const [editingId, setEditingId] = useState<string | null>(null);
  const [sharing, setSharing] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const titleTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const onSaved = useCallback(
    (id: string, created: boolean) => {
      if (id !== conversationId) setParams({ c: id }, { replace: !conversationId });
      void refreshList();
      if (created) {
        // The model-written title arrives a few seconds after the first reply: show it once it is there.
        if (titleTimer.current) clearTimeout(titleTimer.current);
        titleTimer.current = setTimeout(() => void refreshList(), TITLE_REFRESH_MS);
      }
    },
    [conversationId, setParams, refreshList],
  );
  useEffect(() => () => void (titleTimer.current && clearTimeout(titleTimer.current)), []);

  const chat = useChat(conversationId, onSaved);
  const files = useAttachments();
  // Send was pressed while files were still uploading or being read: it goes once they are ready.
  const [queued, setQueued] = useState(false);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const handedOver = useRef<string | null>(null);

  // The models to pick from (GET /api/models): none until chat is known to be available.
  const [models, setModels] = useState<ModelChoice[]>([]);
  const chatAvailable = chatCap?.available === true;
  useEffect(() => {
    if (!chatAvailable) return;
    const ctrl = new AbortController();
    listModels(ctrl.signal)
      .then(setModels)
      .catch(() => setModels([])); // no picker: the server's default answers
    return () => ctrl.abort();
  }, [chatAvailable]);
  const defaultModel = models.find((m) => m.default) ?? models[0];
  const modelId = chat.model ?? defaultModel?.id ?? '';
  const onDefault = !chat.model || chat.model === defaultModel?.id;

  // A draft or files handed over by another page (Voice to Text's "send to chat", Image to Text's
  // "Ask about this in chat") are used once.
  useEffect(() => {
    const given = location.state as HandOver;
    if (given?.attach?.length && handedOver.current !== location.key) {
      handedOver.current = location.key;
      attach(given.attach);
    }
    if (given?.draft || given?.attach?.length) {
      navigate(location.pathname + location.search, { replace: true, state: null });
      // After the layout has moved focus to the new page (its effect runs after this one).
      setTimeout(() => inputRef.current?.focus(), 0);
    }
  }, [location, navigate]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => setEditingId(null), [conversationId]);

  const lastLength = chat.messages.at(-1)?.content.length ?? 0;
  useEffect(() => {
    if (!editingId) endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [chat.messages.length, lastLength]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (chat.streaming) setStatus('The assistant is replying…');
    else if (chat.messages.length) setStatus(chat.messages.at(-1)?.status === 'incomplete' ? 'The reply stopped before the end.' : 'Reply complete.');
  }, [chat.streaming]); // eslint-disable-line react-hooks/exhaustive-deps

  const unavailable = chatCap !== undefined && !chatCap.available;
  const busy = chat.streaming || chat.switching;

  function submit(e?: FormEvent) {
    e?.preventDefault();
    // files with no words: the question everyone would ask first
    const text = draft.trim() || (files.chips.length ? DEFAULT_FILE_QUESTION : '');
    if (!text || chat.streaming || unavailable) return;
    if (files.failed) {
      chat.setError(files.failed === 1 ? 'One file could not be attached: remove it (or pick it again) before sending.' : `${files.failed} files could not be attached: remove them before sending.`);
      return;
    }
    if (files.pending) {
      setQueued(true);
      return;
    }
    const attached = files.refs();
    setDraft('');
    setEditingId(null);
    const taken = files.take();
    void chat.send(text, attached).then((accepted) => {
      if (accepted || !taken.length) return files.release(taken);
      // Refused before it was saved (a file still being read, say): the files and the words come back.
      files.restore(taken);
      setDraft((d) => d || text);
    });
  }

  // Files still on their way when Send was pressed: send once the last one is ready (or say why not).
  useEffect(() => {
    if (!queued || files.pending) return;
    setQueued(false);
    submit();
  }, [queued, files.pending]); // eslint-disable-line react-hooks/exhaustive-deps

  function attach(list: File[]) {
    if (unavailable || !list.length) return;
    const refused = files.add(list);
    if (refused) chat.setError(refused);
  }

  // Pictures pasted from the clipboard (screenshots) are attached; pasted text stays text.
  function onPaste(e: ClipboardEvent) {
    const pasted = Array.from(e.clipboardData?.files ?? []);
    if (!pasted.length || e.clipboardData.getData('text/plain')) return;
    e.preventDefault();
    attach(pasted.map((f, i) => pastedName(f, i)));
  }

  const dragHandlers = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e) || unavailable) return;
      e.preventDefault();
      dragDepth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e) || unavailable) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (!dragDepth.current) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      attach(Array.from(e.dataTransfer.files));
      inputRef.current?.focus();
    },
  };

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  const newChat = useCallback(() => {
    setParams({});
    setDrawerOpen(false);
    setEditingId(null);
    setTimeout(() => inputRef.current?.focus(), 0);
  }, [setParams]);

  function closeDrawer(refocus: boolean) {
    setDrawerOpen(false);
    if (refocus) toggleRef.current?.focus();
  }

  // Opening the drawer moves focus into it, to the search box.
  useEffect(() => {
    if (drawerOpen) searchRef.current?.focus();
  }, [drawerOpen]);

  const focusSearch = useCallback(() => {
    setDrawerOpen(true);
    searchRef.current?.focus();
    searchRef.current?.select();
  }, []);

  useChatShortcuts({ newChat, search: focusSearch });

  function open(id: string) {
    setParams({ c: id });
    if (drawerOpen && isPhone()) {
      setDrawerOpen(false);
      setTimeout(() => inputRef.current?.focus(), 0);
    }
  }

  async function remove(c: ConversationSummary) {
    if (!window.confirm(`Delete “${c.title || 'Untitled'}”? This cannot be undone.`)) return;
    try {
      await deleteConversation(c.id);
      removed(c.id);
      if (c.id === conversationId) setParams({});
      void refreshList();
    } catch (err) {
      chat.setError(messageOf(err));
    }
  }

  async function rename(id: string, title: string) {
    const r = await renameConversation(id, title);
    renamed(id, r.title);
    if (id === conversationId) chat.setTitle(r.title);
    setStatus(`Renamed to “${r.title}”.`);
  }

  async function flip(versionId: string, versions: string[]) {
    setEditingId(null);
    if (await chat.view(versionId)) setStatus(`Showing version ${versions.indexOf(versionId) + 1} of ${versions.length}.`);
  }

  const entry = history.items.find((c) => c.id === conversationId);
  const title = (conversationId && (entry?.title ?? chat.title)) || null;
  const leaf = chat.messages.at(-1)?.id;
  const at = leaf && !isLocal(leaf) ? leaf : null;
  const lastIndex = chat.messages.length - 1;

  return (
    <div className="chat-layout">
      <ConversationSidebar
        id={HISTORY_ID}
        history={history}
        activeId={conversationId}
        onOpen={open}
        onNew={newChat}
        onRename={(c, t) => rename(c.id, t)}
        onDelete={remove}
        searchRef={searchRef}
        drawerOpen={drawerOpen}
        onCloseDrawer={closeDrawer}
      />
      <div className="drawer-backdrop" hidden={!drawerOpen} onClick={() => closeDrawer(false)} aria-hidden="true" />
      <section className={`chat-main${dragging ? ' dragging' : ''}`} aria-labelledby="chat-heading" onPaste={onPaste} {...dragHandlers}>
        {dragging && (
          <div className="drop-overlay" aria-hidden="true">
            <Icon name="paperclip" size={28} /> Drop files to attach them to your message
          </div>
        )}
        <header className="chat-header">
          <button
            ref={toggleRef}
            type="button"
            className="btn btn-ghost btn-icon history-toggle"
            aria-expanded={drawerOpen}
            aria-controls={HISTORY_ID}
            aria-label="History"
            aria-keyshortcuts={SHORTCUTS.search.aria}
            title={`History and search (${SHORTCUTS.search.label()})`}
            onClick={() => (drawerOpen ? closeDrawer(false) : setDrawerOpen(true))}
          >
            <Icon name="history" />
          </button>
          <div className="chat-heading">
            <ChatTitle title={title} onRename={conversationId ? (t) => rename(conversationId, t) : undefined} />
            <p className="muted small">
              Engine: <span className="engine-name">{chat.engine ?? chatCap?.engine ?? '…'}</span>
            </p>
            {chatCap?.engine === 'local' && onDefault && (
              <p className="notice notice-warn local-model-notice small" role="note">
                Offline tiny model: answers are often wrong. Connect Gemini, Ollama or a better GGUF: set <code>GEMINI_API_KEY</code>, <code>OPENAI_BASE_URL</code>{' '}
                (Ollama or another OpenAI-compatible server) or <code>LOCAL_LLM_MODEL</code> on the server, then restart it (see the README).
              </p>
            )}
          </div>
          {models.length > 1 && (
            <div className="model-picker">
              <label htmlFor="chat-model" className="small">
                Model
              </label>
              <select
                id="chat-model"
                value={modelId}
                onChange={(e) => {
                  chat.setModel(e.target.value);
                  const label = models.find((m) => m.id === e.target.value)?.label ?? e.target.value;
                  setStatus(`The next message goes to ${label}.`);
                }}
                disabled={chat.streaming}
                aria-describedby="chat-model-hint"
              >
                {!models.some((m) => m.id === modelId) && modelId && <option value={modelId}>{modelId} (no longer offered)</option>}
                {models.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.label}
                    {m.default ? ' (default)' : ''}
                  </option>
                ))}
              </select>
              <span id="chat-model-hint" className="sr-only">
                Used from the next message on; the conversation keeps it.
              </span>
            </div>
          )}
          {conversationId && (
            <div className="chat-tools">
              <button type="button" className="btn btn-secondary" onClick={() => setSharing(true)} disabled={chat.streaming || !chat.messages.length}>
                <Icon name="share" /> <span className="tool-label">Share</span>
              </button>
              <ExportMenu conversationId={conversationId} at={at} title={title ?? 'conversation'} onError={chat.setError} disabled={chat.streaming} />
            </div>
          )}
        </header>
        <CapabilityNotice name="chat" />
        <div className="messages" role="log" aria-label="Messages" aria-busy={busy}>
          {chat.loading && <p className="muted">Loading the conversation…</p>}
          {!chat.loading && chat.messages.length === 0 && (
            <div className="empty">
              <h2>Ask anything</h2>
              <p className="muted">Replies stream as they are written. Markdown and code are formatted.</p>
            </div>
          )}
          {chat.messages.map((m, i) => (
            // By position: flipping to another version keeps the same element (and the focus on its buttons).
            <MessageItem
              key={i}
              message={m}
              busy={busy}
              readAloud
              fileAccess
              onFlip={(v) => void flip(v, m.versions ?? [])}
              editing={editingId === m.id}
              onEdit={conversationId ? () => setEditingId(m.id) : undefined}
              onCancelEdit={() => setEditingId(null)}
              onSendEdit={(text) => {
                setEditingId(null);
                inputRef.current?.focus();
                void chat.edit(m.id, text);
              }}
              onRegenerate={
                conversationId && i === lastIndex && m.role === 'assistant' && !m.streaming
                  ? () => {
                      inputRef.current?.focus();
                      void chat.regenerate();
                    }
                  : undefined
              }
            />
          ))}
          <div ref={endRef} />
        </div>
        <p className="sr-only" aria-live="polite">
          {status}
        </p>
        <ErrorAlert message={chat.error} onDismiss={() => chat.setError(null)} />
        <form className="composer" onSubmit={submit}>
          <AttachmentChips chips={files.chips} onRemove={(key) => files.remove(key, chat.setError)} announce={files.announce} afterLast={() => inputRef.current?.focus()} />
          <label className={`btn btn-ghost btn-icon attach-button${unavailable ? ' disabled' : ''}`} title="Attach files (you can also drop or paste them)">
            <input
              type="file"
              className="sr-only"
              multiple
              accept={ATTACH_ACCEPT}
              disabled={unavailable}
              onChange={(e) => {
                attach(Array.from(e.target.files ?? []));
                e.target.value = '';
              }}
            />
            <Icon name="paperclip" />
            <span className="sr-only">Attach files</span>
          </label>
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
          ) : queued ? (
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => {
                setQueued(false);
                setStatus('Sending cancelled; your message is still here.');
              }}
            >
              Cancel sending
            </button>
          ) : (
            <button type="submit" className="btn btn-primary" disabled={(!draft.trim() && !files.chips.length) || unavailable}>
              <Icon name="send" /> Send
            </button>
          )}
        </form>
        {queued && (
          <p className="composer-waiting small" role="status">
            Waiting for the files to be read: your message goes as soon as they are ready.
          </p>
        )}
        <p id="chat-input-hint" className="composer-hint">
          Enter to send · Shift+Enter for a new line · attach files with the clip, or drop or paste them
          <span className="hint-shortcuts">
            {' '}
            · {SHORTCUTS.newChat.label()} new chat · {SHORTCUTS.search.label()} search
          </span>
        </p>
      </section>
      {sharing && conversationId && <ShareDialog conversationId={conversationId} at={at} title={title ?? 'Untitled'} onClose={() => setSharing(false)} />}
    </div>
  );
}
