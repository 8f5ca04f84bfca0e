// Verifying a Cloudflare Access application token (the Cf-Access-Jwt-Assertion header): RS256 over WebCrypto, then its claims.
//
// Only what Access issues is accepted: alg RS256 (never `none`, never an HMAC a public key could be
// abused as), a `kid` the team's key set has, `iss` the team domain, `aud` one of our applications'
// AUD tags, and `exp` / `nbf` within a small clock skew. Pure: the keys come from a lookup the
// caller gives (access-keys.ts fetches and caches the team's key set).

/** Clock difference tolerated on `exp` and `nbf`, in seconds. */
export const ACCESS_CLOCK_SKEW_SECONDS = 60;

export interface AccessClaims {
  /** The user's id at Access (unique per email per account); for a service token, empty. */
  sub: string;
  email?: string;
  /** Groups from the identity provider, when Access passes them as an OIDC claim / SAML attribute named `groups`. */
  groups: string[];
  /** A service token's client id (no email, no groups). */
  commonName?: string;
  name?: string;
}

export type AccessVerdict =
  | { ok: true; claims: AccessClaims }
  | { ok: false; reason: 'malformed' | 'algorithm' | 'unknown-kid' | 'signature' | 'issuer' | 'audience' | 'expired' | 'not-yet-valid' };

export interface AccessVerifyOptions {
  /** The team's key for `kid`, undefined when the team has none by that id. May throw (keys unavailable). */
  key: (kid: string) => Promise<CryptoKey | undefined>;
  /** The expected `iss`: the team domain's origin. */
  issuer: string;
  /** AUD tags accepted. */
  audiences: readonly string[];
  /** Seconds since the epoch. */
  now: number;
}

export async function verifyAccessJwt(token: string, options: AccessVerifyOptions): Promise<AccessVerdict> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return { ok: false, reason: 'malformed' };
  const [headerText, payloadText, signatureText] = parts as [string, string, string];
  const header = decodeJsonPart(headerText);
  const payload = decodeJsonPart(payloadText);
  const signature = decodeBase64Url(signatureText);
  if (!header || !payload || !signature) return { ok: false, reason: 'malformed' };
  // Decided by the header before any key is used: RS256 or nothing.
  if (header.alg !== 'RS256') return { ok: false, reason: 'algorithm' };
  if (typeof header.kid !== 'string' || header.kid === '') return { ok: false, reason: 'malformed' };
  const key = await options.key(header.kid);
  if (!key) return { ok: false, reason: 'unknown-kid' };
  const signed = new TextEncoder().encode(`${headerText}.${payloadText}`);
  if (!(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, signed))) return { ok: false, reason: 'signature' };

  if (typeof payload.iss !== 'string' || payload.iss.replace(/\/+$/, '') !== options.issuer) return { ok: false, reason: 'issuer' };
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!audiences.some((a) => typeof a === 'string' && options.audiences.includes(a))) return { ok: false, reason: 'audience' };
  // A token without an expiry is not one Access issues.
  if (typeof payload.exp !== 'number' || options.now > payload.exp + ACCESS_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'expired' };
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || options.now < payload.nbf - ACCESS_CLOCK_SKEW_SECONDS)) {
    return { ok: false, reason: 'not-yet-valid' };
  }

  const custom = typeof payload.custom === 'object' && payload.custom !== null ? (payload.custom as Record<string, unknown>) : {};
  return {
    ok: true,
    claims: {
      sub: typeof payload.sub === 'string' ? payload.sub : '',
      ...(typeof payload.email === 'string' && payload.email !== '' ? { email: payload.email } : {}),
      groups: readGroups(custom.groups ?? payload.groups),
      ...(typeof payload.common_name === 'string' && payload.common_name !== '' ? { commonName: payload.common_name } : {}),
      ...(typeof custom.name === 'string' ? { name: custom.name } : typeof payload.name === 'string' ? { name: payload.name } : {}),
    },
  };
}

/** The team's RS256 signing keys from its key set document (`{"keys": [JWK, …]}`), by kid; others are skipped. */
export async function importAccessKeys(document: unknown): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  const list = typeof document === 'object' && document !== null ? (document as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new Error('the key set has no "keys" list');
  for (const jwk of list as Record<string, unknown>[]) {
    if (typeof jwk !== 'object' || jwk === null || typeof jwk.kid !== 'string') continue;
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue;
    if ((jwk.alg !== undefined && jwk.alg !== 'RS256') || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    // Below 2048 bits a key is not one Access would sign with.
    if ((decodeBase64Url(jwk.n)?.byteLength ?? 0) < 256) continue;
    try {
      const key = await crypto.subtle.importKey(
        'jwk',
        { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true },
        { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
        false,
        ['verify'],
      );
      keys.set(jwk.kid, key);
    } catch {
      // A key the runtime cannot read cannot have signed anything we would accept.
    }
  }
  return keys;
}

function readGroups(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  return [];
}

function decodeJsonPart(text: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64Url(text);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function decodeBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  try {
    const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}
