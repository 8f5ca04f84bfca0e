// Charger authentication at the WebSocket upgrade: OCPP Security Profiles 1–3, and the unknown-charger policy.
//
// Profile 1: HTTP Basic auth, username = charger id. Profile 2: the same, over TLS only.
// Profile 3: a TLS client certificate, verified by Cloudflare (request.cf.tlsClientAuth), whose
// subject CN is the charger id. Every refusal is the same 401, so a caller learns nothing about
// which part was wrong (or whether the charger exists).

/** Workers' PBKDF2 allows at most 100,000 iterations. */
const ITERATIONS = 100_000;

export type SecurityProfile = 0 | 1 | 2 | 3;

export interface ChargerCredentials {
  registered: boolean;
  securityProfile: SecurityProfile;
  passwordHash: string | null;
  /** During a password change, the password before (see ChargerStore.rotatePassword). */
  previousPasswordHash?: string | null;
}

/** How an allowed charger got in; 'previous password' means a password change is not finished. */
export type Admission = 'open' | 'password' | 'previous password' | 'certificate';

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

/** Checks the upgrade request against how this charger must authenticate. */
export async function admitUpgrade(
  request: Request,
  chargerId: string,
  credentials: ChargerCredentials | null,
  unknownPolicy: 'accept' | 'pending' | 'reject',
): Promise<{ ok: true; how: Admission } | { ok: false; why: Refusal }> {
  if (!credentials?.registered && unknownPolicy === 'reject') return { ok: false, why: 'unknown charger' };
  const profile = credentials?.securityProfile ?? 0;
  if (profile === 0) return { ok: true, how: 'open' };
  if (profile === 3) {
    return certificateNames(request, chargerId) ? { ok: true, how: 'certificate' } : { ok: false, why: 'no valid client certificate' };
  }
  if (profile === 2 && new URL(request.url).protocol !== 'https:') return { ok: false, why: 'TLS required' };
  const basic = readBasicAuth(request.headers.get('authorization'));
  if (!basic) return { ok: false, why: 'no credentials' };
  if (basic.username !== chargerId || !credentials?.passwordHash) return { ok: false, why: 'wrong credentials' };
  if (await verifyPassword(basic.password, credentials.passwordHash)) return { ok: true, how: 'password' };
  if (credentials.previousPasswordHash && (await verifyPassword(basic.password, credentials.previousPasswordHash))) {
    return { ok: true, how: 'previous password' };
  }
  return { ok: false, why: 'wrong credentials' };
}

/** Checks the upgrade request against how this charger must authenticate; undefined when it may connect. */
export async function refuseUpgrade(
  request: Request,
  chargerId: string,
  credentials: ChargerCredentials | null,
  unknownPolicy: 'accept' | 'pending' | 'reject',
): Promise<Refusal | undefined> {
  const admission = await admitUpgrade(request, chargerId, credentials, unknownPolicy);
  return admission.ok ? undefined : admission.why;
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

/** Cloudflare verified the client certificate, and its subject's CN is exactly the charger id. */
function certificateNames(request: Request, chargerId: string): boolean {
  const tls = (request as Request & { cf?: { tlsClientAuth?: { certVerified?: string; certSubjectDN?: string } } }).cf
    ?.tlsClientAuth;
  if (!tls || tls.certVerified !== 'SUCCESS' || !tls.certSubjectDN) return false;
  const cn = /(?:^|,)\s*CN=((?:\\.|[^,])*)/.exec(tls.certSubjectDN)?.[1]?.replace(/\\(.)/g, '$1');
  return cn === chargerId;
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  return crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
}

function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
