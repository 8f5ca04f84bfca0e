// What a charger's answered CALL tells its site's allocator (src/sites/site-object.ts): a session
// started or ended on an EVSE, how much current it draws now, or what its car needs (ISO 15118,
// 2.x NotifyEVChargingNeeds). Pure: no Cloudflare types.
//
// An EVSE is named as the site model names it: a 2.x evseId, or a 1.6 connectorId (a 1.6 charger's
// connectors are its EVSEs). Only CALLs answered with a CALLRESULT count: a refused one changed nothing.

import { ENERGY_REGISTER, samplesFromV16, samplesFromV201, type MeterSample, type V16MeterValue } from '../ocpp/meter-values';
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
      /** The energy register (Energy.Active.Import.Register, Wh, phase total) in the same reading; null when not sent. */
      energyWh: number | null;
      at: string;
    }
  | EvNeedsSignal;

/**
 * What the car on an EVSE said it needs (2.0.1 / 2.1 NotifyEVChargingNeeds, K15–K17). Null where it
 * did not say. AC currents are per phase, as the site counts; a DC car's maximum is power (W),
 * because its DC current at battery voltage says nothing of the AC current the charger draws.
 */
export interface EvNeedsSignal {
  type: 'needs';
  evseId: number;
  /** RFC 3339, as the car gave it. */
  departureTime: string | null;
  /** Wh the car asks for. */
  energyAmount: number | null;
  evMaxCurrent: number | null;
  evMinCurrent: number | null;
  evMaxPowerW: number | null;
  at: string;
}

type Json = Record<string, unknown>;

/** The site signals of one CALL answered with `answer` (a CALLRESULT's payload). */
export function signalsForCall(protocol: string, action: string, request: Json, answer: Json, at: string): SiteSignal[] {
  if (action === 'BootNotification') return answer.status === 'Accepted' ? [{ type: 'booted', at }] : [];
  if (protocol === 'ocpp1.6') return signals16(action, request, answer, at);
  if (action === 'TransactionEvent') return transactionEvent(request, answer, at);
  // Whatever the CSMS answered (Accepted, Rejected, Processing, 2.1 NoChargingProfile), the car's needs are what they are.
  if (action === 'NotifyEVChargingNeeds') {
    const needs = needsSignal(request, at);
    return needs ? [needs] : [];
  }
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
  const register = now.find((s) => s.measurand === ENERGY_REGISTER && s.unit === 'Wh' && s.phase === null);
  const energyWh = register ? (register.value as number) : null;
  return { type: 'meter', evseId, transactionId, amps, powerW, phasesInUse, energyWh, at };
}

/** A positive finite number, else null: the schemas let 0 through where it would mean nothing. */
function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * The needs in a NotifyEVChargingNeeds request, 2.0.1 or 2.1. AC (ISO 15118-2): acChargingParameters.
 * DC: dcChargingParameters' evMaxPower, else evMaxCurrent × evMaxVoltage. 2.1 with ISO 15118-20 may
 * carry only v2xChargingParameters: min/maxChargeCurrent, maxChargePower, evTargetEnergyRequest.
 */
export function needsSignal(request: Json, at: string): EvNeedsSignal | null {
  const evseId = request.evseId;
  const needs = request.chargingNeeds as Json | undefined;
  if (typeof evseId !== 'number' || evseId <= 0 || !needs) return null;
  const ac = needs.acChargingParameters as Json | undefined;
  const dc = needs.dcChargingParameters as Json | undefined;
  const v2x = needs.v2xChargingParameters as Json | undefined;
  let evMaxPowerW: number | null = null;
  if (dc) evMaxPowerW = positive(dc.evMaxPower) ?? positive((positive(dc.evMaxCurrent) ?? 0) * (positive(dc.evMaxVoltage) ?? 0));
  else if (!ac) evMaxPowerW = positive(v2x?.maxChargePower);
  const departure = typeof needs.departureTime === 'string' && !Number.isNaN(Date.parse(needs.departureTime)) ? needs.departureTime : null;
  return {
    type: 'needs',
    evseId,
    departureTime: departure,
    energyAmount: positive(ac?.energyAmount) ?? positive(dc?.energyAmount) ?? positive(v2x?.evTargetEnergyRequest),
    evMaxCurrent: ac ? positive(ac.evMaxCurrent) : dc ? null : positive(v2x?.maxChargeCurrent),
    evMinCurrent: ac ? positive(ac.evMinCurrent) : dc ? null : positive(v2x?.minChargeCurrent),
    evMaxPowerW,
    at,
  };
}
