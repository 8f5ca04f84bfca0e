// D1 access for chargers and connector states; all of their SQL lives here.

import type { OcppVersion } from '../ocpp/versions';
import type { BootFacts, ConnectorState, RegistrationStatus } from '../ocpp/records';

import type { ChargerFact } from '../fleet/outbox';
import { chunk, columnsOf } from './json-rows';

export type { BootFacts, ConnectorState };

/** A charger coming online or going offline, for the connection history. */
export interface ConnectionEvent {
  at: string;
  event: 'online' | 'offline';
  reason?: string;
}

const STATUS_COLUMNS = [
  'charger_id',
  'evse_id',
  'connector_id',
  'status',
  'error_code',
  'info',
  'vendor_id',
  'vendor_error_code',
  'reported_at',
] as const;

/** How a charger must authenticate (see api/charger-auth.ts). */
export interface ChargerCredentials {
  registered: boolean;
  securityProfile: 0 | 1 | 2 | 3;
  passwordHash: string | null;
  /** During a password change: the new password's hash, stored before the charger was sent it. */
  pendingPasswordHash: string | null;
}

/** Failed upgrades for one charger id from one client address in the current window. */
export interface AuthFailures {
  windowStartedAt: number;
  failures: number;
}

export interface ChargerRecord {
  id: string;
  registered: boolean;
  /** OCPP Security Profile the charger must connect with (0: none). */
  securityProfile: 0 | 1 | 2 | 3;
  /** Whether a password is set; the password itself is kept only as a salted hash, never returned. */
  hasPassword: boolean;
  /** A password change is under way: its new password also opens the door until the charger first uses it. */
  passwordPending: boolean;
  protocol: OcppVersion | null;
  /** How its last boot was answered. */
  registrationStatus: string | null;
  /**
   * How its next boot is answered, as the operator decided: Pending (held), Accepted (registered),
   * or null (never registered: the unknown-charger policy decides).
   */
  registrationDecision: RegistrationStatus | null;
  boot: Partial<BootFacts>;
  connected: boolean;
  lastSeen: string | null;
  lastBootAt: string | null;
  createdAt: string;
  updatedAt: string;
  connectors: ConnectorState[];
}

export type ChargerRow = {
  id: string;
  registered: number;
  security_profile: number;
  password_hash: string | null;
  pending_password_hash: string | null;
  protocol: OcppVersion | null;
  registration_status: string | null;
  held_pending: number;
  held_rejected: number;
  vendor: string | null;
  model: string | null;
  serial_number: string | null;
  charge_box_serial_number: string | null;
  firmware_version: string | null;
  iccid: string | null;
  imsi: string | null;
  meter_type: string | null;
  meter_serial_number: string | null;
  connected: number;
  last_seen: string | null;
  last_boot_at: string | null;
  created_at: string;
  updated_at: string;
};

export type ConnectorRow = {
  charger_id: string;
  evse_id: number;
  connector_id: number;
  status: string;
  error_code: string | null;
  info: string | null;
  vendor_id: string | null;
  vendor_error_code: string | null;
  reported_at: string | null;
};

export interface ChargerPage {
  chargers: ChargerRecord[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export class ChargerStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Forgets the charger's registration, credentials, boot facts and live connector states, and its
   * failed-login windows (DELETE /chargers/{id}). Its histories (connector statuses, which a cost
   * recomputation reads, and connections) stay, as does everything billing reads.
   */
  forgetChargerStatements(chargerId: string): D1PreparedStatement[] {
    return [
      this.db.prepare('DELETE FROM connector_status WHERE charger_id = ?').bind(chargerId),
      this.db.prepare('DELETE FROM charger_auth_failures WHERE charger_id = ?').bind(chargerId),
      this.db.prepare('DELETE FROM chargers WHERE id = ?').bind(chargerId),
    ];
  }

  /** How each of these chargers must authenticate, for those that exist (a bulk import compares its rows with them). */
  async credentialsMany(ids: readonly string[]): Promise<Map<string, ChargerCredentials>> {
    const found = new Map<string, ChargerCredentials>();
    for (const part of chunk(ids, 500)) {
      const { results } = await this.db
        .prepare(
          `SELECT id, registered, security_profile, password_hash, pending_password_hash FROM chargers
           WHERE id IN (SELECT j.value FROM json_each(?1) AS j)`,
        )
        .bind(JSON.stringify(part))
        .all<{ id: string; registered: number; security_profile: number; password_hash: string | null; pending_password_hash: string | null }>();
      for (const r of results) {
        found.set(r.id, {
          registered: r.registered === 1,
          securityProfile: r.security_profile as 0 | 1 | 2 | 3,
          passwordHash: r.password_hash,
          pendingPasswordHash: r.pending_password_hash,
        });
      }
    }
    return found;
  }

  /**
   * Registers many chargers as `register` does without a password (a profile left out keeps the
   * charger's), a few hundred a statement, all in one D1 batch: every row is written or none is.
   */
  async registerMany(rows: ReadonlyArray<{ id: string; securityProfile?: number }>, now: string): Promise<void> {
    // Two shapes: an upsert cannot tell a profile left out from one given once it is a column value.
    const given = rows.filter((r) => r.securityProfile !== undefined);
    const kept = rows.filter((r) => r.securityProfile === undefined);
    const statement = (part: ReadonlyArray<{ id: string; securityProfile?: number }>, setProfile: boolean) =>
      this.db
        .prepare(
          `INSERT INTO chargers (id, registered, security_profile, created_at, updated_at)
           SELECT json_extract(j.value, '$[0]'), 1, json_extract(j.value, '$[1]'), ?2, ?2 FROM json_each(?1) AS j WHERE true
           ON CONFLICT (id) DO UPDATE SET registered = 1, updated_at = ?2${setProfile ? ', security_profile = excluded.security_profile' : ''}`,
        )
        .bind(JSON.stringify(part.map((r) => [r.id, r.securityProfile ?? 0])), now);
    const statements = [...chunk(given, 500).map((part) => statement(part, true)), ...chunk(kept, 500).map((part) => statement(part, false))];
    if (statements.length > 0) await this.db.batch(statements);
  }

  async get(id: string): Promise<ChargerRecord | null> {
    const [charger, connectors] = await this.db.batch([
      this.db.prepare('SELECT * FROM chargers WHERE id = ?').bind(id),
      this.db
        .prepare('SELECT * FROM connector_status WHERE charger_id = ? ORDER BY evse_id, connector_id')
        .bind(id),
    ]);
    const row = (charger?.results as ChargerRow[] | undefined)?.[0];
    if (!row) return null;
    return toRecord(row, (connectors?.results ?? []) as ConnectorRow[]);
  }

  /** Chargers in id order, `limit` at a time, starting after `cursor` (an id). */
  async list(limit: number, cursor?: string): Promise<ChargerPage> {
    const { results } = await this.db
      .prepare('SELECT * FROM chargers WHERE id > ? ORDER BY id LIMIT ?')
      .bind(cursor ?? '', limit + 1)
      .all<ChargerRow>();
    const page = results.slice(0, limit);
    const ids = page.map((r) => r.id);
    const connectors = ids.length
      ? (
          await this.db
            // One JSON parameter, not one per id: D1 allows 100 bound parameters per statement.
            .prepare(
              `SELECT * FROM connector_status WHERE charger_id IN (SELECT j.value FROM json_each(?1) AS j)
               ORDER BY charger_id, evse_id, connector_id`,
            )
            .bind(JSON.stringify(ids))
            .all<ConnectorRow>()
        ).results
      : [];
    return {
      chargers: page.map((r) => toRecord(r, connectors.filter((c) => c.charger_id === r.id))),
      nextCursor: results.length > limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db.prepare('SELECT 1 AS found FROM chargers WHERE id = ?').bind(id).first();
    return row !== null;
  }

  /**
   * Registers a charger ahead of its first boot; keeps everything already known about it.
   * `securityProfile` and `passwordHash` change only when given; a password set here replaces
   * any change under way (the pending one).
   */
  async register(id: string, now: string, auth: { securityProfile?: number; passwordHash?: string } = {}): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO chargers (id, registered, security_profile, password_hash, created_at, updated_at)
         VALUES (?1, 1, COALESCE(?3, 0), ?4, ?2, ?2)
         ON CONFLICT (id) DO UPDATE SET registered = 1, updated_at = ?2,
           security_profile = COALESCE(?3, security_profile), password_hash = COALESCE(?4, password_hash),
           pending_password_hash = CASE WHEN ?4 IS NULL THEN pending_password_hash END`,
      )
      .bind(id, now, auth.securityProfile ?? null, auth.passwordHash ?? null)
      .run();
  }

  /**
   * The operator's decision on how the charger's boots are answered. Pending holds it, registered
   * or not (holding registers it, so it is admitted whatever the unknown-charger policy);
   * Rejected has its boots answered Rejected (registered too: it may connect to be told so);
   * Accepted registers it and ends a hold or a rejection.
   */
  async decideRegistration(id: string, decision: RegistrationStatus, now: string): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO chargers (id, registered, held_pending, held_rejected, created_at, updated_at) VALUES (?1, 1, ?2, ?3, ?4, ?4)
         ON CONFLICT (id) DO UPDATE SET registered = 1, held_pending = ?2, held_rejected = ?3, updated_at = ?4`,
      )
      .bind(id, decision === 'Pending' ? 1 : 0, decision === 'Rejected' ? 1 : 0, now)
      .run();
  }

  /** How the charger must authenticate; null for a charger never seen or registered. */
  async credentials(id: string): Promise<ChargerCredentials | null> {
    return (await this.admissionFacts(id)).credentials;
  }

  /**
   * What the upgrade checks, in one statement: how the charger must authenticate (null for an id
   * never seen or registered) and the failed attempts of this client address for this id in the
   * current window (for any id).
   */
  async admissionFacts(id: string, client = ''): Promise<{ credentials: ChargerCredentials | null; failures: AuthFailures | null }> {
    const row = await this.db
      .prepare(
        `SELECT c.id AS found, c.registered, c.security_profile, c.password_hash, c.pending_password_hash,
                f.window_started_at, f.failures
         FROM (SELECT ?1 AS id) AS q
         LEFT JOIN chargers AS c ON c.id = q.id
         LEFT JOIN charger_auth_failures AS f ON f.charger_id = q.id AND f.client = ?2`,
      )
      .bind(id, client)
      .first<{
        found: string | null;
        registered: number;
        security_profile: number;
        password_hash: string | null;
        pending_password_hash: string | null;
        window_started_at: number | null;
        failures: number | null;
      }>();
    return {
      credentials:
        row && row.found !== null
          ? {
              registered: row.registered === 1,
              securityProfile: row.security_profile as 0 | 1 | 2 | 3,
              passwordHash: row.password_hash,
              pendingPasswordHash: row.pending_password_hash,
            }
          : null,
      failures:
        row && row.window_started_at !== null && row.failures !== null
          ? { windowStartedAt: row.window_started_at, failures: row.failures }
          : null,
    };
  }

  /**
   * Counts a failed upgrade for this id from this client address, in the window starting at its
   * first failure; returns the window as it now is. Windows that have ended are cleared on the way.
   */
  async recordAuthFailure(id: string, client: string, nowMs: number, windowMs: number): Promise<AuthFailures> {
    const [, upsert] = await this.db.batch<AuthFailures>([
      this.db
        .prepare('DELETE FROM charger_auth_failures WHERE window_started_at <= ?1 AND NOT (charger_id = ?2 AND client = ?3)')
        .bind(nowMs - windowMs, id, client),
      this.db
        .prepare(
          `INSERT INTO charger_auth_failures (charger_id, client, window_started_at, failures) VALUES (?1, ?4, ?2, 1)
           ON CONFLICT (charger_id, client) DO UPDATE SET
             failures = CASE WHEN window_started_at <= ?2 - ?3 THEN 1 ELSE failures + 1 END,
             window_started_at = CASE WHEN window_started_at <= ?2 - ?3 THEN ?2 ELSE window_started_at END
           RETURNING window_started_at AS windowStartedAt, failures`,
        )
        .bind(id, nowMs, windowMs, client),
    ]);
    return upsert!.results[0]!;
  }

  /**
   * A password change begins: the new hash is kept before the charger is sent it (both open the
   * door meanwhile). One change at a time: false, and nothing changed, while another is pending
   * (in flight, or taken and not yet used); this conditional write is what serialises concurrent
   * changes of one charger.
   */
  async setPendingPassword(id: string, passwordHash: string, now: string): Promise<boolean> {
    const result = await this.db
      .prepare('UPDATE chargers SET pending_password_hash = ?2, updated_at = ?3 WHERE id = ?1 AND pending_password_hash IS NULL')
      .bind(id, passwordHash, now)
      .run();
    return result.meta.changes > 0;
  }

  /** The charger refused the new password (or never got it): only the current one opens the door. */
  async dropPendingPassword(id: string, passwordHash: string): Promise<void> {
    await this.db
      .prepare('UPDATE chargers SET pending_password_hash = NULL WHERE id = ?1 AND pending_password_hash = ?2')
      .bind(id, passwordHash)
      .run();
  }

  /** The charger connected with the pending password: it becomes the only one. False when another change replaced it meanwhile. */
  async promotePendingPassword(id: string, passwordHash: string): Promise<boolean> {
    const result = await this.db
      .prepare('UPDATE chargers SET password_hash = pending_password_hash, pending_password_hash = NULL WHERE id = ?1 AND pending_password_hash = ?2')
      .bind(id, passwordHash)
      .run();
    return result.meta.changes > 0;
  }

  /**
   * Records a BootNotification and decides its answer, in one statement: Rejected for a charger the
   * operator rejected, Pending for a charger the operator holds, Accepted for a charger registered in D1, `unknownStatus` (the unknown-charger
   * policy's answer) otherwise. A charger accepted by the policy is registered from then on. Returns the answer decided, read and
   * written atomically (a registration made at the same moment is either seen or made after).
   */
  /**
   * Records a boot and decides its registration status, in one D1 batch. The facts the fleet list
   * indexes (vendor, model, serial number, firmware: migration 0039) are written by a second
   * statement only when one of them changed: SQLite rewrites an index entry for every column an
   * UPDATE sets, changed or not, so setting them at every boot cost 4 D1 rows written for nothing
   * (test/workers/reconnect-costs.test.ts). A new row gets them from its INSERT.
   */
  async recordBoot(id: string, protocol: OcppVersion, boot: BootFacts, unknownStatus: RegistrationStatus, now: string): Promise<RegistrationStatus> {
    const indexed = [boot.vendor, boot.model, boot.serialNumber ?? null, boot.firmwareVersion ?? null];
    const [upserted] = await this.db.batch<{ registration_status: RegistrationStatus }>([
      this.db
        .prepare(
          `INSERT INTO chargers (id, registered, protocol, registration_status, vendor, model, serial_number,
             charge_box_serial_number, firmware_version, iccid, imsi, meter_type, meter_serial_number,
             connected, last_seen, last_boot_at, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?14, ?14, ?14)
           ON CONFLICT (id) DO UPDATE SET
             registration_status = CASE WHEN held_rejected = 1 THEN 'Rejected' WHEN held_pending = 1 THEN 'Pending' WHEN registered = 1 THEN 'Accepted'
               ELSE excluded.registration_status END,
             registered = MAX(registered, excluded.registered), protocol = excluded.protocol,
             charge_box_serial_number = excluded.charge_box_serial_number,
             iccid = excluded.iccid, imsi = excluded.imsi,
             meter_type = excluded.meter_type, meter_serial_number = excluded.meter_serial_number,
             connected = 1, last_seen = ?14, last_boot_at = ?14, updated_at = ?14
           RETURNING registration_status`,
        )
        .bind(
          id,
          unknownStatus === 'Accepted' ? 1 : 0,
          protocol,
          unknownStatus,
          boot.vendor,
          boot.model,
          boot.serialNumber ?? null,
          boot.chargeBoxSerialNumber ?? null,
          boot.firmwareVersion ?? null,
          boot.iccid ?? null,
          boot.imsi ?? null,
          boot.meterType ?? null,
          boot.meterSerialNumber ?? null,
          now,
        ),
      this.db
        .prepare(
          `UPDATE chargers SET vendor = ?2, model = ?3, serial_number = ?4, firmware_version = ?5
           WHERE id = ?1 AND (vendor IS NOT ?2 OR model IS NOT ?3 OR serial_number IS NOT ?4 OR firmware_version IS NOT ?5)`,
        )
        .bind(id, ...indexed),
    ]);
    const row = upserted?.results[0];
    if (!row) throw new Error(`D1 returned no row for the boot of ${id}`);
    return row.registration_status;
  }

  /**
   * Records that a charger's connection ended unseen (its socket went with its object), keeping
   * its last_seen. A connection recorded since `now` (last_seen at or after it) is left alone.
   */
  async recordConnectionLost(id: string, now: string): Promise<void> {
    await this.db
      .prepare('UPDATE chargers SET connected = 0, updated_at = ?2 WHERE id = ?1 AND (last_seen IS NULL OR last_seen < ?2)')
      .bind(id, now)
      .run();
  }

  /** Records that a charger connected or went away. Creates the row for a charger seen for the first time. */
  async recordConnection(id: string, protocol: OcppVersion, connected: boolean, now: string): Promise<void> {
    await this.recordConnectionStatement(id, protocol, connected, now).run();
  }

  /** The statement of `recordConnection`, to run in a batch with others. */
  recordConnectionStatement(id: string, protocol: OcppVersion, connected: boolean, now: string): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO chargers (id, protocol, connected, last_seen, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4, ?4)
         ON CONFLICT (id) DO UPDATE SET protocol = ?2, connected = ?3, last_seen = ?4, updated_at = ?4`,
      )
      .bind(id, protocol, connected ? 1 : 0, now);
  }

  /** Keeps the latest state per connector (an older report never overwrites a newer one) and the history of all. */
  connectorStatusStatements(states: readonly ChargerFact<'status'>[], now: string): D1PreparedStatement[] {
    const row = ({ chargerId, fact: s }: ChargerFact<'status'>) => [
      chargerId,
      s.evseId,
      s.connectorId,
      s.status,
      s.errorCode ?? null,
      s.info ?? null,
      s.vendorId ?? null,
      s.vendorErrorCode ?? null,
      s.reportedAt ?? now,
    ];
    return chunk(states).flatMap((part) => {
      const json = JSON.stringify(part.map(row));
      // Only the state each connector ends in is upserted: a session's Preparing and Charging
      // flushed together would otherwise write the row twice (each write a billed row) to leave
      // it as the second alone leaves it. The history keeps every state.
      const latest = JSON.stringify(latestPerConnector(part, now).map(row));
      return [
        this.db
          .prepare(
            `INSERT INTO connector_status (${STATUS_COLUMNS.join(', ')}, updated_at)
             SELECT ${STATUS_COLUMNS.join(', ')}, ?2 FROM (SELECT ${columnsOf(STATUS_COLUMNS)} FROM json_each(?1) AS j) WHERE true
             ON CONFLICT (charger_id, evse_id, connector_id) DO UPDATE SET
               status = excluded.status, error_code = excluded.error_code, info = excluded.info,
               vendor_id = excluded.vendor_id, vendor_error_code = excluded.vendor_error_code,
               reported_at = excluded.reported_at, updated_at = excluded.updated_at
             WHERE excluded.reported_at >= connector_status.reported_at`,
          )
          .bind(latest, now),
        this.db
          .prepare(
            `INSERT OR IGNORE INTO connector_status_history (charger_id, evse_id, connector_id, reported_at, status, error_code, info)
             SELECT charger_id, evse_id, connector_id, reported_at, status, error_code, info
             FROM (SELECT ${columnsOf(STATUS_COLUMNS)} FROM json_each(?1) AS j)`,
          )
          .bind(json),
      ];
    });
  }

  connectionHistoryStatements(events: readonly ChargerFact<'connection'>[]): D1PreparedStatement[] {
    return chunk(events).map((part) =>
      this.db
        .prepare(
          `INSERT OR IGNORE INTO connection_history (charger_id, at, event, reason)
           SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'),
             json_extract(j.value, '$[3]')
           FROM json_each(?1) AS j`,
        )
        .bind(JSON.stringify(part.map(({ chargerId, fact: e }) => [chargerId, e.at, e.event, e.reason ?? null]))),
    );
  }

  /** Moves each charger's lastSeen forward to the latest of the given times. */
  lastSeenStatements(seen: readonly ChargerFact<'seen'>[]): D1PreparedStatement[] {
    return chunk(seen).map((part) =>
      this.db
        .prepare(
          `UPDATE chargers SET last_seen = s.at
           FROM (SELECT json_extract(j.value, '$[0]') AS id, MAX(json_extract(j.value, '$[1]')) AS at
                 FROM json_each(?1) AS j GROUP BY 1) AS s
           WHERE chargers.id = s.id AND (chargers.last_seen IS NULL OR chargers.last_seen < s.at)`,
        )
        .bind(JSON.stringify(part.map(({ chargerId, fact }) => [chargerId, fact.at]))),
    );
  }

  async statusHistory(
    chargerId: string,
    range: { from?: string; to?: string; limit: number },
  ): Promise<Array<ConnectorState & { reportedAt: string }>> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM connector_status_history WHERE charger_id = ?1 AND reported_at >= ?2 AND reported_at < ?3
         ORDER BY reported_at DESC LIMIT ?4`,
      )
      .bind(chargerId, range.from ?? '', range.to ?? '9999', range.limit)
      .all<{ evse_id: number; connector_id: number; reported_at: string; status: string; error_code: string | null; info: string | null }>();
    return results.map((r) =>
      dropNulls({
        evseId: r.evse_id,
        connectorId: r.connector_id,
        reportedAt: r.reported_at,
        status: r.status,
        errorCode: r.error_code,
        info: r.info,
      }) as ConnectorState & { reportedAt: string },
    );
  }

  /**
   * One connector's statuses reported from `from` to `to` (both included), oldest first: what a 1.6
   * transaction's charging state was over its time (a cost recomputation reads it).
   */
  async connectorStatusesBetween(
    chargerId: string,
    where: { evseId: number; connectorId: number },
    from: string,
    to: string,
  ): Promise<Array<{ reportedAt: string; status: string }>> {
    const { results } = await this.db
      .prepare(
        `SELECT reported_at, status FROM connector_status_history
         WHERE charger_id = ?1 AND evse_id = ?2 AND connector_id = ?3 AND reported_at >= ?4 AND reported_at <= ?5
         ORDER BY reported_at`,
      )
      .bind(chargerId, where.evseId, where.connectorId, from, to)
      .all<{ reported_at: string; status: string }>();
    return results.map((r) => ({ reportedAt: r.reported_at, status: r.status }));
  }

  async connectionHistory(chargerId: string, limit: number): Promise<ConnectionEvent[]> {
    const { results } = await this.db
      // At the same instant, a replaced connection's offline comes before its successor's online.
      .prepare('SELECT at, event, reason FROM connection_history WHERE charger_id = ? ORDER BY at DESC, event DESC LIMIT ?')
      .bind(chargerId, limit)
      .all<{ at: string; event: 'online' | 'offline'; reason: string | null }>();
    return results.map((r) => dropNulls(r) as ConnectionEvent);
  }
}

/** A charger's D1 row and its connectors' rows as the API shows them (also the fleet list's, store/charger-fleet.ts). */
export function toRecord(row: ChargerRow, connectors: ConnectorRow[]): ChargerRecord {
  return {
    id: row.id,
    registered: row.registered === 1,
    securityProfile: row.security_profile as 0 | 1 | 2 | 3,
    hasPassword: row.password_hash !== null,
    passwordPending: row.pending_password_hash !== null,
    protocol: row.protocol,
    registrationStatus: row.registration_status,
    registrationDecision: row.held_rejected === 1 ? 'Rejected' : row.held_pending === 1 ? 'Pending' : row.registered === 1 ? 'Accepted' : null,
    boot: dropNulls({
      vendor: row.vendor,
      model: row.model,
      serialNumber: row.serial_number,
      chargeBoxSerialNumber: row.charge_box_serial_number,
      firmwareVersion: row.firmware_version,
      iccid: row.iccid,
      imsi: row.imsi,
      meterType: row.meter_type,
      meterSerialNumber: row.meter_serial_number,
    }),
    connected: row.connected === 1,
    lastSeen: row.last_seen,
    lastBootAt: row.last_boot_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    connectors: connectors.map((c) =>
      dropNulls({
        evseId: c.evse_id,
        connectorId: c.connector_id,
        status: c.status,
        errorCode: c.error_code,
        info: c.info,
        vendorId: c.vendor_id,
        vendorErrorCode: c.vendor_error_code,
        reportedAt: c.reported_at,
      }) as ConnectorState,
    ),
  };
}

function dropNulls<T extends Record<string, unknown>>(obj: T): { [K in keyof T]?: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null)) as never;
}

/**
 * Each connector's state as the upserts of `states`, run one after another, would leave it: the
 * last of those reported latest (a state reported earlier than the row's never overwrites it, and
 * of equal times the later one wins). ISO 8601 times compare as text, as D1 compares them.
 */
function latestPerConnector(states: readonly ChargerFact<'status'>[], now: string): ChargerFact<'status'>[] {
  const latest = new Map<string, ChargerFact<'status'>>();
  for (const state of states) {
    const key = JSON.stringify([state.chargerId, state.fact.evseId, state.fact.connectorId]);
    const kept = latest.get(key);
    if (kept === undefined || (state.fact.reportedAt ?? now) >= (kept.fact.reportedAt ?? now)) latest.set(key, state);
  }
  return [...latest.values()];
}
