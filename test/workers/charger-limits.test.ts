// Operator commands fitted to the limits a charger reported: split into several CALLs, or refused naming the limit.
import { describe, expect, it } from 'vitest';
import { api, commandAnswered, RawCharger, uniqueChargerId } from './helpers';

type Frame = [number, string, string, Record<string, any>];

/** A 2.0.1 charger that reported these DeviceDataCtrlr / SmartChargingCtrlr variables in a NotifyReport. */
async function charger201(variables: Array<{ component: string; variable: string; instance?: string; value: string }>): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId('LIM'), 'ocpp2.0.1');
  await cp.boot();
  const reply = await cp.call('NotifyReport', {
    requestId: 1,
    generatedAt: new Date().toISOString(),
    seqNo: 0,
    reportData: variables.map((v) => ({
      component: { name: v.component },
      variable: { name: v.variable, ...(v.instance ? { instance: v.instance } : {}) },
      variableAttribute: [{ type: 'Actual', value: v.value, mutability: 'ReadOnly' }],
    })),
  });
  expect(reply[0]).toBe(3);
  return cp;
}

/** A 1.6 charger that told these configuration keys in its answer to a GetConfiguration. */
async function charger16(keys: Record<string, string>): Promise<RawCharger> {
  const cp = await RawCharger.connect(uniqueChargerId('LIM'), 'ocpp1.6');
  await cp.boot();
  const pending = api('POST', `/chargers/${cp.id}/commands/GetConfiguration`, {});
  const call = (await cp.next()) as Frame;
  cp.sendRaw(JSON.stringify([3, call[1], { configurationKey: Object.entries(keys).map(([key, value]) => ({ key, readonly: true, value })) }]));
  expect((await pending).status).toBe(200);
  return cp;
}

/** Asserts the CSMS sends nothing more for a moment. */
async function expectNothingSent(cp: RawCharger): Promise<void> {
  await expect(cp.next(300)).rejects.toThrow('no frame');
}

const variable = (name: string) => ({ component: { name: 'OCPPCommCtrlr' }, variable: { name } });
const NAMES = ['HeartbeatInterval', 'OfflineThreshold', 'RetryBackOffWaitMinimum', 'MessageTimeout', 'NetworkProfileConnectionAttempts'];

describe('2.0.1 GetVariables / SetVariables split by DeviceDataCtrlr limits (B06, B07)', () => {
  it('B06.FR.16 (the charger refuses more than ItemsPerMessage[GetVariables]): ItemsPerMessage 2 → a 5-variable GetVariables goes as 3 CALLs, the answer has all 5 results in order', async () => {
    const cp = await charger201([{ component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', instance: 'GetVariables', value: '2' }]);
    const pending = api('POST', `/chargers/${cp.id}/commands/GetVariables`, { getVariableData: NAMES.map(variable) });
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const call = (await cp.next()) as Frame;
      expect(call[2]).toBe('GetVariables');
      const data = call[3].getVariableData as Array<{ component: unknown; variable: { name: string } }>;
      sizes.push(data.length);
      cp.sendRaw(
        JSON.stringify([
          3,
          call[1],
          { getVariableResult: data.map((d) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable, attributeValue: `v-${d.variable.name}` })) },
        ]),
      );
    }
    expect(sizes).toEqual([2, 2, 1]);
    const res = await pending;
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.result.getVariableResult.map((r: any) => r.variable.name)).toEqual(NAMES);
    expect(body.result.getVariableResult.map((r: any) => r.attributeValue)).toEqual(NAMES.map((n) => `v-${n}`));
    expect(body.parts).toEqual([
      { part: 1, items: 2 },
      { part: 2, items: 2 },
      { part: 3, items: 1 },
    ]);
    cp.close();
  });

  it('B07 (DeviceDataCtrlr.BytesPerMessage[SetVariables]): each CALL frame stays within the bytes the charger reported; results merged in order', async () => {
    const limit = 260;
    const cp = await charger201([{ component: 'DeviceDataCtrlr', variable: 'BytesPerMessage', instance: 'SetVariables', value: String(limit) }]);
    const data = NAMES.map((name, i) => ({ ...variable(name), attributeValue: String(100 + i) }));
    const pending = api('POST', `/chargers/${cp.id}/commands/SetVariables`, { setVariableData: data });
    const sent: string[] = [];
    let frames = 0;
    while (sent.length < NAMES.length) {
      const call = (await cp.next()) as Frame;
      frames += 1;
      // What the charger measures: the whole frame, in bytes.
      expect(new TextEncoder().encode(JSON.stringify(call)).length).toBeLessThanOrEqual(limit);
      const items = call[3].setVariableData as Array<{ component: unknown; variable: { name: string } }>;
      sent.push(...items.map((d) => d.variable.name));
      cp.sendRaw(JSON.stringify([3, call[1], { setVariableResult: items.map((d) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })) }]));
    }
    expect(frames).toBeGreaterThan(1);
    expect(sent).toEqual(NAMES);
    const body = (await (await pending).json()) as any;
    expect(body.result.setVariableResult.map((r: any) => r.variable.name)).toEqual(NAMES);
    // One variable too big for a message of its own cannot be sent at all: refused, nothing sent.
    const huge = await api('POST', `/chargers/${cp.id}/commands/SetVariables`, { setVariableData: [{ ...variable('HeartbeatInterval'), attributeValue: 'x'.repeat(300) }] });
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as any).error).toMatchObject({
      code: 'ChargerLimitExceeded',
      limit: { name: 'DeviceDataCtrlr.BytesPerMessage[SetVariables]', value: limit },
    });
    await expectNothingSent(cp);
    cp.close();
  });

  it('B06: a part the charger refuses stops the rest; the answer says what each part sent was answered and how many were not sent', async () => {
    const cp = await charger201([{ component: 'DeviceDataCtrlr', variable: 'ItemsPerMessageGetVariables', value: '2' }]);
    const pending = api('POST', `/chargers/${cp.id}/commands/GetVariables`, { getVariableData: NAMES.map(variable) });
    const first = (await cp.next()) as Frame;
    const data = first[3].getVariableData as Array<{ component: unknown; variable: unknown }>;
    cp.sendRaw(JSON.stringify([3, first[1], { getVariableResult: data.map((d) => ({ attributeStatus: 'UnknownVariable', ...d })) }]));
    const second = (await cp.next()) as Frame;
    cp.sendRaw(JSON.stringify([4, second[1], 'OccurrenceConstraintViolation', 'too many', {}]));
    const res = await pending;
    expect(res.status).toBe(502);
    const { error } = (await res.json()) as any;
    expect(error).toMatchObject({ code: 'CallError', partsNotSent: 1, message: expect.stringContaining('Part 2 of 3') });
    expect(error.parts).toHaveLength(2);
    expect(error.parts[0]).toMatchObject({ part: 1, items: 2, result: { getVariableResult: [{ attributeStatus: 'UnknownVariable' }, { attributeStatus: 'UnknownVariable' }] } });
    expect(error.parts[1]).toMatchObject({ part: 2, items: 2, error: { code: 'CallError', ocpp: { code: 'OccurrenceConstraintViolation' } } });
    await expectNothingSent(cp);
    cp.close();
  });

  it('B08: a GetReport over ItemsPerMessage[GetReport] is refused naming the limit (one requestId: not split); nothing sent', async () => {
    const cp = await charger201([{ component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', instance: 'GetReport', value: '2' }]);
    const res = await api('POST', `/chargers/${cp.id}/commands/GetReport`, { requestId: 7, componentVariable: NAMES.slice(0, 3).map(variable) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'ChargerLimitExceeded', limit: { name: 'DeviceDataCtrlr.ItemsPerMessage[GetReport]', value: 2 } });
    await expectNothingSent(cp);
    // Within the limit: sent as before.
    const ok = api('POST', `/chargers/${cp.id}/commands/GetReport`, { requestId: 8, componentVariable: NAMES.slice(0, 2).map(variable) });
    const call = (await cp.next()) as Frame;
    expect(call[3].componentVariable).toHaveLength(2);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await ok).status).toBe(200);
    cp.close();
  });

  it('no limit reported: a GetVariables goes whole, as before', async () => {
    const cp = await charger201([{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300' }]);
    const pending = api('POST', `/chargers/${cp.id}/commands/GetVariables`, { getVariableData: NAMES.map(variable) });
    const call = (await cp.next()) as Frame;
    expect(call[3].getVariableData).toHaveLength(5);
    cp.sendRaw(JSON.stringify([3, call[1], { getVariableResult: NAMES.map((n) => ({ attributeStatus: 'Accepted', ...variable(n) })) }]));
    const body = (await (await pending).json()) as any;
    expect(body.result.getVariableResult).toHaveLength(5);
    expect(body.parts).toBeUndefined();
    cp.close();
  });

  it('K01 (SmartChargingCtrlr.PeriodsPerSchedule, ProfileStackLevel): a profile over the limits is refused naming the limit; nothing sent', async () => {
    const cp = await charger201([
      { component: 'SmartChargingCtrlr', variable: 'PeriodsPerSchedule', value: '2' },
      { component: 'SmartChargingCtrlr', variable: 'ProfileStackLevel', value: '3' },
    ]);
    const profile = (periods: number, stackLevel = 0) => ({
      evseId: 0,
      chargingProfile: {
        id: 5,
        stackLevel,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: [
          {
            id: 1,
            startSchedule: '2030-01-01T00:00:00Z',
            chargingRateUnit: 'A',
            chargingSchedulePeriod: Array.from({ length: periods }, (_, i) => ({ startPeriod: i * 600, limit: 16 })),
          },
        ],
      },
    });
    const periods = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, profile(3));
    expect(periods.status).toBe(400);
    expect(((await periods.json()) as any).error).toMatchObject({
      code: 'ChargerLimitExceeded',
      limit: { name: 'SmartChargingCtrlr.PeriodsPerSchedule', value: 2 },
    });
    const stack = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, profile(1, 4));
    expect(stack.status).toBe(400);
    expect(((await stack.json()) as any).error.limit).toEqual({ name: 'SmartChargingCtrlr.ProfileStackLevel', value: 3 });
    await expectNothingSent(cp);
    cp.close();
  });
});

describe('1.6 limits from the GetConfiguration answer (1.6 §5.8, §5.16, §9.1, §9.4)', () => {
  it('1.6 §5.8 GetConfigurationMaxKeys 2: 3 keys go as 2 CALLs; configurationKey and unknownKey merged in order', async () => {
    const cp = await charger16({ GetConfigurationMaxKeys: '2' });
    const pending = api('POST', `/chargers/${cp.id}/commands/GetConfiguration`, { key: ['HeartbeatInterval', 'Nope', 'MeterValueSampleInterval'] });
    const first = (await cp.next()) as Frame;
    expect(first[3]).toEqual({ key: ['HeartbeatInterval', 'Nope'] });
    cp.sendRaw(JSON.stringify([3, first[1], { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['Nope'] }]));
    const second = (await cp.next()) as Frame;
    expect(second[3]).toEqual({ key: ['MeterValueSampleInterval'] });
    cp.sendRaw(JSON.stringify([3, second[1], { configurationKey: [{ key: 'MeterValueSampleInterval', readonly: false, value: '60' }] }]));
    const body = (await (await pending).json()) as any;
    expect(body.result).toEqual({
      configurationKey: [
        { key: 'HeartbeatInterval', readonly: false, value: '300' },
        { key: 'MeterValueSampleInterval', readonly: false, value: '60' },
      ],
      unknownKey: ['Nope'],
    });
    cp.close();
  });

  it('1.6 §5.16 ChargingScheduleMaxPeriods / ChargeProfileMaxStackLevel: a profile over them is refused naming the key; nothing sent', async () => {
    const cp = await charger16({ ChargingScheduleMaxPeriods: '2', ChargeProfileMaxStackLevel: '1' });
    const profile = (periods: number, stackLevel = 0) => ({
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: 9,
        stackLevel,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: Array.from({ length: periods }, (_, i) => ({ startPeriod: i * 600, limit: 16 })),
        },
      },
    });
    const over = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, profile(3));
    expect(over.status).toBe(400);
    expect(((await over.json()) as any).error).toMatchObject({ code: 'ChargerLimitExceeded', limit: { name: 'ChargingScheduleMaxPeriods', value: 2 } });
    const stack = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, profile(2, 2));
    expect(((await stack.json()) as any).error.limit).toEqual({ name: 'ChargeProfileMaxStackLevel', value: 1 });
    // A remote start's profile too.
    const start = await api('POST', `/chargers/${cp.id}/commands/RemoteStartTransaction`, {
      connectorId: 1,
      idTag: 'T1',
      chargingProfile: { ...profile(3).csChargingProfiles, chargingProfilePurpose: 'TxProfile' },
    });
    expect(((await start.json()) as any).error.limit).toEqual({ name: 'ChargingScheduleMaxPeriods', value: 2 });
    await expectNothingSent(cp);
    // Within the limits: sent.
    const ok = api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, profile(2, 1));
    const call = (await cp.next()) as Frame;
    expect(call[2]).toBe('SetChargingProfile');
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await ok).status).toBe(200);
    cp.close();
  });

  it('1.6: a queued GetConfiguration is split the same way when it is delivered', async () => {
    const cp = await charger16({ GetConfigurationMaxKeys: '1' });
    const queued = await api('POST', `/chargers/${cp.id}/commands/GetConfiguration?queue=true`, { key: ['A', 'B'] });
    expect(queued.status).toBe(202);
    const { command } = (await queued.json()) as any;
    for (const key of ['A', 'B']) {
      const call = (await cp.next()) as Frame;
      expect(call[3]).toEqual({ key: [key] });
      cp.sendRaw(JSON.stringify([3, call[1], { configurationKey: [{ key, readonly: true, value: key.toLowerCase() }] }]));
    }
    let state: any;
    for (let i = 0; i < 50; i++) {
      state = ((await (await api('GET', `/commands/${command.id}`)).json()) as any).command;
      if (state.status !== 'sent' && state.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state.result.configurationKey.map((k: any) => k.key)).toEqual(['A', 'B']);
    cp.close();
  });
});

/** Sends a command, answers its one CALL with `answer`, and returns the API's answer. */
async function sendAnswered(cp: RawCharger, action: string, body: unknown, answer: Record<string, unknown> = { status: 'Accepted' }): Promise<Response> {
  const { res } = await commandAnswered(cp, action, body, answer);
  expect(res.status).toBe(200);
  return res;
}

describe('the number of charging profiles a charger holds (1.6 MaxChargingProfilesInstalled, 2.0.1 SmartChargingCtrlr.Entries)', () => {
  const profile16 = (id: number, stackLevel: number, connectorId = 0, purpose = 'TxDefaultProfile') => ({
    connectorId,
    csChargingProfiles: {
      chargingProfileId: id,
      stackLevel,
      chargingProfilePurpose: purpose,
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] },
    },
  });

  it('1.6 §5.16 / §9.4 MaxChargingProfilesInstalled 2: a third profile is refused naming the key, nothing sent; one with an installed id, or the same stack level and purpose on the same connector, replaces it; a remote start profile counts too', async () => {
    const cp = await charger16({ MaxChargingProfilesInstalled: '2' });
    await sendAnswered(cp, 'SetChargingProfile', profile16(1, 0));
    await sendAnswered(cp, 'SetChargingProfile', profile16(2, 1));
    const third = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, profile16(3, 2));
    expect(third.status).toBe(400);
    expect(((await third.json()) as any).error).toMatchObject({
      code: 'ChargerLimitExceeded',
      limit: { name: 'MaxChargingProfilesInstalled', value: 2 },
      message: expect.stringContaining('holds 2 charging profiles'),
    });
    const start = await api('POST', `/chargers/${cp.id}/commands/RemoteStartTransaction`, {
      connectorId: 1,
      idTag: 'T1',
      chargingProfile: { ...profile16(5, 0).csChargingProfiles, chargingProfilePurpose: 'TxProfile' },
    });
    expect(start.status).toBe(400);
    expect(((await start.json()) as any).error.limit).toEqual({ name: 'MaxChargingProfilesInstalled', value: 2 });
    await expectNothingSent(cp);
    // The same id replaces (with another stack level), and so does another id at the same stack level and purpose.
    await sendAnswered(cp, 'SetChargingProfile', profile16(2, 3));
    await sendAnswered(cp, 'SetChargingProfile', profile16(4, 3));
    // Another connector is another place: it adds.
    const other = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, profile16(6, 3, 1));
    expect(other.status).toBe(400);
    // Cleared, there is room again.
    await sendAnswered(cp, 'ClearChargingProfile', { id: 1 });
    await sendAnswered(cp, 'SetChargingProfile', profile16(6, 3, 1));
    cp.close();
  });

  it('1.6 MaxChargingProfilesInstalled: a queued SetChargingProfile past the limit fails when it is delivered, unsent', async () => {
    const cp = await charger16({ MaxChargingProfilesInstalled: '1' });
    await sendAnswered(cp, 'SetChargingProfile', profile16(1, 0));
    const queued = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile?queue=true`, profile16(2, 1));
    expect(queued.status).toBe(202);
    const { command } = (await queued.json()) as any;
    let state: any;
    for (let i = 0; i < 50; i++) {
      state = ((await (await api('GET', `/commands/${command.id}`)).json()) as any).command;
      if (state.status !== 'sent' && state.status !== 'queued') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state.status).toBe('failed');
    expect(state.error).toMatchObject({ code: 'ChargerLimitExceeded', limit: { name: 'MaxChargingProfilesInstalled', value: 1 } });
    await expectNothingSent(cp);
    cp.close();
  });

  it('K01 (SmartChargingCtrlr.Entries maxLimit, instance ChargingProfiles): past it a SetChargingProfile or a RequestStartTransaction profile is refused, nothing sent; the same id replaces', async () => {
    const cp = await RawCharger.connect(uniqueChargerId('LIM'), 'ocpp2.0.1');
    await cp.boot();
    const report = await cp.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [
        {
          component: { name: 'SmartChargingCtrlr' },
          variable: { name: 'Entries', instance: 'ChargingProfiles' },
          variableAttribute: [{ type: 'Actual', value: '0', mutability: 'ReadOnly' }],
          variableCharacteristics: { dataType: 'integer', maxLimit: 1, supportsMonitoring: false },
        },
      ],
    });
    expect(report[0]).toBe(3);
    const profile = (id: number, stackLevel: number) => ({
      evseId: 0,
      chargingProfile: {
        id,
        stackLevel,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }] }],
      },
    });
    await sendAnswered(cp, 'SetChargingProfile', profile(1, 0));
    const second = await api('POST', `/chargers/${cp.id}/commands/SetChargingProfile`, profile(2, 1));
    expect(second.status).toBe(400);
    expect(((await second.json()) as any).error).toMatchObject({ code: 'ChargerLimitExceeded', limit: { name: 'SmartChargingCtrlr.Entries (maxLimit)', value: 1 } });
    const start = await api('POST', `/chargers/${cp.id}/commands/RequestStartTransaction`, {
      remoteStartId: 1,
      evseId: 1,
      idToken: { idToken: 'T1', type: 'ISO14443' },
      chargingProfile: { ...profile(3, 0).chargingProfile, chargingProfilePurpose: 'TxProfile' },
    });
    expect(start.status).toBe(400);
    expect(((await start.json()) as any).error.limit).toEqual({ name: 'SmartChargingCtrlr.Entries (maxLimit)', value: 1 });
    await expectNothingSent(cp);
    // K01.FR.05: the same id replaces the installed one.
    await sendAnswered(cp, 'SetChargingProfile', profile(1, 2));
    cp.close();
  });
});
