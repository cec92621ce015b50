import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ServerResponse } from 'node:http';
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
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

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

// ---- Streaming: a browser with Web Audio plays the WAV while it arrives ----

/** What the server streams first: assistant/audio/wav.py's header for an unknown length (16-bit mono). */
function streamHeader(rate: number): Buffer {
  const b = Buffer.alloc(44);
  b.write('RIFF', 0);
  b.writeUInt32LE(0xffffffff, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(0xffffffff, 40);
  return b;
}
const samples = (n: number, from = 0) => Array.from({ length: n }, (_, i) => (((from + i) * 7919) % 65536) - 32768);
const pcm = (v: number[]) => {
  const b = Buffer.alloc(v.length * 2);
  v.forEach((x, i) => b.writeInt16LE(x, i * 2));
  return b;
};

/** The parts of Web Audio that ReadAloud uses, recording what would be heard and when. */
class FakeSource {
  buffer: FakeBuffer | null = null;
  at: number | null = null;
  stopped = false;
  onended: (() => void) | null = null;
  connect() {}
  disconnect() {}
  start(at = 0) {
    this.at = at;
  }
  stop() {
    this.stopped = true;
  }
  /** The 16-bit values it plays. */
  heard = () => Array.from(this.buffer!.data[0], (x) => Math.round(x * 32768));
}
class FakeBuffer {
  data: Float32Array[];
  constructor(
    channels: number,
    public length: number,
    public sampleRate: number,
  ) {
    this.data = Array.from({ length: channels }, () => new Float32Array(length));
  }
  get duration() {
    return this.length / this.sampleRate;
  }
  getChannelData(c: number) {
    return this.data[c];
  }
}
let contexts: FakeAudioContext[];
class FakeAudioContext {
  static startState: AudioContextState = 'running';
  state: AudioContextState = FakeAudioContext.startState;
  currentTime = 3;
  destination = {};
  sources: FakeSource[] = [];
  constructor() {
    contexts.push(this);
  }
  createBuffer(channels: number, length: number, rate: number) {
    return new FakeBuffer(channels, length, rate);
  }
  createBufferSource() {
    const s = new FakeSource();
    this.sources.push(s);
    return s;
  }
  resume() {
    return new Promise<void>(() => undefined); // a browser that will not start it
  }
  close() {
    this.state = 'closed';
    return Promise.resolve();
  }
  /** Sources given a start time, i.e. scheduled to sound. */
  get started() {
    return this.sources.filter((s) => s.at !== null);
  }
}

/** POST /api/speech answering 200 audio/wav and leaving the body open for the test to write. */
function streamingSpeech() {
  const responses: { res: ServerResponse; closed: boolean }[] = [];
  server.routes.set('POST /api/speech', (_q, res) => {
    const r = { res, closed: false };
    responses.push(r);
    res.on('close', () => (r.closed = true));
    res.writeHead(200, { 'Content-Type': 'audio/wav' });
    res.flushHeaders();
  });
  return responses;
}

describe('Read aloud while the audio streams (Web Audio)', () => {
  beforeEach(() => {
    contexts = [];
    FakeAudioContext.startState = 'running';
    vi.stubGlobal('AudioContext', FakeAudioContext);
  });

  it('plays the first sentence before the rest has arrived, back to back, without losing a byte between chunks', async () => {
    const responses = streamingSpeech();
    const { user, reply } = await openReply();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    expect(contexts).toHaveLength(1); // made on the click
    await waitFor(() => expect(responses).toHaveLength(1));
    const { res } = responses[0];

    // Only the header so far: honestly still preparing, nothing plays.
    res.write(streamHeader(24000));
    const preparing = await reply.findByRole('button', { name: 'Stop reading aloud (preparing the audio)' });
    expect(preparing).toHaveTextContent('Preparing…');
    const ctx = contexts[0];
    expect(ctx.started).toHaveLength(0);

    // The first sentence, cut in the middle of a sample: what is whole plays now, while the body is still open.
    const first = samples(2400); // 0.1 s
    const second = samples(4800, 2400);
    const body = pcm([...first, ...second]);
    res.write(body.subarray(0, 4801));
    await reply.findByRole('button', { name: 'Stop reading aloud' });
    expect(ctx.started).toHaveLength(1);
    expect(ctx.started[0].heard()).toEqual(first);
    expect(ctx.started[0].buffer!.sampleRate).toBe(24000);
    expect(res.writableEnded).toBe(false);

    // The next sentence starts where the first ends; the odd byte carried over makes its first sample whole.
    res.write(body.subarray(4801));
    await waitFor(() => expect(ctx.started).toHaveLength(2));
    expect(ctx.started[1].heard()).toEqual(second);
    expect(ctx.started[1].at).toBeCloseTo(ctx.started[0].at! + 0.1, 6);

    // The stream ends; once both have played, back to "Read aloud" and the context is closed.
    res.end();
    await new Promise((ok) => setTimeout(ok, 50));
    expect(reply.getByRole('button', { name: 'Stop reading aloud' })).toBeInTheDocument(); // still sounding
    act(() => ctx.started[0].onended?.());
    expect(reply.getByRole('button', { name: 'Stop reading aloud' })).toBeInTheDocument();
    act(() => ctx.started[1].onended?.());
    expect(await reply.findByRole('button', { name: 'Read aloud' })).toBeEnabled();
    expect(ctx.state).toBe('closed');
    expect(played).toHaveLength(0); // no <audio> element
  });

  it('Stop silences what is scheduled, closes the context and ends the download', async () => {
    const responses = streamingSpeech();
    const { user, reply } = await openReply();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    await waitFor(() => expect(responses).toHaveLength(1));
    const r = responses[0];
    r.res.write(Buffer.concat([streamHeader(22050), pcm(samples(2205))]));
    const stop = await reply.findByRole('button', { name: 'Stop reading aloud' });
    const ctx = contexts[0];
    expect(ctx.started).toHaveLength(1);

    await user.click(stop);
    expect(await reply.findByRole('button', { name: 'Read aloud' })).toBeEnabled();
    expect(ctx.started[0].stopped).toBe(true);
    expect(ctx.state).toBe('closed');
    await waitFor(() => expect(r.closed).toBe(true)); // the server stops speaking too
  });

  it('Stop while preparing, and one reading at a time: starting another reply stops the first', async () => {
    const c = FakeConversation.with(ID, 'Poems', [
      ['A poem please', 'Roses are **red**'],
      ['Another', 'Violets are **blue**'],
    ]);
    server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [c.summary()], next_cursor: null }));
    c.serve(server);
    const responses = streamingSpeech();
    const { user, reply: first } = await openReply();
    const second = within((await screen.findByText('blue', { selector: 'strong' })).closest('article') as HTMLElement);

    await user.click(first.getByRole('button', { name: 'Read aloud' }));
    await user.click(await first.findByRole('button', { name: 'Stop reading aloud (preparing the audio)' }));
    expect(await first.findByRole('button', { name: 'Read aloud' })).toBeEnabled();
    expect(contexts[0].state).toBe('closed');

    await user.click(first.getByRole('button', { name: 'Read aloud' }));
    await waitFor(() => expect(responses).toHaveLength(2));
    responses[1].res.write(Buffer.concat([streamHeader(24000), pcm(samples(240))]));
    await first.findByRole('button', { name: 'Stop reading aloud' });

    await user.click(second.getByRole('button', { name: 'Read aloud' }));
    expect(await first.findByRole('button', { name: 'Read aloud' })).toBeEnabled();
    expect(contexts[1].started[0].stopped).toBe(true);
    expect(contexts[1].state).toBe('closed');
    expect(second.getByRole('button', { name: /^Stop reading aloud/ })).toBeInTheDocument();
    await waitFor(() => expect(responses).toHaveLength(3));
    expect(JSON.parse(server.requests.filter((q) => q.url === '/api/speech').at(-1)!.body)).toEqual({ text: 'Violets are **blue**' });
  });

  it('shows the server’s message for a 413 or 503, and closes the context', async () => {
    let status = 413;
    server.routes.set('POST /api/speech', (_q, res) =>
      status === 413
        ? json(res, 413, { error: { code: 'payload_too_large', message: 'The text is longer than 5000 characters.' } })
        : json(res, 503, { error: { code: 'engine_busy', message: 'The offline voice is busy. Try again in a moment.' } }, { 'Retry-After': '5' }),
    );
    const { user, reply } = await openReply();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    expect(await reply.findByRole('alert')).toHaveTextContent('The text is longer than 5000 characters.');
    expect(reply.getByRole('button', { name: 'Read aloud' })).toBeEnabled();
    status = 503;
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    await waitFor(() => expect(reply.getByRole('alert')).toHaveTextContent('The offline voice is busy. Try again in a moment.'));
    expect(contexts.map((c) => c.state)).toEqual(['closed', 'closed']);
    expect(contexts.flatMap((c) => c.sources)).toHaveLength(0);
    expect(played).toHaveLength(0);
  });

  it('plays other audio (Ogg) from a Blob URL as before', async () => {
    server.routes.set('POST /api/speech', (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'audio/ogg' });
      res.end(Buffer.from('OggS\0\0\0\0'));
    });
    const { user, reply } = await openReply();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    await reply.findByRole('button', { name: 'Stop reading aloud' });
    expect(played).toHaveLength(1);
    expect(played[0].src).toBe('blob:speech');
    expect(contexts[0].state).toBe('closed');
    await user.click(reply.getByRole('button', { name: 'Stop reading aloud' }));
    expect(paused).toBeGreaterThan(0);
  });

  it('keeps playing what arrived when the connection drops, and says so', async () => {
    const responses = streamingSpeech();
    const { user, reply } = await openReply();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    await waitFor(() => expect(responses).toHaveLength(1));
    responses[0].res.write(Buffer.concat([streamHeader(24000), pcm(samples(2400))]));
    await reply.findByRole('button', { name: 'Stop reading aloud' });
    responses[0].res.destroy();
    expect(await reply.findByRole('alert')).toHaveTextContent('The connection was lost while the audio was streaming.');
    const ctx = contexts[0];
    expect(ctx.started[0].stopped).toBe(false);
    act(() => ctx.started[0].onended?.());
    expect(await reply.findByRole('button', { name: 'Read aloud' })).toBeEnabled();
    expect(ctx.state).toBe('closed');
  });

  it('says so when the browser keeps the audio from starting', async () => {
    FakeAudioContext.startState = 'suspended';
    const responses = streamingSpeech();
    const { user, reply } = await openReply();
    await user.click(reply.getByRole('button', { name: 'Read aloud' }));
    await waitFor(() => expect(responses).toHaveLength(1));
    responses[0].res.write(Buffer.concat([streamHeader(24000), pcm(samples(2400))]));
    expect(await reply.findByRole('alert')).toHaveTextContent('The browser blocked the audio. Click Read aloud again.');
    expect(reply.getByRole('button', { name: 'Read aloud' })).toBeEnabled();
    expect(contexts[0].state).toBe('closed');
  });
});
