import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getToken, setToken } from '../../lib/auth';
import { renderApp } from '../../test/render';
import { ADMIN, healthWith, json, meRoute, startServer, type TestServer } from '../../test/server';

let server: TestServer;
let setupDone: boolean;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());
beforeEach(() => {
  setToken(null);
  setupDone = false;
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith({ setup_required: !setupDone, setup_code_required: true })));
  server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [] }));
  meRoute(server, 'sess-admin', ADMIN);
});

async function fill(username: string, password: string, repeat = password) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Username'), username);
  await user.type(screen.getByLabelText('Password'), password);
  await user.type(screen.getByLabelText('Repeat the password'), repeat);
  return user;
}

describe('First visit: create the administrator', () => {
  it('a server without accounts opens the setup form wherever one starts, with the setup code field', async () => {
    renderApp('/dashboard');
    expect(await screen.findByRole('heading', { name: 'Create the administrator account' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/setup$/);
    expect(screen.getByLabelText('Setup code')).toHaveAttribute('type', 'password');
  });

  it('creates the account with the setup code, signs in and opens the app', async () => {
    server.routes.set('POST /api/auth/setup', (_q, res, body) => {
      const b = JSON.parse(body);
      if (b.setup_code !== 'let-me-in') return json(res, 403, { error: { code: 'forbidden', message: 'The setup code is wrong.' } });
      setupDone = true;
      json(res, 201, { token: 'sess-admin', user: ADMIN });
    });
    renderApp('/');
    const user = await fill('ada', 'a long enough password');
    await user.type(screen.getByLabelText('Setup code'), 'guess');
    await user.click(screen.getByRole('button', { name: 'Create the administrator account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The setup code is wrong.');
    expect(getToken()).toBeNull();

    await user.clear(screen.getByLabelText('Setup code'));
    await user.type(screen.getByLabelText('Setup code'), 'let-me-in');
    await user.click(screen.getByRole('button', { name: 'Create the administrator account' }));
    expect(await screen.findByRole('heading', { name: 'Ask anything' })).toBeInTheDocument();
    expect(getToken()).toBe('sess-admin');
    expect(JSON.parse(server.requests.filter((r) => r.url === '/api/auth/setup').at(-1)!.body)).toEqual({ username: 'ada', password: 'a long enough password', setup_code: 'let-me-in' });
    expect(screen.getByRole('button', { name: 'Account menu, signed in as ada' })).toBeInTheDocument();
  });

  it('checks the password before asking the server', async () => {
    renderApp('/setup');
    const user = await fill('ada', 'short', 'short');
    await user.click(screen.getByRole('button', { name: 'Create the administrator account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Choose a password of at least 10 characters.');
    await user.type(screen.getByLabelText('Password'), '-and-longer');
    await user.click(screen.getByRole('button', { name: 'Create the administrator account' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The two passwords are not the same.');
    expect(server.requests.some((r) => r.url === '/api/auth/setup')).toBe(false);
  });

  it('someone else was first: says so on the sign-in page', async () => {
    server.routes.set('POST /api/auth/setup', (_q, res) => {
      setupDone = true;
      json(res, 409, { error: { code: 'conflict', message: 'This server already has an administrator. Sign in instead.' } });
    });
    renderApp('/setup');
    const user = await fill('ada', 'a long enough password');
    await user.type(screen.getByLabelText('Setup code'), 'let-me-in');
    await user.click(screen.getByRole('button', { name: 'Create the administrator account' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(await screen.findByText('This server already has an administrator. Sign in instead.')).toBeInTheDocument();
  });

  it('once set up, /setup leads to sign-in', async () => {
    setupDone = true;
    renderApp('/setup');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/signin$/));
  });
});
