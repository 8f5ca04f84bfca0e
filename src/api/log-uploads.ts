// Log and diagnostics uploads the CSMS offers (N01 GetLog, 1.6 GetDiagnostics §5.9): the signed location filled into the command, the upload endpoint writing to R2, and the operator's views of requests and files.
//
// The operator sends GetLog / GetDiagnostics with `?upload=csms` and no location; the CSMS
// records the request (log_requests), puts a signed URL of its own in the payload, and the
// charger uploads there by HTTP PUT or POST (raw body or multipart/form-data). Only HTTP(S) is
// offered: a 1.6 charger that only speaks FTP needs the operator's own location, as before.

import { Hono, type Context } from 'hono';
import { readConfig } from '../config';
import type { Env } from '../env';
import { isValidChargerId } from '../ocpp/charger-id';
import { ChargerStore } from '../store/chargers';
import { LogRequestStore } from '../store/log-requests';
import { apiError } from './errors';
import { signedUploadUrl, uploadKey, UPLOAD_PATH_PREFIX, verifyUploadSignature } from './log-upload-urls';
import { readLimit } from './query';

type AppContext = Context<{ Bindings: Env }>;

/** Commands whose file the CSMS can take, and where their payload names the location. */
const UPLOAD_COMMANDS = {
  GetLog: (payload: Record<string, unknown>) => (payload.log ?? {}) as Record<string, unknown>,
  GetDiagnostics: (payload: Record<string, unknown>) => payload,
} as const;

export interface PreparedUpload {
  payload: Record<string, unknown>;
  requestId: number;
  expiresAt: string;
}

/**
 * For `?upload=csms`: records the request and returns the payload with the CSMS's signed URL as
 * its location (GetLog `log.remoteLocation`, GetDiagnostics `location`), or the error to answer.
 */
export async function prepareCsmsUpload(c: AppContext, chargerId: string, action: string, payload: Record<string, unknown>): Promise<PreparedUpload | Response> {
  if (action !== 'GetLog' && action !== 'GetDiagnostics') {
    return apiError(c, 400, 'InvalidParameter', 'upload=csms is for GetLog and GetDiagnostics only');
  }
  const locationHolder = UPLOAD_COMMANDS[action](payload);
  const locationField = action === 'GetLog' ? 'remoteLocation' : 'location';
  if (typeof locationHolder !== 'object' || locationHolder === null || Array.isArray(locationHolder)) {
    return apiError(c, 400, 'InvalidPayload', 'log must be an object', { issues: [{ path: 'log', message: 'expected an object' }] });
  }
  if (locationHolder[locationField] !== undefined) {
    // Replacing the operator's own location would silently change what they asked for.
    return apiError(c, 400, 'InvalidParameter', `With upload=csms the CSMS provides the location: leave ${action === 'GetLog' ? 'log.remoteLocation' : 'location'} out`);
  }
  const key = await uploadKey(c.env);
  if (!key) return apiError(c, 503, 'LogUploadUnavailable', 'No upload location can be offered: set LOG_UPLOAD_SECRET (or API_TOKEN)');
  if (!c.env.ARCHIVE) return apiError(c, 503, 'LogUploadUnavailable', 'No upload location can be offered: no R2 bucket is bound as ARCHIVE');

  let requestId: number;
  if (action === 'GetLog') {
    if (!Number.isInteger(payload.requestId)) {
      return apiError(c, 400, 'InvalidPayload', 'GetLog needs an integer requestId', { issues: [{ path: 'requestId', message: 'expected an integer' }] });
    }
    requestId = payload.requestId as number;
  } else {
    // 1.6 GetDiagnostics has no requestId: the CSMS names the request itself.
    requestId = crypto.getRandomValues(new Uint32Array(1))[0]! & 0x7fffffff;
  }
  const { logUploadTtlSeconds } = readConfig(c.env);
  const now = Date.now();
  const expires = Math.floor(now / 1000) + logUploadTtlSeconds;
  const expiresAt = new Date(expires * 1000).toISOString();
  const inserted = await new LogRequestStore(c.env.DB).insert({
    chargerId,
    requestId,
    action,
    logType: typeof payload.logType === 'string' ? payload.logType : null,
    requestedAt: new Date(now).toISOString(),
    expiresAt,
  });
  if (!inserted) {
    return apiError(c, 409, 'LogRequestExists', `This charger already has a log request ${requestId}: use another requestId`);
  }
  const url = await signedUploadUrl(new URL(c.req.url).origin, { chargerId, requestId, expires }, key);
  const filled = action === 'GetLog' ? { ...payload, log: { ...locationHolder, remoteLocation: url } } : { ...payload, location: url };
  return { payload: filled, requestId, expiresAt };
}

/** Mounted at /uploads/logs, outside /api/v1: chargers have no API token; the URL's signature is the credential. */
export const logUploadRoutes = new Hono<{ Bindings: Env }>();

logUploadRoutes.on(['PUT', 'POST'], '/*', async (c) => {
  const path = new URL(c.req.url).pathname.slice(UPLOAD_PATH_PREFIX.length + 1);
  const [chargerPart, requestPart, expiresPart, signature, ...rest] = path.split('/');
  let chargerId: string;
  try {
    chargerId = decodeURIComponent(chargerPart ?? '');
  } catch {
    chargerId = '';
  }
  const requestId = Number(requestPart);
  const expires = Number(expiresPart);
  const refused = () => apiError(c, 403, 'InvalidUploadUrl', 'This is not an upload URL the CSMS offered');
  if (!isValidChargerId(chargerId) || !Number.isInteger(requestId) || !Number.isInteger(expires) || !signature) return refused();
  const key = await uploadKey(c.env);
  if (!key || !(await verifyUploadSignature({ chargerId, requestId, expires }, signature, key))) return refused();
  if (expires * 1000 < Date.now()) return apiError(c, 403, 'UploadUrlExpired', 'This upload URL has expired');
  const store = new LogRequestStore(c.env.DB);
  if ((await store.expiry(chargerId, requestId)) === null) return refused();
  if (!c.env.ARCHIVE) return apiError(c, 503, 'LogUploadUnavailable', 'No R2 bucket is bound as ARCHIVE');

  const { logUploadMaxBytes } = readConfig(c.env);
  const tooLarge = () => apiError(c, 413, 'UploadTooLarge', `An upload may be at most ${logUploadMaxBytes} bytes (LOG_UPLOAD_MAX_BYTES)`);
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > logUploadMaxBytes) return tooLarge();
  const body = await readCapped(c.req.raw.body, logUploadMaxBytes);
  if (body === null) return tooLarge();

  let bytes: Uint8Array = body;
  let name = rest.filter(Boolean).pop() ?? '';
  let contentType = c.req.header('content-type') ?? 'application/octet-stream';
  if (/^multipart\/form-data/i.test(contentType)) {
    // Many chargers POST the file as a form; what is kept is the file, not the form around it.
    let file: File | undefined;
    try {
      const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
      file = [...form.values()].find((value): value is File => typeof value !== 'string');
    } catch {
      file = undefined;
    }
    if (!file) return apiError(c, 400, 'InvalidUpload', 'A multipart/form-data upload must hold a file');
    bytes = new Uint8Array(await file.arrayBuffer());
    name = name || file.name;
    contentType = file.type || 'application/octet-stream';
  }
  const fileName = safeFileName(name);
  const objectKey = `logs/${encodeURIComponent(chargerId)}/${requestId}/${fileName}`;
  const earlier = await store.file(chargerId, requestId);
  await c.env.ARCHIVE.put(objectKey, bytes, { httpMetadata: { contentType } });
  // The file is kept before its link: a failure here leaves an unlinked object, never a link to nothing.
  await store.recordUpload(chargerId, requestId, { key: objectKey, name: fileName, size: bytes.byteLength, contentType, uploadedAt: new Date().toISOString() });
  // A later upload replaces the link; the file it replaced under another name goes, so a charger
  // cannot pile up objects with one URL.
  if (earlier && earlier.key !== objectKey) await c.env.ARCHIVE.delete(earlier.key);
  return c.json({ stored: { requestId, name: fileName, size: bytes.byteLength } }, 201);
});

/** Mounted at /api/v1/chargers: the requests and their files (read scope). */
export const chargerLogRoutes = new Hono<{ Bindings: Env }>();

chargerLogRoutes.get('/:chargerId/logs', async (c) => {
  const chargerId = await knownCharger(c);
  if (chargerId instanceof Response) return chargerId;
  const limit = readLimit(c);
  if (typeof limit === 'string') return apiError(c, 400, 'InvalidParameter', limit);
  // The status notifications may still wait in the charger's outbox; copy them so this read sees them.
  await c.env.CHARGERS.getByName(chargerId).flushNow();
  const page = await new LogRequestStore(c.env.DB).list(chargerId, limit, c.req.query('cursor'));
  if (!page) return apiError(c, 400, 'InvalidParameter', 'cursor must be a nextCursor from an earlier page');
  return c.json(page);
});

chargerLogRoutes.get('/:chargerId/logs/:requestId/file', async (c) => {
  const chargerId = await knownCharger(c);
  if (chargerId instanceof Response) return chargerId;
  const requestId = Number(c.req.param('requestId'));
  if (!Number.isInteger(requestId)) return apiError(c, 400, 'InvalidParameter', 'requestId must be an integer');
  const file = await new LogRequestStore(c.env.DB).file(chargerId, requestId);
  if (file === undefined) return apiError(c, 404, 'UnknownLogRequest', `No log request ${requestId} for this charger`);
  if (file === null) return apiError(c, 404, 'NoLogFile', `Nothing was uploaded for log request ${requestId} yet`);
  const object = await c.env.ARCHIVE?.get(file.key);
  if (!object) return apiError(c, 503, 'ArchiveUnavailable', 'The uploaded file cannot be read from R2 now');
  // The content is the charger's: never let a browser render it on the API's (and dashboard's) origin.
  return new Response(object.body, {
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(object.size),
      'content-disposition': `attachment; filename="${file.name}"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    },
  });
});

async function knownCharger(c: AppContext): Promise<string | Response> {
  const chargerId = c.req.param('chargerId') ?? '';
  if (!isValidChargerId(chargerId)) return apiError(c, 400, 'InvalidChargerId', 'Not a valid charger id');
  if (!(await new ChargerStore(c.env.DB).exists(chargerId))) {
    return apiError(c, 404, 'UnknownCharger', `No charger "${chargerId}" has connected or been registered`);
  }
  return chargerId;
}

/** The body, or null once it passes `max` bytes (read no further). */
async function readCapped(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | null> {
  if (!stream) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** A file name safe as an R2 key part and in a Content-Disposition header. */
function safeFileName(name: string): string {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // kept as sent
  }
  const cleaned = decoded.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 120);
  return cleaned === '' ? 'upload' : cleaned;
}
