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

const TOKEN = 'sess-bob';
const SECRET = 'aia_9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c';
type Listed = { id: string; name: string; prefix: string; created_at: string; last_used_at: string; expires_at: string | null };
let tokens: Listed[];

beforeEach(() => {
  setToken(TOKEN);
  tokens = [{ id: 't1', name: 'laptop sync', prefix: 'aia_1a2b', created_at: '2026-01-03T10:00:00Z', last_used_at: '2026-01-04T10:00:00Z', expires_at: null }];
  server.routes.clear();
  server.requests.length = 0;
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith()));
  meRoute(server, TOKEN, MEMBER);
  server.routes.set('GET /api/auth/tokens', authed(TOKEN, (_q, res) => json(res, 200, { tokens })));
  server.routes.set('GET /api/shares', authed(TOKEN, (_q, res) => json(res, 200, { shares: [] })));
});

describe('Account', () => {
  it('a new API token is shown once, with a copy button and a warning, then only its prefix', async () => {
    server.routes.set(
      'POST /api/auth/tokens',
      authed(TOKEN, (_q, res, body) => {
        const { name, expires_in_days } = JSON.parse(body);
        expect(expires_in_days).toBe(30);
        tokens = [...tokens, { id: 't2', name, prefix: SECRET.slice(0, 8), created_at: '2026-01-05T10:00:00Z', last_used_at: '2026-01-05T10:00:00Z', expires_at: '2026-02-04T10:00:00Z' }];
        json(res, 201, { id: 't2', name, token: SECRET, expires_at: '2026-02-04T10:00:00Z' });
      }),
    );
    renderApp('/account');
    const user = userEvent.setup();
    const list = await screen.findByRole('region', { name: 'Your API tokens' });
    expect(within(list).getByText('laptop sync')).toBeInTheDocument();

    await user.type(screen.getByLabelText('Name'), 'backup script');
    await user.selectOptions(screen.getByLabelText('Expires after'), '30 days');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByTestId('new-token')).toHaveTextContent(SECRET);
    expect(screen.getByText(/Copy it now: you will not see it again\./)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy token' })).toBeInTheDocument();
    await waitFor(() => expect(within(list).getByText('backup script')).toBeInTheDocument());
    expect(list).not.toHaveTextContent(SECRET); // the table has the prefix only
    expect(within(list).getByText('aia_9f8e…')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Done, I have copied it' }));
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it('revokes a token after asking', async () => {
    server.routes.set(
      'DELETE /api/auth/tokens/t1',
      authed(TOKEN, (_q, res) => {
        tokens = [];
        res.writeHead(204).end();
      }),
    );
    const confirm = window.confirm;
    window.confirm = () => true;
    renderApp('/account');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Revoke the token “laptop sync”' }));
    expect(await screen.findByText('You have no API tokens.')).toBeInTheDocument();
    window.confirm = confirm;
  });

  it('changing the password: a wrong current password shows the server’s message; the right one says what happened', async () => {
    server.routes.set(
      'POST /api/auth/password',
      authed(TOKEN, (_q, res, body) => {
        const { current_password } = JSON.parse(body);
        if (current_password !== 'the old password') return json(res, 401, { error: { code: 'invalid_credentials', message: 'The current password is wrong.' } });
        res.writeHead(204).end();
      }),
    );
    renderApp('/account');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Current password'), 'a guess at it');
    await user.type(screen.getByLabelText('New password'), 'a brand new password');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a brand new password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The current password is wrong.');
    expect(getToken()).toBe(TOKEN); // a wrong password is not an ended session

    await user.clear(screen.getByLabelText('Current password'));
    await user.type(screen.getByLabelText('Current password'), 'the old password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(/Your password is changed\./)).toBeInTheDocument();
    expect(screen.getByLabelText('New password')).toHaveValue('');
  });

  it('Sign out everywhere ends every session and opens sign-in', async () => {
    server.routes.set('POST /api/auth/logout-all', authed(TOKEN, (_q, res) => void res.writeHead(204).end()));
    renderApp('/account');
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByText('You are signed out on every device.')).toBeInTheDocument();
    expect(getToken()).toBeNull();
    expect(server.requests.some((r) => r.url === '/api/auth/logout-all')).toBe(true);
  });
});
