import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setToken } from '../../lib/auth';
import { renderApp } from '../../test/render';
import { healthWith, json, startServer, type TestServer } from '../../test/server';

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

async function setNew(password: string, repeat = password) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('New password'), password);
  await user.type(screen.getByLabelText('Repeat the new password'), repeat);
  await user.click(screen.getByRole('button', { name: 'Set the new password' }));
}

describe('Password reset link', () => {
  it('sets the new password with the code from the fragment, then asks to sign in with it', async () => {
    server.routes.set('POST /api/auth/reset', (_q, res) => void res.writeHead(204).end());
    renderApp('/reset#rst_456');
    await setNew('my new long password');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByText('Your new password is set. Sign in with it.')).toBeInTheDocument();
    expect(JSON.parse(server.requests.find((r) => r.url === '/api/auth/reset')!.body)).toEqual({ code: 'rst_456', new_password: 'my new long password' });
  });

  it('an expired link shows the server’s message', async () => {
    server.routes.set('POST /api/auth/reset', (_q, res) => json(res, 400, { error: { code: 'invalid_request', message: 'This reset link was already used or has expired.' } }));
    renderApp('/reset#old');
    await setNew('my new long password');
    expect(await screen.findByRole('alert')).toHaveTextContent('This reset link was already used or has expired.');
  });

  it('passwords that differ are caught before asking the server', async () => {
    renderApp('/reset#rst_456');
    await setNew('my new long password', 'my new long passwort');
    expect(await screen.findByRole('alert')).toHaveTextContent('The two passwords are not the same.');
    expect(server.requests.some((r) => r.url === '/api/auth/reset')).toBe(false);
  });

  it('a link without its code says what is missing', async () => {
    renderApp('/reset');
    expect(await screen.findByRole('alert')).toHaveTextContent('This reset link is incomplete');
  });
});
