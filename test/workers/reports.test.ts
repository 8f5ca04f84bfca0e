import { describe, expect, it } from 'vitest';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function json(res: Response): Promise<any> {
  return res.json();
}

describe('reports', () => {
  it('keeps 1.6 notifications, once per message, and shows the latest progress on the charger', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp1.6');
    await cp.boot();
    for (const status of ['Downloading', 'Downloaded', 'Installing']) {
      expect(await cp.call('FirmwareStatusNotification', { status })).toEqual([3, expect.any(String), {}]);
    }
    cp.sendRaw('[2,"sec-1","SecurityEventNotification",{"type":"TamperDetectionActivated","timestamp":"2026-07-01T10:00:00Z"}]');
    expect(await cp.next()).toEqual([3, 'sec-1', {}]);
    // The same message again, as a charger replaying its queue would send it.
    cp.sendRaw('[2,"sec-1","SecurityEventNotification",{"type":"TamperDetectionActivated","timestamp":"2026-07-01T10:00:00Z"}]');
    expect(await cp.next()).toEqual([3, 'sec-1', {}]);

    const { reports } = await json(await api('GET', `/chargers/${cp.id}/reports?action=SecurityEventNotification`));
    expect(reports).toEqual([
      expect.objectContaining({ action: 'SecurityEventNotification', messageId: 'sec-1', payload: { type: 'TamperDetectionActivated', timestamp: '2026-07-01T10:00:00Z' } }),
    ]);
    const { charger } = await json(await api('GET', `/chargers/${cp.id}`));
    expect(charger.progress.firmware).toMatchObject({ action: 'FirmwareStatusNotification', payload: { status: 'Installing' } });
    cp.close();
  });

  it('keeps 2.0.1 reports with their request id, a page at a time', async () => {
    const cp = await RawCharger.connect(uniqueChargerId(), 'ocpp2.0.1');
    await cp.boot();
    for (let seqNo = 0; seqNo < 3; seqNo++) {
      const reply = await cp.call('NotifyReport', {
        requestId: 42,
        generatedAt: '2026-07-01T10:00:00Z',
        seqNo,
        tbc: seqNo < 2,
        reportData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: `V${seqNo}` }, variableAttribute: [{ value: String(seqNo) }] }],
      });
      expect(reply[0]).toBe(3);
    }
    await cp.call('LogStatusNotification', { status: 'Uploaded', requestId: 7 });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(await api('GET', `/chargers/${cp.id}/reports?requestId=42&limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.reports.map((r: { payload: { seqNo: number } }) => r.payload.seqNo));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([0, 1, 2]);
    const { report } = await json(await api('GET', `/chargers/${cp.id}/reports/requests/42`));
    expect(report).toMatchObject({ requestId: 42, action: 'NotifyReport', complete: true, missingSeqNos: [] });
    expect(report.parts.map((p: { seqNo: number }) => p.seqNo)).toEqual([0, 1, 2]);
    expect((await api('GET', `/chargers/${cp.id}/reports/requests/43`)).status).toBe(404);
    const { charger } = await json(await api('GET', `/chargers/${cp.id}`));
    expect(charger.progress.log).toMatchObject({ requestId: 7, payload: { status: 'Uploaded' } });
    expect((await api('GET', `/chargers/${cp.id}/reports?cursor=nonsense`)).status).toBe(400);
    cp.close();
  });
});
