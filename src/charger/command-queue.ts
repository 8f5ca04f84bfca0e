// Commands an operator queued for a charger: kept in the charger's object until it can take them.
//
// A payload is kept as sent until the command finishes (it must reach the charger), then only
// redacted; answers and errors are kept redacted, and every view is (see ocpp/secrets.ts), with
// the variables the charger reported WriteOnly. The command route refuses credential changes, so
// no password waits here.

import { redactSecrets, scrubLiterals, secretLiterals, type WriteOnlyLookup } from '../ocpp/secrets';

export type QueuedCommandStatus = 'queued' | 'sent' | 'succeeded' | 'failed' | 'expired';

export interface QueuedCommand {
  id: string;
  action: string;
  payload: unknown;
  status: QueuedCommandStatus;
  createdAt: string;
  expiresAt: string;
  sentAt: string | null;
  finishedAt: string | null;
  /** The charger's CALLRESULT payload, once it succeeded. */
  result: unknown;
  /** Why it failed or expired, in the API's error shape. */
  error: { code: string; message: string; [detail: string]: unknown } | null;
}

type Row = {
  id: string;
  action: string;
  payload: string;
  status: QueuedCommandStatus;
  created_at: number;
  expires_at: number;
  sent_at: number | null;
  finished_at: number | null;
  result: string | null;
  error: string | null;
};

/** Finished commands are kept this long, for their status and result to be read. */
const KEEP_FINISHED_MS = 7 * 24 * 3600_000;

/**
 * What a command the CSMS generated itself stands for: a newer one for the same slot replaces
 * one still waiting. CertificateSigned: one per certificate type, as a charger that sent several
 * CSRs for one type installs the last chain it is given anyway.
 */
export function generatedSlot(action: string, payload: unknown): string {
  const certificateType = (payload as { certificateType?: unknown } | null)?.certificateType;
  return `${action}|${typeof certificateType === 'string' ? certificateType : ''}`;
}

/** The operator's queue of commands for one charger; its tables are created by the object's schema (schema.ts). */
export class CommandQueue {
  /** Whether this instance has requeued what earlier ones sent (see `sql`). */
  private sentRequeued = false;

  constructor(
    private readonly storageSql: SqlStorage,
    /** Variables the charger reported WriteOnly: their values are redacted like the known secrets. */
    private readonly writeOnly?: WriteOnlyLookup,
  ) {}

  /**
   * The queue's storage, once commands an earlier instance sent are queued again: nothing here
   * waits for their answers. Done at the queue's first use rather than at every construction,
   * so that a wake-up that never touches the queue (most frames) does not scan it.
   */
  private get sql(): SqlStorage {
    if (!this.sentRequeued) {
      this.sentRequeued = true;
      this.requeueAllSent();
    }
    return this.storageSql;
  }

  private redact<T>(value: T): T {
    return redactSecrets(value, this.writeOnly);
  }

  enqueue(id: string, action: string, payload: unknown, now: number, ttlMs: number): QueuedCommand {
    this.sql.exec(
      `INSERT INTO queued_commands (id, action, payload, status, created_at, expires_at) VALUES (?, ?, ?, 'queued', ?, ?)`,
      id,
      action,
      JSON.stringify(payload),
      now,
      now + ttlMs,
    );
    return this.get(id, now)!;
  }

  /**
   * Queues a command the CSMS generated itself, in `slot` (see generatedSlot): one of the same
   * slot still waiting (not sent) is replaced, finishing as failed with the code `Superseded`.
   * At most one per slot waits, and one more may be in flight.
   */
  enqueueGenerated(id: string, action: string, payload: unknown, now: number, ttlMs: number, slot: string): QueuedCommand {
    // Only pending ones are mapped: what finished no longer counts anywhere.
    this.sql.exec(
      `DELETE FROM generated_commands WHERE command_id NOT IN (SELECT id FROM queued_commands WHERE status IN ('queued', 'sent'))`,
    );
    const replaced = this.sql
      .exec<{ id: string }>(
        `SELECT q.id FROM queued_commands AS q JOIN generated_commands AS g ON g.command_id = q.id
         WHERE g.slot = ? AND q.status = 'queued'`,
        slot,
      )
      .toArray();
    for (const old of replaced) {
      this.fail(old.id, { code: 'Superseded', message: `A newer ${action} of the same kind replaced it before it was sent` }, now);
      this.sql.exec('DELETE FROM generated_commands WHERE command_id = ?', old.id);
    }
    const command = this.enqueue(id, action, payload, now, ttlMs);
    this.sql.exec('INSERT INTO generated_commands (command_id, slot) VALUES (?, ?)', id, slot);
    return command;
  }

  /** Operator commands not finished yet: waiting, or sent and awaiting their answer. Those the CSMS generated are bounded apart. */
  pendingCount(now: number): number {
    this.expire(now);
    return this.sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM queued_commands
         WHERE status IN ('queued', 'sent') AND id NOT IN (SELECT command_id FROM generated_commands)`,
      )
      .one().n;
  }

  /** The oldest command still waiting, after marking the ones past their time as expired. */
  next(now: number): QueuedCommand | undefined {
    // Most deliveries (one per accepted boot, and so per reconnection) find nothing waiting: one
    // read says so, without the requeue of sent ones (there are none) or the expiry pass (which
    // changes only waiting commands, and whose removal of old finished ones get and list run
    // before they show anything).
    if (!this.anyWaiting()) return undefined;
    this.expire(now);
    const row = this.sql.exec<Row>(`SELECT * FROM queued_commands WHERE status = 'queued' ORDER BY seq LIMIT 1`).toArray()[0];
    // The one read that needs the payload as it must reach the charger.
    return row && { ...this.toCommand(row), payload: JSON.parse(row.payload) };
  }

  markSent(id: string, now: number): void {
    this.sql.exec(`UPDATE queued_commands SET status = 'sent', sent_at = ? WHERE id = ?`, now, id);
  }

  succeed(id: string, result: unknown, now: number): void {
    this.sql.exec(
      `UPDATE queued_commands SET status = 'succeeded', result = ?, finished_at = ? WHERE id = ?`,
      JSON.stringify(this.redact(result)),
      now,
      id,
    );
    this.redactPayload(id);
  }

  fail(id: string, error: QueuedCommand['error'], now: number): void {
    this.sql.exec(
      `UPDATE queued_commands SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`,
      JSON.stringify(this.redact(error)),
      now,
      id,
    );
    this.redactPayload(id);
  }

  /** A finished command's payload is no longer needed as sent: only its redacted form is kept. */
  private redactPayload(id: string): void {
    const row = this.sql.exec<{ payload: string }>('SELECT payload FROM queued_commands WHERE id = ?', id).toArray()[0];
    if (!row) return;
    const redacted = JSON.stringify(this.redact(JSON.parse(row.payload)));
    if (redacted !== row.payload) this.sql.exec('UPDATE queued_commands SET payload = ? WHERE id = ?', redacted, id);
  }

  /** Puts a command whose charger went away before answering back in the queue, to be sent again. */
  requeue(id: string): void {
    this.sql.exec(`UPDATE queued_commands SET status = 'queued', sent_at = NULL WHERE id = ? AND status = 'sent'`, id);
  }

  /**
   * After an eviction nothing waits for a 'sent' command's answer any more: treat it like a
   * disconnection and send it again (delivery is at least once; see README).
   */
  /** Whether a command is queued, or sent by an earlier instance (to be queued again). */
  private anyWaiting(): boolean {
    return this.storageSql.exec(`SELECT 1 FROM queued_commands WHERE status IN ('queued', 'sent') LIMIT 1`).toArray().length > 0;
  }

  private requeueAllSent(): void {
    this.storageSql.exec(`UPDATE queued_commands SET status = 'queued', sent_at = NULL WHERE status = 'sent'`);
  }

  get(id: string, now: number): QueuedCommand | undefined {
    this.expire(now);
    const row = this.sql.exec<Row>('SELECT * FROM queued_commands WHERE id = ?', id).toArray()[0];
    return row && this.toCommand(row);
  }

  /** The newest `limit` commands. */
  list(now: number, limit: number): QueuedCommand[] {
    this.expire(now);
    return this.sql.exec<Row>('SELECT * FROM queued_commands ORDER BY seq DESC LIMIT ?', limit).toArray().map((row) => this.toCommand(row));
  }

  private expire(now: number): void {
    // A command that will never be sent keeps only the redacted form of its payload.
    const expiring = this.sql
      .exec<{ id: string; payload: string }>(`SELECT id, payload FROM queued_commands WHERE status = 'queued' AND expires_at <= ?`, now)
      .toArray();
    for (const { id, payload } of expiring) {
      const redacted = JSON.stringify(this.redact(JSON.parse(payload)));
      if (redacted !== payload) this.sql.exec('UPDATE queued_commands SET payload = ? WHERE id = ?', redacted, id);
    }
    this.sql.exec(
      `UPDATE queued_commands SET status = 'expired', finished_at = expires_at,
         error = '{"code":"Expired","message":"The charger did not take the command before it expired"}'
       WHERE status = 'queued' AND expires_at <= ?`,
      now,
    );
    this.sql.exec(`DELETE FROM queued_commands WHERE finished_at IS NOT NULL AND finished_at < ?`, now - KEEP_FINISHED_MS);
  }

  /** A command as shown: its payload, answer and error redacted. */
  private toCommand(row: Row): QueuedCommand {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: row.id,
      action: row.action,
      payload: this.redact(JSON.parse(row.payload)),
      status: row.status,
      createdAt: iso(row.created_at)!,
      expiresAt: iso(row.expires_at)!,
      sentAt: iso(row.sent_at),
      finishedAt: iso(row.finished_at),
      result: row.result === null ? null : this.redact(JSON.parse(row.result)),
      error: row.error === null ? null : this.redact(JSON.parse(row.error)),
    };
  }
}

/**
 * Finished commands kept from before their payloads, answers and errors were redacted (or
 * before the rules grew) are redacted once, so the object's storage no longer holds what they
 * sent; an answer or error echoing a value the payload carried loses it too. A command still
 * waiting keeps its payload: it must reach the charger. Run by the object's schema migrations
 * (schema.ts); `writeOnly` is what the charger reported WriteOnly.
 */
export function redactFinishedCommands(sql: SqlStorage, writeOnly?: WriteOnlyLookup): void {
  const finished = sql
    .exec<Pick<Row, 'id' | 'payload' | 'result' | 'error'>>(
      `SELECT id, payload, result, error FROM queued_commands WHERE status NOT IN ('queued', 'sent')`,
    )
    .toArray();
  for (const row of finished) {
    const payload = JSON.parse(row.payload) as unknown;
    const literals = secretLiterals(payload, writeOnly);
    const kept = (text: string | null) => (text === null ? null : JSON.stringify(scrubLiterals(redactSecrets(JSON.parse(text), writeOnly), literals)));
    const next = { payload: JSON.stringify(redactSecrets(payload, writeOnly)), result: kept(row.result), error: kept(row.error) };
    if (next.payload !== row.payload || next.result !== row.result || next.error !== row.error) {
      sql.exec('UPDATE queued_commands SET payload = ?, result = ?, error = ? WHERE id = ?', next.payload, next.result, next.error, row.id);
    }
  }
}
