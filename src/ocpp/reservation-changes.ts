// A reservation's lifecycle, as commands and charger messages tell it: made, used, cancelled, expired, removed.

import type * as V16 from './v16/schemas.generated';
import type * as V201 from './v201/schemas.generated';
import { toUtcIso } from './timestamps';
import type { OcppVersion } from './versions';

export type ReservationChange =
  | {
      op: 'reserved';
      reservationId: number;
      protocol: OcppVersion;
      evseId: number | null;
      connectorId: number | null;
      idTag: string;
      parentIdTag: string | null;
      expiresAt: string;
      at: string;
    }
  | { op: 'cancelled' | 'expired' | 'removed'; reservationId: number; at: string }
  | { op: 'used'; reservationId: number; transactionId: string; at: string };

/** A successful ReserveNow makes a reservation; a successful CancelReservation ends it. */
export function reservationChangesFromCommand(
  protocol: OcppVersion,
  action: string,
  request: unknown,
  result: unknown,
  at: string,
): ReservationChange[] {
  if ((result as { status?: string }).status !== 'Accepted') return [];
  if (action === 'CancelReservation') {
    return [{ op: 'cancelled', reservationId: (request as { reservationId: number }).reservationId, at }];
  }
  if (action !== 'ReserveNow') return [];
  if (protocol === 'ocpp1.6') {
    const req = request as V16.ReserveNowRequest;
    return [
      {
        op: 'reserved',
        reservationId: req.reservationId,
        protocol,
        evseId: 0,
        connectorId: req.connectorId,
        idTag: req.idTag,
        parentIdTag: req.parentIdTag ?? null,
        expiresAt: toUtcIso(req.expiryDate) ?? req.expiryDate,
        at,
      },
    ];
  }
  const req = request as V201.ReserveNowRequest;
  return [
    {
      op: 'reserved',
      reservationId: req.id,
      protocol,
      evseId: req.evseId ?? null,
      connectorId: null,
      idTag: req.idToken.idToken,
      parentIdTag: req.groupIdToken?.idToken ?? null,
      expiresAt: toUtcIso(req.expiryDateTime) ?? req.expiryDateTime,
      at,
    },
  ];
}
