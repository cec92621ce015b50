import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getToken, setToken } from '../../lib/auth';
import { renderApp } from '../../test/render';
import { authed, healthWith, json, MEMBER, meRoute, startServer, type TestServer } from '../../test/server';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const SHARE = 'pub-Xy9_abcdefghijklmnopqrstu';
const SNAPSHOT = {
  title: 'Trip plans',
  shared_at: '2026-01-09T10:00:00Z',
  expires_at: '2026-01-16T10:00:00Z',
  messages: [
    { role: 'user', content: 'Plan a trip to **Lisbon**', status: 'complete', created_at: '2026-01-09T09:00:00Z' },
    { role: 'assistant', content: 'Day one: **the coast**.', status: 'complete', created_at: '2026-01-09T09:00:01Z' },
    { role: 'assistant', content: 'Day two: cut', status: 'incomplete', created_at: '2026-01-09T09:00:02Z' },
  ],
};
const robots = () => document.head.querySelector('meta[name="robots"]');

beforeEach(() => {
  setToken(null);
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith()));
});

describe('A shared conversation (/shared/:id)', () => {
  it('opens without signing in, read-only, rendered like the chat, kept out of search engines', async () => {
    server.routes.set(`GET /api/shared/${SHARE}`, (req, res) => (req.headers.authorization ? json(res, 400, { error: { code: 'unexpected', message: 'no token here' } }) : json(res, 200, SNAPSHOT)));
    renderApp(`/shared/${SHARE}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Trip plans' })).toBeInTheDocument();
    expect(screen.getByText('Shared snapshot')).toBeInTheDocument();
    expect(screen.getByText(/A read-only copy of a conversation, shared/)).toBeInTheDocument();
    expect(screen.getByText('Plan a trip to **Lisbon**')).toBeInTheDocument(); // a question as typed
    expect(await screen.findByText('the coast', { selector: 'strong' }, { timeout: 8000 })).toBeInTheDocument(); // the same markdown renderer
    expect(screen.getByText('Incomplete')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(`/shared/${SHARE}`); // not sent to sign in
    expect(screen.queryByRole('heading', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument(); // nothing to write with
    for (const name of ['Edit', 'Regenerate', 'Share', 'Export']) expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    expect(robots()).toHaveAttribute('content', 'noindex');
  });

  it('the same page for someone signed in (no session sent), and noindex goes away when they leave', async () => {
    setToken('sess-bob');
    meRoute(server, 'sess-bob', MEMBER);
    server.routes.set('GET /api/conversations', authed('sess-bob', (_q, res) => json(res, 200, { conversations: [], next_cursor: null })));
    server.routes.set(`GET /api/shared/${SHARE}`, (req, res) => (req.headers.authorization ? json(res, 400, { error: { code: 'unexpected', message: 'no token here' } }) : json(res, 200, SNAPSHOT)));
    renderApp(`/shared/${SHARE}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Trip plans' })).toBeInTheDocument();
    expect(robots()).not.toBeNull();
    await userEvent.setup().click(await screen.findByRole('link', { name: 'Text to Text' }));
    expect(await screen.findByRole('heading', { name: 'Ask anything' })).toBeInTheDocument();
    expect(robots()).toBeNull();
  });

  it('a revoked or expired link says so clearly', async () => {
    server.routes.set(`GET /api/shared/${SHARE}`, (_q, res) => json(res, 404, { error: { code: 'not_found', message: 'This shared conversation does not exist: the link may have expired or been revoked.' } }));
    renderApp(`/shared/${SHARE}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'This link no longer works' })).toBeInTheDocument();
    expect(screen.getByText(/revoked by the person who shared it, or the link expired/)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(`/shared/${SHARE}`);
    expect(robots()).toHaveAttribute('content', 'noindex');
  });
});

describe('Shared links on the Account page', () => {
  it('lists them with their expiry and revokes one after asking', async () => {
    const TOKEN = 'sess-bob';
    setToken(TOKEN);
    meRoute(server, TOKEN, MEMBER);
    server.routes.set('GET /api/auth/tokens', authed(TOKEN, (_q, res) => json(res, 200, { tokens: [] })));
    let shares = [
      { id: SHARE, url: `http://elsewhere.example/shared/${SHARE}`, conversation_id: 'c'.repeat(32), title: 'Trip plans', created_at: '2026-01-09T10:00:00Z', expires_at: null },
      { id: 'other-share-id-0123456789', url: '/shared/other-share-id-0123456789', conversation_id: 'd'.repeat(32), title: 'Recipes', created_at: '2026-01-08T10:00:00Z', expires_at: '2026-01-10T10:00:00Z' },
    ];
    server.routes.set('GET /api/shares', authed(TOKEN, (_q, res) => json(res, 200, { shares })));
    server.routes.set(
      `DELETE /api/shares/${SHARE}`,
      authed(TOKEN, (_q, res) => {
        shares = shares.filter((s) => s.id !== SHARE);
        res.writeHead(204).end();
      }),
    );
    const confirm = window.confirm;
    window.confirm = () => true;
    renderApp('/account');
    const user = userEvent.setup();
    const table = await screen.findByRole('region', { name: 'Your shared links' });
    const row = within(table).getByRole('link', { name: 'Trip plans' }).closest('tr')!;
    expect(within(row).getByRole('link', { name: /opens the shared page/ })).toHaveAttribute('href', `${window.location.origin}/shared/${SHARE}`);
    expect(within(row).getByText('Never')).toBeInTheDocument();
    expect(within(table).getByText('Expired')).toBeInTheDocument(); // the Recipes link
    expect(within(table).getByRole('link', { name: 'Trip plans' })).toHaveAttribute('href', `/?c=${'c'.repeat(32)}`);

    await user.click(within(table).getByRole('button', { name: 'Revoke the link to “Trip plans”' }));
    await waitFor(() => expect(within(table).queryByText('Trip plans')).not.toBeInTheDocument());
    expect(screen.getByText('The link to “Trip plans” is revoked.')).toBeInTheDocument();
    expect(within(table).getByText('Recipes')).toBeInTheDocument();
    expect(getToken()).toBe(TOKEN);
    window.confirm = confirm;
  });
});
