// Issue 11, Secrets: passwords never readable, credentials change only through the admin routes,
// changed credentials end the sessions that did not use them, rotation survives a lost answer,
// and the upgrade's refusals cost the same whatever the id, within a budget per id.
import { env, exports } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { CommandQueue } from '../../src/charger/command-queue';
import { MessageJournal } from '../../src/charger/journal';
import { migrateChargerSchema } from '../../src/charger/schema';
import { app } from '../../src/index';
import { isolateStats } from '../../src/isolate-stats';
import { api, RawCharger, recordEvents, uniqueChargerId } from './helpers';

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const hex = (text: string) => [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Connects with Basic auth, boots, and answers every CALL the CSMS sends with `answer(action, payload)`. */
async function answering(id: string, version: 'ocpp1.6' | 'ocpp2.0.1', password: string, answer: (action: string, payload: any) => unknown) {
  const cp = await RawCharger.connect(id, version, { authorization: basic(id, password) });
  const boot = await cp.boot();
  expect((boot[2] as { status: string }).status).toBe('Accepted');
  const calls: Array<{ action: string; payload: any }> = [];
  cp.ws.addEventListener('message', (event) => {
    const frame = JSON.parse(event.data as string) as unknown[];
    if (frame[0] !== 2) return;
    calls.push({ action: frame[2] as string, payload: frame[3] });
    cp.sendRaw(JSON.stringify([3, frame[1], answer(frame[2] as string, frame[3])]));
  });
  return { cp, calls };
}

function upgrade(id: string, authorization?: string, version = 'ocpp1.6'): Promise<Response> {
  const headers: Record<string, string> = { upgrade: 'websocket', 'sec-websocket-protocol': version };
  if (authorization) headers.authorization = authorization;
  return exports.default.fetch(new Request(`http://csms.test/ocpp/${encodeURIComponent(id)}`, { headers }));
}

async function connects(res: Promise<Response>): Promise<boolean> {
  const response = await res;
  if (response.status !== 101) return false;
  response.webSocket!.accept();
  response.webSocket!.close(1000, 'done');
  return true;
}

async function readToken(): Promise<string> {
  const res = await api('POST', '/tokens', { name: 'secrets reader', scopes: ['read'] });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

// These tests open several sockets and walk the whole API: generous timeouts for a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

describe('charger passwords are never readable', () => {
  it('after POST /password on a 1.6 and a 2.0.1 charger, and signed log upload URLs, no GET of the OpenAPI document, no D1 row and no object row holds them', async () => {
    const id16 = uniqueChargerId('SEC16');
    const id201 = uniqueChargerId('SEC201');
    const first16 = 'first-password-16-x';
    const first201 = 'first-password-201-abcdef';
    const new16 = 'Rotated-Secret-16xy';
    const new201 = 'Rotated-Secret-201-zyxwvu';
    for (const [id, pw] of [[id16, first16], [id201, first201]] as const) {
      expect((await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: pw })).status).toBe(201);
    }
    // The chargers accept everything and, carelessly, report their passwords back when asked.
    const c16 = await answering(id16, 'ocpp1.6', first16, (action, payload) =>
      action === 'GetConfiguration'
        ? { configurationKey: [{ key: 'AuthorizationKey', readonly: false, value: hex(new16).toUpperCase() }, { key: 'HeartbeatInterval', readonly: false, value: '300' }] }
        : action === 'GetDiagnostics'
          ? // Carelessly, it names the file after the location it was given.
            { fileName: (payload as { location: string }).location }
          : { status: 'Accepted' },
    );
    const c201 = await answering(id201, 'ocpp2.0.1', first201, (action, payload) => {
      if (action === 'SetVariables') {
        return { setVariableResult: payload.setVariableData.map((d: any) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })) };
      }
      if (action === 'GetVariables') {
        return {
          getVariableResult: payload.getVariableData.map((d: any) => ({ attributeStatus: 'Accepted', attributeValue: new201, component: d.component, variable: d.variable })),
        };
      }
      // Carelessly, it names the file after the location it was given.
      if (action === 'GetLog') return { status: 'Accepted', filename: payload.log.remoteLocation };
      return { status: 'Accepted' };
    });
    // What the objects send to the EVENTS queue, and every console line, are read surfaces too.
    const events = await recordEvents(id16);
    await recordEvents(id201, events);
    const logged: unknown[][] = [];
    const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args)),
    );

    expect((await api('POST', `/chargers/${id16}/password`, { password: new16 })).status).toBe(200);
    expect((await api('POST', `/chargers/${id201}/password`, { password: new201 })).status).toBe(200);
    expect(c16.calls.at(-1)).toMatchObject({ action: 'ChangeConfiguration', payload: { key: 'AuthorizationKey', value: hex(new16).toUpperCase() } });
    expect(c201.calls.at(-1)).toMatchObject({ action: 'SetVariables' });

    // The charger reports the secret: in answers to commands (direct and queued) and in a NotifyReport.
    const got16 = await api('POST', `/chargers/${id16}/commands/GetConfiguration`, {});
    expect(got16.status).toBe(200);
    const got16Text = await got16.text();
    expect(got16Text).toContain('HeartbeatInterval');
    expect(got16Text.toLowerCase()).not.toContain(hex(new16));
    const get201 = { getVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] };
    expect(await (await api('POST', `/chargers/${id201}/commands/GetVariables`, get201)).text()).not.toContain(new201);
    const queued = await api('POST', `/chargers/${id201}/commands/GetVariables?queue=true`, get201);
    expect(queued.status).toBe(202);
    const commandId = ((await queued.json()) as { command: { id: string } }).command.id;
    await vi_waitFor(async () => ((await (await api('GET', `/commands/${commandId}`)).json()) as any).command.status === 'succeeded');
    c201.cp.sendRaw(
      JSON.stringify([
        2,
        'report-1',
        'NotifyReport',
        {
          requestId: 7,
          generatedAt: new Date().toISOString(),
          seqNo: 0,
          reportData: [
            { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, variableAttribute: [{ value: new201, mutability: 'WriteOnly' }] },
            { component: { name: 'SecurityCtrlr' }, variable: { name: 'OrganizationName' }, variableAttribute: [{ value: 'Acme', mutability: 'ReadWrite' }] },
          ],
        },
      ]),
    );
    await vi_waitFor(async () => {
      const { messages } = (await (await api('GET', `/chargers/${id201}/messages?limit=5`)).json()) as { messages: Array<{ messageId: string; direction: string }> };
      return messages.some((m) => m.messageId === 'report-1' && m.direction === 'out');
    });

    // Upload locations the CSMS signs (N01 GetLog, 1.6 GetDiagnostics §5.9): the signature is a credential
    // until it expires, so it joins the secrets searched for below; the charger itself gets it whole.
    // Sent direct and queued, and for a GetLog requestId below zero (an integer, as N01 allows).
    const commandResponses: string[] = [];
    for (const [id, action, body] of [
      [id201, 'GetLog', { logType: 'DiagnosticsLog', requestId: 9 }],
      [id201, 'GetLog', { logType: 'SecurityLog', requestId: -9 }],
      [id16, 'GetDiagnostics', {}],
    ] as const) {
      const direct = await api('POST', `/chargers/${id}/commands/${action}?upload=csms`, body);
      expect(direct.status).toBe(200);
      commandResponses.push(await direct.text());
      const queuedBody = 'requestId' in body ? { ...body, requestId: body.requestId * 11 } : body;
      const queuedUpload = await api('POST', `/chargers/${id}/commands/${action}?upload=csms&queue=true`, queuedBody);
      expect(queuedUpload.status).toBe(202);
      const queuedText = await queuedUpload.text();
      commandResponses.push(queuedText);
      const queuedId = (JSON.parse(queuedText) as { command: { id: string } }).command.id;
      await vi_waitFor(async () => ((await (await api('GET', `/commands/${queuedId}`)).json()) as any).command.status === 'succeeded');
    }
    const uploadUrls = [
      ...c201.calls.filter((call) => call.action === 'GetLog').map((call) => (call.payload as { log: { remoteLocation: string } }).log.remoteLocation),
      ...c16.calls.filter((call) => call.action === 'GetDiagnostics').map((call) => (call.payload as { location: string }).location),
    ];
    expect(uploadUrls).toHaveLength(6);
    const uploadSignatures = uploadUrls.map((url) => {
      const signature = /\/uploads\/logs\/[^/]+\/-?\d+\/\d+\/([^/]+)\//.exec(url)?.[1];
      expect(signature, url).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      return signature!;
    });
    // And the chargers echo the locations back in messages of their own, as JSON may spell them (with \/).
    const escaped = (url: string) => JSON.stringify(url).replaceAll('/', '\\/');
    c201.cp.sendRaw(
      `[2,"echo-1","SecurityEventNotification",{"type":"SettingSystemTime","timestamp":"${new Date().toISOString()}","techInfo":${escaped(uploadUrls[2]!)}}]`,
    );
    c16.cp.sendRaw(`[2,"echo-2","DataTransfer",{"vendorId":"Acme","data":${escaped(uploadUrls[5]!)}}]`);
    for (const [id, messageId] of [[id201, 'echo-1'], [id16, 'echo-2']] as const) {
      await vi_waitFor(async () => {
        const { messages } = (await (await api('GET', `/chargers/${id}/messages?limit=5`)).json()) as { messages: Array<{ messageId: string; direction: string }> };
        return messages.some((m) => m.messageId === messageId && m.direction === 'out');
      });
    }
    await env.CHARGERS.getByName(id201).flushNow();
    await env.CHARGERS.getByName(id16).flushNow();

    // A charger that used the new password: connecting with it is the point of the change.
    expect(await connects(upgrade(id16, basic(id16, new16)))).toBe(true);

    const secrets = [first16, first201, new16, new201, hex(new16), hex(new201), hex(first16), hex(first201), ...uploadSignatures];
    const findSecrets = (text: string) => secrets.filter((s) => text.toLowerCase().includes(s.toLowerCase()));
    for (const text of commandResponses) expect(findSecrets(text), text).toEqual([]);

    // Every GET of the API, as a read-scope token sees it.
    const reader = await readToken();
    const openapi = (await (await exports.default.fetch('http://csms.test/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const getPaths = Object.entries(openapi.paths)
      .filter(([, ops]) => 'get' in ops)
      .map(([path]) => path);
    expect(getPaths).toEqual(expect.arrayContaining(['/chargers/{chargerId}/messages', '/chargers/{chargerId}/configuration', '/commands/{commandId}']));
    const { results: tokens } = await env.DB.prepare('SELECT id FROM api_tokens LIMIT 1').all<{ id: string }>();
    let read = 0;
    const uploadRequestIds = uploadUrls.map((url) => /\/uploads\/logs\/[^/]+\/(-?\d+)\//.exec(url)![1]!);
    for (const [chargerId, requestId] of [[id16, '7'], [id201, '7'], ...uploadUrls.map((_, i) => [i < 4 ? id201 : id16, uploadRequestIds[i]!] as const)]) {
      for (const path of getPaths) {
        if (requestId !== '7' && !path.includes('{requestId}')) continue;
        const filled = path
          .replace('{chargerId}', encodeURIComponent(chargerId))
          .replace('{commandId}', encodeURIComponent(commandId))
          .replace('{requestId}', requestId)
          .replace('{transactionId}', '1')
          .replace('{tokenId}', tokens[0]?.id ?? 'none')
          .replace('{idTag}', 'TAG')
          .replace('{tariffId}', 'NO-SUCH-TARIFF')
          .replace('{version}', '1')
          .replace('{trustRootId}', 'root')
          .replace('{streamId}', '1')
          .replace('{siteId}', 'no-such-site')
          .replace('{id}', '1')
          .replace('{profileId}', '1');
        expect(filled).not.toContain('{');
        const res = await exports.default.fetch(
          new Request(`http://csms.test/api/v1${filled}`, { headers: { authorization: `Bearer ${reader}` } }),
        );
        const text = await res.text();
        expect({ path: filled, found: findSecrets(text) }).toEqual({ path: filled, found: [] });
        read += 1;
      }
    }
    expect(read).toBeGreaterThan(20);
    // The journal is among them, and shows the frames with the value redacted.
    const messages = await (await api('GET', `/chargers/${id201}/messages?limit=200`, undefined, reader)).text();
    expect(messages).toContain('BasicAuthPassword');
    expect(messages).toContain('<redacted>');

    // The events sent, and every line logged, while all this happened.
    expect(events.length).toBeGreaterThan(0);
    expect(findSecrets(JSON.stringify(events)), JSON.stringify(events)).toEqual([]);
    for (const spy of consoleSpies) spy.mockRestore();
    expect(findSecrets(JSON.stringify(logged)), JSON.stringify(logged)).toEqual([]);

    // A stolen copy of D1: every row of every table.
    const { results: tables } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['chargers', 'charger_settings', 'charger_reports']));
    for (const { name } of tables) {
      const { results } = await env.DB.prepare(`SELECT * FROM "${name}"`).all();
      expect({ table: name, found: findSecrets(JSON.stringify(results)) }).toEqual({ table: name, found: [] });
    }
    const settings = await env.DB.prepare(`SELECT value FROM charger_settings WHERE charger_id IN (?, ?) AND lower(variable) IN ('authorizationkey', 'basicauthpassword')`)
      .bind(id16, id201)
      .all<{ value: string }>();
    expect(settings.results.length).toBeGreaterThan(0);
    expect(settings.results.every((r) => r.value === '<redacted>')).toBe(true);

    // A stolen copy of each object's storage: every table, and the key-value pairs.
    for (const chargerId of [id16, id201]) {
      await runInDurableObject(env.CHARGERS.getByName(chargerId), async (_instance, state) => {
        const names = state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
          .toArray()
          .map((r) => r.name);
        expect(names).toEqual(expect.arrayContaining(['journal', 'queued_commands']));
        for (const name of names) {
          const rows = state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray();
          expect({ table: name, found: findSecrets(JSON.stringify(rows)) }).toEqual({ table: name, found: [] });
        }
        const kv = Object.fromEntries(await state.storage.list());
        expect(findSecrets(JSON.stringify(kv)), JSON.stringify(kv)).toEqual([]);
      });
    }
    c16.cp.close();
    c201.cp.close();
  });
});

describe('2.1 frames are redacted as 2.0.1 frames are', () => {
  it('SetNetworkProfile (basicAuthPassword, VPN password and key, APN password, SIM PIN), NotifyReport and NotifyEvent of NetworkConfiguration: not in the journal, the answer or D1', async () => {
    const id = uniqueChargerId('NET21');
    const cp = await RawCharger.connect(id, 'ocpp2.1');
    expect(cp.protocol).toBe('ocpp2.1');
    await cp.boot();
    const secrets = { basic: 'net21-basic-password-1', vpnPassword: 'net21-vpn-password-2', vpnKey: 'net21-vpn-shared-key-3', apn: 'net21-apn-password-4', report: 'net21-reported-vpnkey-5', event: 'net21-event-password-6' };
    const simPin = 73_519;
    const connectionData = {
      ocppInterface: 'Wireless0',
      ocppTransport: 'JSON',
      messageTimeout: 30,
      ocppCsmsUrl: 'wss://csms.example/ocpp',
      securityProfile: 2,
      identity: id,
      basicAuthPassword: secrets.basic,
      apn: { apn: 'internet', apnAuthentication: 'AUTO', apnPassword: secrets.apn, simPin },
      vpn: { server: 'vpn.example', user: 'u', password: secrets.vpnPassword, key: secrets.vpnKey, type: 'IPSec' },
    };
    const pending = api('POST', `/chargers/${id}/security-commands`, { action: 'SetNetworkProfile', payload: { configurationSlot: 2, connectionData } });
    const call = await cp.next();
    expect(call.slice(0, 3)).toEqual([2, expect.any(String), 'SetNetworkProfile']);
    // The charger received every credential: only what the CSMS keeps is redacted.
    expect((call[3] as { connectionData: unknown }).connectionData).toEqual(connectionData);
    // An answer echoing one is scrubbed too.
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue', additionalInfo: `bad key ${secrets.vpnKey}` } }]));
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain(secrets.vpnKey);

    await cp.call('NotifyReport', {
      requestId: 4,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [{ component: { name: 'NetworkConfiguration', instance: '2' }, variable: { name: 'VpnKey' }, variableAttribute: [{ value: secrets.report, mutability: 'ReadWrite' }] }],
    });
    await cp.call('NotifyEvent', {
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      eventData: [{ eventId: 1, timestamp: new Date().toISOString(), trigger: 'Delta', actualValue: secrets.event, eventNotificationType: 'HardWiredNotification', component: { name: 'NetworkConfiguration', instance: '2' }, variable: { name: 'BasicAuthPassword' } }],
    });
    await env.CHARGERS.getByName(id).flushNow();

    const journal = await (await api('GET', `/chargers/${id}/messages`)).text();
    expect(journal).toContain('SetNetworkProfile');
    expect(journal).toContain('NotifyEvent');
    const { results } = await env.DB.prepare('SELECT payload FROM charger_reports WHERE charger_id = ?').bind(id).all<{ payload: string }>();
    expect(results.length).toBeGreaterThanOrEqual(2);
    const stored = JSON.stringify(results);
    for (const [where, text] of Object.entries({ journal, stored })) {
      for (const secret of Object.values(secrets)) expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
      expect({ where, simPin: text.includes(String(simPin)) }).toEqual({ where, simPin: false });
    }
    // What the object keeps of its journal, as text.
    await runInDurableObject(env.CHARGERS.getByName(id), async (_instance, state) => {
      const rows = JSON.stringify(state.storage.sql.exec('SELECT text FROM journal').toArray());
      for (const secret of Object.values(secrets)) expect(rows).not.toContain(secret);
    });
    cp.close();
  });
});

describe('variables the charger reports WriteOnly, and frames kept before redaction', () => {
  it('a vendor WriteOnly variable set later is redacted in the journal, the command view and the stored configuration', async () => {
    const id = uniqueChargerId('WO');
    const secret = 'vendor-api-key-0xC0FFEE';
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    const reported = await cp.call('NotifyReport', {
      requestId: 3,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [{ component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' }, variableAttribute: [{ mutability: 'WriteOnly' }] }],
    });
    expect(reported[0]).toBe(3);
    const set = { setVariableData: [{ attributeValue: secret, component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' } }] };
    const pending = api('POST', `/chargers/${id}/commands/SetVariables`, set);
    const call = await cp.next();
    // The charger gets the value itself.
    expect((call[3] as typeof set).setVariableData[0]!.attributeValue).toBe(secret);
    cp.sendRaw(JSON.stringify([3, call[1], { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' } }] }]));
    expect((await pending).status).toBe(200);
    const journal = await (await api('GET', `/chargers/${id}/messages`)).text();
    expect(journal).toContain('ApiKey');
    expect(journal).not.toContain(secret);
    const configuration = await (await api('GET', `/chargers/${id}/configuration`)).text();
    expect(configuration).toContain('ApiKey');
    expect(configuration).not.toContain(secret);
    const { results } = await env.DB.prepare('SELECT value FROM charger_settings WHERE charger_id = ?').bind(id).all<{ value: string | null }>();
    expect(JSON.stringify(results)).not.toContain(secret);
    cp.close();
  });

  it('frames journaled before redaction existed are redacted once, when the journal opens', async () => {
    const id = uniqueChargerId('OLD');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    cp.close();
    await runInDurableObject(env.CHARGERS.getByName(id), async (_instance, state) => {
      const sql = state.storage.sql;
      // As an older version left it: a clear AuthorizationKey in the journal, and no record of a scrub.
      sql.exec(
        'INSERT INTO journal (at, direction, text, truncated) VALUES (?, ?, ?, 0)',
        Date.now(),
        'out',
        JSON.stringify([2, 'old-1', 'ChangeConfiguration', { key: 'AuthorizationKey', value: '4F4C442D5345435245542D3132333435' }]),
      );
      asUnscrubbed(sql);
      migrateChargerSchema(sql);
      const journal = new MessageJournal(sql, 200);
      const texts = journal.list(200).map((e) => e.text);
      expect(texts.some((t) => t.includes('old-1'))).toBe(true);
      expect(texts.join('\n')).not.toContain('4F4C442D5345435245542D3132333435');
    });
  });
});

describe('the command route does not change credentials', () => {
  const refusals: Array<[string, 'ocpp1.6' | 'ocpp2.0.1', string, unknown]> = [
    ['1.6 AuthorizationKey', 'ocpp1.6', 'ChangeConfiguration', { key: 'AuthorizationKey', value: hex('sneaky-new-password') }],
    ['1.6 SecurityProfile (any case)', 'ocpp1.6', 'ChangeConfiguration', { key: 'securityprofile', value: '0' }],
    [
      '2.0.1 BasicAuthPassword',
      'ocpp2.0.1',
      'SetVariables',
      { setVariableData: [{ attributeValue: 'sneaky-new-password', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] },
    ],
    [
      '2.0.1 SecurityProfile',
      'ocpp2.0.1',
      'SetVariables',
      {
        setVariableData: [
          { attributeValue: '60', component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } },
          { attributeValue: '0', component: { name: 'SecurityCtrlr' }, variable: { name: 'SecurityProfile' } },
        ],
      },
    ],
    [
      '2.0.1 NetworkConfigurationPriority',
      'ocpp2.0.1',
      'SetVariables',
      { setVariableData: [{ attributeValue: '2,1', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' } }] },
    ],
    [
      '2.0.1 SetNetworkProfile',
      'ocpp2.0.1',
      'SetNetworkProfile',
      {
        configurationSlot: 2,
        connectionData: { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'ws://evil.example/ocpp', messageTimeout: 30, securityProfile: 0, ocppInterface: 'Wired0' },
      },
    ],
  ];

  for (const [name, version, action, payload] of refusals) {
    it(`refuses ${name} with 403 naming the admin route, queued or not, and sends nothing`, async () => {
      const id = uniqueChargerId('CRED');
      const cp = await RawCharger.connect(id, version);
      await cp.boot();
      for (const query of ['', '?queue=true']) {
        const res = await api('POST', `/chargers/${id}/commands/${action}${query}`, payload);
        expect(res.status).toBe(403);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('CredentialChangeRefused');
        expect(body.error.message).toContain('/password');
        expect(body.error.message).toContain('POST /api/v1/chargers/{chargerId}/security-commands');
      }
      // Nothing was sent or queued: the next frame the charger gets is the next command.
      expect(((await (await api('GET', `/chargers/${id}/commands`)).json()) as { commands: unknown[] }).commands).toEqual([]);
      const next = api('POST', `/chargers/${id}/commands/ClearCache`, {});
      const frame = await cp.next();
      expect(frame[2]).toBe('ClearCache');
      cp.sendRaw(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
      expect((await next).status).toBe(200);
      cp.close();
    });
  }

  it('still sends other configuration changes', async () => {
    const id = uniqueChargerId('CRED');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    const pending = api('POST', `/chargers/${id}/commands/ChangeConfiguration`, { key: 'HeartbeatInterval', value: '60' });
    const frame = await cp.next();
    expect(frame.slice(2)).toEqual(['ChangeConfiguration', { key: 'HeartbeatInterval', value: '60' }]);
    cp.sendRaw(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
    expect((await pending).status).toBe(200);
    cp.close();
  });
});

describe('changed credentials end the sessions that did not use them', () => {
  const A = 'password-A-0123456789';
  const B = 'password-B-0123456789';

  it('raising the security profile closes an open session; it takes no more commands', async () => {
    const id = uniqueChargerId('ENF');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    const res = await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: A });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ closedConnections: 1 });
    expect(await cp.waitForClose()).toMatchObject({ code: 4003 });
    const command = await api('POST', `/chargers/${id}/commands/ClearCache`, {});
    expect(command.status).toBe(409);
    expect(await command.json()).toMatchObject({ error: { code: 'ChargerOffline' } });
    const connections = (await (await api('GET', `/chargers/${id}/connections`)).json()) as { connections: Array<{ event: string; reason?: string }> };
    expect(connections.connections.some((e) => e.event === 'offline' && /credentials changed/.test(e.reason ?? ''))).toBe(true);
    expect(await connects(upgrade(id, basic(id, A)))).toBe(true);
  });

  it('a new password closes the session opened with the old one; a change that asks nothing new closes none', async () => {
    const id = uniqueChargerId('ENF');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: A });
    const cp = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, A) });
    await cp.boot();
    const same = await api('PUT', `/chargers/${id}`, { securityProfile: 1 });
    expect(await same.json()).toMatchObject({ closedConnections: 0 });
    const changed = await api('PUT', `/chargers/${id}`, { password: B });
    expect(await changed.json()).toMatchObject({ closedConnections: 1 });
    expect(await cp.waitForClose()).toMatchObject({ code: 4003 });
    expect(await connects(upgrade(id, basic(id, A)))).toBe(false);
    expect(await connects(upgrade(id, basic(id, B)))).toBe(true);
  });

  it('Profile 2 closes a session that came without TLS', async () => {
    const id = uniqueChargerId('ENF');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: A });
    const cp = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, A) });
    await cp.boot();
    expect(await (await api('PUT', `/chargers/${id}`, { securityProfile: 2 })).json()).toMatchObject({ closedConnections: 1 });
    expect(await cp.waitForClose()).toMatchObject({ code: 4003 });
  });

  it('POST /disconnect closes the live socket (admin only), records it, and says whether there was one', async () => {
    const id = uniqueChargerId('DISC');
    expect((await api('POST', `/chargers/${id}/disconnect`)).status).toBe(404);
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    const commander = ((await (await api('POST', '/tokens', { name: 'cmd', scopes: ['command'] })).json()) as { token: string }).token;
    expect((await api('POST', `/chargers/${id}/disconnect`, undefined, commander)).status).toBe(403);
    const res = await api('POST', `/chargers/${id}/disconnect`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ disconnected: true });
    expect(await cp.waitForClose()).toMatchObject({ code: 4002 });
    expect(await (await api('POST', `/chargers/${id}/disconnect`)).json()).toEqual({ disconnected: false });
    const charger = (await (await api('GET', `/chargers/${id}`)).json()) as { charger: { connected: boolean } };
    expect(charger.charger.connected).toBe(false);
    const connections = (await (await api('GET', `/chargers/${id}/connections`)).json()) as { connections: Array<{ event: string; reason?: string }> };
    expect(connections.connections.some((e) => e.event === 'offline' && /operator/.test(e.reason ?? ''))).toBe(true);
  });

  it('an admission header sent by the client is not believed', async () => {
    const id = uniqueChargerId('ENF');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: A });
    const cp = await RawCharger.connect(id, 'ocpp1.6', {
      authorization: basic(id, A),
      'x-charger-admission': JSON.stringify({ how: 'certificate', tls: true }),
    });
    await cp.boot();
    // Profile 3 asks for a certificate: the session used a password, whatever it claimed.
    expect(await (await api('PUT', `/chargers/${id}`, { securityProfile: 3 })).json()).toMatchObject({ closedConnections: 1 });
    expect(await cp.waitForClose()).toMatchObject({ code: 4003 });
  });
});

describe('password rotation is crash-safe', () => {
  const OLD = 'old-password-123456';
  const NEW = 'new-password-654321';

  it('a charger that takes the new password and never answers can connect with either, until it uses the new one', async () => {
    const id = uniqueChargerId('CRASH');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: OLD });
    const cp = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, OLD) });
    await cp.boot();
    const pending = api('POST', `/chargers/${id}/password`, { password: NEW });
    const call = await cp.next();
    expect(call.slice(2)).toEqual(['ChangeConfiguration', { key: 'AuthorizationKey', value: hex(NEW).toUpperCase() }]);
    // The charger stores it and reboots before its answer is processed (the answer is lost).
    cp.ws.close(1000, 'rebooting');
    const res = await pending;
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'ChargerOffline', passwordPending: true } });

    expect(await connects(upgrade(id, basic(id, OLD)))).toBe(true);
    expect(await connects(upgrade(id, basic(id, NEW)))).toBe(true);
    // Used once, the new one is the only one.
    expect(await connects(upgrade(id, basic(id, OLD)))).toBe(false);
    expect(await connects(upgrade(id, basic(id, NEW)))).toBe(true);
  });

  it('the pending hash is stored before the CALL leaves, and a Rejected answer drops it', async () => {
    const id = uniqueChargerId('CRASH');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: OLD });
    const cp = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, OLD) });
    await cp.boot();
    const pending = api('POST', `/chargers/${id}/password`, { password: NEW });
    const call = await cp.next();
    // While the charger holds the CALL, the new password already opens the door (but stays pending).
    const row = await env.DB.prepare('SELECT pending_password_hash FROM chargers WHERE id = ?').bind(id).first<{ pending_password_hash: string | null }>();
    expect(row?.pending_password_hash).toMatch(/^pbkdf2-sha256\$/);
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Rejected' }]));
    expect((await pending).status).toBe(409);
    const after = await env.DB.prepare('SELECT pending_password_hash FROM chargers WHERE id = ?').bind(id).first<{ pending_password_hash: string | null }>();
    expect(after?.pending_password_hash).toBeNull();
    cp.close();
    expect(await connects(upgrade(id, basic(id, NEW)))).toBe(false);
    expect(await connects(upgrade(id, basic(id, OLD)))).toBe(true);
  });
});

describe('one password change at a time, so a second cannot lock the charger out', () => {
  const OLD = 'old-password-abcdef';
  const A = 'change-A-password-1';
  const B = 'change-B-password-2';

  async function connected(id: string) {
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: OLD });
    const cp = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, OLD) });
    await cp.boot();
    return cp;
  }

  it('while an accepted change is not yet used, another is refused with 409 PasswordChangePending and nothing is sent; the charger holding A still connects', async () => {
    const id = uniqueChargerId('ONE');
    const cp = await connected(id);
    const first = api('POST', `/chargers/${id}/password`, { password: A });
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await first).status).toBe(200);
    expect(((await (await api('GET', `/chargers/${id}`)).json()) as { charger: { passwordPending: boolean } }).charger.passwordPending).toBe(true);

    const second = await api('POST', `/chargers/${id}/password`, { password: B });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'PasswordChangePending', passwordPending: true } });
    // Nothing reached the charger: the next frame it gets is the next command.
    const next = api('POST', `/chargers/${id}/commands/ClearCache`, {});
    const frame = await cp.next();
    expect(frame[2]).toBe('ClearCache');
    cp.sendRaw(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
    expect((await next).status).toBe(200);
    cp.close();

    // The charger holds A: it gets in, and from then on only A does.
    expect(await connects(upgrade(id, basic(id, A)))).toBe(true);
    expect(await connects(upgrade(id, basic(id, OLD)))).toBe(false);
    expect(await connects(upgrade(id, basic(id, B)))).toBe(false);
  });

  it('once the charger used the new password, a next change goes through', async () => {
    const id = uniqueChargerId('ONE');
    const cp = await connected(id);
    const first = api('POST', `/chargers/${id}/password`, { password: A });
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await first).status).toBe(200);
    cp.close();
    const again = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, A) });
    await again.boot();
    const second = api('POST', `/chargers/${id}/password`, { password: B });
    const call2 = await again.next();
    again.sendRaw(JSON.stringify([3, call2[1], { status: 'Rejected' }]));
    expect((await second).status).toBe(409);
    again.close();
    // B refused: A, which the charger holds, still works.
    expect(await connects(upgrade(id, basic(id, A)))).toBe(true);
    expect(await connects(upgrade(id, basic(id, B)))).toBe(false);
  });

  it('two concurrent changes: exactly one reaches the charger, the other gets 409 before anything is sent', async () => {
    const id = uniqueChargerId('ONE');
    const cp = await connected(id);
    const both = [api('POST', `/chargers/${id}/password`, { password: A }), api('POST', `/chargers/${id}/password`, { password: B })];
    const call = await cp.next();
    const sent = (call[3] as { value: string }).value;
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    const statuses = (await Promise.all(both)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const taken = sent === hex(A).toUpperCase() ? A : B;
    expect(sent).toBe(hex(taken).toUpperCase());
    cp.close();
    // The charger holds the one sent, and connects with it.
    expect(await connects(upgrade(id, basic(id, taken)))).toBe(true);
  });

  it('the same password may be sent again (a retry), and its refusal keeps the pending one; a PUT with a new password abandons the change', async () => {
    const id = uniqueChargerId('ONE');
    const cp = await connected(id);
    const first = api('POST', `/chargers/${id}/password`, { password: A });
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    expect((await first).status).toBe(200);
    const retry = api('POST', `/chargers/${id}/password`, { password: A });
    const call2 = await cp.next();
    expect(call2[3]).toEqual({ key: 'AuthorizationKey', value: hex(A).toUpperCase() });
    cp.sendRaw(JSON.stringify([3, call2[1], { status: 'Rejected' }]));
    const refused = await retry;
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'PasswordRefused', passwordPending: true } });
    expect(await connects(upgrade(id, basic(id, A)))).toBe(true);
    // A reconnect with A ended the change; start another and abandon it with PUT.
    const cp2 = await RawCharger.connect(id, 'ocpp1.6', { authorization: basic(id, A) });
    await cp2.boot();
    const third = api('POST', `/chargers/${id}/password`, { password: B });
    const call3 = await cp2.next();
    cp2.sendRaw(JSON.stringify([3, call3[1], { status: 'Accepted' }]));
    expect((await third).status).toBe(200);
    expect((await api('PUT', `/chargers/${id}`, { password: OLD })).status).toBe(200);
    const row = await env.DB.prepare('SELECT pending_password_hash FROM chargers WHERE id = ?').bind(id).first<{ pending_password_hash: string | null }>();
    expect(row?.pending_password_hash).toBeNull();
  });
});

describe('the upgrade: the same work for every refusal, and a budget of failures per id', () => {
  const PASSWORD = 'right-password-12345';
  const rejecting = (vars: Record<string, string> = {}) => ({ ...env, UNKNOWN_CHARGER_POLICY: 'reject', ...vars }) as typeof env;

  async function upgradeWith(vars: Record<string, string>, id: string, authorization?: string): Promise<{ res: Response; pbkdf2: number }> {
    const before = isolateStats.pbkdf2Runs;
    const headers: Record<string, string> = { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.6' };
    if (authorization) headers.authorization = authorization;
    const res = await app.fetch(new Request(`http://csms.test/ocpp/${encodeURIComponent(id)}`, { headers }), rejecting(vars));
    return { res, pbkdf2: isolateStats.pbkdf2Runs - before };
  }

  async function shape(res: Response) {
    const headers = [...res.headers.entries()].sort();
    return { status: res.status, body: await res.text(), headers };
  }

  it('an unknown id and a registered id with a wrong password are refused identically, each after two PBKDF2 runs', async () => {
    const registered = uniqueChargerId('TIME');
    const certOnly = uniqueChargerId('TIME');
    await api('PUT', `/chargers/${registered}`, { securityProfile: 1, password: PASSWORD });
    await api('PUT', `/chargers/${certOnly}`, { securityProfile: 3 });
    const unknown = uniqueChargerId('TIME');

    const wrong = await upgradeWith({}, registered, basic(registered, 'wrong-password-1234'));
    const stranger = await upgradeWith({}, unknown, basic(unknown, 'wrong-password-1234'));
    const wrongName = await upgradeWith({}, registered, basic('someone-else', PASSWORD));
    const noPasswordHere = await upgradeWith({}, certOnly, basic(certOnly, 'wrong-password-1234'));
    const expected = await shape(wrong.res);
    expect(expected.status).toBe(401);
    for (const attempt of [stranger, wrongName, noPasswordHere]) expect(await shape(attempt.res)).toEqual(expected);
    expect([wrong.pbkdf2, stranger.pbkdf2, wrongName.pbkdf2, noPasswordHere.pbkdf2]).toEqual([2, 2, 2, 2]);

    // Without credentials, nothing to verify either way.
    const bare = await upgradeWith({}, registered);
    const bareUnknown = await upgradeWith({}, uniqueChargerId('TIME'));
    expect(await shape(bareUnknown.res)).toEqual(await shape(bare.res));
    expect([bare.pbkdf2, bareUnknown.pbkdf2]).toEqual([0, 0]);
  });

  it('past AUTH_FAILURE_BUDGET failures, 429 with Retry-After even with the right password, for known and unknown ids alike; then it recovers', async () => {
    const vars = { AUTH_FAILURE_BUDGET: '3', AUTH_FAILURE_WINDOW_SECONDS: '60' };
    const id = uniqueChargerId('BUDGET');
    const unknown = uniqueChargerId('BUDGET');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: PASSWORD });
    for (let i = 0; i < 3; i += 1) {
      expect((await upgradeWith(vars, id, basic(id, `wrong-password-${i}xxxx`))).res.status).toBe(401);
      expect((await upgradeWith(vars, unknown, basic(unknown, `wrong-password-${i}xxxx`))).res.status).toBe(401);
    }
    const limited = await upgradeWith(vars, id, basic(id, PASSWORD));
    const limitedUnknown = await upgradeWith(vars, unknown, basic(unknown, PASSWORD));
    expect(limited.res.status).toBe(429);
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Past the budget no password is checked at all.
    expect([limited.pbkdf2, limitedUnknown.pbkdf2]).toEqual([0, 0]);
    const a = await shape(limited.res);
    const b = await shape(limitedUnknown.res);
    expect({ ...b, headers: b.headers.filter(([k]) => k !== 'retry-after') }).toEqual({ ...a, headers: a.headers.filter(([k]) => k !== 'retry-after') });
    expect(JSON.parse(a.body)).toMatchObject({ error: { code: 'TooManyAttempts' } });

    // The budget lives in D1, so an evicted object or another isolate sees it too; once the window has passed, the right password works.
    await env.DB.prepare('UPDATE charger_auth_failures SET window_started_at = window_started_at - 61000 WHERE charger_id = ?').bind(id).run();
    const again = await upgradeWith(vars, id, basic(id, PASSWORD));
    expect(again.res.status).toBe(101);
    again.res.webSocket!.accept();
    again.res.webSocket!.close(1000, 'done');
  });

  it('a burst of concurrent wrong passwords runs no more PBKDF2 checks than the budget allows', async () => {
    const vars = { AUTH_FAILURE_BUDGET: '3' };
    const id = uniqueChargerId('BURST');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: PASSWORD });
    const before = isolateStats.pbkdf2Runs;
    const headers = { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.6', authorization: basic(id, 'wrong-password-burst') };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => app.fetch(new Request(`http://csms.test/ocpp/${id}`, { headers }), rejecting(vars))),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
    expect(isolateStats.pbkdf2Runs - before).toBe(3 * 2);
  });
});

describe('the failed-upgrade budget is kept per charger id and client address', () => {
  const PASSWORD = 'right-password-12345';
  const vars = { ...env, UNKNOWN_CHARGER_POLICY: 'reject', AUTH_FAILURE_BUDGET: '3' } as typeof env;
  const from = (id: string, address: string | undefined, password: string) => {
    const headers: Record<string, string> = { upgrade: 'websocket', 'sec-websocket-protocol': 'ocpp1.6', authorization: basic(id, password) };
    if (address) headers['cf-connecting-ip'] = address;
    return app.fetch(new Request(`http://csms.test/ocpp/${encodeURIComponent(id)}`, { headers }), vars);
  };

  it('an attacker who spends it locks out only their own address: the charger still connects from its own', async () => {
    const id = uniqueChargerId('ADDR');
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: PASSWORD });
    for (let i = 0; i < 3; i += 1) expect((await from(id, '203.0.113.9', `wrong-password-${i}xxxx`)).status).toBe(401);
    // Past the budget the attacker's address gets 429, even with the right password…
    expect((await from(id, '203.0.113.9', PASSWORD)).status).toBe(429);
    // …while the charger, from its own address (or none, as in development), gets in.
    for (const address of ['198.51.100.7', undefined]) {
      const res = await from(id, address, PASSWORD);
      expect(res.status).toBe(101);
      res.webSocket!.accept();
      res.webSocket!.close(1000, 'done');
    }
    const { results } = await env.DB.prepare('SELECT client, failures FROM charger_auth_failures WHERE charger_id = ?').bind(id).all();
    expect(results).toEqual([{ client: '203.0.113.9', failures: 3 }]);
  });
});

describe('rows kept before redaction, or under older rules', () => {
  const WIFI = 'wifi-secret-value-42';
  const BASIC = 'basic-auth-password-77';
  const VENDOR = 'vendor-token-0xBEEF42';

  it('charger_reports: shown redacted by /reports and /reports/requests/{id}, and scrubbed in D1 by migration 0013', async () => {
    const id = uniqueChargerId('OLDREP');
    expect((await api('PUT', `/chargers/${id}`)).status).toBe(201);
    // A vendor variable this charger reported WriteOnly, as the stored configuration knows it.
    await env.DB.prepare(
      `INSERT INTO charger_settings (charger_id, component, component_instance, evse_id, connector_id, variable, variable_instance, attribute_type, value, mutability, source, updated_at)
       VALUES (?, 'VendorCtrlr', '', -1, -1, 'ApiKey', '', 'Actual', '<redacted>', 'WriteOnly', 'NotifyReport', '2026-01-01T00:00:00Z')`,
    ).bind(id).run();
    const rows: Array<[string, number | null, unknown]> = [
      [
        'NotifyReport',
        7,
        {
          requestId: 7,
          generatedAt: '2026-01-01T00:00:00Z',
          seqNo: 0,
          reportData: [
            { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, variableAttribute: [{ value: BASIC }] },
            { component: { name: 'VendorCtrlr' }, variable: { name: 'Token' }, variableAttribute: [{ value: VENDOR, mutability: 'WriteOnly' }] },
            { component: { name: 'SecurityCtrlr' }, variable: { name: 'OrganizationName' }, variableAttribute: [{ value: 'Acme', mutability: 'ReadWrite' }] },
          ],
        },
      ],
      [
        'NotifyEvent',
        null,
        {
          generatedAt: '2026-01-01T00:00:00Z',
          seqNo: 0,
          eventData: [
            { eventId: 1, timestamp: '2026-01-01T00:00:00Z', trigger: 'Delta', actualValue: BASIC, eventNotificationType: 'HardWiredNotification', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
            { eventId: 2, timestamp: '2026-01-01T00:00:00Z', trigger: 'Delta', actualValue: VENDOR, eventNotificationType: 'HardWiredNotification', component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' } },
            { eventId: 3, timestamp: '2026-01-01T00:00:00Z', trigger: 'Delta', actualValue: 'Faulted', eventNotificationType: 'HardWiredNotification', component: { name: 'Connector' }, variable: { name: 'AvailabilityState' } },
          ],
        },
      ],
      ['DataTransfer', null, { vendorId: 'acme', data: JSON.stringify({ note: 'kept' }), wifi: [{ key: 'WifiPassword', value: WIFI }, { key: 'WifiSsid', value: 'depot' }] }],
    ];
    let n = 0;
    for (const [action, requestId, payload] of rows) {
      n += 1;
      await env.DB.prepare(
        'INSERT INTO charger_reports (charger_id, action, message_id, digest, received_at, request_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).bind(id, action, `old-${n}`, `digest-${n}`, `2026-01-01T00:00:0${n}Z`, requestId, JSON.stringify(payload)).run();
    }
    const secrets = [WIFI, BASIC, VENDOR];
    const found = (text: string) => secrets.filter((x) => text.includes(x));
    // Redacted when shown, whatever D1 holds.
    const list = await (await api('GET', `/chargers/${id}/reports`)).text();
    expect(list).toContain('OrganizationName');
    expect(found(list)).toEqual([]);
    const assembled = await (await api('GET', `/chargers/${id}/reports/requests/7`)).text();
    expect(assembled).toContain('Acme');
    expect(found(assembled)).toEqual([]);

    // The migration's scrub, run again on these rows: D1 no longer holds them, and keeps the rest.
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.includes('_secrets_scrub'));
    expect(migration).toBeDefined();
    const scrub = migration!.queries.filter((q) => /UPDATE charger_reports/.test(q));
    expect(scrub).toHaveLength(1);
    for (const query of scrub) await env.DB.prepare(query).run();
    const { results } = await env.DB.prepare('SELECT action, payload FROM charger_reports WHERE charger_id = ? ORDER BY id').bind(id).all<{ action: string; payload: string }>();
    expect(found(JSON.stringify(results))).toEqual([]);
    const [report, event, transfer] = results.map((r) => JSON.parse(r.payload));
    expect(report.reportData.map((d: any) => d.variableAttribute[0].value)).toEqual(['<redacted>', '<redacted>', 'Acme']);
    expect(event.eventData.map((d: any) => d.actualValue)).toEqual(['<redacted>', '<redacted>', 'Faulted']);
    expect(transfer.wifi).toEqual([{ key: 'WifiPassword', value: '<redacted>' }, { key: 'WifiSsid', value: 'depot' }]);
    expect(transfer.data).toBe(JSON.stringify({ note: 'kept' }));
  });

  it('queued_commands: finished commands are redacted once when the object opens (its schema migration), echoes in their errors too; a waiting one keeps what it must send', async () => {
    const id = uniqueChargerId('OLDQ');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    cp.close();
    const key = hex(WIFI).toUpperCase();
    await runInDurableObject(env.CHARGERS.getByName(id), async (_instance, state) => {
      const sql = state.storage.sql;
      new CommandQueue(sql);
      const insert = (cid: string, status: string, payload: unknown, error: unknown) =>
        sql.exec(
          `INSERT INTO queued_commands (id, action, payload, status, created_at, expires_at, finished_at, error) VALUES (?, 'ChangeConfiguration', ?, ?, 0, ?, ?, ?)`,
          cid,
          JSON.stringify(payload),
          status,
          Date.now() + 3_600_000,
          status === 'queued' ? null : Date.now(),
          error === null ? null : JSON.stringify(error),
        );
      insert(`${id}~done`, 'failed', { key: 'AuthorizationKey', value: key }, { code: 'CallError', message: 'x', ocpp: { code: 'GenericError', description: `bad key ${key}`, details: {} } });
      insert(`${id}~ok`, 'succeeded', { key: 'WifiPassword', value: WIFI }, null);
      insert(`${id}~waiting`, 'queued', { key: 'WifiPassword', value: WIFI }, null);
      // As stored before this rule: the queue has not scrubbed yet.
      asUnscrubbed(sql);
      migrateChargerSchema(sql);
      const rows = sql.exec<{ id: string; payload: string; error: string | null }>('SELECT id, payload, error FROM queued_commands ORDER BY seq').toArray();
      const byId = Object.fromEntries(rows.map((r) => [r.id.split('~')[1], r]));
      expect(JSON.stringify([byId.done, byId.ok])).not.toContain(WIFI);
      expect(JSON.stringify([byId.done, byId.ok]).toLowerCase()).not.toContain(key.toLowerCase());
      expect(JSON.parse(byId.done!.error!).ocpp.description).toBe('bad key <redacted>');
      // It still has to reach the charger.
      expect(JSON.parse(byId.waiting!.payload).value).toBe(WIFI);
    });
    // Shown redacted all the same.
    const listed = await (await api('GET', `/chargers/${id}/commands`)).text();
    expect(listed).toContain('WifiPassword');
    expect(listed).not.toContain(WIFI);
  });
});

describe('more secrets redacted', () => {
  it('1.6 keys named like a password are redacted in GetConfiguration answers, the journal and the stored configuration', async () => {
    const id = uniqueChargerId('WIFI');
    const secret = 'my-wifi-passphrase-9';
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    const pending = api('POST', `/chargers/${id}/commands/GetConfiguration`, {});
    const call = await cp.next();
    cp.sendRaw(
      JSON.stringify([
        3,
        call[1],
        {
          configurationKey: [
            { key: 'WifiPassword', readonly: false, value: secret },
            { key: 'ApnPasswd', readonly: false, value: `${secret}-apn` },
            { key: 'mqttSecret', readonly: false, value: `${secret}-mqtt` },
            { key: 'HeartbeatInterval', readonly: false, value: '300' },
          ],
        },
      ]),
    );
    const answer = await (await pending).text();
    expect(answer).toContain('HeartbeatInterval');
    expect(answer).not.toContain(secret);
    expect(await (await api('GET', `/chargers/${id}/messages`)).text()).not.toContain(secret);
    const configuration = await (await api('GET', `/chargers/${id}/configuration`)).text();
    expect(configuration).toContain('WifiPassword');
    expect(configuration).not.toContain(secret);
    cp.close();
  });

  it('2.0.1 NotifyEvent actualValue of BasicAuthPassword and of a WriteOnly variable is redacted in the journal and in D1', async () => {
    const id = uniqueChargerId('EVT');
    const secret = 'event-echo-password-1';
    const vendor = 'event-vendor-token-2';
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    await cp.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [{ component: { name: 'VendorCtrlr' }, variable: { name: 'ApiKey' }, variableAttribute: [{ mutability: 'WriteOnly' }] }],
    });
    const event = (actualValue: string, component: string, variable: string, eventId: number) => ({
      eventId,
      timestamp: new Date().toISOString(),
      trigger: 'Delta',
      actualValue,
      eventNotificationType: 'HardWiredNotification',
      component: { name: component },
      variable: { name: variable },
    });
    const answer = await cp.call('NotifyEvent', {
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      eventData: [event(secret, 'SecurityCtrlr', 'BasicAuthPassword', 1), event(vendor, 'VendorCtrlr', 'ApiKey', 2), event('Faulted', 'Connector', 'AvailabilityState', 3)],
    });
    expect(answer[0]).toBe(3);
    const journal = await (await api('GET', `/chargers/${id}/messages`)).text();
    expect(journal).toContain('NotifyEvent');
    expect(journal).not.toContain(secret);
    expect(journal).not.toContain(vendor);
    const reports = await (await api('GET', `/chargers/${id}/reports?action=NotifyEvent`)).text();
    expect(reports).toContain('Faulted');
    const { results } = await env.DB.prepare(`SELECT payload FROM charger_reports WHERE charger_id = ? AND action = 'NotifyEvent'`).bind(id).all<{ payload: string }>();
    expect(results).toHaveLength(1);
    expect(results[0]!.payload).toContain('Faulted');
    expect(results[0]!.payload).not.toContain(secret);
    expect(results[0]!.payload).not.toContain(vendor);
    cp.close();
  });

  it('a CALLERROR that echoes the password is scrubbed from the API error and the journal (clear and hex forms)', async () => {
    const id = uniqueChargerId('ECHO');
    const OLD = 'echo-old-password-1';
    const NEW = 'echo-new-password-22';
    await api('PUT', `/chargers/${id}`, { securityProfile: 1, password: OLD });
    const cp = await RawCharger.connect(id, 'ocpp2.0.1', { authorization: basic(id, OLD) });
    await cp.boot();
    const pending = api('POST', `/chargers/${id}/password`, { password: NEW });
    const call = await cp.next();
    cp.sendRaw(JSON.stringify([4, call[1], 'PropertyConstraintViolation', `value ${NEW} (hex ${hex(NEW)}) is not allowed`, { rejected: NEW }]));
    const res = await pending;
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'CallError', ocpp: { code: 'PropertyConstraintViolation' } } });
    expect(text).toContain('<redacted>');
    expect(text).not.toContain(NEW);
    expect(text.toLowerCase()).not.toContain(hex(NEW));
    const journal = await (await api('GET', `/chargers/${id}/messages`)).text();
    expect(journal).toContain('PropertyConstraintViolation');
    expect(journal).not.toContain(NEW);
    expect(journal.toLowerCase()).not.toContain(hex(NEW));
    cp.close();
  });

  it('a queued command for a vendor WriteOnly variable is shown redacted while it waits, and an echo in its error is scrubbed', async () => {
    const id = uniqueChargerId('QWO');
    const secret = 'queued-vendor-secret-77';
    const cp = await RawCharger.connect(id, 'ocpp2.0.1');
    await cp.boot();
    await cp.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [{ component: { name: 'VendorCtrlr' }, variable: { name: 'Token' }, variableAttribute: [{ mutability: 'WriteOnly' }] }],
    });
    cp.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const set = { setVariableData: [{ attributeValue: secret, component: { name: 'VendorCtrlr' }, variable: { name: 'Token' } }] };
    const queued = await api('POST', `/chargers/${id}/commands/SetVariables?queue=true`, set);
    expect(queued.status).toBe(202);
    const queuedText = await queued.text();
    expect(queuedText).not.toContain(secret);
    const commandId = (JSON.parse(queuedText) as { command: { id: string } }).command.id;
    expect(await (await api('GET', `/commands/${commandId}`)).text()).not.toContain(secret);
    // The charger comes back, gets the value itself, and refuses it quoting it.
    const back = await RawCharger.connect(id, 'ocpp2.0.1');
    await back.boot();
    const call = await back.next();
    expect((call[3] as typeof set).setVariableData[0]!.attributeValue).toBe(secret);
    back.sendRaw(JSON.stringify([4, call[1], 'GenericError', `cannot store ${secret}`, {}]));
    await vi_waitFor(async () => ((await (await api('GET', `/commands/${commandId}`)).json()) as any).command.status === 'failed');
    const view = await (await api('GET', `/commands/${commandId}`)).text();
    expect(view).toContain('cannot store <redacted>');
    expect(view).not.toContain(secret);
    await runInDurableObject(env.CHARGERS.getByName(id), async (_instance, state) => {
      expect(JSON.stringify(state.storage.sql.exec('SELECT * FROM queued_commands').toArray())).not.toContain(secret);
      expect(JSON.stringify(state.storage.sql.exec('SELECT * FROM journal').toArray())).not.toContain(secret);
    });
    back.close();
  });
});

describe('credential- and trust-affecting calls go through the admin security-commands route', () => {
  const refused: Array<[string, 'ocpp1.6' | 'ocpp2.0.1', string, unknown]> = [
    ['1.6 InstallCertificate CentralSystemRootCertificate', 'ocpp1.6', 'InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }],
    ['2.0.1 InstallCertificate CSMSRootCertificate', 'ocpp2.0.1', 'InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }],
    ['2.0.1 DeleteCertificate', 'ocpp2.0.1', 'DeleteCertificate', { certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'a1', issuerKeyHash: 'b2', serialNumber: '01' } }],
    ['2.0.1 CertificateSigned', 'ocpp2.0.1', 'CertificateSigned', { certificateChain: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' }],
    ['1.6 CentralSystemURL', 'ocpp1.6', 'ChangeConfiguration', { key: 'CentralSystemURL', value: 'ws://evil.example/ocpp' }],
    ['1.6 WifiPassword', 'ocpp1.6', 'ChangeConfiguration', { key: 'WifiPassword', value: 'new-wifi-password' }],
  ];

  for (const [name, version, action, payload] of refused) {
    it(`the command route refuses ${name} with 403 naming the security-commands route; an admin sends it there`, async () => {
      const id = uniqueChargerId('SECCMD');
      const cp = await RawCharger.connect(id, version);
      await cp.boot();
      for (const query of ['', '?queue=true']) {
        const res = await api('POST', `/chargers/${id}/commands/${action}${query}`, payload);
        expect(res.status).toBe(403);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('CredentialChangeRefused');
        expect(body.error.message).toContain('/security-commands');
      }
      const commander = ((await (await api('POST', '/tokens', { name: 'cmd', scopes: ['command'] })).json()) as { token: string }).token;
      expect((await api('POST', `/chargers/${id}/security-commands`, { action, payload }, commander)).status).toBe(403);
      const sent = api('POST', `/chargers/${id}/security-commands`, { action, payload });
      const frame = await cp.next();
      expect(frame.slice(2)).toEqual([action, payload]);
      cp.sendRaw(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
      const res = await sent;
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ result: { status: 'Accepted' }, securityProfileChanged: false });
      cp.close();
    });
  }

  it('refuses what is not security-affecting, and the password, which has its own route', async () => {
    const id = uniqueChargerId('SECCMD');
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    const other = await api('POST', `/chargers/${id}/security-commands`, { action: 'ClearCache', payload: {} });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ error: { code: 'NotSecurityCommand' } });
    const password = await api('POST', `/chargers/${id}/security-commands`, { action: 'ChangeConfiguration', payload: { key: 'AuthorizationKey', value: hex('sneaky-new-password') } });
    expect(password.status).toBe(403);
    expect(((await password.json()) as { error: { message: string } }).error.message).toContain('/password');
    cp.close();
  });

  it('a 1.6 SecurityProfile the charger accepts becomes what the CSMS expects, and the session admitted otherwise is closed', async () => {
    const id = uniqueChargerId('SECPROF');
    const PASSWORD = 'profile-password-1234';
    const cp = await RawCharger.connect(id, 'ocpp1.6');
    await cp.boot();
    // Profile 1 needs a password the CSMS knows.
    const early = await api('POST', `/chargers/${id}/security-commands`, { action: 'ChangeConfiguration', payload: { key: 'SecurityProfile', value: '1' } });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: { code: 'PasswordRequired' } });
    expect((await api('PUT', `/chargers/${id}`, { password: PASSWORD })).status).toBe(200);
    const sent = api('POST', `/chargers/${id}/security-commands`, { action: 'ChangeConfiguration', payload: { key: 'SecurityProfile', value: '1' } });
    const frame = await cp.next();
    cp.sendRaw(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
    const res = await sent;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ securityProfileChanged: true, securityProfile: 1, closedConnections: 1 });
    expect(await cp.waitForClose()).toMatchObject({ code: 4003 });
    expect(((await (await api('GET', `/chargers/${id}`)).json()) as { charger: { securityProfile: number } }).charger.securityProfile).toBe(1);
    expect(await connects(upgrade(id))).toBe(false);
    expect(await connects(upgrade(id, basic(id, PASSWORD)))).toBe(true);
  });
});

/** Polls `check` until it holds (at most ~5 s). */
async function vi_waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not met in time');
}

/**
 * Makes an object's storage look as an object from before schema versions and before the
 * journal and command redactions left it: no version recorded, the redaction markers empty.
 */
function asUnscrubbed(sql: SqlStorage): void {
  sql.exec('DROP TABLE IF EXISTS schema_version');
  sql.exec('CREATE TABLE IF NOT EXISTS journal_meta (name TEXT PRIMARY KEY)');
  sql.exec('CREATE TABLE IF NOT EXISTS queued_commands_meta (name TEXT PRIMARY KEY)');
}
