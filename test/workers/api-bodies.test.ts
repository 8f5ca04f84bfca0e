// Request bodies on every route that reads one: a JSON object, at most MAX_BODY_DEPTH deep, and at
// most MAX_BODY_BYTES, refused with 413 before it is parsed (or even read to its end).

import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from '../../src/api/body';
import { api, API_TOKEN, uniqueChargerId, worker } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

/** `{"a":{"a":…}}` nested `depth` objects deep, the innermost holding `inner`. Built as text: no recursion. */
function nestedObject(depth: number, inner = '1'): string {
  return '{"a":'.repeat(depth - 1) + `{"a":${inner}}` + '}'.repeat(depth - 1);
}

/** A body streamed in 64 KiB chunks, without Content-Length; counts what the Worker pulled. */
function streamedBody(totalBytes: number): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  const chunk = new TextEncoder().encode('{"pad":"' + 'x'.repeat(65_536 - 8));
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= totalBytes) return controller.close();
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

function streamed(method: string, path: string, stream: ReadableStream<Uint8Array>): Promise<Response> {
  return worker(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: stream,
    // @ts-expect-error: a streamed request body must say so (fetch's `duplex`).
    duplex: 'half',
  });
}

/** Routes that read a body, each with a registered charger or tag to act on. */
async function routes(): Promise<Array<[method: string, path: string]>> {
  const chargerId = uniqueChargerId('BODY');
  expect((await api('PUT', `/chargers/${chargerId}`)).status).toBe(201);
  return [
    ['PUT', `/chargers/${uniqueChargerId('BODY')}`],
    ['POST', `/chargers/${chargerId}/commands/DataTransfer?queue=true`],
    ['PUT', `/id-tags/${uniqueChargerId('TAG')}`],
    ['POST', `/chargers/${chargerId}/password`],
    ['POST', `/chargers/${chargerId}/local-list`],
    ['POST', '/tokens'],
    ['PUT', `/tariffs/${uniqueChargerId('TARIFF')}`],
    ['PUT', `/tariff-assignments/chargers/${chargerId}`],
  ];
}

describe('API request bodies', () => {
  it('must be JSON objects: [] no longer registers a charger, nor do null, a string or a number', async () => {
    for (const [method, path] of await routes()) {
      for (const body of ['[]', '[{"securityProfile":0}]', 'null', '"x"', '42', 'true']) {
        const res = await api(method, path, body);
        expect({ method, path, body, status: res.status }).toEqual({ method, path, body, status: 400 });
        expect(await json(res)).toEqual({
          error: { code: 'InvalidPayload', message: 'The request body must be a JSON object', issues: [{ path: '', message: 'expected an object' }] },
        });
      }
    }
    const chargerId = uniqueChargerId('ARRAY');
    expect((await api('PUT', `/chargers/${chargerId}`, '[]')).status).toBe(400);
    expect((await api('GET', `/chargers/${chargerId}`)).status).toBe(404);
    // An empty body still reads as {}.
    expect((await api('PUT', `/chargers/${chargerId}`, '')).status).toBe(201);
  });

  it(`nested deeper than ${MAX_BODY_DEPTH} levels get 400, however deep (100,000 levels gave 500)`, async () => {
    for (const [method, path] of await routes()) {
      for (const depth of [MAX_BODY_DEPTH + 1, 100_000]) {
        const res = await api(method, path, nestedObject(depth));
        expect({ method, path, depth, status: res.status }).toEqual({ method, path, depth, status: 400 });
        expect((await json(res)).error).toMatchObject({ code: 'InvalidPayload', message: `The request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep` });
      }
    }
    // Up to the limit is fine: a 2.0.1 DataTransfer's `data` may be any JSON.
    const chargerId = uniqueChargerId('DEEP');
    await api('PUT', `/chargers/${chargerId}`);
    const atLimit = `{"vendorId":"acme","data":${nestedObject(MAX_BODY_DEPTH - 1)}}`;
    expect((await api('POST', `/chargers/${chargerId}/commands/DataTransfer?queue=true`, atLimit)).status).toBe(202);
    const overLimit = `{"vendorId":"acme","data":${nestedObject(MAX_BODY_DEPTH)}}`;
    expect((await api('POST', `/chargers/${chargerId}/commands/DataTransfer?queue=true`, overLimit)).status).toBe(400);
  });

  it(`over ${MAX_BODY_BYTES} bytes get 413 before they are parsed, with or without Content-Length`, async () => {
    const chargerId = uniqueChargerId('BIG');
    const tooBig = `{"pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`;
    for (const [method, path] of await routes()) {
      const res = await api(method, path, tooBig);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 413 });
      expect(await json(res)).toEqual({
        error: { code: 'PayloadTooLarge', message: `The request body is over the ${MAX_BODY_BYTES}-byte limit`, limit: MAX_BODY_BYTES },
      });
    }
    // Content-Length alone decides: the body is not read.
    const declared = await worker(`/api/v1/chargers/${chargerId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json', 'content-length': String(90 * 1024 * 1024) },
      body: streamedBody(90 * 1024 * 1024).stream,
      // @ts-expect-error: a streamed request body must say so (fetch's `duplex`).
      duplex: 'half',
    });
    expect(declared.status).toBe(413);
    // A 90 MiB body streamed without Content-Length is cut off once it passes the limit.
    const body = streamedBody(90 * 1024 * 1024);
    const res = await streamed('PUT', `/chargers/${chargerId}`, body.stream);
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThan(MAX_BODY_BYTES + 4 * 65_536);
    expect((await api('GET', `/chargers/${chargerId}`)).status).toBe(404);
    // Just under the limit is read (and judged on its content).
    const justUnder = `{"pad":"${'x'.repeat(MAX_BODY_BYTES - 20)}"}`;
    expect((await api('PUT', `/chargers/${chargerId}`, justUnder)).status).toBe(400);
  }, 60_000);

  it('are documented: every operation with a body may answer 413, with the limits', async () => {
    const doc = await json(await worker('/api/v1/openapi.json'));
    let withBody = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (typeof op !== 'object' || !op.requestBody) continue;
        withBody += 1;
        expect({ path, method, has413: Boolean(op.responses['413']) }).toEqual({ path, method, has413: true });
      }
    }
    expect(withBody).toBeGreaterThanOrEqual(6);
    const described = doc.components.responses.PayloadTooLarge.description;
    expect(described).toContain(String(MAX_BODY_BYTES));
    expect(described).toContain(`${MAX_BODY_DEPTH} levels`);
  });
});
