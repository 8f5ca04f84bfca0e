// Unit tests of the CDR mapping and its CSV line (issue 14, "Charge detail records").
import { describe, expect, it } from 'vitest';
import { authMethod, CDR_CSV_COLUMNS, CDR_CSV_HEADER, cdrCsvLine, cdrEvent, csvCell, decimal, ocpiTokenType, toCdr, type CdrSource } from './cdr';
import { computeCost } from './cost';
import { parseTariffBody, type TariffBody } from './model';

function tariff(body: Record<string, unknown>): TariffBody {
  const parsed = parseTariffBody(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.tariff;
}

const TARIFF = tariff({
  currency: 'EUR',
  elements: [
    { price_components: [{ type: 'FLAT', price: 0.5, vat: 21, step_size: 0 }] },
    { price_components: [{ type: 'ENERGY', price: 0.3, vat: 21, step_size: 1 }] },
    { price_components: [{ type: 'PARKING_TIME', price: 2, vat: 21, step_size: 60 }] },
  ],
});

// 10:00–11:00 charging 10 kWh, 11:00–11:30 parked (status not charging).
// FLAT 0.50; ENERGY 10 kWh × 0.30 = 3.00; PARKING 0.5 h × 2 = 1.00: 4.50 excl. VAT, × 1.21 = 5.445 → 5.45 incl.
const BREAKDOWN = computeCost(TARIFF, {
  startedAt: '2026-03-01T10:00:00.000Z',
  startRegisterWh: 1000,
  samples: [{ at: '2026-03-01T11:00:00.000Z', registerWh: 11000, charging: false }],
  endedAt: '2026-03-01T11:30:00.000Z',
  endRegisterWh: 11000,
});

function source(extra: Partial<CdrSource> = {}): CdrSource {
  return {
    rowId: 42,
    chargerId: 'CP-1',
    protocol: 'ocpp2.0.1',
    transactionId: 'TX-9',
    evseId: 1,
    connectorId: 2,
    idTag: 'TAG1',
    idTokenType: 'ISO14443',
    remoteStartId: null,
    offline: false,
    startedAt: '2026-03-01T10:00:00.000Z',
    stoppedAt: '2026-03-01T11:30:00.000Z',
    energyWh: 10000,
    stopReason: 'EVDisconnected',
    updatedAt: '2026-03-01T11:30:05.000Z',
    unpricedFlag: false,
    cost: { tariffId: 'day', tariffVersion: 3, currency: 'EUR', breakdown: BREAKDOWN, pricedAt: '2026-03-01T11:30:06.000Z' },
    ...extra,
  };
}

describe('cdr: a priced transaction as an OCPI 2.2.1 CDR', () => {
  it('carries the ids, the token, the location it knows, the tariff version and the totals of the breakdown', () => {
    expect(BREAKDOWN.total_cost).toEqual({ excl_vat: 4.5, incl_vat: 5.45 });
    const cdr = toCdr(source());
    expect(cdr).toMatchObject({
      id: '42',
      session_id: 'TX-9',
      start_date_time: '2026-03-01T10:00:00.000Z',
      end_date_time: '2026-03-01T11:30:00.000Z',
      cdr_token: { uid: 'TAG1', type: 'RFID', contract_id: null },
      auth_method: 'AUTH_REQUEST',
      cdr_location: { evse_uid: 'CP-1', evse_id: '1', connector_id: '2' },
      priced: true,
      currency: 'EUR',
      tariffs: [{ id: 'day', version: 3, currency: 'EUR', last_updated: null }],
      total_cost: { excl_vat: 4.5, incl_vat: 5.45 },
      total_fixed_cost: { excl_vat: 0.5, incl_vat: 0.61 },
      total_energy: 10,
      total_energy_cost: { excl_vat: 3, incl_vat: 3.63 },
      total_time: 1.5,
      total_parking_time: 0.5,
      total_parking_cost: { excl_vat: 1, incl_vat: 1.21 },
      last_updated: '2026-03-01T11:30:06.000Z',
    });
    expect(cdr.cdr_location.not_known).toContain('address');
    expect(cdr.unpriced_reason).toBeUndefined();
    expect(cdr.charging_periods.length).toBeGreaterThan(0);
    for (const p of cdr.charging_periods) expect(p.tariff_id).toBe('day');
  });

  it('includes the tariff version body when the store read it', () => {
    const cdr = toCdr(source({ cost: { ...source().cost!, tariff: { body: TARIFF, lastUpdated: '2026-02-01T00:00:00.000Z' } } }));
    expect(cdr.tariffs?.[0]).toMatchObject({ id: 'day', version: 3, last_updated: '2026-02-01T00:00:00.000Z', elements: TARIFF.elements, time_zone: 'UTC' });
  });

  it('a completed transaction without a cost row is a CDR too: priced false, no cost fields, energy and time from the row', () => {
    const cdr = toCdr(source({ cost: null }));
    expect(cdr).toMatchObject({ priced: false, unpriced_reason: 'no_tariff', total_energy: 10, total_time: 1.5, total_parking_time: null, charging_periods: [] });
    for (const key of ['total_cost', 'currency', 'tariffs', 'total_energy_cost', 'total_fixed_cost']) expect(cdr).not.toHaveProperty(key);
    expect(toCdr(source({ cost: null, unpricedFlag: true })).unpriced_reason).toBe('unpriced');
    // Energy not billable as it stands (negative-energy): not known, not zero.
    expect(toCdr(source({ cost: null, energyWh: null })).total_energy).toBeNull();
  });

  it('1.6: token RFID, no EVSE number', () => {
    const cdr = toCdr(source({ protocol: 'ocpp1.6', idTokenType: null, evseId: 0, connectorId: 1 }));
    expect(cdr.cdr_token.type).toBe('RFID');
    expect(cdr.cdr_location).toMatchObject({ evse_id: null, connector_id: '1' });
  });
});

describe('cdr: token type and auth method', () => {
  it('maps 2.0.1 IdTokenEnumType to OCPI TokenType', () => {
    expect(ocpiTokenType('ocpp2.0.1', 'ISO15693')).toBe('RFID');
    expect(ocpiTokenType('ocpp2.0.1', 'Central')).toBe('APP_USER');
    for (const t of ['eMAID', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization', null]) expect(ocpiTokenType('ocpp2.0.1', t)).toBe('OTHER');
    expect(ocpiTokenType('ocpp1.6', null)).toBe('RFID');
    expect(toCdr(source({ idTokenType: 'eMAID', idTag: 'NL-ABC-C12345678-X' })).cdr_token.contract_id).toBe('NL-ABC-C12345678-X');
  });

  it('remote start → COMMAND, offline or a local token → WHITELIST, else AUTH_REQUEST', () => {
    expect(authMethod({ remoteStartId: 7, offline: true, idTokenType: 'Local' })).toBe('COMMAND');
    expect(authMethod({ remoteStartId: null, offline: true, idTokenType: 'ISO14443' })).toBe('WHITELIST');
    expect(authMethod({ remoteStartId: null, offline: false, idTokenType: 'NoAuthorization' })).toBe('WHITELIST');
    expect(authMethod({ remoteStartId: null, offline: false, idTokenType: 'ISO14443' })).toBe('AUTH_REQUEST');
  });
});

describe('cdr: CSV', () => {
  it('quotes per RFC 4180 and prefixes what a spreadsheet would run as a formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const lead of ['+', '-', '@', '\t']) expect(csvCell(`${lead}1`)).toBe(`'${lead}1`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(3)).toBe('3');
  });

  it('writes volumes without exponents or float noise', () => {
    expect(decimal(1 / 3_600_000, 6)).toBe('0'); // 1 ms in hours rounds away at 6 decimals
    expect(decimal(0.1 + 0.2, 6)).toBe('0.3');
    expect(decimal(12, 6)).toBe('12');
    expect(decimal(null, 6)).toBe('');
  });

  it('one line per CDR with the header columns; money at the currency minor unit', () => {
    expect(CDR_CSV_HEADER).toBe(CDR_CSV_COLUMNS.join(',') + '\r\n');
    const line = cdrCsvLine(toCdr(source()));
    expect(line.endsWith('\r\n')).toBe(true);
    const cells = line.slice(0, -2).split(',');
    expect(cells).toHaveLength(CDR_CSV_COLUMNS.length);
    const byName = Object.fromEntries(CDR_CSV_COLUMNS.map((c, i) => [c, cells[i]]));
    expect(byName).toMatchObject({
      cdr_id: '42',
      token_uid: 'TAG1',
      total_energy_kwh: '10',
      total_time_hours: '1.5',
      total_parking_time_hours: '0.5',
      currency: 'EUR',
      total_cost_excl_vat: '4.50',
      total_cost_incl_vat: '5.45',
      total_fixed_cost_excl_vat: '0.50',
      tariff_id: 'day',
      tariff_version: '3',
      priced: 'true',
      unpriced_reason: '',
    });
    const unpriced = cdrCsvLine(toCdr(source({ cost: null, idTag: '=cmd|x' })));
    expect(unpriced).toContain(",'=cmd|x,");
    // signed_data and the four payment columns empty.
    expect(unpriced).toContain(',false,no_tariff,,,,,\r\n');
  });

  it('signed meter data: the OCPI SignedData in the JSON CDR and as one JSON cell in the CSV (OCPI 2.2.1 CDR signed_data)', () => {
    const kept = (signedData: string, context: string, value: number) =>
      JSON.stringify({ sample: [0, value, 0, context === 'Transaction.Begin' ? 2 : 3, 0, 0, signedData], encodingMethod: 'OCMF', publicKey: 'PK1' });
    const signed = {
      firstAt: '2026-03-01T10:00:00.000Z',
      firstValue: kept('OCMF|{"a":1}|{"SD":"01"}', 'Transaction.Begin', 1000),
      lastAt: '2026-03-01T11:00:00.000Z',
      lastValue: kept('OCMF|{"a":2}|{"SD":"02"}', 'Transaction.End', 11000),
    };
    const expected = {
      encoding_method: 'OCMF',
      public_key: 'PK1',
      signed_values: [
        { nature: 'Start', plain_data: '1000 Wh', signed_data: 'OCMF|{"a":1}|{"SD":"01"}' },
        { nature: 'End', plain_data: '11000 Wh', signed_data: 'OCMF|{"a":2}|{"SD":"02"}' },
      ],
    };
    for (const cost of [source().cost, null]) {
      const cdr = toCdr(source({ cost, signed }));
      expect(cdr.signed_data).toEqual(expected);
      const cells = parseCsvLine(cdrCsvLine(cdr));
      expect(cells).toHaveLength(CDR_CSV_COLUMNS.length);
      expect(JSON.parse(cells[CDR_CSV_COLUMNS.indexOf('signed_data')]!)).toEqual(expected);
    }
    // None kept: no signed_data, an empty cell.
    expect(toCdr(source()).signed_data).toBeUndefined();
    expect(toCdr(source({ signed: null })).signed_data).toBeUndefined();
    expect(cdrCsvLine(toCdr(source())).endsWith(',true,,,,,,\r\n')).toBe(true);
  });
});

describe('cdr: OCPP 2.1 payment', () => {
  it('carries the latest settlement as `payment` (not OCPI), in the CSV too, and dates last_updated from it', () => {
    const settlement = {
      psp_ref: 'psp-1',
      status: 'Settled',
      amount: 12.34,
      settled_at: '2030-01-01T00:00:00.000Z',
      receipt_id: '=R1',
      receipt_url: null,
      vat_number: null,
      received_at: '2030-01-01T00:00:01.000Z',
    };
    const cdr = toCdr(source({ protocol: 'ocpp2.1', settlement }));
    const { received_at: _received, ...payment } = settlement;
    expect(cdr.payment).toEqual(payment);
    expect(cdr.last_updated).toBe('2030-01-01T00:00:01.000Z');
    const cells = parseCsvLine(cdrCsvLine(cdr));
    const cell = (name: (typeof CDR_CSV_COLUMNS)[number]) => cells[CDR_CSV_COLUMNS.indexOf(name)];
    // A receipt id a spreadsheet would run as a formula stays text.
    expect([cell('payment_status'), cell('payment_amount'), cell('payment_psp_ref'), cell('payment_receipt_id')]).toEqual(['Settled', '12.34', 'psp-1', "'=R1"]);
    expect(toCdr(source()).payment).toBeUndefined();
  });
});

/** One RFC 4180 line's cells (quoted cells with doubled quotes). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  const text = line.replace(/\r\n$/, '');
  while (i <= text.length) {
    if (text[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (text[quote + 1] === '"') {
          cell += text.slice(i, quote + 1);
          i = quote + 2;
        } else {
          cell += text.slice(i, quote);
          i = quote + 2;
          break;
        }
      }
      cells.push(cell);
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      cells.push(text.slice(i, end));
      i = end + 1;
    }
  }
  return cells;
}

describe('cdr: queue event', () => {
  it('cdr.created carries the CDR, named like the charger events', () => {
    const cdr = toCdr(source());
    expect(cdrEvent(cdr, '2026-03-01T11:30:07.000Z')).toEqual({ type: 'cdr.created', chargerId: 'CP-1', protocol: 'ocpp2.0.1', at: '2026-03-01T11:30:07.000Z', data: { cdr } });
  });
});
