// A local authorization list longer than the charger takes in one message goes in parts (D01.FR.11; 1.6 §5.15).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

type Frame = [number, string, string, Record<string, any>];

describe('a local list in parts', () => {
  it('D01.FR.11 / 1.6 §5.15: a 10,000-tag Full list goes out in parts, Full then Differential, each numbered past the one before; the version is the last part\'s', async () => {
    // Fill the id tags up to 10,000 (the most a Full list holds), in one statement.
    const prefix = uniqueChargerId('B').slice(0, 10);
    const existing = (await env.DB.prepare('SELECT COUNT(*) AS n FROM id_tags').first<{ n: number }>())!.n;
    const total = 10_000;
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
       INSERT INTO id_tags (id_tag, token_type, status, expiry_date, parent_id_tag, first_seen_offline, created_at, updated_at)
       SELECT ?2 || printf('%05d', i), '', 'Accepted', NULL, NULL, 0, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n`,
    )
      .bind(total - existing, prefix)
      .run();

    const cp = await RawCharger.connect(uniqueChargerId('LLP'), 'ocpp1.6');
    await cp.boot();
    const config = api('POST', `/chargers/${cp.id}/commands/GetConfiguration`, { key: ['SendLocalListMaxLength'] });
    const ask = (await cp.next()) as Frame;
    cp.sendRaw(JSON.stringify([3, ask[1], { configurationKey: [{ key: 'SendLocalListMaxLength', readonly: true, value: '2500' }] }]));
    expect((await config).status).toBe(200);

    const pending = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Full' });
    const sent: string[] = [];
    const heads: Array<{ listVersion: number; updateType: string; size: number }> = [];
    for (let part = 0; part < 4; part++) {
      const call = (await cp.next(20_000)) as Frame;
      expect(call[2]).toBe('SendLocalList');
      const list = call[3].localAuthorizationList as Array<{ idTag: string }>;
      heads.push({ listVersion: call[3].listVersion, updateType: call[3].updateType, size: list.length });
      sent.push(...list.map((e) => e.idTag));
      cp.sendRaw(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    }
    expect(heads).toEqual([
      { listVersion: 1, updateType: 'Full', size: 2500 },
      { listVersion: 2, updateType: 'Differential', size: 2500 },
      { listVersion: 3, updateType: 'Differential', size: 2500 },
      { listVersion: 4, updateType: 'Differential', size: 2500 },
    ]);
    expect(new Set(sent.map((t) => t.toUpperCase())).size).toBe(total);
    const res = await pending;
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ result: { status: 'Accepted' }, listVersion: 4, entries: total });
    expect(body.parts.map((p: any) => [p.updateType, p.version, p.items])).toEqual([
      ['Full', 1, 2500],
      ['Differential', 2, 2500],
      ['Differential', 3, 2500],
      ['Differential', 4, 2500],
    ]);
    expect(((await (await api('GET', `/chargers/${cp.id}/local-list`)).json()) as any).listVersion).toBe(4);
    cp.close();
    await env.DB.prepare(`DELETE FROM id_tags WHERE id_tag LIKE ?1 || '%'`).bind(prefix).run();
  });

  it('D01.FR.11, D01.FR.12: a part the charger refuses stops the rest and the version stays; the next list is numbered past the part it took', async () => {
    const tags = [0, 1, 2].map((i) => `${uniqueChargerId('P')}${i}`);
    for (const tag of tags) await api('PUT', `/id-tags/${tag}?type=ISO14443`, { status: 'Accepted' });
    const cp = await RawCharger.connect(uniqueChargerId('LLQ'), 'ocpp2.0.1');
    await cp.boot();
    const report = await cp.call('NotifyReport', {
      requestId: 1,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [
        { component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'ItemsPerMessage' }, variableAttribute: [{ type: 'Actual', value: '1', mutability: 'ReadOnly' }] },
        {
          component: { name: 'LocalAuthListCtrlr' },
          variable: { name: 'Entries' },
          variableAttribute: [{ type: 'Actual', value: '0', mutability: 'ReadOnly' }],
          variableCharacteristics: { dataType: 'integer', maxLimit: 10, supportsMonitoring: false },
        },
      ],
    });
    expect(report[0]).toBe(3);

    const pending = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: tags });
    const first = (await cp.next()) as Frame;
    expect(first[3]).toMatchObject({ versionNumber: 1, updateType: 'Differential', localAuthorizationList: [{ idToken: { idToken: tags[0] } }] });
    cp.sendRaw(JSON.stringify([3, first[1], { status: 'Accepted' }]));
    const second = (await cp.next()) as Frame;
    expect(second[3]).toMatchObject({ versionNumber: 2, updateType: 'Differential' });
    cp.sendRaw(JSON.stringify([3, second[1], { status: 'Failed' }]));
    const body = (await (await pending).json()) as any;
    expect(body.result).toEqual({ status: 'Failed' });
    expect(body.parts.map((p: any) => [p.version, p.result?.status])).toEqual([
      [1, 'Accepted'],
      [2, 'Failed'],
    ]);
    await expect(cp.next(300)).rejects.toThrow('no frame');
    expect(((await (await api('GET', `/chargers/${cp.id}/local-list`)).json()) as any).listVersion).toBe(0);

    // The charger holds version 1 now: the next list starts past it.
    const again = api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Differential', idTags: [tags[0]] });
    const next = (await cp.next()) as Frame;
    expect(next[3].versionNumber).toBe(2);
    cp.sendRaw(JSON.stringify([3, next[1], { status: 'Accepted' }]));
    expect(((await (await again).json()) as any).listVersion).toBe(2);

    // D01.FR.12: a Full list over the list's capacity (Entries' maxLimit) is refused, nothing sent.
    await cp.call('NotifyReport', {
      requestId: 2,
      generatedAt: new Date().toISOString(),
      seqNo: 0,
      reportData: [
        {
          component: { name: 'LocalAuthListCtrlr' },
          variable: { name: 'Entries' },
          variableAttribute: [{ type: 'Actual', value: '1' }],
          variableCharacteristics: { dataType: 'integer', maxLimit: 2, supportsMonitoring: false },
        },
      ],
    });
    const full = await api('POST', `/chargers/${cp.id}/local-list`, { updateType: 'Full' });
    expect(full.status).toBe(400);
    expect(((await full.json()) as any).error).toMatchObject({ code: 'ChargerLimitExceeded', limit: { name: 'LocalAuthListCtrlr.Entries (maxLimit)', value: 2 } });
    await expect(cp.next(300)).rejects.toThrow('no frame');
    cp.close();
  });
});
