import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getToken, setToken } from '../../lib/auth';
import { renderApp } from '../../test/render';
import { ADMIN, authed, HEALTH_ALL, healthWith, json, MEMBER, meRoute, startServer, UNAUTHORIZED, type TestServer } from '../../test/server';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => {
  setToken(null);
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith()));
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [] }));
});

const CONVERSATION = 'c'.repeat(32);

describe('The session', () => {
  it('a 401 anywhere signs out, opens sign-in with the server’s message, and comes back to the same place', async () => {
    setToken('sess-expired');
    meRoute(server, 'sess-new', MEMBER);
    server.routes.set('GET /api/conversations', authed('sess-new', (_q, res) => json(res, 200, { conversations: [{ id: CONVERSATION, title: 'Trip plans', updated_at: '2026-01-02T10:00:00Z', message_count: 2 }] })));
    server.routes.set(
      `GET /api/conversations/${CONVERSATION}`,
      authed('sess-new', (_q, res) => json(res, 200, { id: CONVERSATION, title: 'Trip plans', messages: [{ id: '1', role: 'user', content: 'Plan a trip', created_at: '' }] })),
    );
    server.routes.set('POST /api/auth/login', (_q, res) => json(res, 200, { token: 'sess-new', user: MEMBER }));

    renderApp(`/?c=${CONVERSATION}`);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByText(UNAUTHORIZED.error.message)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(`/signin?next=${encodeURIComponent(`/?c=${CONVERSATION}`)}`);
    expect(getToken()).toBeNull();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Plan a trip')).toBeInTheDocument(); // the same conversation, now with the new session
    expect(screen.getByTestId('location')).toHaveTextContent(`/?c=${CONVERSATION}`);
  });

  it('a person who is not an administrator has no Users entry, and the page says it is not for them', async () => {
    setToken('sess-bob');
    meRoute(server, 'sess-bob', MEMBER);
    renderApp('/');
    const user = userEvent.setup();
    const button = await screen.findByRole('button', { name: 'Account menu, signed in as bob' });
    await user.click(button);
    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('link', { name: 'Account' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
    expect(screen.queryByText('Administrator')).not.toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Account' }));
    expect(await screen.findByRole('heading', { name: 'Account', level: 1 })).toBeInTheDocument();
    expect(button).toHaveAttribute('aria-expanded', 'false');
  });

  it('an administrator gets Users in the account menu, which works from the keyboard', async () => {
    setToken('sess-ada');
    meRoute(server, 'sess-ada', ADMIN);
    server.routes.set('GET /api/admin/users', authed('sess-ada', (_q, res) => json(res, 200, { users: [] })));
    renderApp('/');
    const user = userEvent.setup();
    const button = await screen.findByRole('button', { name: 'Account menu, signed in as ada' });
    button.focus();
    await user.keyboard('{ArrowDown}');
    await waitFor(() => expect(screen.getByRole('link', { name: 'Account' })).toHaveFocus());
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('link', { name: 'Users' })).toHaveFocus();
    await user.keyboard('{End}');
    expect(screen.getByRole('button', { name: 'Sign out' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(button).toHaveFocus();
    await user.keyboard('{Enter}');
    expect(button).toHaveAttribute('aria-expanded', 'true');
    await user.tab(); // Account
    await user.tab(); // Users
    await user.tab(); // Sign out
    await user.tab(); // out of the menu: it closes
    expect(button).toHaveAttribute('aria-expanded', 'false');
    await user.click(button);
    await user.click(screen.getByRole('link', { name: 'Users' }));
    expect(await screen.findByRole('heading', { name: 'Users', level: 1 })).toBeInTheDocument();
  });

  it('Sign out ends the session on the server and here', async () => {
    setToken('sess-bob');
    meRoute(server, 'sess-bob', MEMBER);
    let loggedOut = false;
    server.routes.set(
      'POST /api/auth/logout',
      authed('sess-bob', (_q, res) => {
        loggedOut = true;
        res.writeHead(204).end();
      }),
    );
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Account menu, signed in as bob' }));
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByText('You are signed out.')).toBeInTheDocument();
    expect(loggedOut).toBe(true);
    expect(getToken()).toBeNull();
    expect(screen.queryByRole('button', { name: /Account menu/ })).not.toBeInTheDocument();
  });

  it('signing out in another tab signs this one out too', async () => {
    setToken('sess-bob');
    meRoute(server, 'sess-bob', MEMBER);
    renderApp('/text-to-image');
    await screen.findByRole('button', { name: 'Account menu, signed in as bob' });
    setToken(null);
    window.dispatchEvent(new StorageEvent('storage', { key: 'sessionToken', oldValue: 'sess-bob', newValue: null }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/signin?next=%2Ftext-to-image');
  });

  it('without accounts (AUTH_MODE=none): no sign-in, no account menu, the tools as before', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith({ mode: 'none' })));
    renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Ask anything' })).toBeInTheDocument();
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Dashboard' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Account menu/ })).not.toBeInTheDocument();
    expect(server.requests.some((r) => r.url.startsWith('/api/auth/'))).toBe(false);
  });

  it('a server from before accounts (no `auth` in health) is treated the same way', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, HEALTH_ALL));
    renderApp('/signin');
    expect(await screen.findByRole('heading', { name: 'Ask anything' })).toBeInTheDocument();
  });
});
