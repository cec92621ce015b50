import { useEffect, useRef } from 'react';

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** The chat page's keyboard shortcuts: what aria-keyshortcuts says, and how to show it to this person. */
export const SHORTCUTS = {
  newChat: { aria: 'Control+Shift+O Meta+Shift+O', label: () => (isMac() ? '⌘⇧O' : 'Ctrl+Shift+O') },
  search: { aria: 'Control+K Meta+K', label: () => (isMac() ? '⌘K' : 'Ctrl+K') },
} as const;

/** Ctrl/Cmd+Shift+O starts a new chat, Ctrl/Cmd+K goes to the search box, wherever the focus is. */
export function useChatShortcuts(handlers: { newChat: () => void; search: () => void }) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.isComposing) return;
      if (document.querySelector('dialog[open]')) return; // a dialog has the page's attention
      const key = e.key.toLowerCase();
      if (e.shiftKey && key === 'o') {
        e.preventDefault();
        ref.current.newChat();
      } else if (!e.shiftKey && key === 'k') {
        e.preventDefault();
        ref.current.search();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
