import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../lib/auth';
import { renderApp } from '../../test/render';
import { ADMIN, authed, healthWith, json, MEMBER, meRoute, startServer, type TestServer } from '../../test/server';
import type { AdminUser } from './api';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const TOKEN = 'sess-ada';
const row = (u: typeof ADMIN | typeof MEMBER, extra: Partial<AdminUser> = {}): AdminUser => ({
  ...u,
  disabled: false,
  last_seen_at: '2026-01-05T10:00:00Z',
  usage_today: { requests: 0, tokens: 0 },
  daily_request_limit: null,
  daily_token_limit: null,
  ...extra,
});
let users: AdminUser[];
let patches: { id: string; body: unknown }[];

beforeEach(() => {
  setToken(TOKEN);
  users = [row(ADMIN), row(MEMBER, { usage_today: { requests: 12, tokens: 3400 }, daily_request_limit: 50 })];
  patches = [];
  server.routes.clear();
  server.routes.set('GET /api/health', (_q, res) => json(res, 200, healthWith()));
  meRoute(server, TOKEN, ADMIN);
  server.routes.set('GET /api/admin/users', authed(TOKEN, (_q, res) => json(res, 200, { users })));
  for (const u of [ADMIN, MEMBER]) {
    server.routes.set(
      `PATCH /api/admin/users/${u.id}`,
      authed(TOKEN, (_q, res, body) => {
        const patch = JSON.parse(body);
        patches.push({ id: u.id, body: patch });
        if (u.id === ADMIN.id && (patch.role === 'user' || patch.disabled)) return json(res, 409, { error: { code: 'conflict', message: 'The last administrator cannot be demoted, disabled or deleted.' } });
        users = users.map((x) => (x.id === u.id ? { ...x, ...patch } : x));
        json(res, 200, users.find((x) => x.id === u.id));
      }),
    );
  }
});

const accounts = () => screen.findByRole('region', { name: 'Account list' });
const rowOf = async (name: string) => within(await accounts()).getByRole('row', { name: new RegExp(`^${name}`) });

describe('Users (administrators)', () => {
  it('lists every account with today’s use and limits', async () => {
    renderApp('/admin/users');
    const bob = await rowOf('bob');
    expect(bob).toHaveTextContent('12 requests');
    expect(bob).toHaveTextContent(`${(3400).toLocaleString()} tokens`);
    expect(bob).toHaveTextContent('50 requests');
    expect(bob).toHaveTextContent('default tokens');
    expect(within(bob).getByLabelText('Role of bob')).toHaveValue('user');
    expect(within(await rowOf('ada')).getByText('you')).toBeInTheDocument();
  });

  it('an invite link is made from the code, with a copy button and its expiry', async () => {
    server.routes.set(
      'POST /api/admin/invites',
      authed(TOKEN, (_q, res, body) => {
        expect(JSON.parse(body)).toEqual({ role: 'user', expires_in_hours: 72 });
        json(res, 201, { code: 'inv_Code-123', expires_at: '2026-01-08T10:00:00Z' });
      }),
    );
    renderApp('/admin/users');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create invite link' }));
    expect(await screen.findByText(`${window.location.origin}/invite#inv_Code-123`)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy link' })).toBeInTheDocument();
    expect(screen.getByText(/It works once and expires/)).toBeInTheDocument();
  });

  it('changes a role and disables an account; the last administrator’s refusal is shown', async () => {
    renderApp('/admin/users');
    const user = userEvent.setup();
    await user.selectOptions(within(await rowOf('bob')).getByLabelText('Role of bob'), 'Administrator');
    await waitFor(() => expect(patches).toContainEqual({ id: MEMBER.id, body: { role: 'admin' } }));
    await user.click(within(await rowOf('bob')).getByRole('button', { name: 'Disable bob' }));
    await waitFor(() => expect(within(screen.getByRole('row', { name: /^bob/ })).getByText('Disabled')).toBeInTheDocument());
    expect(within(screen.getByRole('row', { name: /^bob/ })).getByRole('button', { name: 'Enable bob' })).toBeInTheDocument();

    const confirm = window.confirm;
    window.confirm = () => true;
    await user.selectOptions(within(await rowOf('ada')).getByLabelText('Role of ada'), 'User');
    expect(await screen.findByRole('alert')).toHaveTextContent('The last administrator cannot be demoted, disabled or deleted.');
    expect(within(await rowOf('ada')).getByLabelText('Role of ada')).toHaveValue('admin');
    window.confirm = confirm;
  });

  it('daily limits: an empty field is the server’s default (null)', async () => {
    renderApp('/admin/users');
    const user = userEvent.setup();
    await user.click(within(await rowOf('bob')).getByRole('button', { name: 'Change the daily limits of bob' }));
    const dialog = screen.getByRole('dialog', { name: 'Daily limits for bob' });
    const requests = within(dialog).getByLabelText('Requests per day');
    expect(requests).toHaveValue('50');
    await user.clear(requests);
    await user.type(within(dialog).getByLabelText('Model tokens per day'), '20000');
    await user.click(within(dialog).getByRole('button', { name: 'Save limits' }));
    await waitFor(() => expect(patches).toContainEqual({ id: MEMBER.id, body: { daily_request_limit: null, daily_token_limit: 20000 } }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await rowOf('bob')).toHaveTextContent(`default requests${(20000).toLocaleString()} tokens`);
  });

  it('a password reset link for one person', async () => {
    server.routes.set(`POST /api/admin/users/${MEMBER.id}/password-reset`, authed(TOKEN, (_q, res) => json(res, 201, { code: 'rst_456', expires_at: '2026-01-06T10:00:00Z' })));
    renderApp('/admin/users');
    await userEvent.setup().click(within(await rowOf('bob')).getByRole('button', { name: 'Reset password of bob: make a link' }));
    expect(await screen.findByText('Password reset link for bob')).toBeInTheDocument();
    expect(screen.getByText(`${window.location.origin}/reset#rst_456`)).toBeInTheDocument();
  });

  it('deleting needs the username typed, then removes the account', async () => {
    let deleted = false;
    server.routes.set(
      `DELETE /api/admin/users/${MEMBER.id}`,
      authed(TOKEN, (_q, res) => {
        deleted = true;
        users = users.filter((u) => u.id !== MEMBER.id);
        res.writeHead(204).end();
      }),
    );
    renderApp('/admin/users');
    const user = userEvent.setup();
    await user.click(within(await rowOf('bob')).getByRole('button', { name: 'Delete bob' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete bob?' });
    expect(dialog).toHaveTextContent('all its data');
    const button = within(dialog).getByRole('button', { name: 'Delete the account' });
    expect(button).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Type “bob” to confirm'), 'bo');
    expect(button).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Type “bob” to confirm'), 'b');
    await user.click(button);
    await waitFor(() => expect(within(screen.getByRole('region', { name: 'Account list' })).queryByRole('row', { name: /^bob/ })).not.toBeInTheDocument());
    expect(deleted).toBe(true);
  });

  it('a person who is not an administrator is told the page is not for them', async () => {
    meRoute(server, TOKEN, MEMBER);
    renderApp('/admin/users');
    expect(await screen.findByRole('heading', { name: 'Administrators only' })).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Account list' })).not.toBeInTheDocument();
  });
});
