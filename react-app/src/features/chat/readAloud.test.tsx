import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeConversation } from '../../test/chatServer';
import { renderPage } from '../../test/render';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import ChatPage from './ChatPage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const ID = 'a1'.repeat(16);
const WAV = Buffer.from('RIFF\0\0\0\0WAVEfmt ');
const withSpeech = (speech: object) => ({ ...HEALTH_ALL, capabilities: { ...HEALTH_ALL.capabilities, speech } });
let played: HTMLMediaElement[];
let paused: number;
let playResult: () => Promise<void>;

beforeEach(() => {
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, withSpeech({ available: true, engine: 'gemini' })));
  const c = FakeConversation.with(ID, 'Poems', [['A poem please', 'Roses are **red**']]);
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [c.summary()], next_cursor: null }));
  c.serve(server);
  played = [];
  paused = 0;
  playResult = () => Promise.resolve();
  URL.createObjectURL = vi.fn(() => 'blob:speech');
  URL.revokeObjectURL = vi.fn();
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(function (this: HTMLMediaElement) {
    played.push(this);
    return playResult();
  });
  vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => void paused++);
});
afterEach(() => vi.restoreAllMocks());

async function openReply() {
  renderPage(<ChatPage />, `/?c=${ID}`);
  const user = userEvent.setup();
  const reply = (await screen.findByText('red', { selector: 'strong' }, { timeout: 8000 })).closest('article')!;
  return { user, reply: within(reply as HTMLElement) };
}

describe('Read aloud', () => {
  it('fetches the speech (POST, not <audio src>), plays the WAV from a Blob URL, Stop ends it, the end resets it', async () => {
    let body: unknown;
    server.routes.set('POST /api/speech', (_q, res, raw) => {
      body = JSON.parse(raw);
      res.writeHead(200, { 'Content-Type': 'audio/wav' });
      res.end(WAV);
    });
    const { user, reply } = await openReply();
    // Only replies have it.
    expect(within(screen.getByRole('article', { name: 'You said' })).queryByRole('button', { name: 'Read aloud' })).toBeNull();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    const stop = await reply.findByRole('button', { name: 'Stop reading aloud' });
    expect(body).toEqual({ text: 'Roses are **red**' });
    expect(URL.createObjectURL).toHaveBeenCalledTimes(1); // the WAV as a Blob
    expect(played).toHaveLength(1);
    expect(played[0].src).toBe('blob:speech');

    await user.click(stop);
    expect(await reply.findByRole('button', { name: 'Read aloud' })).toBeEnabled();
    expect(paused).toBeGreaterThan(0);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:speech');

    // Played to the end: back to "Read aloud".
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    await reply.findByRole('button', { name: 'Stop reading aloud' });
    played[1].dispatchEvent(new Event('ended'));
    expect(await reply.findByRole('button', { name: 'Read aloud' })).toBeInTheDocument();
  });

  it('shows the server’s message when the text is too long or the voice is busy', async () => {
    let status = 413;
    server.routes.set('POST /api/speech', (_q, res) =>
      status === 413
        ? json(res, 413, { error: { code: 'payload_too_large', message: 'The text is longer than 5000 characters.' } })
        : json(res, 503, { error: { code: 'engine_busy', message: 'The offline voice is busy. Try again in a moment.' } }),
    );
    const { user, reply } = await openReply();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    expect(await reply.findByRole('alert')).toHaveTextContent('The text is longer than 5000 characters.');
    status = 503;
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    await waitFor(() => expect(reply.getByRole('alert')).toHaveTextContent('The offline voice is busy. Try again in a moment.'));
    expect(played).toHaveLength(0);
  });

  it('says so when the browser refuses to play', async () => {
    server.routes.set('POST /api/speech', (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/wav' });
      res.end(WAV);
    });
    playResult = () => Promise.reject(new DOMException('no gesture', 'NotAllowedError'));
    const { user, reply } = await openReply();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    expect(await reply.findByRole('alert')).toHaveTextContent('The browser blocked the audio.');
    expect(reply.getByRole('button', { name: 'Read aloud' })).toBeEnabled();
  });

  it('is disabled, with the reason, when the server has no voice', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, withSpeech({ available: false, engine: 'local', reason: 'Piper is not installed.' })));
    const { reply } = await openReply();
    const button = reply.getByRole('button', { name: 'Read aloud' });
    await waitFor(() => expect(button).toBeDisabled());
    expect(button).toHaveAccessibleDescription('Reading aloud is not available: Piper is not installed.');
    expect(button).toHaveAttribute('title', 'Reading aloud is not available: Piper is not installed.');
  });
});
