import { screen, waitFor } from '@testing-library/react';
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
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith()));
});

describe('Sign in', () => {
  it('wrong credentials show the server’s message and keep nobody signed in', async () => {
    server.routes.set('POST /api/auth/login', (_q, res) => json(res, 401, { error: { code: 'invalid_credentials', message: 'The username or the password is wrong.' } }));
    renderApp('/signin');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'not-the-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The username or the password is wrong.');
    expect(getToken()).toBeNull();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Sign in');
    expect(JSON.parse(server.requests.find((r) => r.url === '/api/auth/login')!.body)).toEqual({ username: 'bob', password: 'not-the-password' });
  });

  it('too many tries: the rate limit’s message is shown', async () => {
    server.routes.set('POST /api/auth/login', (_q, res) => json(res, 429, { error: { code: 'rate_limited', message: 'Too many sign-in attempts. Try again in a minute.' } }, { 'Retry-After': '60' }));
    renderApp('/signin');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'whatever-it-is');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many sign-in attempts. Try again in a minute.');
  });

  it('signs in, keeps the session token and goes back where the person was headed', async () => {
    server.routes.set('POST /api/auth/login', (_q, res) => json(res, 200, { token: 'sess-bob', user: MEMBER }));
    meRoute(server, 'sess-bob', MEMBER);
    server.routes.set('GET /api/dashboard', (req, res) => json(res, req.headers.authorization === 'Bearer sess-bob' ? 503 : 401, { error: { code: 'capability_unavailable', message: 'Usage is resting.' } }));
    renderApp('/signin?next=%2Fdashboard');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), ' bob ');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/dashboard$/);
    expect(getToken()).toBe('sess-bob');
    expect(await screen.findByRole('alert')).toHaveTextContent('Usage is resting.'); // the page's request carried the token
    expect(screen.getByRole('button', { name: /signed in as bob/ })).toBeInTheDocument();
  });

  it('a `next` that leaves the app is ignored', async () => {
    server.routes.set('POST /api/auth/login', (_q, res) => json(res, 200, { token: 'sess-bob', user: MEMBER }));
    meRoute(server, 'sess-bob', MEMBER);
    server.routes.set('GET /api/conversations', (_q, res) => json(res, 200, { conversations: [] }));
    renderApp('/signin?next=%2F%2Fevil.example%2Fphish');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'bob');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/));
  });

  it('offers “Create an account” only when sign-up is open', async () => {
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith({ signup: 'open' })));
    const { unmount } = renderApp('/signin');
    expect(await screen.findByRole('link', { name: 'Create an account' })).toHaveAttribute('href', '/signup');
    unmount();
    server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith({ signup: 'invite' })));
    renderApp('/signin');
    expect(await screen.findByText('New here? Ask an administrator for an invite link.')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Create an account' })).not.toBeInTheDocument();
  });

  it('signed out: the tools are not in the top bar, and any page leads to sign-in', async () => {
    renderApp('/voice-to-text');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/signin?next=%2Fvoice-to-text');
    expect(screen.queryByRole('navigation', { name: 'Main' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Account menu/ })).not.toBeInTheDocument();
  });
});
