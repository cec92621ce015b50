import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { FakeConversation } from '../../test/chatServer';
import { renderPage } from '../../test/render';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import ChatPage from './ChatPage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const ID = 'b'.repeat(32);
let c: FakeConversation;
let downloads: { name: string; href: string }[];

beforeEach(() => {
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
  c = FakeConversation.with(ID, 'Trip plans', [['Plan a trip', 'Day one: the coast']]);
  c.leaf = c.version('a2', 'Day one: the mountains');
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [c.summary(), { ...c.summary(), id: 'e'.repeat(32), title: 'Recipes' }], next_cursor: null }));
  server.routes.set(`GET /api/conversations/${'e'.repeat(32)}`, (_q, res) => json(res, 200, { id: 'e'.repeat(32), title: 'Recipes', messages: [{ id: 'r1', role: 'user', content: 'Soup ideas' }] }));
  c.serve(server);
  downloads = [];
  URL.createObjectURL = vi.fn(() => 'blob:export');
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push({ name: this.download, href: this.href });
  });
});
afterEach(() => vi.restoreAllMocks());

async function openFlipped() {
  renderPage(<ChatPage />, `/?c=${ID}`);
  const user = userEvent.setup();
  await screen.findByText('Day one: the mountains');
  await user.click(screen.getByRole('button', { name: 'Previous version' }));
  await screen.findByText('Day one: the coast');
  return user;
}

describe('Export', () => {
  it('a menu of PDF, Markdown and JSON, by keyboard; downloads the path being viewed', async () => {
    server.routes.set(`GET /api/conversations/${ID}/export`, (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/markdown; charset=utf-8', 'Content-Disposition': `attachment; filename="Trip plans.md"; filename*=UTF-8''Trip%20plans.md` });
      res.end('# Trip plans\n');
    });
    const user = await openFlipped();
    const button = screen.getByRole('button', { name: 'Export' });
    expect(button).toHaveAttribute('aria-expanded', 'false');
    button.focus();
    await user.keyboard('{ArrowDown}');
    expect(button).toHaveAttribute('aria-expanded', 'true');
    const menu = screen.getByRole('menu', { name: 'Export as' });
    expect(within(menu).getAllByRole('menuitem').map((m) => m.firstChild?.textContent)).toEqual(['PDF', 'Markdown', 'JSON']);
    for (const name of ['PDF', 'Markdown', 'JSON']) expect(within(menu).getByRole('menuitem', { name })).toBeInTheDocument();
    await waitFor(() => expect(within(menu).getByRole('menuitem', { name: 'PDF' })).toHaveFocus());
    await user.keyboard('{ArrowDown}');
    expect(within(menu).getByRole('menuitem', { name: 'Markdown' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(button).toHaveFocus();

    await user.click(button);
    await user.click(screen.getByRole('menuitem', { name: 'Markdown' }));
    await waitFor(() => expect(downloads).toEqual([{ name: 'Trip plans.md', href: 'blob:export' }]));
    const asked = server.requests.find((r) => r.url.includes('/export'))!;
    const q = new URL(asked.url, 'http://x').searchParams;
    expect(q.get('format')).toBe('md');
    expect(q.get('at')).toBe('a2'); // the version on screen, not the one last written
  });

  it('shows the server’s message when an export fails', async () => {
    server.routes.set(`GET /api/conversations/${ID}/export`, (_q, res) => json(res, 413, { error: { code: 'payload_too_large', message: 'This conversation is too long to export as a PDF.' } }));
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();
    await screen.findByText('Day one: the mountains');
    await user.click(screen.getByRole('button', { name: 'Export' }));
    await user.click(screen.getByRole('menuitem', { name: 'PDF' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This conversation is too long to export as a PDF.');
    expect(downloads).toEqual([]);
  });
});

describe('Share', () => {
  it('creates a link that expires after the chosen time, for the version on screen, with a copy button', async () => {
    let body: Record<string, unknown> = {};
    server.routes.set(`POST /api/conversations/${ID}/share`, (_q, res, raw) => {
      body = JSON.parse(raw);
      json(res, 201, { id: 'sh4r3', url: 'http://localhost:3000/shared/sh4r3', conversation_id: ID, title: 'Trip plans', created_at: '2026-01-09T10:00:00Z', expires_at: '2026-01-16T10:00:00Z' });
    });
    const user = await openFlipped();
    await user.click(screen.getByRole('button', { name: 'Share' }));
    const dialog = screen.getByRole('dialog', { name: 'Share this conversation' });
    expect(within(dialog).getByRole('radio', { name: 'Never' })).toBeChecked();
    expect(within(dialog).getAllByRole('radio').map((r) => r.closest('label')?.textContent)).toEqual(['Never', '1 day', '7 days', '30 days']);
    await user.click(within(dialog).getByRole('radio', { name: '7 days' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create link' }));

    expect(await within(dialog).findByTestId('share-url')).toHaveTextContent(`${window.location.origin}/shared/sh4r3`);
    expect(body).toEqual({ expires_in_days: 7, at: 'a2' });
    expect(within(dialog).getByRole('button', { name: 'Copy link' })).toBeInTheDocument();
    expect(within(dialog).getByText(/It works until/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('says so when the server has sharing turned off', async () => {
    server.routes.set(`POST /api/conversations/${ID}/share`, (_q, res) => json(res, 403, { error: { code: 'forbidden', message: 'Sharing is turned off on this server (ALLOW_SHARING=false).' } }));
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();
    await screen.findByText('Day one: the mountains');
    await user.click(screen.getByRole('button', { name: 'Share' }));
    await user.click(screen.getByRole('button', { name: 'Create link' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Sharing is turned off on this server (ALLOW_SHARING=false).');
    expect(screen.queryByTestId('share-url')).not.toBeInTheDocument();
  });
});

describe('Keyboard', () => {
  it('Ctrl+Shift+O starts a new chat, Ctrl+K goes to the search box; both are announced on their controls', async () => {
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();
    await screen.findByText('Day one: the mountains');
    expect(screen.getByRole('button', { name: 'New chat' })).toHaveAttribute('aria-keyshortcuts', 'Control+Shift+O Meta+Shift+O');
    expect(screen.getByText(/Ctrl\+Shift\+O new chat · Ctrl\+K search/)).toBeInTheDocument();

    await user.keyboard('{Control>}k{/Control}');
    expect(screen.getByRole('searchbox', { name: 'Search conversations' })).toHaveFocus();
    await user.keyboard('{Control>}{Shift>}O{/Shift}{/Control}');
    expect(await screen.findByRole('heading', { name: 'Ask anything' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('Your message')).toHaveFocus());
    await user.keyboard('{Meta>}k{/Meta}'); // Cmd on a Mac
    expect(screen.getByRole('searchbox', { name: 'Search conversations' })).toHaveFocus();
  });
});

describe('On a phone', () => {
  it('the history is a drawer: its button says whether it is open, focus goes in, Escape closes it', async () => {
    const before = window.matchMedia;
    window.matchMedia = vi.fn().mockImplementation((q: string) => ({ matches: q.includes('max-width'), media: q, addEventListener() {}, removeEventListener() {} }));
    onTestFinished(() => void (window.matchMedia = before));
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();
    await screen.findByText('Day one: the mountains');
    const toggle = screen.getByRole('button', { name: 'History' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(toggle).toHaveAttribute('aria-controls', 'chat-history');
    const drawer = screen.getByRole('complementary', { name: 'Conversations' });
    expect(drawer).toHaveAttribute('id', 'chat-history');

    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(within(drawer).getByRole('searchbox', { name: 'Search conversations' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(toggle).toHaveFocus();

    // Opening a conversation from the drawer closes it and goes to the message box.
    await user.click(toggle);
    await user.click(within(drawer).getByText('Recipes'));
    expect(await screen.findByText('Soup ideas')).toBeInTheDocument();
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await waitFor(() => expect(screen.getByLabelText('Your message')).toHaveFocus());

    // The close button in the drawer does the same as Escape.
    await user.click(toggle);
    await user.click(within(drawer).getByRole('button', { name: 'Close history' }));
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(toggle).toHaveFocus();

    // Tabbing out of it closes it too: focus never hides behind the drawer.
    await user.click(toggle);
    within(drawer).getByRole('button', { name: 'Delete conversation “Recipes”' }).focus();
    await user.tab();
    expect(toggle).toHaveFocus();
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
  });
});
