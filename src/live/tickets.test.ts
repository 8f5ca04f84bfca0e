import { describe, expect, it } from 'vitest';
import { checkTicket, issueTicket, signClaims, ticketKey, TICKET_SECONDS } from './tickets';

describe('live feed tickets', () => {
  it('are good for TICKET_SECONDS (at most 60) under the key they were signed with, and no other', async () => {
    expect(TICKET_SECONDS).toBeLessThanOrEqual(60);
    const key = (await ticketKey({ API_TOKEN: 'token-a' }))!;
    const other = (await ticketKey({ API_TOKEN: 'token-b' }))!;
    const { ticket, claims } = await issueTicket(key, 'abc', ['read'], 1_000);
    expect(await checkTicket(key, ticket, 1_000)).toEqual({ ok: true, claims });
    expect(await checkTicket(key, ticket, 1_000 + TICKET_SECONDS)).toMatchObject({ ok: false, code: 'TicketExpired' });
    expect(await checkTicket(other, ticket, 1_000)).toMatchObject({ ok: false, code: 'InvalidTicket' });
    expect(await ticketKey({})).toBeNull();
  });

  it('refuses an altered payload, a wrong shape, and nothing-at-all', async () => {
    const key = (await ticketKey({ API_TOKEN: 'token-a' }))!;
    const ticket = await signClaims(key, { holder: 'abc', scopes: ['read'], expires: 2_000, nonce: 'n' });
    const [, payload, signature] = ticket.split('.');
    const promoted = btoa(JSON.stringify({ p: 'live', h: 'abc', s: ['admin'], e: 2_000, n: 'n' })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    for (const bad of [undefined, '', 'v1..', `v2.${payload}.${signature}`, `v1.${promoted}.${signature}`, `v1.${payload}.${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`]) {
      expect(await checkTicket(key, bad, 1_000), String(bad)).toMatchObject({ ok: false, code: 'InvalidTicket' });
    }
  });
});
