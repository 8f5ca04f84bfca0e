// Reading a request's JSON body, the same way on every route: bounded in size before it is read,
// in depth before anything walks it, and always a JSON object.

import type { Context } from 'hono';
import { isPlainObject, nestedDeeperThan } from '../ocpp/frames';
import { apiError } from './errors';

/**
 * Largest request body (bytes) the API reads. The biggest real body is a command payload such as
 * a SendLocalList of a few thousand entries or a certificate chain, well under this.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * How deeply arrays and objects may nest in a body, the body's own object counting as 1. OCPP
 * payloads nest about 10 deep; a deeper body would make later steps that recurse (validation,
 * the structured clone to a charger's object) overflow the stack.
 */
export const MAX_BODY_DEPTH = 64;

export type BodyRead = { ok: true; body: Record<string, unknown> } | { ok: false; response: Response };

/**
 * The parsed JSON object of the body (an empty body reads as {}), or the answer to return: 413
 * PayloadTooLarge over MAX_BODY_BYTES, decided from Content-Length when it is sent and by
 * counting bytes as they arrive otherwise, before anything is parsed; 400 InvalidJson when it is
 * not JSON; 400 InvalidPayload when it is not an object or nests deeper than MAX_BODY_DEPTH.
 */
export async function readJsonBody(c: Context): Promise<BodyRead> {
  const tooLarge = () => ({
    ok: false as const,
    response: apiError(c, 413, 'PayloadTooLarge', `The request body is over the ${MAX_BODY_BYTES}-byte limit`, { limit: MAX_BODY_BYTES }),
  });
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return tooLarge();
  const bytes = await readAtMost(c.req.raw.body, MAX_BODY_BYTES);
  if (bytes === null) return tooLarge();
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return { ok: true, body: {} };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, response: apiError(c, 400, 'InvalidJson', 'The request body is not valid JSON') };
  }
  if (!isPlainObject(body)) {
    return {
      ok: false,
      response: apiError(c, 400, 'InvalidPayload', 'The request body must be a JSON object', {
        issues: [{ path: '', message: 'expected an object' }],
      }),
    };
  }
  // Iterative: any depth is measured without recursion.
  if (nestedDeeperThan(body, MAX_BODY_DEPTH)) {
    return {
      ok: false,
      response: apiError(c, 400, 'InvalidPayload', `The request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep`, {
        issues: [{ path: '', message: `nests more than ${MAX_BODY_DEPTH} levels deep` }],
      }),
    };
  }
  return { ok: true, body };
}

export type TextRead = { ok: true; text: string } | { ok: false; response: Response };

/**
 * The body as UTF-8 text, bounded like readJsonBody (413 PayloadTooLarge past `maxBytes`, from
 * Content-Length or by counting), or 400 InvalidEncoding when it is not UTF-8. For the CSV imports.
 */
export async function readTextBody(c: Context, maxBytes: number): Promise<TextRead> {
  const tooLarge = () => ({
    ok: false as const,
    response: apiError(c, 413, 'PayloadTooLarge', `The request body is over the ${maxBytes}-byte limit`, { limit: maxBytes }),
  });
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
  const bytes = await readAtMost(c.req.raw.body, maxBytes);
  if (bytes === null) return tooLarge();
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, response: apiError(c, 400, 'InvalidEncoding', 'The request body is not UTF-8 text') };
  }
}

/** The stream's bytes, or null as soon as they pass `max` (the rest is not read). */
async function readAtMost(stream: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array | null> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
