// Which charging profiles a charger has installed, as its answers and reports tell it.

import type * as V16 from './v16/schemas.generated';
import type * as V201 from './v201/schemas.generated';
import type { OcppVersion } from './versions';

export type ProfileChange =
  | {
      op: 'install';
      protocol: OcppVersion;
      /** 1.6 connectorId or 2.0.1 evseId; 0 is the whole charger. */
      evseId: number;
      profileId: number;
      stackLevel: number;
      purpose: string;
      transactionId: string | null;
      /** The profile as OCPP carried it (1.6 csChargingProfiles or 2.0.1 ChargingProfileType). */
      profile: Record<string, unknown>;
      at: string;
    }
  | { op: 'clear'; profileId?: number; evseId?: number; purpose?: string; stackLevel?: number; at: string };

/** The profiles a successful SetChargingProfile installed, or a ClearChargingProfile removed. */
export function profileChangesFromCommand(
  protocol: OcppVersion,
  action: string,
  request: unknown,
  result: unknown,
  at: string,
): ProfileChange[] {
  if ((result as { status?: string }).status !== 'Accepted') return [];
  if (action === 'SetChargingProfile') {
    if (protocol === 'ocpp1.6') {
      const req = request as V16.SetChargingProfileRequest;
      const p = req.csChargingProfiles;
      return [install(protocol, req.connectorId, p.chargingProfileId, p.stackLevel, p.chargingProfilePurpose, p.transactionId, p, at)];
    }
    const req = request as V201.SetChargingProfileRequest;
    const p = req.chargingProfile;
    return [install(protocol, req.evseId, p.id, p.stackLevel, p.chargingProfilePurpose, p.transactionId, p, at)];
  }
  if (action === 'ClearChargingProfile') {
    if (protocol === 'ocpp1.6') {
      const req = request as V16.ClearChargingProfileRequest;
      return [{ op: 'clear', profileId: req.id, evseId: req.connectorId, purpose: req.chargingProfilePurpose, stackLevel: req.stackLevel, at }];
    }
    const req = request as V201.ClearChargingProfileRequest;
    const criteria = req.chargingProfileCriteria;
    return [
      {
        op: 'clear',
        profileId: req.chargingProfileId,
        evseId: criteria?.evseId,
        purpose: criteria?.chargingProfilePurpose,
        stackLevel: criteria?.stackLevel,
        at,
      },
    ];
  }
  return [];
}

/** 2.0.1 ReportChargingProfiles lists profiles installed on an EVSE. */
export function profileChangesFromReport(report: V201.ReportChargingProfilesRequest, at: string): ProfileChange[] {
  return report.chargingProfile.map((p) =>
    install('ocpp2.0.1', report.evseId, p.id, p.stackLevel, p.chargingProfilePurpose, p.transactionId, p, at),
  );
}

function install(
  protocol: OcppVersion,
  evseId: number,
  profileId: number,
  stackLevel: number,
  purpose: string,
  transactionId: string | number | undefined,
  profile: object,
  at: string,
): ProfileChange {
  return {
    op: 'install',
    protocol,
    evseId,
    profileId,
    stackLevel,
    purpose,
    transactionId: transactionId === undefined ? null : String(transactionId),
    profile: profile as Record<string, unknown>,
    at,
  };
}
