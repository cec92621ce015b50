import { useEffect, useRef, type FocusEvent, type KeyboardEvent, type RefObject } from 'react';
import { Icon } from '../../components/Icon';
import type { ConversationSummary } from './api';
import { ConversationEntry } from './ConversationEntry';
import { SHORTCUTS } from './shortcuts';
import type { History } from './useHistory';

interface Props {
  id: string;
  history: History;
  activeId: string | null;
  onOpen: (id: string) => void;
  onNew: () => void;
  onRename: (c: ConversationSummary, title: string) => Promise<void>;
  onDelete: (c: ConversationSummary) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  /** On a phone the history is a drawer: open or not, and how to close it (focus goes back to its button). */
  drawerOpen: boolean;
  onCloseDrawer: (refocus: boolean) => void;
}

/** The history: new chat, search (with the matching words highlighted), the conversations a page at a time. */
export function ConversationSidebar({ id, history, activeId, onOpen, onNew, onRename, onDelete, searchRef, drawerOpen, onCloseDrawer }: Props) {
  const { query, setQuery, items, cursor, loadMore, loadingMore, error, searching, settled, loaded } = history;
  const ref = useRef<HTMLElement>(null);
  const endRef = useRef<HTMLDivElement>(null);

  // Scrolling to the end of the list loads the next page (the button does the same without a mouse).
  useEffect(() => {
    const end = endRef.current;
    if (!cursor || !end || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadMore(), { root: ref.current, rootMargin: '80px' });
    io.observe(end);
    return () => io.disconnect();
  }, [cursor, loadMore]);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape' && drawerOpen) {
      e.preventDefault();
      onCloseDrawer(true);
    }
  }

  // Tabbing out of the open drawer closes it (on a phone it covers the chat, its own button included).
  function onBlur(e: FocusEvent) {
    const to = e.relatedTarget as Node | null;
    if (drawerOpen && to && !ref.current?.contains(to)) onCloseDrawer(false);
  }

  // With the button (a keyboard, a screen reader): focus moves to the first conversation that arrived.
  async function more() {
    const before = items.length;
    await loadMore();
    setTimeout(() => ref.current?.querySelectorAll<HTMLElement>('.conversation-open')[before]?.focus(), 0);
  }

  const q = query.trim();
  const found = items.length === 1 && !cursor ? `1 conversation matches “${q}”.` : `${items.length}${cursor ? '+' : ''} conversations match “${q}”.`;
  const status = !settled ? (searching ? 'Searching…' : '') : searching ? (items.length ? found : `No conversations match “${q}”.`) : '';

  return (
    <aside id={id} ref={ref} className={`chat-sidebar${drawerOpen ? ' open' : ''}`} aria-label="Conversations" onKeyDown={onKeyDown} onBlur={onBlur}>
      <div className="sidebar-top">
        <button type="button" className="btn btn-primary new-chat" onClick={onNew} aria-keyshortcuts={SHORTCUTS.newChat.aria} title={`New chat (${SHORTCUTS.newChat.label()})`}>
          <Icon name="plus" /> New chat
        </button>
        <button type="button" className="btn btn-ghost btn-icon drawer-close" onClick={() => onCloseDrawer(true)} aria-label="Close history">
          <Icon name="close" />
        </button>
      </div>
      <div className="history-search" role="search">
        <label htmlFor={`${id}-search`} className="sr-only">
          Search conversations
        </label>
        <Icon name="search" size={16} />
        <input
          ref={searchRef}
          id={`${id}-search`}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && query) {
              e.preventDefault();
              e.stopPropagation(); // clears the search; a second Escape closes the drawer
              setQuery('');
            }
          }}
          placeholder="Search"
          aria-keyshortcuts={SHORTCUTS.search.aria}
          title={`Search conversations (${SHORTCUTS.search.label()})`}
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
        />
        <kbd className="search-kbd" aria-hidden="true">
          {SHORTCUTS.search.label()}
        </kbd>
      </div>
      <h2 className="sidebar-title" id={`${id}-heading`}>
        {searching ? 'Search results' : 'History'}
      </h2>
      <p className="sr-only" role="status">
        {status}
      </p>
      {error && <p className="muted small">{error}</p>}
      {!error && loaded && settled && items.length === 0 && <p className="muted small">{searching ? `No conversations match “${q}”.` : 'No conversations yet.'}</p>}
      <ul className="conversation-list" aria-labelledby={`${id}-heading`} aria-busy={!settled}>
        {items.map((c) => (
          <ConversationEntry key={c.id} conversation={c} active={c.id === activeId} onOpen={() => onOpen(c.id)} onRename={(title) => onRename(c, title)} onDelete={() => onDelete(c)} />
        ))}
      </ul>
      {cursor && (
        <div ref={endRef} className="load-more">
          <button type="button" className="btn btn-secondary btn-sm btn-block" onClick={() => void more()} aria-disabled={loadingMore} aria-busy={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </aside>
  );
}
