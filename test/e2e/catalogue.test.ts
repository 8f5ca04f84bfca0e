// Every OCPP action of 1.6, 2.0.1 and 2.1 (but SEND-only NotifyPeriodicEventStream), in its direction, against the real
// Worker under `wrangler dev`: strict ocpp-rpc chargers (which check every frame both ways against
// their own copy of the official schemas, typed-ocpp's for 2.1) call each charger-initiated action,
// and the HTTP API sends each CSMS-initiated one. Payloads are built from the official schemas (test/support/sample-payloads.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as v16Actions from '../../src/ocpp/v16/actions.ts';
import * as v201Actions from '../../src/ocpp/v201/actions.ts';
import * as v21Actions from '../../src/ocpp/v21/actions.ts';
import { credentialChange, passwordChange } from '../../src/ocpp/secrets.ts';
import { fullPayload, minimalPayload } from '../support/sample-payloads.ts';
import { carriesPassword, followingOutboundRules, stateFor21Rules, withPasswordProfile } from '../support/spec-valid-payloads.ts';
import { closeCharger, openBootedCharger, recordCallIds, type Received } from './catalogue-helpers.ts';
import { api, command, uniqueChargerId, type Charger, type Protocol } from './helpers.ts';

const CATALOGUE = {
  'ocpp1.6': v16Actions,
  'ocpp2.0.1': v201Actions,
  'ocpp2.1': v21Actions,
} as const satisfies Record<Protocol, { CHARGER_INITIATED: readonly string[]; CSMS_INITIATED: readonly string[] }>;
const VERSIONS = Object.keys(CATALOGUE) as Protocol[];
/**
 * The versions whose charger-initiated actions are catalogued here: all three, each frame checked by
 * the strict client (typed-ocpp's schemas for 2.1). 2.1's NotifyPeriodicEventStream goes with SEND,
 * which ocpp-rpc cannot send: test/e2e/event-streams.test.ts sends it over a raw socket.
 */
const CHARGER_VERSIONS = ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const;

/** Charger-initiated actions about sessions: kept as sessions, not as reports. */
const SESSION_ACTIONS = new Set([
  'Authorize',
  'BootNotification',
  'Heartbeat',
  'StatusNotification',
  'StartTransaction',
  'StopTransaction',
  'MeterValues',
  'TransactionEvent',
]);

type Payload = Record<string, unknown>;

/**
 * 2.1 charger actions whose content is kept in a store of its own rather than the reports (checked
 * below where a route shows it), or that only ask: PullDynamicScheduleUpdate and
 * GetCertificateChainStatus are questions answered from what the CSMS holds, and NotifyPriorityCharging
 * is kept on its transaction (the sample names none that exists: test/workers/grid21.test.ts covers it).
 */
const KEPT_ELSEWHERE_21 = new Set([
  'BatterySwap',
  'ClosePeriodicEventStream',
  'GetCertificateChainStatus',
  'NotifyPriorityCharging',
  'OpenPeriodicEventStream',
  'PullDynamicScheduleUpdate',
]);

describe.each(CHARGER_VERSIONS)('%s charger-initiated actions, strict client', (version) => {
  const id = uniqueChargerId('CAT-CP');
  const actions = (CATALOGUE[version].CHARGER_INITIATED as readonly string[]).filter((a) => a !== 'NotifyPeriodicEventStream');
  /** What was sent and answered, by action. */
  const sent = new Map<string, Payload>();
  const answers = new Map<string, unknown>();
  let client: Charger | undefined;
  let callIds: Map<string, string>;

  beforeAll(async () => {
    client = await openBootedCharger(version, id);
    callIds = recordCallIds(client);
  });
  afterAll(() => closeCharger(client));

  /** The request for `action`: the full sample, with the context a real charger would have. */
  function request(action: string): Payload {
    const payload = fullPayload(version, action, 'req');
    // A 1.6 stop and meter values name the transaction the CSMS assigned at the start.
    const started = answers.get('StartTransaction') as { transactionId?: number } | undefined;
    if (version === 'ocpp1.6' && started?.transactionId !== undefined && (action === 'StopTransaction' || action === 'MeterValues')) {
      payload.transactionId = started.transactionId;
    }
    return payload;
  }

  // A session in its natural order: meter values and the stop come after the start (a stable sort).
  const rank = (action: string): number => (action === 'MeterValues' || action === 'StopTransaction' ? 1 : 0);
  const ordered = [...actions].sort((a, b) => rank(a) - rank(b));

  it.each(ordered)('%s: the call resolves (a schema-valid CALLRESULT)', async (action) => {
    const payload = request(action);
    sent.set(action, payload);
    const answer = await client!.call(action, payload);
    answers.set(action, answer);
    expect(answer).toBeTypeOf('object');
  });

  const kept = actions.filter((action) => !SESSION_ACTIONS.has(action) && !(version === 'ocpp2.1' && KEPT_ELSEWHERE_21.has(action)));
  it.each(kept)('%s is kept in the reports as sent', async (action) => {
    const payload = sent.get(action);
    expect(payload, `${action} was not sent`).toBeDefined();
    const res = await api('GET', `/chargers/${encodeURIComponent(id)}/reports?action=${action}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const requestId = typeof payload!.requestId === 'number' ? payload!.requestId : null;
    expect(res.body.reports).toEqual([
      expect.objectContaining({ action, messageId: callIds.get(action), payload, requestId }),
    ]);
  });

  if (version === 'ocpp2.1') {
    it('BatterySwap is listed in the charger\'s battery swaps', async () => {
      const payload = sent.get('BatterySwap') as { requestId: number; eventType: string };
      const res = await api('GET', `/chargers/${encodeURIComponent(id)}/battery-swaps`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.batterySwaps).toContainEqual(expect.objectContaining({ requestId: payload.requestId, eventType: payload.eventType }));
    });

    it('OpenPeriodicEventStream is listed in the charger\'s event streams', async () => {
      const payload = sent.get('OpenPeriodicEventStream') as { constantStreamData: { id: number; variableMonitoringId: number } };
      const res = await api('GET', `/chargers/${encodeURIComponent(id)}/event-streams`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.eventStreams).toContainEqual(
        expect.objectContaining({ streamId: payload.constantStreamData.id, variableMonitoringId: payload.constantStreamData.variableMonitoringId }),
      );
    });
  }

  it('StatusNotification shows in the charger\'s connectors', async () => {
    const payload = sent.get('StatusNotification')!;
    const res = await api('GET', `/chargers/${encodeURIComponent(id)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const expected =
      version === 'ocpp1.6'
        ? {
            evseId: 0,
            connectorId: payload.connectorId,
            status: payload.status,
            errorCode: payload.errorCode,
            info: payload.info,
            reportedAt: payload.timestamp,
          }
        : {
            evseId: payload.evseId,
            connectorId: payload.connectorId,
            status: payload.connectorStatus,
            reportedAt: payload.timestamp,
          };
    expect(res.body.charger.connectors).toContainEqual(expect.objectContaining(expected));
  });

  if (version === 'ocpp2.0.1') it('NotifyReport updates the configuration', async () => {
    const report = sent.get('NotifyReport') as {
      reportData: Array<{
        component: { name: string; instance?: string; evse?: { id: number; connectorId?: number } };
        variable: { name: string; instance?: string };
        variableAttribute: Array<{ type?: string; value?: string; mutability?: string }>;
      }>;
    };
    const data = report.reportData[0]!;
    const attribute = data.variableAttribute[0]!;
    const res = await api(
      'GET',
      `/chargers/${encodeURIComponent(id)}/configuration?component=${encodeURIComponent(data.component.name)}&variable=${encodeURIComponent(data.variable.name)}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.settings).toEqual([
      expect.objectContaining({
        component: data.component.name,
        componentInstance: data.component.instance ?? '',
        evseId: data.component.evse?.id ?? null,
        connectorId: data.component.evse?.connectorId ?? null,
        variable: data.variable.name,
        variableInstance: data.variable.instance ?? '',
        attributeType: attribute.type ?? 'Actual',
        value: attribute.value ?? null,
        mutability: attribute.mutability ?? null,
        source: 'NotifyReport',
      }),
    ]);
  });

  if (version === 'ocpp2.0.1') it('ReportChargingProfiles shows in the charging profiles', async () => {
    const report = sent.get('ReportChargingProfiles') as {
      evseId: number;
      chargingProfile: Array<{ id: number; stackLevel: number; chargingProfilePurpose: string; transactionId?: string }>;
    };
    const profile = report.chargingProfile[0]!;
    const res = await api('GET', `/chargers/${encodeURIComponent(id)}/charging-profiles`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.chargingProfiles).toEqual([
      expect.objectContaining({
        profileId: profile.id,
        evseId: report.evseId,
        stackLevel: profile.stackLevel,
        purpose: profile.chargingProfilePurpose,
        transactionId: profile.transactionId ?? null,
        profile,
      }),
    ]);
  });
});

describe.each(VERSIONS)('%s CSMS-initiated commands through the API, strict client', (version) => {
  const id = uniqueChargerId('CAT-CMD');
  const actions = CATALOGUE[version].CSMS_INITIATED;
  const received: Received[] = [];
  let client: Charger | undefined;

  beforeAll(async () => {
    client = await openBootedCharger(version, id);
    // 2.1 UsePriorityCharging and UpdateDynamicSchedule need a running transaction and a Dynamic profile (outbound-rules.ts).
    if (version === 'ocpp2.1') for (const [action, payload] of stateFor21Rules()) await client.call(action, payload);
    for (const action of actions) {
      client.handle(action, async ({ params }) => {
        received.push({ action, params });
        return minimalPayload(version, action, 'conf');
      });
    }
  });
  afterAll(() => closeCharger(client));

  it.each(actions)('%s reaches the charger and its answer comes back', async (action) => {
    // Made to follow the spec's outbound rules too: the route refuses what breaks them.
    const payload = withPasswordProfile(id, action, followingOutboundRules(version, action, fullPayload(version, action, 'req')));
    const before = received.length;
    // Credential- and trust-affecting calls go through the admin route (the password through its own, not here).
    if (passwordChange(action, payload)) return;
    const expected = { status: 200, body: { result: minimalPayload(version, action, 'conf') } };
    if (credentialChange(action, payload)) {
      const res = await api('POST', `/chargers/${encodeURIComponent(id)}/security-commands`, { action, payload });
      expect(res, JSON.stringify(res.body)).toEqual({ status: 200, body: { ...expected.body, securityProfileChanged: false, ...carriesPassword(payload, expect.any(Boolean)) } });
    } else {
      const res = await command(id, action, payload, 10);
      expect(res, JSON.stringify(res.body)).toEqual(expected);
    }
    expect(received.slice(before)).toEqual([{ action, params: payload }]);
  });
});
