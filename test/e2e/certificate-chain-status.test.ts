// OCPP 2.1 GetCertificateChainStatus (M-section) against a real OCSP responder on 127.0.0.1: each certificate asked
// at once, its status believed only from a response its issuer (in the CSMS's trust store) signed, the URLs tried in
// turn, and the answer checked by an independent 2.1 validator (typed-ocpp). Over a raw WebSocket: the strict
// ocpp-rpc client of the other e2e tests speaks 1.6 and 2.0.1 only.
import { describe, expect, it } from 'vitest';
import { OCPP21 } from 'typed-ocpp';
import WebSocket from 'ws';
import type { Signer } from '../support/ocsp-responder.ts';
import { newKeys } from '../support/test-pki.ts';
import { baseUrl, uniqueChargerId } from './helpers.ts';
import { useMoOcsp } from './mo-ocsp-helpers.ts';

const mo = useMoOcsp('e2e-chain21', 0x2100);

/** A 2.1 charger on a raw socket: sends CALLs one at a time and returns each answer's payload, checked by typed-ocpp. */
async function charger21(): Promise<{ call(action: string, payload: unknown): Promise<unknown>; close(): void }> {
  const ws = new WebSocket(`${baseUrl().replace(/^http/, 'ws')}/ocpp/${uniqueChargerId('E2E21')}`, ['ocpp2.1']);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  expect(ws.protocol).toBe('ocpp2.1');
  let next = 0;
  const call = (action: string, payload: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = `c${++next}`;
      const frame = [2, id, action, payload];
      expect(OCPP21.validateCall(frame), OCPP21.validateCall.errors.join('; ')).toBe(true);
      const timer = setTimeout(() => reject(new Error(`no answer to ${action}`)), 10_000);
      ws.once('message', (data) => {
        clearTimeout(timer);
        const answer = JSON.parse(String(data)) as unknown[];
        expect(answer[1]).toBe(id);
        expect(OCPP21.validateCallResult(answer), JSON.stringify(answer)).toBe(true);
        expect(OCPP21.checkCallResult(answer as never, frame as never), OCPP21.checkCallResult.errors.join('; ')).toBe(true);
        resolve(answer[2]);
      });
      ws.send(JSON.stringify(frame));
    });
  expect(await call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Volt21' } })).toMatchObject({ status: 'Accepted' });
  return { call, close: () => ws.close() };
}

function statusRequest(serial: string, urls: string[]) {
  const { responderURL: _url, ...certificateHashData } = mo.hashData(serial);
  return { source: 'OCSP', urls, certificateHashData };
}

describe('2.1 GetCertificateChainStatus against a real OCSP responder', () => {
  it('answers Good, Revoked and Unknown per certificate, asked in parallel, a responder that cannot be reached skipped for the next URL', async () => {
    const cp = await charger21();
    const [good, revoked, unknown, fallback] = [mo.freshSerial(), mo.freshSerial(), mo.freshSerial(), mo.freshSerial()];
    mo.responder.statuses.set(good, 'good');
    mo.responder.statuses.set(revoked, 'revoked');
    mo.responder.statuses.set(fallback, 'good');
    const url = mo.responder.url;
    const answer = (await cp.call('GetCertificateChainStatus', {
      certificateStatusRequests: [
        statusRequest(good, [url]),
        statusRequest(revoked, [url]),
        statusRequest(unknown, [url]),
        // Port 9 (discard) refuses the connection: the next URL answers.
        statusRequest(fallback, ['http://127.0.0.1:9/ocsp', url]),
      ],
    })) as { certificateStatus: Array<{ status: string; nextUpdate: string; certificateHashData: { serialNumber: string } }> };
    expect(answer.certificateStatus.map((s) => [s.certificateHashData.serialNumber, s.status])).toEqual([
      [good, 'Good'],
      [revoked, 'Revoked'],
      [unknown, 'Unknown'],
      [fallback, 'Good'],
    ]);
    // nextUpdate is the responder's (an hour after its thisUpdate).
    expect(Date.parse(answer.certificateStatus[0]!.nextUpdate)).toBeGreaterThan(Date.now() + 30 * 60_000);
    cp.close();
  });

  it('a response not signed by the issuer (nor a responder it authorised) is not believed: Failed with the reason', async () => {
    const cp = await charger21();
    const serial = mo.freshSerial();
    mo.responder.statuses.set(serial, 'good');
    const { keyHashOf } = await import('../support/test-pki.ts');
    const keyHash = await keyHashOf(mo.pki.subCa);
    const own = mo.responder.signers.get(keyHash)!;
    const stranger: Signer = { key: (await newKeys()).privateKey };
    mo.responder.signers.set(keyHash, stranger);
    try {
      const answer = (await cp.call('GetCertificateChainStatus', { certificateStatusRequests: [statusRequest(serial, [mo.responder.url])] })) as {
        certificateStatus: Array<{ status: string; customData?: { reason?: string } }>;
      };
      expect(answer.certificateStatus).toEqual([
        expect.objectContaining({ status: 'Failed', customData: { vendorId: 'ocpp-csms-workers', reason: expect.stringContaining('not signed by') } }),
      ]);
    } finally {
      mo.responder.signers.set(keyHash, own);
    }
    cp.close();
  });
});
