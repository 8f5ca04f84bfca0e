// The charging profiles a site's allocator sends (src/sites/site-object.ts), in each version's
// shape: a session's share as a TxProfile, and a charger's fallback as its TxDefaultProfile.
// Pure: no Cloudflare types.
//
// Both are Relative with one period from 0 and no duration: they hold until replaced, whatever the
// charger's clock says. They replace themselves by id (1.6 §5.16, K01.FR.05), so the site never
// fills a charger's profile slots: one id per EVSE for its session, one per charger for the fallback.

/** Profile ids the site owns: far from what operators pick, and below 2^31 for chargers storing int32. */
export const SITE_TX_PROFILE_BASE = 1_900_000_000;
export const SITE_FALLBACK_PROFILE_ID = 1_899_999_999;

/** The stack level of the site's profiles unless the site says otherwise: an operator's profile above it wins, and is documented so. */
export const SITE_STACK_LEVEL = 1;

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
  /** 'A' unless the charger takes only W: then amps × voltage × phases. */
  rateUnit: 'A' | 'W';
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
  return Math.floor(profile.amps * profile.voltage * (profile.phases ?? 3));
}
