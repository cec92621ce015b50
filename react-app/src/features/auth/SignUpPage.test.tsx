import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getToken, setToken } from '../../lib/auth';
import { renderApp } from '../../test/render';
import { healthWith, json, MEMBER, meRoute, startServer, type TestServer } from '../../test/server';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => {
  setToken(null);
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [] }));
  meRoute(server, 'sess-bob', MEMBER);
});

describe('Sign-up', () => {
  it('when open: creates the account and signs in', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith({ signup: 'open' })));
    server.routes.set('POST /api/auth/signup', (_q, res) => json(res, 201, { token: 'sess-bob', user: MEMBER }));
    renderApp('/signup');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'bob@example.com');
    await user.type(screen.getByLabelText('Password'), 'a long enough password');
    await user.type(screen.getByLabelText('Repeat the password'), 'a long enough password');
    await user.click(screen.getByRole('button', { name: 'Create my account' }));
    expect(await screen.findByRole('heading', { name: 'Ask anything' })).toBeInTheDocument();
    expect(getToken()).toBe('sess-bob');
    expect(JSON.parse(server.requests.find((r) => r.url === '/api/auth/signup')!.body)).toEqual({ username: 'bob@example.com', password: 'a long enough password' });
  });

  it('a username that is too short is caught before asking the server', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith({ signup: 'open' })));
    renderApp('/signup');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'bo');
    await user.type(screen.getByLabelText('Password'), 'a long enough password');
    await user.type(screen.getByLabelText('Repeat the password'), 'a long enough password');
    await user.click(screen.getByRole('button', { name: 'Create my account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/3 to 64/);
    expect(server.requests.some((r) => r.url === '/api/auth/signup')).toBe(false);
  });

  it('by invitation only: says to ask for an invite link, no form', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith({ signup: 'invite' })));
    renderApp('/signup');
    expect(await screen.findByText('This server is by invitation only: ask an administrator for an invite link.')).toBeInTheDocument();
    expect(screen.queryByLabelText('Username')).not.toBeInTheDocument();
  });
});
