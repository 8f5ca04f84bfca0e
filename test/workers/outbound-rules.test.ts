// What the CSMS sends is checked against the spec's rules, not only its schema: a command that
// breaks one is refused with 400 SpecViolation naming the requirement, and nothing reaches the charger.
import { describe, expect, it } from 'vitest';
import { api, breakD1, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

/** Resolves when no frame comes from the CSMS within `ms`: nothing was sent. */
async function nothingSent(cp: RawCharger, ms = 300): Promise<void> {
  await expect(cp.next(ms)).rejects.toThrow(/no frame/);
}

/** The CALLs the charger's journal shows the CSMS sent with this action. */
async function callsSent(cp: RawCharger, action: string): Promise<number> {
  const { messages } = await json(await api('GET', `/chargers/${cp.id}/messages?limit=100`));
  return messages.filter((m: any) => m.direction === 'out' && m.messageType === 2 && m.action === action).length;
}

/** Sends a command the charger answers with `result`; returns the HTTP response. */
async function answered(cp: RawCharger, action: string, payload: unknown, result: unknown): Promise<Response> {
  return (await commandAnswered(cp, action, payload, result)).res;
}

function txProfile201(transactionId: string, id = 1, stackLevel = 0) {
  return {
    id,
    stackLevel,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Relative',
    transactionId,
    chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
  };
}

function defaultProfile201(id: number, stackLevel: number) {
  return {
    id,
    stackLevel,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
  };
}

function started201(transactionId: string, evseId: number) {
  return {
    eventType: 'Started',
    timestamp: new Date().toISOString(),
    triggerReason: 'CablePluggedIn',
    seqNo: 0,
    transactionInfo: { transactionId },
    evse: { id: evseId, connectorId: 1 },
  };
}

describe('2.0.1 commands checked against the spec before they leave', () => {
  it('K01.FR.09: a TxProfile for a transaction not running is refused and not sent; once it runs, it goes through', { timeout: 15_000 }, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const txId = `TX-${crypto.randomUUID().slice(0, 8)}`;
    const payload = { evseId: 1, chargingProfile: txProfile201(txId) };

    const refused = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, payload);
    expect(refused.status).toBe(400);
    const body = await json(refused);
    expect(body.error).toMatchObject({ code: 'SpecViolation', requirement: 'K01.FR.09' });
    expect(body.error.message).toContain(txId);
    await nothingSent(cp);
    expect(await callsSent(cp, 'SetChargingProfile')).toBe(0);

    expect((await cp.call('TransactionEvent', started201(txId, 1)))[0]).toBe(3);
    // K01.FR.33: on another EVSE than its transaction's, still refused.
    const elsewhere = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, { ...payload, evseId: 2 });
    expect(elsewhere.status).toBe(400);
    expect((await json(elsewhere)).error).toMatchObject({ code: 'SpecViolation', requirement: 'K01.FR.33' });
    await nothingSent(cp);

    const sent = await answered(cp, 'SetChargingProfile', payload, { status: 'Accepted' });
    expect(sent.status).toBe(200);
    expect(await callsSent(cp, 'SetChargingProfile')).toBe(1);
    cp.close();
  });

  it('K01.FR.39 / K01.FR.06: a stack level already taken by an installed profile is refused; the same id replaces it', { timeout: 15_000 }, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    expect((await answered(cp, 'SetChargingProfile', { evseId: 1, chargingProfile: defaultProfile201(10, 2) }, { status: 'Accepted' })).status).toBe(200);

    // Right after the charger accepted the first: the check sees it without waiting for D1.
    const taken = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, { evseId: 1, chargingProfile: defaultProfile201(11, 2) });
    expect(taken.status).toBe(400);
    expect((await json(taken)).error).toMatchObject({ code: 'SpecViolation', requirement: 'K01.FR.06' });
    await nothingSent(cp);

    expect((await answered(cp, 'SetChargingProfile', { evseId: 1, chargingProfile: defaultProfile201(10, 2) }, { status: 'Accepted' })).status).toBe(200);
    expect((await answered(cp, 'SetChargingProfile', { evseId: 1, chargingProfile: defaultProfile201(11, 3) }, { status: 'Accepted' })).status).toBe(200);

    const txId = `TX-${crypto.randomUUID().slice(0, 8)}`;
    await cp.call('TransactionEvent', started201(txId, 1));
    expect((await answered(cp, 'SetChargingProfile', { evseId: 1, chargingProfile: txProfile201(txId, 20, 1) }, { status: 'Accepted' })).status).toBe(200);
    const second = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, { evseId: 1, chargingProfile: txProfile201(txId, 21, 1) });
    expect(second.status).toBe(400);
    expect((await json(second)).error).toMatchObject({ code: 'SpecViolation', requirement: 'K01.FR.39' });
    await nothingSent(cp);
    cp.close();
  });

  it('K01.FR.06: when the installed profiles cannot be read, 503 StateUnavailable and nothing is sent', { timeout: 15_000 }, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    await breakD1(cp.id);
    const res = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, { evseId: 1, chargingProfile: defaultProfile201(1, 0) });
    expect(res.status).toBe(503);
    expect((await json(res)).error).toMatchObject({ code: 'StateUnavailable' });
    await nothingSent(cp);
    // A command no stateful rule concerns is not held up.
    expect((await answered(cp, 'ClearChargingProfile', { chargingProfileId: 1 }, { status: 'Unknown' })).status).toBe(200);
    cp.close();
  });

  it('K01.FR.22, K01.FR.31, K10.FR.02, F06.FR.13, F01.FR.11, N09.FR.04: refused without a CALL', { timeout: 15_000 }, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    const cases: Array<[string, unknown, string]> = [
      ['SetChargingProfile', { evseId: 0, chargingProfile: { ...defaultProfile201(1, 0), chargingProfilePurpose: 'ChargingStationExternalConstraints' } }, 'K01.FR.22'],
      [
        'SetChargingProfile',
        {
          evseId: 1,
          chargingProfile: { ...defaultProfile201(1, 0), chargingSchedule: [{ id: 1, chargingRateUnit: 'A', startSchedule: '2026-09-01T00:00:00Z', chargingSchedulePeriod: [{ startPeriod: 30, limit: 16 }] }] },
        },
        'K01.FR.31',
      ],
      ['ClearChargingProfile', {}, 'K10.FR.02'],
      ['ClearChargingProfile', { chargingProfileCriteria: {} }, 'K10.FR.02'],
      ['TriggerMessage', { requestedMessage: 'StatusNotification' }, 'F06.FR.13'],
      ['RequestStartTransaction', { remoteStartId: 1, idToken: { idToken: 'T', type: 'Central' }, chargingProfile: txProfile201('TX-1') }, 'F01.FR.11'],
      ['CustomerInformation', { requestId: 1, report: true, clear: false }, 'N09.FR.04'],
    ];
    for (const [action, payload, requirement] of cases) {
      const res = await api('POST', `/chargers/${cp.id}/commands/${action}`, payload);
      expect(res.status, `${action} ${requirement}`).toBe(400);
      expect((await json(res)).error, `${action} ${requirement}`).toMatchObject({ code: 'SpecViolation', requirement });
    }
    await nothingSent(cp);
    const { messages } = await json(await api('GET', `/chargers/${cp.id}/messages?limit=100`));
    expect(messages.filter((m: any) => m.direction === 'out' && m.messageType === 2)).toEqual([]);

    // Valid ones still go through.
    expect((await answered(cp, 'ClearChargingProfile', { chargingProfileId: 1 }, { status: 'Unknown' })).status).toBe(200);
    expect((await answered(cp, 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 1, connectorId: 1 } }, { status: 'Accepted' })).status).toBe(200);
    cp.close();
  });

  it('queued: the stateless rules refuse at once (400); a TxProfile whose transaction is not running when it is due fails as SpecViolation, unsent', { timeout: 15_000 }, async () => {
    const id = uniqueChargerId();
    let cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    cp.close();
    await cp.waitForClose().catch(() => undefined);

    const bad = await api('POST', `/chargers/${id}/commands/ClearChargingProfile?queue=true`, {});
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({ code: 'SpecViolation', requirement: 'K10.FR.02' });

    const queued = await api('POST', `/chargers/${id}/commands/SetChargingProfile?queue=true`, { evseId: 1, chargingProfile: txProfile201('TX-GONE') });
    expect(queued.status).toBe(202);
    const commandId = (await json(queued)).command.id;

    cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    let command: any;
    for (let i = 0; i < 50; i += 1) {
      command = (await json(await api('GET', `/commands/${commandId}`))).command;
      if (command.status !== 'queued' && command.status !== 'sent') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(command).toMatchObject({ status: 'failed', sentAt: null, error: { code: 'SpecViolation', requirement: 'K01.FR.09' } });
    await nothingSent(cp);
    expect(await callsSent(cp, 'SetChargingProfile')).toBe(0);
    cp.close();
  });
});

describe('1.6 commands checked against the spec before they leave', () => {
  function tx16(transactionId: number) {
    return {
      chargingProfileId: 5,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId,
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    };
  }

  it('1.6 §5.16.3: a TxProfile for a transaction not running is refused; for the running one it is sent', { timeout: 15_000 }, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const refused = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, { connectorId: 1, csChargingProfiles: tx16(999_999) });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error).toMatchObject({ code: 'SpecViolation', requirement: '1.6 §5.16.3' });
    await nothingSent(cp);

    const started = await cp.call('StartTransaction', { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: new Date().toISOString() });
    const transactionId = (started[2] as { transactionId: number }).transactionId;
    const sent = await answered(cp, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: tx16(transactionId) }, { status: 'Accepted' });
    expect(sent.status).toBe(200);
    cp.close();
  });

  it('1.6 §3.13.1, §5.11, §5.17: ChargePointMaxProfile off connector 0, a RemoteStart TxDefaultProfile, TriggerMessage connector 0 are refused unsent', { timeout: 15_000 }, async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    const max = { ...tx16(1), chargingProfilePurpose: 'ChargePointMaxProfile', transactionId: undefined, chargingProfileKind: 'Absolute' };
    const cases: Array<[string, unknown, string]> = [
      ['SetChargingProfile', { connectorId: 1, csChargingProfiles: max }, '1.6 §3.13.1'],
      ['RemoteStartTransaction', { idTag: 'TAG', chargingProfile: { ...tx16(1), chargingProfilePurpose: 'TxDefaultProfile', transactionId: undefined } }, '1.6 §5.11'],
      ['TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 0 }, '1.6 §5.17 TriggerMessage.req connectorId'],
    ];
    for (const [action, payload, requirement] of cases) {
      const res = await api('POST', `/chargers/${cp.id}/commands/${action}`, payload);
      expect(res.status, requirement).toBe(400);
      expect((await json(res)).error, requirement).toMatchObject({ code: 'SpecViolation', requirement });
    }
    await nothingSent(cp);
    expect((await answered(cp, 'SetChargingProfile', { connectorId: 0, csChargingProfiles: max }, { status: 'Accepted' })).status).toBe(200);
    cp.close();
  });
});
