// D1 access for reservations; all of their SQL lives here.

import type { ChargerFact } from '../fleet/outbox';

export interface StoredReservation {
  chargerId: string;
  reservationId: number;
  protocol: string;
  evseId: number | null;
  connectorId: number | null;
  idTag: string;
  parentIdTag: string | null;
  expiresAt: string;
  status: 'active' | 'used' | 'cancelled' | 'expired' | 'removed';
  transactionId: string | null;
  createdAt: string;
  updatedAt: string;
}

type Row = {
  charger_id: string;
  reservation_id: number;
  protocol: string;
  evse_id: number | null;
  connector_id: number | null;
  id_tag: string;
  parent_id_tag: string | null;
  expires_at: string;
  status: StoredReservation['status'];
  transaction_id: string | null;
  created_at: string;
  updated_at: string;
};

export class ReservationStore {
  constructor(private readonly db: D1Database) {}

  /** Forgets the charger's reservations, whatever their state (DELETE /chargers/{id}). */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [this.db.prepare('DELETE FROM reservations WHERE charger_id = ?').bind(chargerId)];
  }

  /** One statement per change, in order: reservations change rarely. Only an active reservation moves on. */
  changeStatements(changes: readonly ChargerFact<'reservation'>[]): D1PreparedStatement[] {
    return changes.map(({ chargerId, fact: c }) => {
      if (c.op === 'reserved') {
        // A reservation id reused for a new ReserveNow replaces the old reservation, as OCPP says.
        return this.db
          .prepare(
            `INSERT INTO reservations (charger_id, reservation_id, protocol, evse_id, connector_id, id_tag, parent_id_tag,
               expires_at, status, transaction_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'active', NULL, ?9, ?9)
             ON CONFLICT (charger_id, reservation_id) DO UPDATE SET protocol = ?3, evse_id = ?4, connector_id = ?5,
               id_tag = ?6, parent_id_tag = ?7, expires_at = ?8, status = 'active', transaction_id = NULL,
               created_at = ?9, updated_at = ?9
             WHERE reservations.created_at <= ?9`,
          )
          .bind(chargerId, c.reservationId, c.protocol, c.evseId, c.connectorId, c.idTag, c.parentIdTag, c.expiresAt, c.at);
      }
      return this.db
        .prepare(
          `UPDATE reservations SET status = ?3, transaction_id = COALESCE(?4, transaction_id), updated_at = ?5
           WHERE charger_id = ?1 AND reservation_id = ?2 AND status = 'active'`,
        )
        .bind(chargerId, c.reservationId, c.op, c.op === 'used' ? c.transactionId : null, c.at);
    });
  }

  /** Reservations, newest first; an active one past its expiry is shown as expired. */
  async list(filter: { chargerId?: string; status?: string; limit: number; now: string }): Promise<StoredReservation[]> {
    const { results } = await this.db
      .prepare(
        `SELECT charger_id, reservation_id, protocol, evse_id, connector_id, id_tag, parent_id_tag, expires_at,
           CASE WHEN status = 'active' AND expires_at <= ?3 THEN 'expired' ELSE status END AS status,
           transaction_id, created_at, updated_at
         FROM reservations
         WHERE (?1 IS NULL OR charger_id = ?1)
           AND (?2 IS NULL OR (CASE WHEN status = 'active' AND expires_at <= ?3 THEN 'expired' ELSE status END) = ?2)
         ORDER BY created_at DESC LIMIT ?4`,
      )
      .bind(filter.chargerId ?? null, filter.status ?? null, filter.now, filter.limit)
      .all<Row>();
    return results.map((r) => ({
      chargerId: r.charger_id,
      reservationId: r.reservation_id,
      protocol: r.protocol,
      evseId: r.evse_id,
      connectorId: r.connector_id,
      idTag: r.id_tag,
      parentIdTag: r.parent_id_tag,
      expiresAt: r.expires_at,
      status: r.status,
      transactionId: r.transaction_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }
}
