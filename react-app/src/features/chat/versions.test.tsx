import { screen, waitFor, within } from '@testing-library/react';
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serve(c: FakeConversation, opts?: Parameters<FakeConversation['serve']>[1]) {
  server.routes.clear();
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [c.summary()], next_cursor: null }));
  c.serve(server, opts);
}

const replies = () => screen.getAllByRole('article', { name: 'Assistant replied' });
const questions = () => screen.getAllByRole('article', { name: 'You said' });

beforeEach(() => server.routes.clear());

describe('Versions of a message', () => {
  it('flips between the versions of a reply; the next message continues from the version shown', async () => {
    const c = FakeConversation.with(ID, 'Trip plans', [['Plan a trip', 'Day one: the coast']]);
    c.leaf = c.version('a2', 'Day one: the mountains');
    serve(c);
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();

    expect(await screen.findByText('Day one: the mountains')).toBeInTheDocument();
    const versions = within(replies()[0]).getByRole('group', { name: 'Versions of this reply' });
    expect(versions).toHaveTextContent('Version 2 of 2');
    expect(within(versions).getByRole('button', { name: 'Next version' })).toHaveAttribute('aria-disabled', 'true');
    expect(within(questions()[0]).queryByRole('group')).not.toBeInTheDocument(); // one version of the question

    const previous = within(versions).getByRole('button', { name: 'Previous version' });
    await user.click(previous);
    expect(await screen.findByText('Day one: the coast')).toBeInTheDocument();
    expect(screen.queryByText('Day one: the mountains')).not.toBeInTheDocument();
    expect(c.viewed.at(-1)).toBe('a2');
    expect(within(replies()[0]).getByRole('group')).toHaveTextContent('Version 1 of 2');
    expect(previous).toHaveFocus(); // the keyboard user's place is kept
    expect(previous).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByText('Showing version 1 of 2.')).toBeInTheDocument();

    // The model receives exactly the path shown.
    await user.type(screen.getByLabelText('Your message'), 'And day two?{Enter}');
    expect(await screen.findByText('Reply 1: Plan a trip / Day one: the coast / And day two?')).toBeInTheDocument();
    expect(c.sent[0]).toMatchObject({ conversation_id: ID, message: 'And day two?', parent_id: 'a2' });
  });

  it('Regenerate adds a version of the last reply', async () => {
    const c = FakeConversation.with(ID, 'Two turns', [
      ['First question', 'First answer'],
      ['Second question', 'Second answer'],
    ]);
    serve(c);
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();
    await screen.findByText('Second answer');
    expect(screen.getAllByRole('button', { name: 'Regenerate' })).toHaveLength(1); // the last reply only
    await user.click(within(replies()[1]).getByRole('button', { name: 'Regenerate' }));

    expect(await screen.findByText('Reply 1: First question / First answer / Second question')).toBeInTheDocument();
    expect(c.sent[0]).toMatchObject({ conversation_id: ID, regenerate: true, parent_id: 'a4', message: '' });
    await waitFor(() => expect(within(replies()[1]).getByRole('group', { name: 'Versions of this reply' })).toHaveTextContent('Version 2 of 2'));
    expect(screen.queryByText('Second answer')).not.toBeInTheDocument();

    // And back to the first version.
    await user.click(within(replies()[1]).getByRole('button', { name: 'Previous version' }));
    expect(await screen.findByText('Second answer')).toBeInTheDocument();
  });

  it('Edit opens the question in place; Escape cancels; Save and send makes a new version and goes on from it', async () => {
    const c = FakeConversation.with(ID, 'Two turns', [
      ['First question', 'First answer'],
      ['Second question', 'Second answer'],
    ]);
    serve(c);
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();
    await screen.findByText('Second answer');
    expect(within(replies()[0]).queryByRole('button', { name: 'Edit' })).not.toBeInTheDocument(); // replies are not edited

    const edit = within(questions()[0]).getByRole('button', { name: 'Edit' });
    await user.click(edit);
    const box = screen.getByRole('textbox', { name: 'Edit your message' });
    expect(box).toHaveValue('First question');
    expect(box).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('textbox', { name: 'Edit your message' })).not.toBeInTheDocument();
    expect(within(questions()[0]).getByRole('button', { name: 'Edit' })).toHaveFocus();

    await user.click(within(questions()[0]).getByRole('button', { name: 'Edit' }));
    expect(screen.getByRole('button', { name: 'Save and send' })).toBeDisabled(); // nothing changed yet
    await user.clear(screen.getByRole('textbox', { name: 'Edit your message' }));
    await user.type(screen.getByRole('textbox', { name: 'Edit your message' }), 'First question, reworded');
    await user.click(screen.getByRole('button', { name: 'Save and send' }));

    expect(await screen.findByText('Reply 1: First question, reworded')).toBeInTheDocument();
    expect(c.sent[0]).toMatchObject({ conversation_id: ID, edit_of: 'q1', message: 'First question, reworded' });
    expect(c.sent[0]).not.toHaveProperty('regenerate');
    expect(screen.queryByText('Second question')).not.toBeInTheDocument(); // the path goes on from the new version
    await waitFor(() => expect(within(questions()[0]).getByRole('group', { name: 'Versions of this question' })).toHaveTextContent('Version 2 of 2'));

    // The old question, with everything after it, is one flip away.
    await user.click(within(questions()[0]).getByRole('button', { name: 'Previous version' }));
    expect(await screen.findByText('Second answer')).toBeInTheDocument();
    expect(screen.getByText('First question')).toBeInTheDocument();
    expect(c.viewed.at(-1)).toBe('q1');
  });

  it('Stop keeps what arrived, marked incomplete; the next message continues after it', async () => {
    let release!: () => void;
    const c = FakeConversation.with(ID, 'Long one', [['Tell me a story', 'Once upon a time']]);
    serve(c, { hold: () => new Promise<void>((r) => (release = r)) });
    renderPage(<ChatPage />, `/?c=${ID}`);
    const user = userEvent.setup();
    await screen.findByText('Once upon a time');
    await user.type(screen.getByLabelText('Your message'), 'Go on{Enter}');
    await screen.findByText(/Reply 1/);
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(await screen.findByText('Incomplete')).toBeInTheDocument();
    expect(screen.getByText('Stopped.')).toBeInTheDocument();
    await sleep(50);
    release(); // the server notices the client left and saves the part that arrived
    await waitFor(() => expect(c.nodes.some((n) => n.status === 'incomplete')).toBe(true));
    const cut = c.nodes.find((n) => n.status === 'incomplete')!;

    serve(c); // the next reply streams to the end
    await user.type(screen.getByLabelText('Your message'), 'Please finish{Enter}');
    expect(await screen.findByText(/Reply 2: .* \/ Go on \/ Reply 1: \/ Please finish/)).toBeInTheDocument();
    // Sent after the partial reply was read back: parent_id is the cut reply. Sent before (the save can take a
    // moment): no parent_id, and the server goes on from its current leaf, the same cut reply. Either way the
    // path the model received is the one shown (checked just above).
    expect(c.sent.at(-1)?.message).toBe('Please finish');
    expect([undefined, cut.id]).toContain(c.sent.at(-1)?.parent_id);
    expect(within(replies()[1]).getByText('Incomplete')).toBeInTheDocument(); // still marked, as the server saved it
    expect(within(replies()[2]).queryByText('Incomplete')).not.toBeInTheDocument();
  });
});
