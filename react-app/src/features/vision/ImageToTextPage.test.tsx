import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import { renderPage } from '../../test/render';
import ImageToTextPage from './ImageToTextPage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
});
afterAll(() => server.close());

describe('Image to Text', () => {
  it('uploads with the question and shows each page with its method and the analysis', async () => {
    server.routes.set('POST /api/upload', (_q, res, body) => {
      expect(body).toContain('name="prompt"\r\n\r\nWhat is the total?');
      expect(body).toContain('name="analyze"\r\n\r\ntrue');
      json(res, 200, {
        document: { filename: 'scan.pdf', mime_type: 'application/pdf', text: 'a\n\nb', pages: [{ number: 1, text: 'Invoice 42', method: 'text' }, { number: 2, text: 'Total: 10 EUR', method: 'ocr' }] },
        analysis: { text: 'The **total** is 10 EUR.', engine: 'gemini' },
      });
    });
    const { container } = renderPage(<ImageToTextPage />, '/image-to-text');
    const user = userEvent.setup();
    await user.upload(container.querySelector('input[type=file]') as HTMLInputElement, new File(['%PDF-1.4'], 'scan.pdf', { type: 'application/pdf' }));
    expect(screen.getByText('scan.pdf')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Question (optional)'), 'What is the total?');
    await user.click(screen.getByRole('button', { name: 'Extract text' }));
    expect(await screen.findByText('Total: 10 EUR')).toBeInTheDocument();
    expect(screen.getByText('Invoice 42')).toBeInTheDocument();
    expect(screen.getByText('OCR')).toBeInTheDocument();
    expect(screen.getByText('Text layer')).toBeInTheDocument();
    expect(await screen.findByText('total', { selector: 'strong' }, { timeout: 8000 })).toBeInTheDocument();
  });

  it('a refused file shows the envelope’s message', async () => {
    server.routes.set('POST /api/upload', (_q, res) => json(res, 415, { error: { code: 'unsupported_media_type', message: 'This file is not an image or a PDF (it looks like plain text).' } }));
    const { container } = renderPage(<ImageToTextPage />, '/image-to-text');
    const user = userEvent.setup();
    await user.upload(container.querySelector('input[type=file]') as HTMLInputElement, new File(['hello'], 'notes.png', { type: 'image/png' }));
    await user.click(screen.getByRole('button', { name: 'Extract text' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This file is not an image or a PDF (it looks like plain text).');
  });
});
