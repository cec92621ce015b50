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
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith({ signup: 'invite' })));
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [] }));
  meRoute(server, 'sess-bob', MEMBER);
});

async function createAccount(username = 'bob', password = 'a long enough password') {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Username'), username);
  await user.type(screen.getByLabelText('Password'), password);
  await user.type(screen.getByLabelText('Repeat the password'), password);
  await user.click(screen.getByRole('button', { name: 'Create my account' }));
}

describe('Invite link', () => {
  it('creates the account with the code from the fragment, keeps the session and opens the app', async () => {
    server.routes.set('POST /api/auth/signup', (_q, res) => json(res, 201, { token: 'sess-bob', user: MEMBER }));
    renderApp('/invite#inv-123_abc');
    expect(await screen.findByRole('heading', { name: 'Create your account' })).toBeInTheDocument();
    await createAccount();
    expect(await screen.findByRole('heading', { name: 'Ask anything' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/); // the code is gone from the address
    expect(getToken()).toBe('sess-bob');
    expect(JSON.parse(server.requests.find((r) => r.url === '/api/auth/signup')!.body)).toEqual({ username: 'bob', password: 'a long enough password', invite: 'inv-123_abc' });
  });

  it('a used or expired invite shows the server’s message', async () => {
    server.routes.set('POST /api/auth/signup', (_q, res) => json(res, 403, { error: { code: 'invalid_invite', message: 'This invite link was already used or has expired.' } }));
    renderApp('/invite#old-code');
    await createAccount();
    expect(await screen.findByRole('alert')).toHaveTextContent('This invite link was already used or has expired.');
    expect(getToken()).toBeNull();
  });

  it('a taken username shows the server’s message', async () => {
    server.routes.set('POST /api/auth/signup', (_q, res) => json(res, 409, { error: { code: 'conflict', message: 'That username is taken.' } }));
    renderApp('/invite#code');
    await createAccount('Ada');
    expect(await screen.findByRole('alert')).toHaveTextContent('That username is taken.');
  });

  it('a link without its code says what is missing', async () => {
    renderApp('/invite');
    expect(await screen.findByRole('alert')).toHaveTextContent('This invite link is incomplete');
    expect(screen.queryByLabelText('Username')).not.toBeInTheDocument();
  });

  it('opened while signed in: offers to sign out first, and stays on the invite', async () => {
    setToken('sess-bob');
    server.routes.set('POST /api/auth/logout', (_q, res) => void res.writeHead(204).end());
    renderApp('/invite#for-someone-else');
    expect(await screen.findByText(/You are signed in as bob\./)).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByLabelText('Username')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/invite#for-someone-else');
    expect(getToken()).toBeNull();
  });
});
