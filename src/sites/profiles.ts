// The charging profiles a site's allocator sends (src/sites/site-object.ts), in each version's
// shape: a session's share as a TxProfile, and a charger's fallback as its TxDefaultProfile.
// Pure: no Cloudflare types.
//
// Both are Relative with one period from 0 and no duration: they hold until replaced, whatever the
// charger's clock says. They replace themselves by id (1.6 §5.16, K01.FR.05), so the site never
// fills a charger's profile slots: one id per EVSE for its session, one per charger for the fallback.
//
// Fitted to what the charger declared (ProfileSupport, read from its object): a charger that takes
// only W gets watts; a stack level above its highest is lowered to it. One period fits any charger's
// ChargingScheduleMaxPeriods / PeriodsPerSchedule (at least 1).

/** Profile ids the site owns: far from what operators pick, and below 2^31 for chargers storing int32. */
export const SITE_TX_PROFILE_BASE = 1_900_000_000;
export const SITE_FALLBACK_PROFILE_ID = 1_899_999_999;

/** The stack level of the site's profiles unless the site says otherwise: an operator's profile above it wins, and is documented so. */
export const SITE_STACK_LEVEL = 1;

/** What a charger declared of the charging profiles it takes: null where it said nothing. */
export interface ProfileSupport {
  /** 1.6 ChargingScheduleAllowedChargingRateUnit, 2.x SmartChargingCtrlr.RateUnit. */
  rateUnits: Array<'A' | 'W'> | null;
  /** 1.6 ChargeProfileMaxStackLevel, 2.x SmartChargingCtrlr.ProfileStackLevel. */
  maxStackLevel: number | null;
  /** 1.6 ChargingScheduleMaxPeriods, 2.x SmartChargingCtrlr.PeriodsPerSchedule. */
  maxPeriods: number | null;
}

/**
 * The unit and stack level of the site's profiles on a charger that declared `support` (null: not
 * known). Amps unless it declared W and not A (a charger that said nothing takes A: both versions'
 * default). The site's stack level, or the charger's highest when that is lower (0).
 */
export function fitToCharger(support: ProfileSupport | null): { rateUnit: 'A' | 'W'; stackLevel: number } {
  const units = support?.rateUnits ?? null;
  const rateUnit = units !== null && units.includes('W') && !units.includes('A') ? 'W' : 'A';
  const max = support?.maxStackLevel ?? null;
  return { rateUnit, stackLevel: max !== null && max < SITE_STACK_LEVEL ? Math.max(0, max) : SITE_STACK_LEVEL };
}

/**
 * The phases a W limit is reckoned for: those the session's readings show in use, else one. The
 * site counts a share as amps on each phase; a car told watts may put them all on one phase, so
 * until its readings say it uses more, the watts are one phase's worth (a three-phase car draws a
 * third of its share until then, and the site sends it the rest when the readings come).
 */
export function wattPhases(phasesInUse: number | null): number {
  return phasesInUse !== null && phasesInUse >= 1 && phasesInUse <= 3 ? phasesInUse : 1;
}

export interface LimitProfile {
  purpose: 'TxProfile' | 'TxDefaultProfile';
  /** The EVSE (1.6: connector); 0 for a whole-charger fallback. */
  evseId: number;
  /** The transaction a TxProfile is bound to; null for a TxDefaultProfile. */
  transactionId: string | null;
  /** Amps per phase. */
  amps: number;
  /** The phases the limit is for (numberPhases); null leaves the charger's default (3 for AC). */
  phases: number | null;
  /** 'A' unless the charger takes only W: then amps × voltage × wattPhases. */
  rateUnit: 'A' | 'W';
  /** The phases a W limit is for (wattPhases()); default 1. */
  wattPhases?: number;
  voltage: number;
  stackLevel: number;
}

/** The SetChargingProfile request that sets `profile` on a charger speaking `protocol`. */
export function setChargingProfileRequest(protocol: string, profile: LimitProfile): Record<string, unknown> {
  const id = profile.purpose === 'TxProfile' ? SITE_TX_PROFILE_BASE + profile.evseId : SITE_FALLBACK_PROFILE_ID;
  const limit = limitInUnit(profile);
  const period: Record<string, unknown> = { startPeriod: 0, limit };
  if (profile.phases !== null) period.numberPhases = profile.phases;
  if (protocol === 'ocpp1.6') {
    const csChargingProfiles: Record<string, unknown> = {
      chargingProfileId: id,
      stackLevel: profile.stackLevel,
      chargingProfilePurpose: profile.purpose,
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: profile.rateUnit, chargingSchedulePeriod: [period] },
    };
    if (profile.transactionId !== null) csChargingProfiles.transactionId = Number(profile.transactionId);
    return { connectorId: profile.evseId, csChargingProfiles };
  }
  const chargingProfile: Record<string, unknown> = {
    id,
    stackLevel: profile.stackLevel,
    chargingProfilePurpose: profile.purpose,
    chargingProfileKind: 'Relative',
    chargingSchedule: [{ id: 1, chargingRateUnit: profile.rateUnit, chargingSchedulePeriod: [period] }],
  };
  if (profile.transactionId !== null) chargingProfile.transactionId = profile.transactionId;
  return { evseId: profile.evseId, chargingProfile };
}

/** The limit in the profile's unit: amps to one decimal (the chargers' resolution), or watts rounded down. */
function limitInUnit(profile: LimitProfile): number {
  if (profile.rateUnit === 'A') return Math.floor(profile.amps * 10) / 10;
  return Math.floor(profile.amps * profile.voltage * (profile.wattPhases ?? 1));
}
