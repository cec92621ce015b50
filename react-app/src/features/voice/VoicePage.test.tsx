import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import { renderPage } from '../../test/render';
import { extensionFor, pickMimeType } from './recorder';
import VoicePage from './VoicePage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
});
afterAll(() => server.close());
afterEach(() => vi.unstubAllGlobals());

describe('Voice to Text', () => {
  it('picks the first mime type the browser records (Safari: mp4)', () => {
    expect(pickMimeType((t) => t.startsWith('audio/webm'))).toBe('audio/webm;codecs=opus');
    expect(pickMimeType((t) => t === 'audio/mp4')).toBe('audio/mp4');
    expect(pickMimeType(() => false)).toBeNull();
    expect(extensionFor('audio/mp4;codecs=mp4a.40.2')).toBe('m4a');
  });

  it('a browser without recording says so and offers the upload', async () => {
    vi.stubGlobal('MediaRecorder', undefined);
    renderPage(<VoicePage />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Start recording' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/cannot record audio|secure page/);
    expect(screen.getByText('Upload an audio file')).toBeInTheDocument();
  });

  it('a refused microphone gives a clear message', async () => {
    vi.stubGlobal('MediaRecorder', class {});
    Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
    Object.defineProperty(navigator, 'mediaDevices', {
      value: { getUserMedia: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) },
      configurable: true,
    });
    renderPage(<VoicePage />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Start recording' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Microphone access was refused.');
  });

  it('an uploaded file is transcribed, with its segments', async () => {
    server.routes.set('POST /api/voice/transcribe', (_q, res, body) => {
      expect(body).toContain('name="audio"; filename="memo.wav"');
      json(res, 200, { text: 'Hello world.', language: 'en', duration_seconds: 1.5, engine: 'local', segments: [{ start: 0, end: 1.5, text: 'Hello world.' }] });
    });
    const { container } = renderPage(<VoicePage />);
    const user = userEvent.setup();
    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    await user.upload(input, new File(['RIFF....WAVE'], 'memo.wav', { type: 'audio/wav' }));
    expect(await screen.findByText('Hello world.', { selector: '.transcript-text' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Segments' })).toHaveTextContent('0:00–0:01');
    expect(screen.getByRole('button', { name: /Send to chat/ })).toBeEnabled();
  });
});
