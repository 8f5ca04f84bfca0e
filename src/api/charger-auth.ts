// Charger authentication at the WebSocket upgrade: OCPP Security Profiles 1–3, and the unknown-charger policy.
//
// Profile 1: HTTP Basic auth, username = charger id. Profile 2: the same, over TLS only.
// Profile 3: a TLS client certificate, verified by Cloudflare (request.cf.tlsClientAuth), whose
// subject CN is the charger id. Every refusal is the same 401, so a caller learns nothing about
// which part was wrong (or whether the charger exists); and every refusal of a request carrying
// Basic credentials costs the same PBKDF2 work, so timing does not tell it either.

import type { SocketAdmission } from '../charger/credential-policy';
import type { ChargerCredentials } from '../store/chargers';
import { isolateStats } from '../isolate-stats';

/** Workers' PBKDF2 allows at most 100,000 iterations. */
const ITERATIONS = 100_000;

/**
 * PBKDF2 runs every refusal of Basic credentials costs: as many as the most a registered charger
 * can cost (its current and its pending password), made up with DUMMY_HASH where there is less.
 */
const REFUSAL_VERIFICATIONS = 2;
/** A well-formed hash no password matches (random salt and hash), verified against when there is no real one. */
const DUMMY_HASH = 'pbkdf2-sha256$100000$doKbPcKX2P9TRXTlfkMG0Q==$Dfb/7GBUI4g5ej6MJuLx/vR6OIDVo7tF1bIOwrxdYf0=';

export type SecurityProfile = 0 | 1 | 2 | 3;

/** How an allowed charger got in; 'pending password' means it used the new password of a change under way. */
export type Admission = 'open' | 'password' | 'pending password' | 'certificate';

export type Admitted = {
  ok: true;
  how: Admission;
  /** Over TLS. */
  tls: boolean;
  /** The stored hash the password matched. */
  passwordHash?: string;
};

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, ITERATIONS);
  return `pbkdf2-sha256$${ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iterations || !salt || !hash) return false;
  try {
    const expected = fromBase64(hash);
    const actual = await pbkdf2(password, fromBase64(salt), Number(iterations));
    return actual.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** Why an upgrade is refused, for the logs only; the charger is told nothing but 401. */
export type Refusal = 'unknown charger' | 'no credentials' | 'wrong credentials' | 'TLS required' | 'no valid client certificate';

/**
 * Checks the upgrade request against how this charger must authenticate. A refusal of a request
 * that carries Basic credentials always costs REFUSAL_VERIFICATIONS PBKDF2 runs, whatever the id
 * (unknown, without a password, on another profile) and whatever was wrong.
 */
export async function admitUpgrade(
  request: Request,
  chargerId: string,
  credentials: ChargerCredentials | null,
  unknownPolicy: 'accept' | 'pending' | 'reject',
): Promise<Admitted | { ok: false; why: Refusal }> {
  const tls = new URL(request.url).protocol === 'https:';
  const basic = readBasicAuth(request.headers.get('authorization'));
  let runs = 0;
  /** Verifies against `hash`, or against DUMMY_HASH when there is none (then always false): the work is the same. */
  const matches = async (password: string, hash: string | null | undefined): Promise<boolean> => {
    runs += 1;
    const ok = await verifyPassword(password, hash ?? DUMMY_HASH);
    return ok && Boolean(hash);
  };
  const refuse = async (why: Refusal): Promise<{ ok: false; why: Refusal }> => {
    if (basic) while (runs < REFUSAL_VERIFICATIONS) await matches(basic.password, null);
    return { ok: false, why };
  };

  if (!credentials?.registered && unknownPolicy === 'reject') return refuse('unknown charger');
  const profile = credentials?.securityProfile ?? 0;
  if (profile === 0) return { ok: true, how: 'open', tls };
  if (profile === 3) {
    return certificateNames(request, chargerId) ? { ok: true, how: 'certificate', tls } : refuse('no valid client certificate');
  }
  if (profile === 2 && !tls) return refuse('TLS required');
  if (!basic) return refuse('no credentials');
  // Both verified before the user name is looked at: a wrong name costs what a wrong password does.
  const sameName = basic.username === chargerId;
  if ((await matches(basic.password, credentials?.passwordHash)) && sameName) {
    return { ok: true, how: 'password', tls, passwordHash: credentials!.passwordHash! };
  }
  if ((await matches(basic.password, credentials?.pendingPasswordHash)) && sameName) {
    return { ok: true, how: 'pending password', tls, passwordHash: credentials!.pendingPasswordHash! };
  }
  return refuse('wrong credentials');
}

/** Names a stored password hash without revealing it: what a connection's attachment keeps (see credential-policy.ts). */
export async function passwordId(hash: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(hash));
  return [...new Uint8Array(digest).slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the charger's object keeps about how a connection got in (a pending password has been promoted by then). */
export async function socketAdmission(admitted: Admitted): Promise<SocketAdmission> {
  const how = admitted.how === 'pending password' ? 'password' : admitted.how;
  return { how, tls: admitted.tls, ...(admitted.passwordHash ? { passwordId: await passwordId(admitted.passwordHash) } : {}) };
}

/** OCPP 1.6 carries the password in AuthorizationKey hex-encoded (1.6 security whitepaper). */
export function hexEncode(text: string): string {
  return [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
}

function readBasicAuth(header: string | null): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(fromBase64(match[1]));
  } catch {
    return undefined;
  }
  // The charger id has no ':', so the first one separates it from the password.
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Cloudflare verified the client certificate, it is not revoked, and its subject's CN is exactly the
 * charger id. Cloudflare answers certVerified SUCCESS for a revoked certificate too (certRevoked "1").
 */
function certificateNames(request: Request, chargerId: string): boolean {
  const tls = (request as Request & { cf?: { tlsClientAuth?: { certVerified?: string; certRevoked?: string; certSubjectDN?: string } } }).cf
    ?.tlsClientAuth;
  if (!tls || tls.certVerified !== 'SUCCESS' || tls.certRevoked === '1' || !tls.certSubjectDN) return false;
  const cn = /(?:^|,)\s*CN=((?:\\.|[^,])*)/.exec(tls.certSubjectDN)?.[1]?.replace(/\\(.)/g, '$1');
  return cn === chargerId;
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<ArrayBuffer> {
  isolateStats.pbkdf2Runs += 1;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  return crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
}

function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
