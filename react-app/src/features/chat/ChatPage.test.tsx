import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import { renderPage } from '../../test/render';
import ChatPage from './ChatPage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const sse = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(() => {
  server.routes.clear();
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [] }));
});

describe('Text to Text', () => {
  it('shows the reply as it streams, renders markdown, names the engine', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server.routes.set('POST /api/chat', async (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      sse(res, 'meta', { conversation_id: 'c'.repeat(32), engine: 'gemini', model: 'gemini-2.5-flash' });
      sse(res, 'delta', { text: 'Hello **bold** ' });
      await gate;
      sse(res, 'delta', { text: 'and `code`.' });
      sse(res, 'done', { message_id: 'm1', usage: {} });
      res.end();
    });
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Your message'), 'Hi there{Enter}');

    // The first piece is on screen while the stream is still open, with a Stop button.
    // (the markdown chunk loads lazily: the first render may take a moment)
    expect(await screen.findByText('bold', { selector: 'strong' }, { timeout: 8000 })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Stop' })).toBeInTheDocument();
    expect(screen.getByText('gemini · gemini-2.5-flash')).toBeInTheDocument();
    release();
    expect(await screen.findByText('code', { selector: 'code' })).toBeInTheDocument();
    await screen.findByRole('button', { name: 'Send' });
    expect(screen.getByText('Hi there')).toBeInTheDocument();
    expect(screen.queryByText('Incomplete')).not.toBeInTheDocument();
  });

  it('Stop cuts the reply and marks it incomplete', async () => {
    server.routes.set('POST /api/chat', async (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      sse(res, 'meta', { conversation_id: 'd'.repeat(32), engine: 'local', model: 'smollm2' });
      for (let i = 0; i < 200 && !res.destroyed; i++) {
        sse(res, 'delta', { text: `word${i} ` });
        await sleep(20);
      }
      res.end();
    });
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Your message'), 'Go on{Enter}');
    await screen.findByText(/word2/);
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(await screen.findByText('Incomplete')).toBeInTheDocument();
    expect(screen.getByText('Stopped.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
  });

  it('an error mid-stream shows the envelope’s message and keeps the partial reply', async () => {
    server.routes.set('POST /api/chat', (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      sse(res, 'meta', { conversation_id: 'e'.repeat(32), engine: 'gemini', model: 'm' });
      sse(res, 'delta', { text: 'Partial answer' });
      sse(res, 'error', { error: { code: 'upstream_timeout', message: 'Gemini did not answer within 60 seconds.' } });
      res.end();
    });
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Your message'), 'Question{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Gemini did not answer within 60 seconds.');
    expect(screen.getByText('Partial answer')).toBeInTheDocument();
    expect(screen.getByText('Incomplete')).toBeInTheDocument();
  });

  it('lists, opens and deletes conversations', async () => {
    const id = 'a'.repeat(32);
    let conversations = [{ id, title: 'Trip plans', updated_at: '2026-01-02T10:00:00Z', message_count: 2 }];
    server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations }));
    server.routes.set(`GET /api/conversations/${id}`, (_q, res) =>
      json(res, 200, {
        id,
        title: 'Trip plans',
        messages: [
          { id: '1', role: 'user', content: 'Plan a trip', created_at: '', status: 'complete' },
          { id: '2', role: 'assistant', content: 'Day one: the coast', created_at: '', status: 'incomplete', engine: 'gemini' },
        ],
      }),
    );
    server.routes.set(`DELETE /api/conversations/${id}`, (_q, res) => {
      conversations = [];
      res.writeHead(204).end();
    });
    const confirm = window.confirm;
    window.confirm = () => true;
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    const sidebar = await screen.findByRole('complementary', { name: 'Conversations' });
    await user.click(await within(sidebar).findByText('Trip plans'));
    expect(await screen.findByText('Day one: the coast')).toBeInTheDocument();
    expect(screen.getByText('Incomplete')).toBeInTheDocument(); // saved as cut short
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Trip plans');
    await user.click(screen.getByRole('button', { name: 'Delete conversation “Trip plans”' }));
    await waitFor(() => expect(within(sidebar).queryByText('Trip plans')).not.toBeInTheDocument());
    window.confirm = confirm;
  });

  it('when chat is unavailable, says why and how to enable it instead of failing on send', async () => {
    server.routes.set('GET /api/health', (_q, res) =>
      json(res, 200, { ...HEALTH_ALL, capabilities: { ...HEALTH_ALL.capabilities, chat: { available: false, engine: 'local', reason: 'The model file is missing.' } } }),
    );
    renderPage(<ChatPage />);
    expect(await screen.findByText('Chat is not available on this server.')).toBeInTheDocument();
    expect(screen.getByText('The model file is missing.')).toBeInTheDocument();
    expect(screen.getByLabelText('Your message')).toBeDisabled();
  });
});
