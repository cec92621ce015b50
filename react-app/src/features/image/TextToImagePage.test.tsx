import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import { renderPage } from '../../test/render';
import TextToImagePage from './TextToImagePage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => server.routes.clear());

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('Text to Image', () => {
  it('offline: explains what to configure and disables the form', async () => {
    server.routes.set('GET /api/health', (_q, res) =>
      json(res, 200, { ...HEALTH_ALL, capabilities: { ...HEALTH_ALL.capabilities, image_generation: { available: false, engine: 'gemini', reason: 'Image generation needs GEMINI_API_KEY.' } } }),
    );
    renderPage(<TextToImagePage />);
    expect(await screen.findByText('Image generation is not available on this server.')).toBeInTheDocument();
    expect(screen.getByText('Image generation needs GEMINI_API_KEY.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Generate/ })).toBeDisabled();
  });

  it('sends the prompt and ratio, shows the image with a download button', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
    server.routes.set('POST /api/image/generate', (_q, res) => json(res, 200, { images: [{ mime_type: 'image/png', data: PNG }], engine: 'gemini' }));
    renderPage(<TextToImagePage />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Prompt'), 'A red fox');
    await user.click(screen.getByLabelText('16:9'));
    await user.click(screen.getByRole('button', { name: /Generate/ }));
    const img = await screen.findByRole('img', { name: 'Generated image 1 for: A red fox' });
    expect(img).toHaveAttribute('src', `data:image/png;base64,${PNG}`);
    expect(screen.getByRole('button', { name: /Download image/ })).toBeInTheDocument();
    expect(JSON.parse(server.requests.at(-1)!.body)).toEqual({ prompt: 'A red fox', aspect_ratio: '16:9' });
  });

  it('a refusal shows the envelope’s message', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
    server.routes.set('POST /api/image/generate', (_q, res) => json(res, 422, { error: { code: 'content_blocked', message: 'The model refused this prompt (SAFETY).' } }));
    renderPage(<TextToImagePage />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Prompt'), 'something');
    await user.click(screen.getByRole('button', { name: /Generate/ }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The model refused this prompt (SAFETY).');
  });
});
