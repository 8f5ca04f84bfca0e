// Tickets for the live console feed: a browser cannot put an Authorization header on a WebSocket,
// so it trades its token for a short-lived ticket (POST /api/v1/live/tickets) and opens
// GET /api/v1/live?ticket=… with it.
//
// A ticket is `v1.<payload>.<signature>`: the payload (base64url JSON) names its purpose, the token
// holder, its scopes, its expiry and a nonce; the signature is an HMAC-SHA256 of it under a key
// derived from API_TOKEN for this purpose only (the same approach as log-upload-urls.ts), so a
// ticket is good for nothing else and no other signed thing passes as one. The console hub takes
// each nonce once (live/hub.ts): a ticket opens one socket.

import type { Scope } from '../api/scopes';

/** How long a ticket is good for: enough to open a socket right after asking for it, no more. */
export const TICKET_SECONDS = 30;

const PURPOSE = 'live';

export interface TicketClaims {
  /** The token holder ('root' or an API token id). */
  holder: string;
  scopes: Scope[];
  /** Unix seconds after which the ticket is refused. */
  expires: number;
  /** Random: the hub takes each one once. */
  nonce: string;
}

/** The HMAC key, derived from API_TOKEN; null when the deployment has none (the API fails closed then). */
export async function ticketKey(env: { API_TOKEN?: string }): Promise<CryptoKey | null> {
  if (!env.API_TOKEN) return null;
  const base = await hmacKey(new TextEncoder().encode(env.API_TOKEN));
  // A separate key from the token itself and from the upload URLs' key: a ticket's signature says nothing about either.
  const derived = await crypto.subtle.sign('HMAC', base, new TextEncoder().encode('ocpp-csms live ticket key v1'));
  return hmacKey(new Uint8Array(derived));
}

/** A ticket for `holder`, good until `nowSeconds + TICKET_SECONDS`. */
export async function issueTicket(key: CryptoKey, holder: string, scopes: Scope[], nowSeconds: number): Promise<{ ticket: string; claims: TicketClaims }> {
  const claims: TicketClaims = { holder, scopes, expires: nowSeconds + TICKET_SECONDS, nonce: crypto.randomUUID() };
  return { ticket: await signClaims(key, claims), claims };
}

/** The ticket text for `claims` (tests sign expired ones with it). */
export async function signClaims(key: CryptoKey, claims: TicketClaims): Promise<string> {
  const payload = toBase64Url(new TextEncoder().encode(JSON.stringify({ p: PURPOSE, h: claims.holder, s: claims.scopes, e: claims.expires, n: claims.nonce })));
  const signature = toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, signedText(payload))));
  return `v1.${payload}.${signature}`;
}

export type TicketCheck = { ok: true; claims: TicketClaims } | { ok: false; code: 'InvalidTicket' | 'TicketExpired'; message: string };

/** Whether `ticket` is one of ours, for the live feed, and not expired (the signature checked in constant time first). */
export async function checkTicket(key: CryptoKey, ticket: string | undefined, nowSeconds: number): Promise<TicketCheck> {
  const invalid: TicketCheck = { ok: false, code: 'InvalidTicket', message: 'The ticket is not one the CSMS issued: ask POST /api/v1/live/tickets for one' };
  const parts = /^v1\.([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/.exec(ticket ?? '');
  if (!parts) return invalid;
  const signature = fromBase64Url(parts[2]!);
  if (!signature || !(await crypto.subtle.verify('HMAC', key, signature, signedText(parts[1]!)))) return invalid;
  let payload: { p?: unknown; h?: unknown; s?: unknown; e?: unknown; n?: unknown };
  try {
    payload = JSON.parse(new TextDecoder().decode(fromBase64Url(parts[1]!) ?? new Uint8Array())) as typeof payload;
  } catch {
    return invalid;
  }
  const { p, h, s, e, n } = payload;
  if (p !== PURPOSE || typeof h !== 'string' || !Array.isArray(s) || typeof e !== 'number' || typeof n !== 'string') return invalid;
  if (nowSeconds >= e) return { ok: false, code: 'TicketExpired', message: 'The ticket expired: ask POST /api/v1/live/tickets for a new one' };
  return { ok: true, claims: { holder: h, scopes: s as Scope[], expires: e, nonce: n } };
}

/** What is signed: the purpose, then the payload, so no other signed text of the CSMS is a ticket. */
function signedText(payload: string): Uint8Array {
  return new TextEncoder().encode(`ocpp-csms live ticket\n${payload}`);
}

function hmacKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
