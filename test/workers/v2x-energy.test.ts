// OCPP 2.1 bidirectional charging: a transaction's exported energy (Energy.Active.Export.Register) is
// kept apart from its imported energy, live while it runs, fixed once it ends, and in its CDR (JSON, CSV)
// and the transactions CSV; through a real 2.1 socket and D1.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import * as v21 from '../../src/ocpp/v21/schemas.generated';
import { CDR_CSV_COLUMNS } from '../../src/tariffs/cdr';
import { api, RawCharger, uniqueChargerId } from './helpers';

async function strictCall(cp: RawCharger, action: string, payload: unknown, schema: v.GenericSchema): Promise<any> {
  const request = (v21 as unknown as Record<string, v.GenericSchema>)[`${action}Request`]!;
  expect(v.safeParse(request, payload).success, `${action} request ${JSON.stringify(payload)}`).toBe(true);
  const answer = await cp.call(action, payload);
  expect(answer[0], JSON.stringify(answer)).toBe(3);
  expect(v.safeParse(schema, answer[2]).success, JSON.stringify(answer[2])).toBe(true);
  return answer[2];
}

/** RFC 4180 lines without quoted commas (none in these rows). */
function csvRows(text: string): string[][] {
  return text.trim().split('\r\n').map((line) => line.split(','));
}

describe('OCPP 2.1 exported energy per transaction', () => {
  const t0 = Date.now() - 2 * 3_600_000;
  const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
  /** A meter value with import and (when given) export registers, phase totals at the outlet. */
  const registers = (min: number, importWh: number, exportWh: number | null, context: string) => [
    {
      timestamp: at(min),
      sampledValue: [
        { value: importWh, context, measurand: 'Energy.Active.Import.Register' },
        ...(exportWh === null ? [] : [{ value: exportWh, context, measurand: 'Energy.Active.Export.Register' }]),
        { value: 7400, context, measurand: 'Power.Active.Import' },
      ],
    },
  ];

  async function session(prefix: string, withExport: boolean) {
    const cp = await RawCharger.connect(uniqueChargerId(prefix), 'ocpp2.1');
    expect(cp.protocol).toBe('ocpp2.1');
    await strictCall(cp, 'BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Bidi' } }, v21.BootNotificationResponse);
    const tx = `V2X-${crypto.randomUUID().slice(0, 8)}`;
    const event = (seqNo: number, eventType: string, min: number, meterValue: unknown, extra: Record<string, unknown> = {}) =>
      strictCall(
        cp,
        'TransactionEvent',
        { eventType, timestamp: at(min), seqNo, meterValue, transactionInfo: { transactionId: tx }, ...extra },
        v21.TransactionEventResponse,
      );
    const exp = (wh: number) => (withExport ? wh : null);
    await event(0, 'Started', 0, registers(0, 1_000, exp(200), 'Transaction.Begin'), {
      triggerReason: 'CablePluggedIn',
      evse: { id: 1, connectorId: 1 },
    });
    await env.CHARGERS.getByName(cp.id).flushNow();
    await event(1, 'Updated', 20, registers(20, 3_000, exp(700), 'Sample.Periodic'), { triggerReason: 'MeterValuePeriodic' });
    await env.CHARGERS.getByName(cp.id).flushNow();
    // Stored first (its trigger is new), this one's successor repeats it: a plain Updated, packed with its readings.
    await event(2, 'Updated', 40, registers(40, 4_000, exp(1_900), 'Sample.Periodic'), { triggerReason: 'MeterValuePeriodic' });
    await env.CHARGERS.getByName(cp.id).flushNow();
    const running = (await (await api('GET', `/chargers/${cp.id}/transactions/${tx}`)).json()) as any;
    return { cp, tx, event, running: running.transaction };
  }

  it('shows energy imported and exported apart, live while running and fixed at the Ended; in the CDR and both CSVs', async () => {
    const { cp, tx, event, running } = await session('V2XE', true);
    expect(running).toMatchObject({ status: 'active', protocol: 'ocpp2.1', energyWh: 3_000, energyExportWh: 1_700 });
    // The plain Updated events were packed with their readings (store/packed-events.ts): the live export came from the packed entry.
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM transaction_events WHERE charger_id = ?1 AND transaction_id = ?2').bind(cp.id, tx).first<{ n: number }>();
    expect(rows!.n).toBe(2);
    const listed = (await (await api('GET', `/transactions?chargerId=${cp.id}`)).json()) as any;
    expect(listed.transactions[0]).toMatchObject({ transactionId: tx, energyWh: 3_000, energyExportWh: 1_700 });

    await event(3, 'Ended', 60, registers(60, 5_000, 2_200, 'Transaction.End'), { triggerReason: 'EVDeparted', transactionInfo: { transactionId: tx, stoppedReason: 'EVDisconnected' } });
    // After the Ended, an event with other registers is late: the bill is closed.
    await event(4, 'Updated', 70, registers(70, 9_000, 9_000, 'Sample.Periodic'), { triggerReason: 'MeterValuePeriodic' });
    await env.CHARGERS.getByName(cp.id).flushNow();

    const done = (await (await api('GET', `/chargers/${cp.id}/transactions/${tx}`)).json()) as any;
    expect(done.transaction).toMatchObject({ status: 'completed', energyWh: 4_000, energyExportWh: 2_000 });
    const row = await env.DB.prepare(
      'SELECT meter_start_export_wh AS s, meter_stop_export_wh AS e, energy_export_wh AS x FROM transactions WHERE charger_id = ?1 AND ocpp_transaction_id = ?2',
    )
      .bind(cp.id, tx)
      .first();
    expect(row).toEqual({ s: 200, e: 2_200, x: 2_000 });

    const { cdrs } = (await (await api('GET', `/cdrs?chargerId=${cp.id}`)).json()) as any;
    expect(cdrs).toHaveLength(1);
    expect(cdrs[0]).toMatchObject({ session_id: tx, protocol: 'ocpp2.1', total_energy: 4, total_energy_exported: 2 });
    const [header, line] = csvRows(await (await api('GET', `/cdrs?chargerId=${cp.id}&format=csv`)).text());
    expect(header).toEqual([...CDR_CSV_COLUMNS]);
    expect(line![header!.indexOf('total_energy_kwh')]).toBe('4');
    expect(line![header!.indexOf('total_energy_exported_kwh')]).toBe('2');

    const [txHeader, txLine] = csvRows(await (await api('GET', `/transactions?chargerId=${cp.id}&format=csv`)).text());
    expect(txLine![txHeader!.indexOf('energy_kwh')]).toBe('4');
    expect(txLine![txHeader!.indexOf('energy_export_kwh')]).toBe('2');
    cp.close();
  });

  it('gives a transaction closed as abandoned the exported energy of its last reading, packed or not', async () => {
    const { cp, tx, running } = await session('V2XA', true);
    expect(running.energyExportWh).toBe(1_700);
    // A new Started on the same EVSE ends the old transaction: the CSMS closes it from its last readings.
    const next = `V2X-${crypto.randomUUID().slice(0, 8)}`;
    await strictCall(
      cp,
      'TransactionEvent',
      { eventType: 'Started', timestamp: at(90), seqNo: 0, triggerReason: 'CablePluggedIn', transactionInfo: { transactionId: next }, evse: { id: 1, connectorId: 1 } },
      v21.TransactionEventResponse,
    );
    await env.CHARGERS.getByName(cp.id).flushNow();
    const old = (await (await api('GET', `/chargers/${cp.id}/transactions/${tx}`)).json()) as any;
    expect(old.transaction).toMatchObject({ status: 'completed', stopReason: 'Abandoned', energyWh: 3_000, energyExportWh: 1_700 });
    cp.close();
  });

  it('has no exported energy where the charger reports no export register', async () => {
    const { cp, tx, event, running } = await session('V2XN', false);
    expect(running).toMatchObject({ status: 'active', energyWh: 3_000, energyExportWh: null });
    await event(3, 'Ended', 60, registers(60, 5_000, null, 'Transaction.End'), { triggerReason: 'EVDeparted' });
    await env.CHARGERS.getByName(cp.id).flushNow();
    const done = (await (await api('GET', `/chargers/${cp.id}/transactions/${tx}`)).json()) as any;
    expect(done.transaction).toMatchObject({ status: 'completed', energyWh: 4_000, energyExportWh: null });
    const { cdrs } = (await (await api('GET', `/cdrs?chargerId=${cp.id}`)).json()) as any;
    expect(cdrs[0].total_energy).toBe(4);
    expect(cdrs[0]).not.toHaveProperty('total_energy_exported');
    cp.close();
  });
});
