// Which charging profiles a charger has installed, as its answers and reports tell it.

import type * as V16 from './v16/schemas.generated';
import type * as V201 from './v201/schemas.generated';
import type { Ocpp2Version, OcppVersion } from './versions';

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
  /** ClearChargingProfile: by id alone, or else by the criteria given (1.6 §5.5, 2.0.1 K10.FR.02/K10.FR.03). */
  | { op: 'clear'; profileId?: number; evseId?: number; purpose?: string; stackLevel?: number; at: string }
  /**
   * A transaction started on `evseId` (1.6 connector): the TxProfiles a remote start installed
   * without a transaction (1.6 §5.11, 2.0.1 F01.FR.11: the CSMS may not name one) are the new
   * transaction's from now on.
   */
  | { op: 'bind'; transactionId: string; evseId: number; at: string }
  /**
   * A transaction ended (or was abandoned): its TxProfiles end with it (1.6 §7.10 "SHALL cease to be
   * valid when the transaction terminates"; 2.0.1 K01: a TxProfile applies to one transaction), and
   * so do those on its EVSE that named no transaction.
   */
  | { op: 'endTransaction'; transactionId: string; evseId: number | null; at: string }
  /** 2.0.1 NotifyChargingLimit (K12): an external system limits `evseId` (0: the whole station). */
  | { op: 'limit'; evseId: number; source: string; isGridCritical: boolean | null; schedules: Record<string, unknown>[]; at: string }
  /** 2.0.1 ClearedChargingLimit (K13): the limits of `source` on `evseId` (undefined: everywhere) are gone. */
  | { op: 'clearLimit'; evseId?: number; source: string; at: string };

/** The profiles a successful SetChargingProfile installed, or a ClearChargingProfile removed. */
export function profileChangesFromCommand(
  protocol: OcppVersion,
  action: string,
  request: unknown,
  result: unknown,
  at: string,
): ProfileChange[] {
  if ((result as { status?: string }).status !== 'Accepted') return [];
  if (action === 'RemoteStartTransaction' || action === 'RequestStartTransaction') {
    return remoteStartProfile(protocol, request, result, at);
  }
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
      // 1.6 §5.5: a specific profile (by id) or a selection by the other fields, not both: with an id
      // the charger clears that profile, whatever connector or purpose the request also named.
      if (req.id !== undefined) return [{ op: 'clear', profileId: req.id, at }];
      return [{ op: 'clear', evseId: req.connectorId, purpose: req.chargingProfilePurpose, stackLevel: req.stackLevel, at }];
    }
    const req = request as V201.ClearChargingProfileRequest;
    // 2.0.1 K10.FR.02: an id OR criteria; with an id, that profile is cleared (K10.FR.03).
    if (req.chargingProfileId !== undefined) return [{ op: 'clear', profileId: req.chargingProfileId, at }];
    const criteria = req.chargingProfileCriteria;
    return [
      {
        op: 'clear',
        evseId: criteria?.evseId,
        purpose: criteria?.chargingProfilePurpose,
        stackLevel: criteria?.stackLevel,
        at,
      },
    ];
  }
  return [];
}

/** 2.0.1 / 2.1 ReportChargingProfiles lists profiles installed on an EVSE. */
export function profileChangesFromReport(report: V201.ReportChargingProfilesRequest, at: string, protocol: Ocpp2Version = 'ocpp2.0.1'): ProfileChange[] {
  return report.chargingProfile.map((p) =>
    install(protocol, report.evseId, p.id, p.stackLevel, p.chargingProfilePurpose, p.transactionId, p, at),
  );
}

/**
 * The TxProfile a remote start carried (1.6 §5.11 RemoteStartTransaction.req chargingProfile; 2.0.1
 * K05, F01.FR.08-F01.FR.11 RequestStartTransactionRequest chargingProfile), installed once the charger
 * accepted the start: on the connector / EVSE the request named (0 when it named none, until the
 * transaction's start binds it to its own), and bound at once to the transaction a 2.0.1 station
 * says already runs there (RequestStartTransactionResponse transactionId).
 */
function remoteStartProfile(protocol: OcppVersion, request: unknown, result: unknown, at: string): ProfileChange[] {
  if (protocol === 'ocpp1.6') {
    const req = request as V16.RemoteStartTransactionRequest;
    const p = req.chargingProfile;
    if (!p) return [];
    return [install(protocol, req.connectorId ?? 0, p.chargingProfileId, p.stackLevel, p.chargingProfilePurpose, p.transactionId, p, at)];
  }
  const req = request as V201.RequestStartTransactionRequest;
  const p = req.chargingProfile;
  if (!p) return [];
  const running = (result as V201.RequestStartTransactionResponse).transactionId;
  return [install(protocol, req.evseId ?? 0, p.id, p.stackLevel, p.chargingProfilePurpose, p.transactionId ?? running, p, at)];
}

/** 2.0.1 NotifyChargingLimit: an external limit on an EVSE, or (no evseId) on the whole station. */
export function limitFromNotify(req: V201.NotifyChargingLimitRequest, at: string): ProfileChange {
  return {
    op: 'limit',
    evseId: req.evseId ?? 0,
    source: req.chargingLimit.chargingLimitSource,
    isGridCritical: req.chargingLimit.isGridCritical ?? null,
    schedules: (req.chargingSchedule ?? []) as unknown as Record<string, unknown>[],
    at,
  };
}

/** 2.0.1 ClearedChargingLimit: the source's limit on that EVSE, or (no evseId) everywhere, is released. */
export function limitCleared(req: V201.ClearedChargingLimitRequest, at: string): ProfileChange {
  return { op: 'clearLimit', source: req.chargingLimitSource, ...(req.evseId === undefined ? {} : { evseId: req.evseId }), at };
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
