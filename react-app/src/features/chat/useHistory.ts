import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort, messageOf } from '../../lib/api';
import { listConversations, type ConversationSummary } from './api';

/** How long typing must pause before the search runs. */
export const SEARCH_DELAY_MS = 250;

const time = (c: ConversationSummary) => Date.parse(c.updated_at) || 0;
/** Newest first, like the server: by last update, then by id. */
const after = (a: ConversationSummary, b: ConversationSummary) => time(a) < time(b) || (time(a) === time(b) && a.id < b.id);

/**
 * The history sidebar's list: a page at a time (the server's cursor), filtered by a search. Refreshing
 * reads the first page again and keeps the older pages already loaded, so "Load more" is not undone.
 */
export function useHistory() {
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<ConversationSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  /** The search the items answer ('' for the plain history); null until the first page arrived. */
  const [shownFor, setShownFor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const state = useRef({ items, cursor, shownFor });
  state.current = { items, cursor, shownFor };

  /** The first page for `q`: a new search replaces the list, the same one merges into it. */
  const loadFirst = useCallback(async (q: string, signal?: AbortSignal) => {
    const mine = ++seq.current;
    try {
      const page = await listConversations({ q }, signal);
      if (mine !== seq.current) return;
      const prev = state.current;
      const last = page.conversations.at(-1);
      if (prev.shownFor !== q || !page.next_cursor || !last) {
        setItems(page.conversations);
        setCursor(page.next_cursor);
      } else {
        const fresh = new Set(page.conversations.map((c) => c.id));
        const tail = prev.items.filter((c) => !fresh.has(c.id) && after(c, last));
        setItems([...page.conversations, ...tail]);
        setCursor(tail.length ? prev.cursor : page.next_cursor);
      }
      setShownFor(q);
      setError(null);
    } catch (err) {
      if (!isAbort(err) && mine === seq.current) setError(messageOf(err));
    }
  }, []);

  // A new search waits for a pause in typing; clearing it shows the history at once.
  useEffect(() => {
    const q = query.trim();
    const ctrl = new AbortController();
    const timer = setTimeout(() => void loadFirst(q, ctrl.signal), q ? SEARCH_DELAY_MS : 0);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [query, loadFirst]);

  const refresh = useCallback(() => loadFirst(query.trim()), [query, loadFirst]);

  const loadMore = useCallback(async () => {
    const { cursor: from, shownFor: q } = state.current;
    if (!from || q === null || loadingMore) return;
    setLoadingMore(true);
    const mine = seq.current;
    try {
      const page = await listConversations({ q, cursor: from });
      if (mine !== seq.current) return; // a new search or refresh started meanwhile
      setItems((cur) => {
        const known = new Set(cur.map((c) => c.id));
        return [...cur, ...page.conversations.filter((c) => !known.has(c.id))];
      });
      setCursor(page.next_cursor);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setLoadingMore(false);
    }
  }, [loadingMore]);

  const renamed = useCallback((id: string, title: string) => setItems((cur) => cur.map((c) => (c.id === id ? { ...c, title, match: c.match?.field === 'title' ? null : c.match } : c))), []);
  const removed = useCallback((id: string) => setItems((cur) => cur.filter((c) => c.id !== id)), []);

  const searching = query.trim() !== '';
  /** The shown list answers what is typed (not an older search still on screen). */
  const settled = shownFor === query.trim();
  return { query, setQuery, items, cursor, loadMore, loadingMore, refresh, renamed, removed, error, searching, settled, loaded: shownFor !== null };
}

export type History = ReturnType<typeof useHistory>;
