import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeConversation } from '../../test/chatServer';
import { renderPage } from '../../test/render';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import ChatPage from './ChatPage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const ID = 'f'.repeat(32);
const MODELS = [
  { id: 'gemini-2.5-flash', engine: 'gemini', label: 'Gemini 2.5 Flash', default: true },
  { id: 'gemini-2.5-pro', engine: 'gemini', label: 'Gemini 2.5 Pro', default: false },
];
const LOCAL_MODELS = [
  { id: 'smollm2-135m', engine: 'local', label: 'smollm2-135m', default: true },
  { id: 'qwen2.5-7b', engine: 'local', label: 'qwen2.5-7b', default: false },
];
const localHealth = { ...HEALTH_ALL, capabilities: { ...HEALTH_ALL.capabilities, chat: { available: true, engine: 'local' } } };
let c: FakeConversation;

beforeEach(() => {
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
  server.routes.set('GET /api/models', (_q, res) => json(res, 200, { models: MODELS }));
  c = FakeConversation.with(ID, 'Trip plans', [['Plan a trip', 'Day one: the coast']]);
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [c.summary()], next_cursor: null }));
  c.serve(server);
});

const picker = () => screen.findByRole('combobox', { name: 'Model' });

describe('Model picker', () => {
  it('shows the default for a new chat and sends the model picked with the next message only', async () => {
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    const select = (await picker()) as HTMLSelectElement;
    expect(select.value).toBe('gemini-2.5-flash');
    expect([...select.options].map((o) => o.textContent)).toEqual(['Gemini 2.5 Flash (default)', 'Gemini 2.5 Pro']);
    // A native <select>: focusable with Tab, arrows change it (jsdom does not move it by arrows: the e2e does).
    expect(select.tagName).toBe('SELECT');
    await user.selectOptions(select, 'gemini-2.5-pro');
    expect(select.value).toBe('gemini-2.5-pro');

    await user.type(screen.getByLabelText('Your message'), 'Hello{Enter}');
    await screen.findByText(/^Reply 1/);
    await waitFor(() => expect(c.sent).toHaveLength(1));
    expect(c.sent[0]).toMatchObject({ message: 'Hello', model: 'gemini-2.5-pro' });
    expect(select.value).toBe('gemini-2.5-pro');

    // The conversation keeps it: the next message does not send it again.
    await screen.findByRole('button', { name: 'Send' });
    await user.type(screen.getByLabelText('Your message'), 'More{Enter}');
    await screen.findByText(/^Reply 2/);
    expect(c.sent[1]).not.toHaveProperty('model');
    expect((await picker()) as HTMLSelectElement).toHaveValue('gemini-2.5-pro');
  });

  it('shows the model a saved conversation keeps, and can go back to the default', async () => {
    c.model = 'gemini-2.5-pro';
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();
    await screen.findByText('Day one: the coast');
    const select = await picker();
    await waitFor(() => expect(select).toHaveValue('gemini-2.5-pro'));
    await user.selectOptions(select, 'gemini-2.5-flash');
    await user.type(screen.getByLabelText('Your message'), 'Again{Enter}');
    await screen.findByText(/^Reply 1/);
    expect(c.sent[0]).toMatchObject({ conversation_id: ID, model: 'gemini-2.5-flash' });
  });

  it('is hidden when the server offers one model, or none', async () => {
    server.routes.set('GET /api/models', (_q, res) => json(res, 200, { models: MODELS.slice(0, 1) }));
    renderPage(<ChatPage />);
    await waitFor(() => expect(server.requests.some((r) => r.url === '/api/models')).toBe(true));
    await screen.findByText('Ask anything');
    expect(screen.queryByRole('combobox', { name: 'Model' })).not.toBeInTheDocument();
  });
});

describe('Offline tiny model notice', () => {
  it('warns while the local engine answers with its default model, and names the settings', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, localHealth));
    server.routes.set('GET /api/models', (_q, res) => json(res, 200, { models: LOCAL_MODELS }));
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    const note = await screen.findByText(/Offline tiny model: answers are often wrong\. Connect Gemini, Ollama or a better GGUF/);
    for (const name of ['GEMINI_API_KEY', 'OPENAI_BASE_URL', 'LOCAL_LLM_MODEL']) expect(note).toHaveTextContent(name);
    expect(note.querySelector('a')).toBeNull();
    // A better model picked: the warning goes.
    await user.selectOptions(await picker(), 'qwen2.5-7b');
    expect(screen.queryByText(/Offline tiny model/)).not.toBeInTheDocument();
  });

  it('is not shown for another engine', async () => {
    renderPage(<ChatPage />);
    await picker();
    expect(screen.queryByText(/Offline tiny model/)).not.toBeInTheDocument();
  });
});
