import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setToken } from '../../lib/auth';
import { renderPage } from '../../test/render';
import { HEALTH_ALL, json, startServer, type TestServer } from '../../test/server';
import ImageToTextPage from '../vision/ImageToTextPage';
import { findQuote } from './AttachmentViewer';
import ChatPage from './ChatPage';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const sse = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
const CID = 'c'.repeat(32);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

/** An attachment as the API describes it. */
const described = (id: string, filename: string, mime_type: string, size: number, status: string, extra: object = {}) => ({
  id,
  filename,
  mime_type,
  size,
  status,
  pages: mime_type === 'application/pdf' ? 3 : null,
  duration_seconds: null,
  error: null,
  conversation_id: null,
  created_at: '2026-12-02T10:00:00Z',
  ...extra,
});

/** The file name in a multipart body. */
const filenameIn = (body: string) => /filename="([^"]+)"/.exec(body)?.[1] ?? '';

let chatBodies: Record<string, unknown>[];
let contentAuth: (string | undefined)[];

beforeEach(() => {
  setToken('session-token');
  chatBodies = [];
  contentAuth = [];
  server.routes.clear();
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [] }));
  server.routes.set('POST /api/chat', (_q, res, raw) => {
    chatBodies.push(JSON.parse(raw));
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    sse(res, 'meta', { conversation_id: CID, engine: 'gemini', model: 'test-model', user_message_id: 'q1' });
    sse(res, 'delta', { text: 'Revenue grew 12 percent.' });
    sse(res, 'done', { message_id: 'a1', usage: {}, citations: [{ attachment_id: 'att-pdf', filename: 'report.pdf', page: 2, quote: 'Revenue grew 12 percent in the third quarter.' }] });
    res.end();
  });
  // After the reply the chat reads the conversation again: answer as the API keeps it.
  server.routes.set(`GET /api/conversations/${CID}`, (_q, res) => json(res, 200, savedConversation()));
  server.routes.set('GET /api/attachments/att-img/content', (req, res) => {
    contentAuth.push(req.headers.authorization);
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(Buffer.from(PNG));
  });
  server.routes.set('GET /api/attachments/att-pdf', (_q, res) =>
    json(res, 200, {
      attachment: {
        ...described('att-pdf', 'report.pdf', 'application/pdf', 2048, 'ready'),
        text: [
          { number: 1, text: 'Quarterly report', method: 'text' },
          { number: 2, text: 'Costs were flat.\nRevenue grew 12 percent in the third quarter.\nOutlook: steady.', method: 'text' },
          { number: 3, text: '', method: 'ocr' },
        ],
      },
    }),
  );
  URL.createObjectURL = vi.fn(() => 'blob:thumbnail');
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => setToken(null));

function savedConversation() {
  return {
    id: CID,
    title: 'Report questions',
    messages: [
      {
        id: 'q1',
        role: 'user',
        content: 'What grew?',
        created_at: '',
        status: 'complete',
        attachments: [
          { id: 'att-pdf', filename: 'report.pdf', mime_type: 'application/pdf' },
          { id: 'att-img', filename: 'chart.png', mime_type: 'image/png' },
        ],
        citations: [],
      },
      {
        id: 'a1',
        role: 'assistant',
        content: 'Revenue grew 12 percent.',
        created_at: '',
        status: 'complete',
        engine: 'gemini',
        attachments: [],
        citations: [{ attachment_id: 'att-pdf', filename: 'report.pdf', page: 2, quote: 'Revenue grew 12 percent in the third quarter.' }],
      },
    ],
  };
}

const fileInput = () => screen.getByLabelText('Attach files') as HTMLInputElement;
const chipList = () => screen.getByRole('list', { name: 'Files to send' });
const chipOf = (name: string) => within(chipList()).getByText(name).closest('li') as HTMLElement;

describe('Chat with files: the composer', () => {
  it('attach by the button: each file is a chip with its size and progress; a PDF is read in the background; the message goes with both', async () => {
    let polls = 0;
    server.routes.set('POST /api/attachments', (_q, res, body) => {
      const name = filenameIn(body);
      if (name === 'report.pdf') json(res, 201, { attachment: described('att-pdf', name, 'application/pdf', 2048, 'processing') });
      else json(res, 201, { attachment: described('att-img', name, 'image/png', PNG.length, 'ready') });
    });
    // The PDF is still being read at the first look, ready at the second.
    server.routes.set('GET /api/attachments/att-pdf', (_q, res) =>
      json(res, 200, { attachment: { ...described('att-pdf', 'report.pdf', 'application/pdf', 2048, ++polls < 2 ? 'processing' : 'ready'), text: [] } }),
    );
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    await user.upload(fileInput(), [new File(['%PDF-1.4 '.repeat(228)], 'report.pdf', { type: 'application/pdf' }), new File([PNG], 'chart.png', { type: 'image/png' })]);

    expect(within(chipOf('report.pdf')).getByText(/^2\.0 KB · /)).toBeInTheDocument();
    expect(within(chipOf('chart.png')).getByText(/^12 B · /)).toBeInTheDocument();
    await waitFor(() => expect(within(chipOf('report.pdf')).getByText(/Reading…/)).toBeInTheDocument());
    expect(within(chipOf('report.pdf')).getByRole('progressbar', { name: 'Reading report.pdf' })).toBeInTheDocument();
    expect(await within(chipOf('report.pdf')).findByText('2.0 KB · Ready · 3 pages', {}, { timeout: 5000 })).toBeInTheDocument();
    expect(within(chipOf('chart.png')).getByText('12 B · Ready')).toBeInTheDocument();
    expect(screen.getByTestId('attachments-status')).toHaveTextContent('report.pdf is ready.');
    expect(screen.getByRole('button', { name: 'Remove report.pdf' })).toBeInTheDocument();

    await user.type(screen.getByLabelText('Your message'), 'What grew?{Enter}');
    await screen.findByText('Revenue grew 12 percent.');
    expect(chatBodies[0]).toMatchObject({ message: 'What grew?', attachments: ['att-pdf', 'att-img'] });
    // The composer is empty again; the question shows its files, the picture fetched with the session.
    expect(screen.queryByRole('list', { name: 'Files to send' })).not.toBeInTheDocument();
    const question = screen.getByRole('article', { name: 'You said' });
    const sent = within(question).getByRole('list', { name: 'Attached files' });
    expect(within(sent).getByRole('button', { name: 'PDF report.pdf' })).toBeInTheDocument();
    expect(await within(sent).findByRole('img', { name: 'chart.png' })).toHaveAttribute('src', 'blob:thumbnail');
    expect(contentAuth).toContain('Bearer session-token');
    // The reply names its source.
    expect(await screen.findByRole('button', { name: 'report.pdf, page 2' })).toBeInTheDocument();
  });

  it('files sent without a question ask for a summary', async () => {
    server.routes.set('POST /api/attachments', (_q, res, body) =>
      json(res, 201, { attachment: described('att-img', filenameIn(body), 'image/png', PNG.length, 'ready') }));
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    await user.upload(fileInput(), [new File([PNG], 'chart.png', { type: 'image/png' })]);
    await waitFor(() => expect(within(chipOf('chart.png')).getByText('12 B · Ready')).toBeInTheDocument());
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByText('Revenue grew 12 percent.');
    expect(chatBodies[0]).toMatchObject({ message: 'Summarise the attached file(s).', attachments: ['att-img'] });
  });

  it('a pasted screenshot becomes a chip; pasted text stays text', async () => {
    const names: string[] = [];
    server.routes.set('POST /api/attachments', (_q, res, body) => {
      names.push(filenameIn(body));
      // A screenshot without words in it: nothing to read, but still a picture the model sees.
      json(res, 201, { attachment: described('att-img', filenameIn(body), 'image/png', PNG.length, 'empty') });
    });
    renderPage(<ChatPage />);
    const box = screen.getByLabelText('Your message');
    const shot = new File([PNG], 'image.png', { type: 'image/png' });
    fireEvent.paste(box, { clipboardData: { files: [shot], types: ['Files'], getData: () => '' } });
    const chip = await screen.findByText(/^Pasted image .*\.png$/);
    await waitFor(() => expect(chip.closest('li')).toHaveTextContent('12 B · Ready · no text in it'));
    expect(chip.closest('li')).not.toHaveTextContent('cannot answer');
    expect(names[0]).toMatch(/^Pasted image .*\.png$/);
    // A paste with text in it is left to the text box.
    fireEvent.paste(box, { clipboardData: { files: [shot], types: ['text/plain', 'Files'], getData: (t: string) => (t === 'text/plain' ? 'hello' : '') } });
    await new Promise((r) => setTimeout(r, 100));
    expect(within(chipList()).getAllByRole('listitem')).toHaveLength(1);
  });

  it('dropping files on the chat attaches them, with a hint while dragging', async () => {
    server.routes.set('POST /api/attachments', (_q, res, body) => json(res, 201, { attachment: described('att-pdf', filenameIn(body), 'application/pdf', 9, 'ready') }));
    renderPage(<ChatPage />);
    await screen.findByLabelText('Your message');
    const area = document.querySelector('.chat-main') as HTMLElement; // the whole chat takes drops
    const file = new File(['%PDF-1.4 '], 'dropped.pdf', { type: 'application/pdf' });
    const dataTransfer = { files: [file], types: ['Files'], dropEffect: 'none' };
    fireEvent.dragEnter(area, { dataTransfer });
    expect(screen.getByText('Drop files to attach them to your message')).toBeInTheDocument();
    fireEvent.dragOver(area, { dataTransfer });
    fireEvent.drop(area, { dataTransfer });
    expect(screen.queryByText('Drop files to attach them to your message')).not.toBeInTheDocument();
    expect(await within(chipList()).findByText('dropped.pdf')).toBeInTheDocument();
    await waitFor(() => expect(chipOf('dropped.pdf')).toHaveTextContent('Ready'));
    expect(screen.getByLabelText('Your message')).toHaveFocus();
  });

  it('each refusal shows the API’s message on its chip; a document without text says so; Remove moves focus on; Send waits for files being read', async () => {
    let release!: () => void;
    const reading = new Promise<void>((r) => (release = r));
    server.routes.set('POST /api/attachments', (_q, res, body) => {
      const name = filenameIn(body);
      if (name === 'notes.exe') return json(res, 415, { error: { code: 'unsupported_media_type', message: 'This file is not an image, a PDF, audio or text (it looks like a program).' } });
      if (name === 'locked.pdf') return json(res, 422, { error: { code: 'unprocessable_file', message: 'This PDF is encrypted: remove the password and attach it again.' } });
      if (name === 'huge.pdf') return json(res, 413, { error: { code: 'payload_too_large', message: 'Your files use 98 MB of 100 MB: delete some attachments first.' } });
      if (name === 'scan.pdf') return json(res, 201, { attachment: described('att-scan', name, 'application/pdf', 5, 'empty', { error: 'No text could be read from scan.pdf (it has no text layer and OCR found nothing).' }) });
      json(res, 201, { attachment: described('att-slow', name, 'application/pdf', 5, 'processing') });
    });
    server.routes.set('GET /api/attachments/att-slow', async (_q, res) => {
      await reading;
      json(res, 200, { attachment: { ...described('att-slow', 'slow.pdf', 'application/pdf', 5, 'ready'), text: [] } });
    });
    server.routes.set('DELETE /api/attachments/att-scan', (_q, res) => void res.writeHead(204).end());
    renderPage(<ChatPage />);
    const user = userEvent.setup({ applyAccept: false });
    const files = ['notes.exe', 'locked.pdf', 'huge.pdf', 'scan.pdf'].map((n) => new File(['xxxxx'], n, { type: 'application/octet-stream' }));
    await user.upload(fileInput(), files);

    await waitFor(() => expect(screen.getAllByRole('alert')).toHaveLength(3));
    const texts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(texts).toContain('notes.exe: This file is not an image, a PDF, audio or text (it looks like a program).');
    expect(texts).toContain('locked.pdf: This PDF is encrypted: remove the password and attach it again.');
    expect(texts).toContain('huge.pdf: Your files use 98 MB of 100 MB: delete some attachments first.');
    expect(await within(chipOf('scan.pdf')).findByText('No text could be read from scan.pdf (it has no text layer and OCR found nothing).')).toBeInTheDocument();

    // A failed file must go before sending: the message stays.
    await user.type(screen.getByLabelText('Your message'), 'Summarise these{Enter}');
    expect(await screen.findByText('3 files could not be attached: remove them before sending.')).toBeInTheDocument();
    expect(screen.getByLabelText('Your message')).toHaveValue('Summarise these');
    expect(chatBodies).toHaveLength(0);

    // Removing puts focus on the next chip's Remove button; the last one back in the message box.
    await user.click(screen.getByRole('button', { name: 'Remove notes.exe' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Remove locked.pdf' })).toHaveFocus());
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Remove huge.pdf' })).toHaveFocus());
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Remove scan.pdf' })).toHaveFocus());
    expect(screen.getByTestId('attachments-status')).toHaveTextContent('huge.pdf removed.');

    // A file still being read: Send waits for it, then the message goes with it.
    await user.upload(fileInput(), new File(['xxxxx'], 'slow.pdf', { type: 'application/pdf' }));
    await within(chipOf('slow.pdf')).findByText(/Reading…/);
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('Waiting for the files to be read: your message goes as soon as they are ready.')).toBeInTheDocument();
    expect(chatBodies).toHaveLength(0);
    await act(async () => release());
    await screen.findByText('Revenue grew 12 percent.');
    expect(chatBodies[0]).toMatchObject({ message: 'Summarise these', attachments: ['att-scan', 'att-slow'] });
  });
});

describe('Chat with files: a refused message', () => {
  it('when the API refuses the message, its files and words come back to the composer', async () => {
    server.routes.set('POST /api/attachments', (_q, res, body) => json(res, 201, { attachment: described('att-pdf', filenameIn(body), 'application/pdf', 9, 'ready') }));
    server.routes.set('POST /api/chat', (_q, res) => json(res, 409, { error: { code: 'conflict', message: 'report.pdf is still being read: send the message again in a moment.' } }));
    renderPage(<ChatPage />);
    const user = userEvent.setup();
    await user.upload(fileInput(), new File(['%PDF-1.4 '], 'report.pdf', { type: 'application/pdf' }));
    await waitFor(() => expect(chipOf('report.pdf')).toHaveTextContent('Ready'));
    await user.type(screen.getByLabelText('Your message'), 'What grew?{Enter}');
    expect(await screen.findByText('report.pdf is still being read: send the message again in a moment.', { selector: '[role=alert] span' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('Your message')).toHaveValue('What grew?'));
    expect(chipOf('report.pdf')).toHaveTextContent('Ready');
  });
});

describe('Chat with files: citations and history', () => {
  it('a citation chip opens the cited page with the quote highlighted; Escape closes it and focus returns to the chip', async () => {
    renderPage(<ChatPage />, `/?c=${CID}`);
    const user = userEvent.setup();
    const chip = await screen.findByRole('button', { name: 'report.pdf, page 2' });
    await user.click(chip);
    const dialog = await screen.findByRole('dialog', { name: 'report.pdf · page 2' });
    const mark = await within(dialog).findByText('Revenue grew 12 percent in the third quarter.', { selector: 'mark' });
    expect(mark).toBeInTheDocument();
    expect(within(dialog).getByRole('region', { name: 'Text of page 2' })).toHaveTextContent('Costs were flat.');
    expect(within(dialog).queryByText('Quarterly report')).not.toBeInTheDocument(); // only the cited page
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByRole('button', { name: 'report.pdf, page 2' })).toHaveFocus());
  });

  it('after a reload the question shows its files (a thumbnail for the picture) and a document opens with every page', async () => {
    renderPage(<ChatPage />, `/?c=${CID}`);
    const user = userEvent.setup();
    const question = await screen.findByRole('article', { name: 'You said' });
    expect(await within(question).findByRole('img', { name: 'chart.png' })).toHaveAttribute('src', 'blob:thumbnail');
    await user.click(within(question).getByRole('button', { name: 'PDF report.pdf' }));
    const dialog = await screen.findByRole('dialog', { name: 'report.pdf' });
    expect(await within(dialog).findByText('Quarterly report')).toBeInTheDocument();
    expect(within(dialog).getByRole('heading', { name: 'Page 3' })).toBeInTheDocument();
    expect(within(dialog).getByText('No text found on this page.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(within(question).getByRole('button', { name: 'PDF report.pdf' })).toHaveFocus());
  });

  it('a page that cannot be loaded says why in the dialog', async () => {
    server.routes.set('GET /api/attachments/att-pdf', (_q, res) => json(res, 404, { error: { code: 'not_found', message: 'No such attachment.' } }));
    renderPage(<ChatPage />, `/?c=${CID}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'report.pdf, page 2' }));
    const dialog = await screen.findByRole('dialog', { name: 'report.pdf · page 2' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('No such attachment.');
  });

  it('finds a quote however the model spaced, cased or shortened it', () => {
    const text = 'Costs were flat.\nRevenue grew 12 percent\nin the third quarter.';
    expect(findQuote(text, 'Costs were flat.')).toEqual([0, 16]);
    const [a, b] = findQuote(text, '“revenue grew 12 percent in the third quarter.”')!;
    expect(text.slice(a, b)).toBe('Revenue grew 12 percent\nin the third quarter.');
    const [c, d] = findQuote(text, 'Revenue grew 12 percent in the third quarter, said the board…')!;
    expect(text.slice(c, d)).toBe('Revenue grew 12 percent\nin the third');
    expect(findQuote(text, 'Nothing like this')).toBeNull();
  });
});

describe('Image to Text: Ask about this in chat', () => {
  it('takes the analysed file and the question into a new chat as an attachment', async () => {
    const uploads: string[] = [];
    server.routes.set('POST /api/upload', (_q, res) =>
      json(res, 200, { document: { filename: 'invoice.png', mime_type: 'image/png', text: 'Total 10', pages: [{ number: 1, text: 'Total 10', method: 'ocr' }] }, analysis: { text: 'An invoice.', engine: 'gemini' } }),
    );
    server.routes.set('POST /api/attachments', (_q, res, body) => {
      uploads.push(filenameIn(body));
      json(res, 201, { attachment: described('att-img', filenameIn(body), 'image/png', PNG.length, 'ready') });
    });
    const { container } = renderPage(<ImageToTextPage />, '/image-to-text', { '/': <ChatPage /> });
    const user = userEvent.setup();
    await user.upload(container.querySelector('input[type=file]') as HTMLInputElement, new File([PNG], 'invoice.png', { type: 'image/png' }));
    await user.type(screen.getByLabelText('Question (optional)'), 'What is the total?');
    await user.click(screen.getByRole('button', { name: 'Extract text' }));
    await user.click(await screen.findByRole('button', { name: 'Ask about this in chat' }));
    expect(await within(await screen.findByRole('list', { name: 'Files to send' })).findByText('invoice.png')).toBeInTheDocument();
    await waitFor(() => expect(chipOf('invoice.png')).toHaveTextContent('Ready'));
    expect(uploads).toEqual(['invoice.png']);
    expect(screen.getByLabelText('Your message')).toHaveValue('What is the total?');
    await waitFor(() => expect(screen.getByLabelText('Your message')).toHaveFocus());
  });
});
