import { describe, expect, it } from 'vitest';
import { RawCharger, uniqueChargerId } from './helpers';

// Each malformed-input class, the code each version must answer with, and a check that
// the connection still works afterwards.
const CASES: Array<{ name: string; frame: string; id: string; v16: string; v201: string }> = [
  { name: 'unparsable JSON', frame: '[2,"m1","Heartbeat",{', id: '-1', v16: 'FormationViolation', v201: 'FormatViolation' },
  { name: 'not an array', frame: '{"hello":1}', id: '-1', v16: 'FormationViolation', v201: 'RpcFrameworkError' },
  { name: 'unknown message type', frame: '[7,"m2","Heartbeat",{}]', id: 'm2', v16: 'FormationViolation', v201: 'MessageTypeNotSupported' },
  { name: 'payload not an object', frame: '[2,"m3","Heartbeat",[]]', id: 'm3', v16: 'FormationViolation', v201: 'FormatViolation' },
  { name: 'message id too long', frame: `[2,"${'i'.repeat(37)}","Heartbeat",{}]`, id: 'i'.repeat(37), v16: 'FormationViolation', v201: 'RpcFrameworkError' },
  { name: 'unknown action', frame: '[2,"m4","FooBar",{}]', id: 'm4', v16: 'NotImplemented', v201: 'NotImplemented' },
  { name: 'unexpected property', frame: '[2,"m5","Heartbeat",{"extra":true}]', id: 'm5', v16: 'OccurenceConstraintViolation', v201: 'OccurrenceConstraintViolation' },
  { name: 'CSMS-only action', frame: '[2,"m6","Reset",{"type":"Hard"}]', id: 'm6', v16: 'NotSupported', v201: 'NotSupported' },
  { name: 'CSMS-only action without a payload', frame: '[2,"m7","ClearCache",{}]', id: 'm7', v16: 'NotSupported', v201: 'NotSupported' },
];

const SCHEMA_CASES = {
  'ocpp1.6': [
    { name: 'missing field', action: 'StatusNotification', payload: { connectorId: 1, status: 'Available' }, code: 'OccurenceConstraintViolation', field: 'errorCode' },
    { name: 'wrong type', action: 'StatusNotification', payload: { connectorId: '1', errorCode: 'NoError', status: 'Available' }, code: 'TypeConstraintViolation', field: 'connectorId' },
    { name: 'bad enum', action: 'StatusNotification', payload: { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' }, code: 'PropertyConstraintViolation', field: 'status' },
    { name: 'too long', action: 'StatusNotification', payload: { connectorId: 1, errorCode: 'NoError', status: 'Available', info: 'x'.repeat(51) }, code: 'PropertyConstraintViolation', field: 'info' },
  ],
  'ocpp2.0.1': [
    { name: 'missing field', action: 'StatusNotification', payload: { timestamp: '2026-01-01T00:00:00Z', evseId: 1, connectorId: 1 }, code: 'OccurrenceConstraintViolation', field: 'connectorStatus' },
    { name: 'wrong type', action: 'StatusNotification', payload: { timestamp: '2026-01-01T00:00:00Z', connectorStatus: 'Available', evseId: 'one', connectorId: 1 }, code: 'TypeConstraintViolation', field: 'evseId' },
    { name: 'bad date-time', action: 'StatusNotification', payload: { timestamp: 'yesterday', connectorStatus: 'Available', evseId: 1, connectorId: 1 }, code: 'PropertyConstraintViolation', field: 'timestamp' },
  ],
  // 2.1 keeps 2.0.1's StatusNotification and its error codes; SEND-only NotifyPeriodicEventStream sent as a CALL is refused.
  'ocpp2.1': [
    { name: 'missing field', action: 'StatusNotification', payload: { timestamp: '2026-01-01T00:00:00Z', evseId: 1, connectorId: 1 }, code: 'OccurrenceConstraintViolation', field: 'connectorStatus' },
    { name: 'bad enum', action: 'StatusNotification', payload: { timestamp: '2026-01-01T00:00:00Z', connectorStatus: 'Sleeping', evseId: 1, connectorId: 1 }, code: 'PropertyConstraintViolation', field: 'connectorStatus' },
    { name: 'a SEND message as a CALL', action: 'NotifyPeriodicEventStream', payload: { id: 1, pending: 0, basetime: '2026-01-01T00:00:00Z', data: [{ t: 0, v: '1' }] }, code: 'RpcFrameworkError', field: 'action' },
  ],
} as const;

for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const) {
  describe(`malformed input over ${version}`, () => {
    it('answers every frame-level class with the version-correct CALLERROR, and stays usable', async () => {
      const cp = await RawCharger.connect(uniqueChargerId(), version);
      await cp.boot();
      for (const c of CASES) {
        cp.sendRaw(c.frame);
        const answer = await cp.next();
        expect(answer.slice(0, 3), c.name).toEqual([4, c.id, version === 'ocpp1.6' ? c.v16 : c.v201]);
        expect((answer[3] as string).length).toBeLessThanOrEqual(255);
        expect((await cp.call('Heartbeat', {}))[0], `usable after ${c.name}`).toBe(3);
      }
      cp.close();
    });

    it('maps schema failures to codes and names the field in errorDetails', async () => {
      const cp = await RawCharger.connect(uniqueChargerId(), version);
      await cp.boot();
      for (const c of SCHEMA_CASES[version]) {
        const answer = await cp.call(c.action, c.payload);
        expect(answer[2], c.name).toBe(c.code);
        expect(JSON.stringify(answer[4]), c.name).toContain(c.field);
      }
      cp.close();
    });

    it('drops replies that match no pending call without answering them', async () => {
      const cp = await RawCharger.connect(uniqueChargerId(), version);
      await cp.boot();
      cp.sendRaw('[3,"nobody-asked",{}]');
      cp.sendRaw('[4,"nobody-asked","GenericError","",{}]');
      cp.sendRaw('[3,"broken"]');
      // Calls are answered in order, so the Heartbeat's answer is the next frame we see.
      const answer = await cp.call('Heartbeat', {});
      expect(answer[0]).toBe(3);
      cp.close();
    });
  });
}

describe('binary frames', () => {
  it('are answered FormatViolation, the connection stays usable', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    cp.ws.send(new TextEncoder().encode('[2,"b1","Heartbeat",{}]'));
    expect((await cp.next()).slice(0, 3)).toEqual([4, '-1', 'FormatViolation']);
    expect((await cp.call('Heartbeat', {}))[0]).toBe(3);
    cp.close();
  });
});
