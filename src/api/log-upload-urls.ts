// Signed upload URLs the CSMS hands chargers for log and diagnostics files (GetLog N01, 1.6 GetDiagnostics §5.9).
//
// The URL names the charger, the request and an expiry, and carries an HMAC-SHA256 of the three
// (WebCrypto) under LOG_UPLOAD_SECRET, so only a URL the CSMS made, for that charger and request,
// before it expires, is taken. The signature sits in the path, not the query: 1.6 chargers treat
// the location as a directory and append their file name to it. It is secret until it expires:
// views redact it (ocpp/secrets.ts redactSignedUploadUrls).

/** Path under which the Worker takes uploads (no API token: the signature is the credential). */
export const UPLOAD_PATH_PREFIX = '/uploads/logs';

export interface UploadTarget {
  chargerId: string;
  requestId: number;
  /** Unix seconds after which the URL is refused. */
  expires: number;
}

/**
 * The HMAC key: LOG_UPLOAD_SECRET, or one derived from API_TOKEN when it is unset (so a deployment
 * with an API works without another secret; rotating API_TOKEN then voids outstanding URLs).
 * Neither set: null, and the CSMS offers no upload location.
 */
export async function uploadKey(env: { LOG_UPLOAD_SECRET?: string; API_TOKEN?: string }): Promise<CryptoKey | null> {
  let secret = env.LOG_UPLOAD_SECRET;
  if (!secret) {
    if (!env.API_TOKEN) return null;
    // A separate key from the token itself: a leaked signature says nothing about API_TOKEN.
    const base = await hmacKey(new TextEncoder().encode(env.API_TOKEN));
    secret = toBase64Url(await crypto.subtle.sign('HMAC', base, new TextEncoder().encode('ocpp-csms log upload key v1')));
  }
  return hmacKey(new TextEncoder().encode(secret));
}

/** The signed URL for `target`, under `origin` (the Worker's address as the operator reached it). */
export async function signedUploadUrl(origin: string, target: UploadTarget, key: CryptoKey): Promise<string> {
  const signature = toBase64Url(await crypto.subtle.sign('HMAC', key, signedText(target)));
  return `${origin}${UPLOAD_PATH_PREFIX}/${encodeURIComponent(target.chargerId)}/${target.requestId}/${target.expires}/${signature}/`;
}

/** Whether `signature` is ours for `target` (constant time: crypto.subtle.verify). Expiry is checked by the caller. */
export async function verifyUploadSignature(target: UploadTarget, signature: string, key: CryptoKey): Promise<boolean> {
  const bytes = fromBase64Url(signature);
  if (!bytes) return false;
  return crypto.subtle.verify('HMAC', key, bytes, signedText(target));
}

/** What is signed: each field on its own line, so no two targets sign the same text. */
function signedText(target: UploadTarget): Uint8Array {
  return new TextEncoder().encode(`ocpp-csms log upload\n${target.chargerId}\n${target.requestId}\n${target.expires}`);
}

function hmacKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function toBase64Url(buffer: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
