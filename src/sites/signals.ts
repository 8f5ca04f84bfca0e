// What a charger's answered CALL tells its site's allocator (src/sites/site-object.ts): a session
// started or ended on an EVSE, or how much current it draws now. Pure: no Cloudflare types.
//
// An EVSE is named as the site model names it: a 2.x evseId, or a 1.6 connectorId (a 1.6 charger's
// connectors are its EVSEs). Only CALLs answered with a CALLRESULT count: a refused one changed nothing.

import { samplesFromV16, samplesFromV201, type MeterSample, type V16MeterValue } from '../ocpp/meter-values';
import type { MeterValueType } from '../ocpp/v201/schemas.generated';

export type SiteSignal =
  /** The charger booted and was accepted: it may have lost its profiles, and now takes commands. */
  | { type: 'booted'; at: string }
  | {
      type: 'started';
      evseId: number;
      transactionId: string;
      /** The id tag's group (1.6 parentIdTag, 2.x groupIdToken) as the CSMS answered it, for group priorities. */
      group: string | null;
      at: string;
    }
  | { type: 'ended'; evseId: number | null; transactionId: string; at: string }
  | {
      type: 'meter';
      evseId: number;
      transactionId: string | null;
      /** The highest phase current drawn (A), from Current.Import, or from Power.Active.Import at the site's voltage when only power is sent. */
      amps: number | null;
      powerW: number | null;
      /** How many phases carry current, when the readings say (per-phase Current.Import). */
      phasesInUse: number | null;
      at: string;
    };

type Json = Record<string, unknown>;

/** The site signals of one CALL answered with `answer` (a CALLRESULT's payload). */
export function signalsForCall(protocol: string, action: string, request: Json, answer: Json, at: string): SiteSignal[] {
  if (action === 'BootNotification') return answer.status === 'Accepted' ? [{ type: 'booted', at }] : [];
  if (protocol === 'ocpp1.6') return signals16(action, request, answer, at);
  if (action === 'TransactionEvent') return transactionEvent(request, answer, at);
  if (action === 'MeterValues' && typeof request.evseId === 'number' && request.evseId > 0) {
    const meter = meterSignal(request.evseId, null, samplesFromV201(request.meterValue as MeterValueType[]), at);
    return meter ? [meter] : [];
  }
  return [];
}

function signals16(action: string, request: Json, answer: Json, at: string): SiteSignal[] {
  switch (action) {
    case 'StartTransaction': {
      const info = (answer.idTagInfo ?? {}) as { status?: string; parentIdTag?: string };
      // A transaction whose tag was refused is still running on the charger until it stops it (StopTransactionOnInvalidId):
      // it draws, so it counts.
      return [{ type: 'started', evseId: request.connectorId as number, transactionId: String(answer.transactionId), group: info.parentIdTag ?? null, at }];
    }
    case 'StopTransaction':
      return [{ type: 'ended', evseId: null, transactionId: String(request.transactionId), at }];
    case 'MeterValues': {
      const connectorId = request.connectorId as number;
      if (connectorId === 0) return [];
      const transactionId = request.transactionId === undefined ? null : String(request.transactionId);
      const meter = meterSignal(connectorId, transactionId, samplesFromV16(request.meterValue as V16MeterValue[]), at);
      return meter ? [meter] : [];
    }
    default:
      return [];
  }
}

function transactionEvent(request: Json, answer: Json, at: string): SiteSignal[] {
  const info = request.transactionInfo as { transactionId: string };
  const evseId = (request.evse as { id?: number } | undefined)?.id ?? null;
  const signals: SiteSignal[] = [];
  if (request.eventType === 'Started' && evseId !== null && evseId > 0) {
    const tokenInfo = (answer.idTokenInfo ?? {}) as { groupIdToken?: { idToken?: string } };
    signals.push({ type: 'started', evseId, transactionId: info.transactionId, group: tokenInfo.groupIdToken?.idToken ?? null, at });
  }
  if (request.eventType !== 'Ended' && evseId !== null && evseId > 0 && Array.isArray(request.meterValue)) {
    const meter = meterSignal(evseId, info.transactionId, samplesFromV201(request.meterValue as MeterValueType[]), at);
    if (meter) signals.push(meter);
  }
  if (request.eventType === 'Ended') signals.push({ type: 'ended', evseId, transactionId: info.transactionId, at });
  return signals;
}

/**
 * The draw in the latest reading of `samples`: the highest phase current (a site's limit is per
 * phase), else the total Current.Import, else power only. Null when the readings carry neither.
 */
export function meterSignal(evseId: number, transactionId: string | null, samples: MeterSample[], at: string): SiteSignal | null {
  const latest = samples.reduce<string | null>((max, s) => (max === null || s.timestamp > max ? s.timestamp : max), null);
  if (latest === null) return null;
  const now = samples.filter((s) => s.timestamp === latest && s.value !== null && (s.location === null || s.location === 'Outlet'));
  const currents = now.filter((s) => s.measurand === 'Current.Import' && s.unit === 'A');
  const perPhase = currents.filter((s) => s.phase === 'L1' || s.phase === 'L2' || s.phase === 'L3');
  const total = currents.find((s) => s.phase === null);
  const power = now.find((s) => s.measurand === 'Power.Active.Import' && s.unit === 'W' && s.phase === null);
  let amps: number | null = null;
  let phasesInUse: number | null = null;
  if (perPhase.length > 0) {
    amps = Math.max(...perPhase.map((s) => s.value as number));
    phasesInUse = perPhase.filter((s) => (s.value as number) >= 1).length;
  } else if (total) {
    amps = total.value as number;
  }
  const powerW = power ? (power.value as number) : null;
  if (amps === null && powerW === null) return null;
  return { type: 'meter', evseId, transactionId, amps, powerW, phasesInUse, at };
}
