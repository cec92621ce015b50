import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sse } from '../../test/chatServer';
import { renderPage } from '../../test/render';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import type { ConversationSummary } from './api';
import ChatPage from './ChatPage';
import { highlight } from './Highlighted';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const id = (n: number) => String(n).padStart(32, '0');
const entry = (n: number, title: string, extra: Partial<ConversationSummary> = {}): ConversationSummary => ({ id: id(n), title, updated_at: `2026-01-0${9 - n}T10:00:00Z`, message_count: 2, ...extra });
const query = (url: string) => new URL(url, 'http://x').searchParams;
const listRequests = () => server.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/api/conversations?'));

beforeEach(() => {
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
});

const sidebar = () => screen.getByRole('complementary', { name: 'Conversations' });

describe('Search in the history', () => {
  it('finds conversations by their messages and highlights the words in the excerpt', async () => {
    server.routes.set('GET /api/conversations', (req, res) => {
      const q = query(req.url ?? '').get('q');
      if (q === 'sail moon')
        return json(res, 200, {
          conversations: [
            entry(1, 'Trip plans', { match: { field: 'message', text: '…then we sail to the moon and back.', ranges: [[9, 13], [21, 25]] } }),
            entry(2, 'Moon facts', { match: { field: 'title', text: 'Moon facts', ranges: [[0, 4]] } }),
          ],
          next_cursor: null,
        });
      if (q) return json(res, 200, { conversations: [], next_cursor: null });
      json(res, 200, { conversations: [entry(1, 'Trip plans'), entry(2, 'Moon facts'), entry(3, 'Recipes')], next_cursor: null });
    });
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    expect(await within(sidebar()).findByText('Recipes')).toBeInTheDocument();

    const box = screen.getByRole('searchbox', { name: 'Search conversations' });
    expect(box).toHaveAttribute('aria-keyshortcuts', 'Control+K Meta+K');
    await user.type(box, 'sail moon');
    expect(await within(sidebar()).findByRole('heading', { name: 'Search results' })).toBeInTheDocument();
    await waitFor(() => expect(within(sidebar()).queryByText('Recipes')).not.toBeInTheDocument());
    const marks = Array.from(sidebar().querySelectorAll('mark')).map((m) => m.textContent);
    expect(marks).toEqual(['sail', 'moon', 'Moon']);
    expect(within(sidebar()).getByText(/then we/)).toHaveTextContent('…then we sail to the moon and back.');
    expect(screen.getByText('2 conversations match “sail moon”.')).toBeInTheDocument();
    // One search when typing pauses, not one per key.
    expect(listRequests().map((r) => query(r.url).get('q')).filter(Boolean)).toEqual(['sail moon']);

    await user.type(box, ' zebra');
    expect(await within(sidebar()).findByText('No conversations match “sail moon zebra”.', { selector: 'p.muted' })).toBeInTheDocument();

    await user.keyboard('{Escape}'); // clears the search: the whole history again
    expect(box).toHaveValue('');
    expect(await within(sidebar()).findByText('Recipes')).toBeInTheDocument();
    expect(within(sidebar()).getByRole('heading', { name: 'History' })).toBeInTheDocument();
  });

  it('highlights by characters as the server counts them (an emoji is one), never as HTML', () => {
    const { container } = render(<p>{highlight('I 😀 like <b>moon</b>', [[12, 16], [100, 120]])}</p>);
    expect(container.querySelector('mark')).toHaveTextContent(/^moon$/);
    expect(container.querySelector('b')).toBeNull();
    expect(container).toHaveTextContent('I 😀 like <b>moon</b>');
  });
});

describe('Paging the history', () => {
  it('loads the next page with the cursor from "Load more"; focus moves to the first new conversation', async () => {
    server.routes.set('GET /api/conversations', (req, res) => {
      const cursor = query(req.url ?? '').get('cursor');
      if (cursor === 'page-2') return json(res, 200, { conversations: [entry(3, 'Third')], next_cursor: null });
      json(res, 200, { conversations: [entry(1, 'First'), entry(2, 'Second')], next_cursor: 'page-2' });
    });
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    expect(await within(sidebar()).findByText('Second')).toBeInTheDocument();
    expect(within(sidebar()).queryByText('Third')).not.toBeInTheDocument();
    expect(query(listRequests()[0].url).get('limit')).toBe('30');

    await user.click(within(sidebar()).getByRole('button', { name: 'Load more' }));
    expect(await within(sidebar()).findByText('Third')).toBeInTheDocument();
    expect(within(sidebar()).queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument(); // the last page
    expect(query(listRequests().at(-1)!.url).get('cursor')).toBe('page-2');
    await waitFor(() => expect(within(sidebar()).getByText('Third').closest('button')).toHaveFocus());
  });
});

describe('Refreshing the history', () => {
  it('a new conversation goes to the top; the older pages already loaded stay', async () => {
    let first = { conversations: [entry(1, 'First'), entry(2, 'Second')], next_cursor: 'page-2' };
    server.routes.set('GET /api/conversations', (req, res) =>
      query(req.url ?? '').get('cursor') === 'page-2' ? json(res, 200, { conversations: [entry(3, 'Third')], next_cursor: null }) : json(res, 200, first),
    );
    server.routes.set('POST /api/chat', (_q, res) => {
      first = { conversations: [{ ...entry(0, 'Brand new'), updated_at: '2026-01-10T10:00:00Z' }, entry(1, 'First')], next_cursor: 'page-2b' };
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      sse(res, 'meta', { conversation_id: id(0), engine: 'gemini', model: 'm', user_message_id: 'q1' });
      sse(res, 'delta', { text: 'Hello.' });
      sse(res, 'done', { message_id: 'a2', usage: {} });
      res.end();
    });
    server.routes.set(`GET /api/conversations/${id(0)}`, (_q, res) => json(res, 200, { id: id(0), title: 'Brand new', messages: [] }));
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    await user.click(await within(sidebar()).findByRole('button', { name: 'Load more' }));
    await within(sidebar()).findByText('Third');
    await user.type(screen.getByLabelText('Your message'), 'Hi{Enter}');
    await within(sidebar()).findByText('Brand new');
    const titles = () => Array.from(sidebar().querySelectorAll('.conversation-title')).map((t) => t.textContent);
    await waitFor(() => expect(titles()).toEqual(['Brand new', 'First', 'Second', 'Third']));
    expect(within(sidebar()).queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument(); // everything is loaded
  });
});

describe('Renaming', () => {
  it('in the sidebar: Enter saves, Escape cancels, focus goes back to the Rename button', async () => {
    let title = 'Trip plans';
    const patches: string[] = [];
    server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [entry(1, title)], next_cursor: null }));
    server.routes.set(`PATCH /api/conversations/${id(1)}`, (_q, res, body) => {
      title = JSON.parse(body).title;
      patches.push(title);
      json(res, 200, { id: id(1), title, updated_at: '2026-01-09T10:00:00Z' });
    });
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    await user.click(await within(sidebar()).findByRole('button', { name: 'Rename conversation “Trip plans”' }));
    let field = within(sidebar()).getByRole('textbox', { name: 'Conversation title' });
    expect(field).toHaveValue('Trip plans');
    expect(field).toHaveFocus();
    await user.clear(field);
    await user.type(field, 'Never mind{Escape}');
    expect(within(sidebar()).getByText('Trip plans')).toBeInTheDocument();
    expect(patches).toEqual([]);
    expect(within(sidebar()).getByRole('button', { name: 'Rename conversation “Trip plans”' })).toHaveFocus();

    await user.keyboard('{Enter}'); // the focused Rename button opens the field again
    field = within(sidebar()).getByRole('textbox', { name: 'Conversation title' });
    await user.clear(field);
    await user.type(field, 'Lisbon in May{Enter}');
    expect(await within(sidebar()).findByText('Lisbon in May')).toBeInTheDocument();
    expect(patches).toEqual(['Lisbon in May']);
    await waitFor(() => expect(within(sidebar()).getByRole('button', { name: 'Rename conversation “Lisbon in May”' })).toHaveFocus());
  });

  it('in the chat header, with the server’s message when it refuses', async () => {
    server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [entry(1, 'Trip plans')], next_cursor: null }));
    server.routes.set(`GET /api/conversations/${id(1)}`, (_q, res) => json(res, 200, { id: id(1), title: 'Trip plans', messages: [{ id: 'q1', role: 'user', content: 'Plan a trip', versions: ['q1'] }] }));
    let refuse = true;
    server.routes.set(`PATCH /api/conversations/${id(1)}`, (_q, res, body) =>
      refuse ? json(res, 400, { error: { code: 'invalid_request', message: 'title: at most 200 characters.' } }) : json(res, 200, { id: id(1), title: JSON.parse(body).title, updated_at: '2026-01-09T10:00:00Z' }),
    );
    renderPage(<ChatPage />, `/?c=${id(1)}`);
    const user = userEvent.setup();
    expect(await screen.findByRole('heading', { level: 1, name: 'Trip plans' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Rename conversation' }));
    const field = screen.getByRole('textbox', { name: 'Conversation title' });
    await user.clear(field);
    await user.type(field, 'Lisbon{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('title: at most 200 characters.');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    refuse = false;
    await user.type(field, ' in May{Enter}');
    expect(await screen.findByRole('heading', { level: 1, name: 'Lisbon in May' })).toBeInTheDocument();
    expect(within(sidebar()).getByText('Lisbon in May')).toBeInTheDocument();
  });
});

describe('The title the model writes', () => {
  it('appears in the sidebar and the header a few seconds after the first reply', async () => {
    const cid = id(7);
    let listed: ConversationSummary[] = [];
    server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: listed, next_cursor: null }));
    server.routes.set(`GET /api/conversations/${cid}`, (_q, res) => json(res, 200, { id: cid, title: listed[0]?.title ?? '', messages: [] }));
    server.routes.set('POST /api/chat', (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      sse(res, 'meta', { conversation_id: cid, engine: 'gemini', model: 'm', user_message_id: 'q1' });
      sse(res, 'delta', { text: 'Lisbon is lovely in May.' });
      listed = [{ id: cid, title: 'Plan a trip to Lisbon', updated_at: '2026-01-09T10:00:00Z', message_count: 2 }];
      sse(res, 'done', { message_id: 'a2', usage: {} });
      res.end();
      setTimeout(() => (listed = [{ ...listed[0], title: 'Lisbon trip in May' }]), 600); // the model's title, later
    });
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Your message'), 'Plan a trip to Lisbon{Enter}');
    expect(await within(sidebar()).findByText('Plan a trip to Lisbon')).toBeInTheDocument();
    expect(await screen.findByRole('heading', { level: 1, name: 'Lisbon trip in May' }, { timeout: 8000 })).toBeInTheDocument();
    expect(within(sidebar()).getByText('Lisbon trip in May')).toBeInTheDocument();
  });
});
