// The cost trace of a completed transaction rebuilt from what the CSMS stored of it (D1 or the R2 archive), for
// an operator's explicit recomputation (POST /api/v1/transactions/{id}/cost). Pure: the rows come from the
// stores; no storage, no Cloudflare types.
//
// It follows what the charger's object folded while the session ran (src/charger/records.ts), so that the
// same tariff version over the same stored messages gives the same cost:
// - Start: the transaction's start time and start register (1.6 meterStart, 2.0.1 the Started event's
//   Transaction.Begin register), charging from the start unless the state in force then says otherwise.
// - Samples: each distinct reading time (src/tariffs/samples.ts costSamplesOf), charging as the latest state
//   change at or before it says, plus one sample at each change of the charging state. A 2.0.1 state is its
//   events' chargingState (applied events only: a late or conflicting event changed nothing); a 1.6 state
//   is its connector's status (Charging charges; SuspendedEV/EVSE and Finishing park; others say nothing).
//   Readings before the start are left out, as the object left them out (they cannot be priced).
// - End: the stop time and the stop register (1.6 meterStop; 2.0.1 the last register its events reported).
// With no register reading at all, the start and stop registers alone price the energy, spread evenly
// over the session: `source: 'registers'` says so.

import type { MeterSample } from '../ocpp/meter-values';
import type { CostSample, CostTrace } from './cost';
import { chargingOf16, chargingOf201, costSamplesOf } from './samples';

/** A time the charging state changed: from `at` on, the session charges or not. */
export interface ChargingChange {
  at: string;
  charging: boolean;
}

export interface StoredSession {
  startedAt: string;
  stoppedAt: string;
  meterStartWh: number | null;
  meterStopWh: number | null;
  readings: readonly MeterSample[];
  /** Any order; times that do not parse are left out. */
  changes: readonly ChargingChange[];
}

export interface RebuiltTrace {
  trace: CostTrace;
  /** `readings`: priced from the stored register readings; `registers`: from the start/stop registers alone. */
  source: 'readings' | 'registers';
}

/** A 2.0.1 transaction's charging changes: its applied events that carry a chargingState. */
export function chargingChanges201(
  events: readonly { disposition: unknown; timestamp: unknown; charging_state: unknown }[],
): ChargingChange[] {
  return events.flatMap((e) =>
    e.disposition === 'applied' && typeof e.timestamp === 'string' && typeof e.charging_state === 'string'
      ? [{ at: e.timestamp, charging: chargingOf201(e.charging_state) }]
      : [],
  );
}

/** A 1.6 transaction's charging changes: its connector's statuses that say whether it charges. */
export function chargingChanges16(statuses: readonly { reportedAt: string; status: string }[]): ChargingChange[] {
  return statuses.flatMap((s) => {
    const charging = chargingOf16(s.status);
    return charging === undefined ? [] : [{ at: s.reportedAt, charging }];
  });
}

export function rebuildTrace(session: StoredSession): RebuiltTrace {
  const startMs = Date.parse(session.startedAt);
  const changes = session.changes
    .map((c) => ({ ...c, ms: Date.parse(c.at) }))
    .filter((c) => Number.isFinite(c.ms))
    .sort((a, b) => a.ms - b.ms);
  /** The state in force at `ms`: the latest change at or before it (at the start, before any: charging). */
  const chargingAtMs = (ms: number): boolean => {
    let charging = true;
    for (const c of changes) {
      if (c.ms > ms) break;
      charging = c.charging;
    }
    return charging;
  };
  const fromReadings = costSamplesOf(session.readings, (at) => chargingAtMs(Date.parse(at))).filter((s) => !(Date.parse(s.at) < startMs));
  const readingTimes = new Set(fromReadings.map((s) => Date.parse(s.at)));
  // A change at a reading's time is already that reading's state; one at the start is the start's.
  const fromChanges: CostSample[] = changes
    .filter((c, i) => c.ms > startMs && !readingTimes.has(c.ms) && changes[i + 1]?.ms !== c.ms)
    .map((c) => ({ at: new Date(c.ms).toISOString(), charging: chargingAtMs(c.ms) }));
  const samples = [...fromReadings, ...fromChanges].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const trace: CostTrace = {
    startedAt: session.startedAt,
    charging: Number.isFinite(startMs) ? chargingAtMs(startMs) : true,
    endedAt: session.stoppedAt,
    samples,
    ...(session.meterStartWh !== null ? { startRegisterWh: session.meterStartWh } : {}),
    ...(session.meterStopWh !== null ? { endRegisterWh: session.meterStopWh } : {}),
  };
  return { trace, source: samples.some((s) => s.registerWh !== undefined) ? 'readings' : 'registers' };
}
