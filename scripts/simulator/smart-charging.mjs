// A virtual charger's answers to the smart-charging commands: SetChargingProfile installs a profile
// it takes (profiles.mjs decides which) and ClearChargingProfile removes them, and a remote start's
// TxProfile goes with the session it starts. A change reaches the running session once the answer
// has left, so the CSMS gets the answer first and then a reading with the new draw. A charger
// started with --reject-profiles takes none: it answers Rejected and its car draws what it wants.

import { fromV16, fromV201, ProfileError, refusal } from './profiles.mjs';

const EVSE = 1; // the simulated charger's only connector / EVSE

function read(charger, evseId, raw) {
  return charger.v16 ? fromV16(evseId, raw, Date.now()) : fromV201(evseId, raw, Date.now());
}

/** Rejected, with the reason where the version has a place for it (2.0.1 / 2.1 statusInfo). */
function rejected(charger, reasonCode, why) {
  if (charger.v16) return { result: { status: 'Rejected' } };
  return { result: { status: 'Rejected', statusInfo: { reasonCode, additionalInfo: why.slice(0, 512) } } };
}

/** SetChargingProfile: 1.6 (connectorId, csChargingProfiles), 2.0.1 / 2.1 (evseId, chargingProfile). */
export function setChargingProfile(charger, evseId, raw) {
  if (charger.rejectProfiles) return rejected(charger, 'NotSupported', 'This charger takes no charging profiles');
  let profile;
  try {
    profile = read(charger, evseId, raw);
  } catch (error) {
    if (error instanceof ProfileError) return rejected(charger, 'InvalidProfile', error.message);
    throw error;
  }
  const session = charger.session;
  const transactions = session?.charging ? [{ id: session.txId, evseId: EVSE }] : [];
  const why = refusal(profile, { connectors: 1, transactions });
  if (why) return rejected(charger, 'InvalidProfile', why);
  charger.profiles.install(profile, { version: charger.protocol, transactionId: session?.charging ? session.txId : undefined });
  return { result: { status: 'Accepted' }, then: () => charger.session?.profilesChanged() };
}

/** ClearChargingProfile: by id, or by connector / EVSE, purpose and stack level (1.6 §5.5, K10); Unknown when none matched. */
export function clearChargingProfile(charger, criteria) {
  const cleared = charger.rejectProfiles ? 0 : charger.profiles.clear(criteria);
  if (cleared === 0) return { result: { status: 'Unknown' } };
  return { result: { status: 'Accepted' }, then: () => charger.session?.profilesChanged() };
}

/**
 * The TxProfile a remote start carries (1.6 §5.11, 2.0.1 F01), read for the session it starts; null
 * when there is none or the charger takes no profiles; a ProfileError when it is no TxProfile or
 * cannot be read, and the start is refused.
 */
export function remoteStartProfile(charger, raw) {
  if (!raw || charger.rejectProfiles) return null;
  const profile = read(charger, EVSE, raw);
  if (profile.purpose !== 'TxProfile') throw new ProfileError('A remote start carries a TxProfile');
  // It is bound to the transaction the start begins, whatever it named.
  return { ...profile, transactionId: undefined };
}
