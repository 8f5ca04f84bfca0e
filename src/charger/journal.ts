// The charger's message journal: its last frames in both directions, kept in its object to debug it from the API.

import { insertRows } from '../durable-sql';
import { mayHoldSecret, redactFrameText, scrubLiterals, secretLiterals, writeOnlyVariablesIn } from '../ocpp/secrets';

export interface JournalEntry {
  at: string;
  /** in: from the charger; out: from the CSMS. */
  direction: 'in' | 'out';
  /** 2 CALL, 3 CALLRESULT, 4 CALLERROR; null for a frame that is not one. */
  messageType: number | null;
  messageId: string | null;
  /** The CALL's action; for a CALLRESULT or CALLERROR, the action of the CALL it answers, when in the journal. */
  action: string | null;
  /** A CALLERROR's code. */
  errorCode: string | null;
  /** The frame as sent, its secrets redacted (see secrets.ts), cut at MAX_TEXT characters. */
  text: string;
  truncated: boolean;
}

/** Longer frames are kept cut: the journal is for reading, and a frame may be up to 64 KiB. */
const MAX_TEXT = 4_096;
/** The journal may hold up to this many frames over its size between trims. */
const TRIM_EVERY = 32;
/** Enough of a frame's text to read its type, a 36-character id and an action. */
const FRAME_HEAD_CHARS = 160;
/** Calls whose secret values are remembered, to be scrubbed from their answers (a late one too). */
const CALLS_WITH_SECRETS = 64;
/** Bumped when the redaction rules grow, so frames kept under the older rules are redacted again, once. */
const REDACTED_VERSION = 'redacted-v2';

export class MessageJournal {
  private sinceTrim = 0;
  /** Frames waiting to be written with the next one: [at, direction, text, truncated]. */
  private held: Array<[number, string, string, number]> = [];
  /** Variables this charger reported WriteOnly ('component\u0000variable', lower case); read from storage on first use. */
  private writeOnly: Set<string> | undefined;
  /**
   * The secret values of the last CALLs the CSMS sent, by message id: a charger's answer may echo
   * them in free text (a CALLERROR's description), where no shape gives them away. In memory only:
   * an object is not evicted while it waits for an answer.
   */
  private readonly sentSecrets = new Map<string, string[]>();

  constructor(
    private readonly sql: SqlStorage,
    /** Frames kept; 0 keeps none. */
    private readonly size: number,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS journal (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      direction TEXT NOT NULL,
      text TEXT NOT NULL,
      truncated INTEGER NOT NULL
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS journal_write_only (
      component TEXT NOT NULL,
      variable TEXT NOT NULL,
      PRIMARY KEY (component, variable)
    )`);
    this.redactOlderFrames();
  }

  /**
   * Frames journaled before secrets were redacted, or under older rules, are redacted once, so the
   * object's storage no longer holds them (journal_meta remembers it was done).
   */
  private redactOlderFrames(): void {
    this.sql.exec('CREATE TABLE IF NOT EXISTS journal_meta (name TEXT PRIMARY KEY)');
    if (this.sql.exec(`SELECT 1 FROM journal_meta WHERE name = ?`, REDACTED_VERSION).toArray().length > 0) return;
    for (const row of this.sql.exec<{ seq: number; text: string }>('SELECT seq, text FROM journal').toArray()) {
      const kept = this.redact(row.text);
      if (kept !== row.text) this.sql.exec('UPDATE journal SET text = ? WHERE seq = ?', kept, row.seq);
    }
    this.sql.exec(`INSERT OR IGNORE INTO journal_meta (name) VALUES (?)`, REDACTED_VERSION);
  }

  /**
   * Keeps a frame to be written with the next one recorded (or at `flush`): a CALL and its answer
   * then cost one storage call, which is most of what journaling a frame costs.
   */
  hold(direction: 'in' | 'out', frame: string | ArrayBuffer): void {
    if (this.size > 0) this.held.push(this.row(direction, frame));
  }

  /** Writes the frame, after any held ones. */
  record(direction: 'in' | 'out', frame: string | ArrayBuffer): void {
    if (this.size <= 0) return;
    this.held.push(this.row(direction, frame));
    this.flush();
  }

  /** Writes the held frames. */
  flush(): void {
    const rows = this.held;
    if (rows.length === 0) return;
    this.held = [];
    insertRows(this.sql, 'INSERT INTO journal (at, direction, text, truncated)', rows);
    // Trimmed now and then rather than on every frame, for the same reason.
    this.sinceTrim += rows.length;
    if (this.sinceTrim >= TRIM_EVERY) {
      this.sinceTrim = 0;
      this.sql.exec('DELETE FROM journal WHERE seq <= (SELECT MAX(seq) FROM journal) - ?', this.size);
    }
  }

  /** The newest `limit` frames, newest first. */
  list(limit: number): JournalEntry[] {
    this.flush();
    const rows = this.sql
      .exec<{ seq: number; at: number; direction: 'in' | 'out'; text: string; truncated: number }>(
        'SELECT seq, at, direction, text, truncated FROM journal ORDER BY seq DESC LIMIT ?',
        Math.min(limit, this.size),
      )
      .toArray();
    const entries = rows.map((row) => ({ row, frame: readFrame(row.text) }));
    const answered = this.replyActions(entries);
    return entries.map(({ row, frame }, index) => ({
      at: new Date(row.at).toISOString(),
      direction: row.direction,
      messageType: frame.messageType,
      messageId: frame.messageId,
      action: frame.action ?? answered[index] ?? null,
      errorCode: frame.errorCode,
      text: row.text,
      truncated: row.truncated === 1,
    }));
  }

  /**
   * For each reply among `entries` (newest first), the action of the CALL it answers: the
   * latest CALL before it with its message id, sent the other way. That CALL may be older than
   * the page asked for (with `limit=1` it always is), so it is looked for further back in the
   * journal too. Ids are matched in order because a charger may reuse them across connections.
   */
  private replyActions(entries: Array<{ row: { seq: number; direction: 'in' | 'out' }; frame: ReturnType<typeof readFrame> }>): Array<string | undefined> {
    const actions: Array<string | undefined> = [];
    const calls = new Map<string, string>();
    /** `direction:messageId` of a CALL not on the page → the replies waiting for its action. */
    const unmatched = new Map<string, number[]>();
    for (let index = entries.length - 1; index >= 0; index--) {
      const { row, frame } = entries[index]!;
      if (!frame.messageId) continue;
      if (frame.messageType === 2) {
        if (frame.action) calls.set(`${row.direction}:${frame.messageId}`, frame.action);
        continue;
      }
      const key = `${row.direction === 'in' ? 'out' : 'in'}:${frame.messageId}`;
      const action = calls.get(key);
      if (action !== undefined) actions[index] = action;
      else unmatched.set(key, [...(unmatched.get(key) ?? []), index]);
    }
    const oldest = entries.at(-1)?.row.seq;
    if (unmatched.size === 0 || oldest === undefined) return actions;
    // Only the head of each older frame is read: it names the message type, id and action.
    const older = this.sql.exec<{ direction: 'in' | 'out'; head: string }>(
      'SELECT direction, substr(text, 1, ?) AS head FROM journal WHERE seq < ? ORDER BY seq DESC',
      FRAME_HEAD_CHARS,
      oldest,
    );
    for (const { direction, head } of older) {
      const frame = readFrame(head);
      if (frame.messageType !== 2 || !frame.messageId || !frame.action) continue;
      const key = `${direction}:${frame.messageId}`;
      for (const index of unmatched.get(key) ?? []) actions[index] = frame.action;
      unmatched.delete(key);
      if (unmatched.size === 0) break;
    }
    return actions;
  }

  /** The row a frame is kept as: redacted before it is cut, so no secret survives half-cut. */
  private row(direction: 'in' | 'out', frame: string | ArrayBuffer): [number, string, string, number] {
    const text = typeof frame === 'string' ? this.redactEchoes(direction, frame, this.redact(frame)) : `<binary frame, ${frame.byteLength} bytes>`;
    const truncated = text.length > MAX_TEXT;
    return [Date.now(), direction, truncated ? text.slice(0, MAX_TEXT) : text, truncated ? 1 : 0];
  }

  /**
   * Remembers the secret values of a CALL the CSMS sends (`redacted` differs from `text` only when
   * it carries one), and scrubs those of the call a charger's answer replies to from that answer.
   */
  private redactEchoes(direction: 'in' | 'out', text: string, redacted: string): string {
    if (direction === 'out') {
      if (redacted === text) return redacted;
      const frame = parseJson(text);
      if (!Array.isArray(frame) || frame[0] !== 2 || typeof frame[1] !== 'string') return redacted;
      const literals = secretLiterals(frame[3], (component, variable) => this.isWriteOnly(component, variable));
      if (literals.length === 0) return redacted;
      this.sentSecrets.delete(frame[1]);
      this.sentSecrets.set(frame[1], literals);
      if (this.sentSecrets.size > CALLS_WITH_SECRETS) this.sentSecrets.delete(this.sentSecrets.keys().next().value!);
      return redacted;
    }
    if (this.sentSecrets.size === 0) return redacted;
    const head = readFrame(redacted.slice(0, FRAME_HEAD_CHARS));
    const literals = head.messageId !== null && (head.messageType === 3 || head.messageType === 4) ? this.sentSecrets.get(head.messageId) : undefined;
    if (!literals) return redacted;
    const frame = parseJson(redacted);
    if (!Array.isArray(frame)) return scrubLiterals(redacted, literals);
    return JSON.stringify([...frame.slice(0, 2), ...scrubLiterals(frame.slice(2), literals)]);
  }

  private redact(text: string): string {
    const writeOnly = this.writeOnlyVariables();
    const names = [...writeOnly].map((key) => key.split('\u0000')[1]!);
    if (!mayHoldSecret(text, names)) return text;
    // A report marking variables WriteOnly teaches which later values to hide.
    if (/writeonly/i.test(text)) this.learnWriteOnly(text);
    return redactFrameText(text, (component, variable) => writeOnly.has(writeOnlyKey(component, variable)), names);
  }

  /** Whether this charger reported a variable WriteOnly (as seen in journaled reports): its values are secret. */
  isWriteOnly(component: string, variable: string): boolean {
    return this.writeOnlyVariables().has(writeOnlyKey(component, variable));
  }

  private learnWriteOnly(text: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return;
    }
    const known = this.writeOnlyVariables();
    for (const { component, variable } of writeOnlyVariablesIn(payload)) {
      const key = writeOnlyKey(component, variable);
      if (known.has(key)) continue;
      known.add(key);
      this.sql.exec('INSERT OR IGNORE INTO journal_write_only (component, variable) VALUES (?, ?)', component.toLowerCase(), variable.toLowerCase());
    }
  }

  private writeOnlyVariables(): Set<string> {
    if (!this.writeOnly) {
      const rows = this.sql.exec<{ component: string; variable: string }>('SELECT component, variable FROM journal_write_only').toArray();
      this.writeOnly = new Set(rows.map((r) => writeOnlyKey(r.component, r.variable)));
    }
    return this.writeOnly;
  }
}

function readFrame(text: string): Pick<JournalEntry, 'messageType' | 'messageId' | 'action' | 'errorCode'> {
  const none = { messageType: null, messageId: null, action: null, errorCode: null };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // A cut frame is no longer JSON, but its head still names it.
    const head = /^\[\s*([234])\s*,\s*"([^"\\]{0,36})"\s*(?:,\s*"([^"\\]{0,64})")?/.exec(text);
    if (!head) return none;
    const type = Number(head[1]);
    return {
      messageType: type,
      messageId: head[2] ?? null,
      action: type === 2 ? (head[3] ?? null) : null,
      errorCode: type === 4 ? (head[3] ?? null) : null,
    };
  }
  if (!Array.isArray(data) || ![2, 3, 4].includes(data[0] as number)) return none;
  const [type, id, third] = data as [number, unknown, unknown];
  return {
    messageType: type,
    messageId: typeof id === 'string' ? id : null,
    action: type === 2 && typeof third === 'string' ? third : null,
    errorCode: type === 4 && typeof third === 'string' ? third : null,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function writeOnlyKey(component: string, variable: string): string {
  return `${component.toLowerCase()}\u0000${variable.toLowerCase()}`;
}
