// The charger's message journal: its last frames in both directions, kept in its object (in memory, or in storage: see JournalMode) to debug it from the API.

import { insertRows } from '../durable-sql';
import { mayHoldSecret, redactFrameText, scrubLiterals, secretLiterals, writeOnlyVariablesIn, type WriteOnlyLookup } from '../ocpp/secrets';

export interface JournalEntry {
  at: string;
  /** in: from the charger; out: from the CSMS. */
  direction: 'in' | 'out';
  /** 2 CALL, 3 CALLRESULT, 4 CALLERROR, and on 2.1 5 CALLRESULTERROR, 6 SEND; null for a frame that is not one. */
  messageType: number | null;
  messageId: string | null;
  /**
   * The CALL's or SEND's action; for a CALLRESULT or CALLERROR, the action of the CALL it answers,
   * and for a CALLRESULTERROR that of the CALL whose answer it is about, when in the journal.
   */
  action: string | null;
  /** A CALLERROR's or CALLRESULTERROR's code. */
  errorCode: string | null;
  /** The frame as sent, its secrets redacted (see secrets.ts), cut at MAX_TEXT characters. */
  text: string;
  truncated: boolean;
}

/** Longer frames are kept cut: the journal is for reading, and a frame may be up to 64 KiB. */
const MAX_TEXT = 4_096;
/** The durable journal may hold up to this many frames over its size between trims. */
const TRIM_EVERY = 32;
/** Enough of a frame's text to read its type, a 36-character id and an action. */
const FRAME_HEAD_CHARS = 160;
/** Calls whose secret values are remembered, to be scrubbed from their answers (a late one too). */
const CALLS_WITH_SECRETS = 64;
/**
 * Characters of frames the in-memory ring holds at most, whatever JOURNAL_SIZE says: many objects
 * share an isolate's memory, and a frame kept may be 4 KiB. Short frames (a Heartbeat is ~40
 * characters) fit JOURNAL_SIZE of them many times over.
 */
const RING_MAX_CHARS = 128 * 1024;

/**
 * How the journal keeps frames. `memory` (the default): the last frames in the object's memory,
 * lost when it hibernates or is evicted, and durably only what an operator must not lose (CALLERRORs
 * either way, refused and unreadable frames, with the frames held with them): 0 rows written per
 * ordinary frame, 2 per kept one (its insert, and its delete at a trim). `durable`: every frame
 * in the object's SQLite, as before: 2 rows written per frame.
 */
export type JournalMode = 'memory' | 'durable';

/**
 * Who else sees each frame as it is kept, redacted exactly as kept (the live console's detail feed,
 * live-feed.ts): asked first whether it wants frames at all, so an unwatched charger pays nothing.
 */
export interface JournalTap {
  active(): boolean;
  kept(entry: JournalEntry): void;
}

/** A frame as kept: [at, direction, text, truncated]. */
type Row = [at: number, direction: 'in' | 'out', text: string, truncated: number];

/** A frame in the in-memory ring. */
interface RingEntry {
  row: Row;
  /** Frames this instance had written durably before this one: the durable rows older than it are those up to base + this. */
  durableBefore: number;
}

export class MessageJournal {
  private sinceTrim = 0;
  /** Frames waiting to be kept with the next one. */
  private held: Row[] = [];
  /** memory mode: the last frames, oldest first. */
  private readonly ring: RingEntry[] = [];
  private ringChars = 0;
  /** The largest seq in the durable table when this instance first needed it; read once. */
  private baseSeq: number | undefined;
  /** Frames this instance wrote to the durable table. */
  private written = 0;
  /** Variables this charger reported WriteOnly ('component\u0000variable', lower case); read from storage on first use. */
  private writeOnly: Set<string> | undefined;
  /**
   * The secret values of the last CALLs the CSMS sent, by message id: a charger's answer may echo
   * them in free text (a CALLERROR's description), where no shape gives them away. In memory only:
   * an object is not evicted while it waits for an answer.
   */
  private readonly sentSecrets = new Map<string, string[]>();

  /** The tables are created by the object's schema (schema.ts). */
  constructor(
    private readonly sql: SqlStorage,
    /** Frames kept; 0 keeps none. */
    private readonly size: number,
    private readonly mode: JournalMode = 'memory',
    private readonly tap?: JournalTap,
  ) {}

  /**
   * Keeps a frame to be written with the next one recorded (or at `flush`): a CALL and its answer
   * then cost one storage call, and the CALL is kept durably if its answer is.
   */
  hold(direction: 'in' | 'out', frame: string | ArrayBuffer): void {
    if (this.size > 0 || this.tap?.active()) this.held.push(this.row(direction, frame));
  }

  /** Keeps the frame, after any held ones. */
  record(direction: 'in' | 'out', frame: string | ArrayBuffer): void {
    if (this.size <= 0 && !this.tap?.active()) return;
    this.held.push(this.row(direction, frame));
    this.flush();
  }

  /**
   * Keeps the held frames: in memory, and durably in `durable` mode, or when one of them is a
   * CALLERROR or not a readable frame, or `refused` (the frame held was refused: a reply to no
   * call, a frame that could not be answered).
   */
  flush(refused = false): void {
    const rows = this.held;
    if (rows.length === 0) return;
    this.held = [];
    if (this.tap?.active()) for (const row of rows) this.tap.kept(entryOf(row));
    if (this.size <= 0) return;
    const durable = this.mode === 'durable' || refused || rows.some(mustLast);
    if (durable) this.writeDurably(rows);
    if (this.mode === 'memory') this.keepInMemory(rows, durable);
  }

  private writeDurably(rows: Row[]): void {
    const base = this.durableBase();
    // Explicit keys, so the ring knows which durable rows it holds too (see `list`).
    insertRows(
      this.sql,
      'INSERT INTO journal (seq, at, direction, text, truncated)',
      rows.map((row, index) => [base + this.written + index + 1, ...row]),
    );
    this.written += rows.length;
    // Trimmed now and then rather than on every frame: a storage call costs more than its rows.
    this.sinceTrim += rows.length;
    if (this.sinceTrim >= TRIM_EVERY) {
      this.sinceTrim = 0;
      this.sql.exec('DELETE FROM journal WHERE seq <= ?', base + this.written - this.size);
    }
  }

  /** Keeps `rows` in the ring; `durable` when they were just written to the table too. */
  private keepInMemory(rows: Row[], durable: boolean): void {
    const before = durable ? this.written - rows.length : this.written;
    rows.forEach((row, index) => {
      this.ring.push({ row, durableBefore: durable ? before + index : before });
      this.ringChars += row[2].length;
    });
    while (this.ring.length > this.size || (this.ringChars > RING_MAX_CHARS && this.ring.length > 1)) {
      this.ringChars -= this.ring.shift()!.row[2].length;
    }
  }

  private durableBase(): number {
    this.baseSeq ??= this.sql.exec<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM journal').one().seq ?? 0;
    return this.baseSeq;
  }

  /**
   * The newest `limit` frames, newest first: those in memory, then the durable ones older than
   * all of them (in `durable` mode, all come from the table).
   */
  list(limit: number): JournalEntry[] {
    this.flush();
    const wanted = Math.min(limit, this.size);
    const fromRing = this.ring.slice(-wanted).reverse();
    const rows: Array<{ row: Row; seq?: number }> = fromRing.map((entry) => ({ row: entry.row }));
    // Durable rows this instance wrote after the oldest frame in memory are in memory too.
    const floor = this.ring.length > 0 ? this.durableBase() + this.ring[0]!.durableBefore : Number.MAX_SAFE_INTEGER;
    if (rows.length < wanted) {
      const stored = this.sql
        .exec<{ seq: number; at: number; direction: 'in' | 'out'; text: string; truncated: number }>(
          'SELECT seq, at, direction, text, truncated FROM journal WHERE seq <= ? ORDER BY seq DESC LIMIT ?',
          floor,
          wanted - rows.length,
        )
        .toArray();
      for (const r of stored) rows.push({ row: [r.at, r.direction, r.text, r.truncated], seq: r.seq });
    }
    const entries = rows.map(({ row }) => ({ row, frame: readFrame(row[2]) }));
    const oldestSeq = rows.at(-1)?.seq;
    const answered = this.replyActions(entries, {
      ring: this.ring.slice(0, Math.max(0, this.ring.length - fromRing.length)).reverse(),
      below: oldestSeq ?? floor + 1,
    });
    return entries.map(({ row, frame }, index) => ({
      at: new Date(row[0]).toISOString(),
      direction: row[1],
      messageType: frame.messageType,
      messageId: frame.messageId,
      action: frame.action ?? answered[index] ?? null,
      errorCode: frame.errorCode,
      text: row[2],
      truncated: row[3] === 1,
    }));
  }

  /**
   * For each reply among `entries` (newest first), the action of the CALL it answers: the
   * latest CALL before it with its message id, sent the other way. That CALL may be older than
   * the page asked for (with `limit=1` it always is), so it is looked for further back too: in
   * the frames in memory older than the page (`older.ring`, newest first), then in the durable
   * journal below `older.below`. Ids are matched in order because a charger may reuse them
   * across connections.
   */
  private replyActions(
    entries: Array<{ row: Row; frame: ReturnType<typeof readFrame> }>,
    older: { ring: RingEntry[]; below: number },
  ): Array<string | undefined> {
    const actions: Array<string | undefined> = [];
    const calls = new Map<string, string>();
    /** `direction:messageId` of a CALL not on the page → the replies waiting for its action. */
    const unmatched = new Map<string, number[]>();
    for (let index = entries.length - 1; index >= 0; index--) {
      const { row, frame } = entries[index]!;
      if (!frame.messageId) continue;
      if (frame.messageType === 2) {
        if (frame.action) calls.set(`${row[1]}:${frame.messageId}`, frame.action);
        continue;
      }
      // A SEND names its own action and is answered by nothing.
      if (frame.messageType === 6) continue;
      const key = `${callDirectionOf(frame.messageType, row[1])}:${frame.messageId}`;
      const action = calls.get(key);
      if (action !== undefined) actions[index] = action;
      else unmatched.set(key, [...(unmatched.get(key) ?? []), index]);
    }
    if (unmatched.size === 0) return actions;
    const match = (direction: string, head: string): boolean => {
      const frame = readFrame(head);
      if (frame.messageType !== 2 || !frame.messageId || !frame.action) return false;
      const key = `${direction}:${frame.messageId}`;
      for (const index of unmatched.get(key) ?? []) actions[index] = frame.action;
      unmatched.delete(key);
      return unmatched.size === 0;
    };
    for (const { row } of older.ring) if (match(row[1], row[2].slice(0, FRAME_HEAD_CHARS))) return actions;
    // Only the head of each older frame is read: it names the message type, id and action.
    const stored = this.sql.exec<{ direction: 'in' | 'out'; head: string }>(
      'SELECT direction, substr(text, 1, ?) AS head FROM journal WHERE seq < ? ORDER BY seq DESC',
      FRAME_HEAD_CHARS,
      older.below,
    );
    for (const { direction, head } of stored) if (match(direction, head)) break;
    return actions;
  }

  /**
   * Redacts the frames kept durably under older rules (or before secrets were redacted), so the
   * object's storage no longer holds them. Run by the object's schema migrations (schema.ts).
   */
  redactStored(): void {
    for (const row of this.sql.exec<{ seq: number; text: string }>('SELECT seq, text FROM journal').toArray()) {
      const kept = this.redact(row.text);
      if (kept !== row.text) this.sql.exec('UPDATE journal SET text = ? WHERE seq = ?', kept, row.seq);
    }
  }

  /** The row a frame is kept as: redacted before it is cut, so no secret survives half-cut. */
  private row(direction: 'in' | 'out', frame: string | ArrayBuffer): Row {
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
    // Any reply under the id of a call that carried secrets is scrubbed of them: a CALLRESULT or
    // CALLERROR answering it, and a CALLRESULTERROR (2.1) under the same id, whatever it claims to be about.
    const literals = head.messageId !== null && (head.messageType === 3 || head.messageType === 4 || head.messageType === 5) ? this.sentSecrets.get(head.messageId) : undefined;
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

/**
 * Whether a frame must outlast the object in memory mode: a CALLERROR or CALLRESULTERROR, or not a
 * readable frame (binary, malformed). A SEND is ordinary, like a CALL.
 */
function mustLast(row: Row): boolean {
  return !/^\s*\[\s*[236]\s*,/.test(row[2]);
}

/**
 * Which way the CALL went that a reply sent `direction` is about: a CALLRESULT or CALLERROR goes
 * back the other way; a CALLRESULTERROR (5) is about the answer to a CALL its sender had sent,
 * so that CALL went the same way.
 */
function callDirectionOf(messageType: number | null, direction: 'in' | 'out'): 'in' | 'out' {
  if (messageType === 5) return direction;
  return direction === 'in' ? 'out' : 'in';
}

/** Redacts what older code kept in the durable journal (a schema migration, see schema.ts). */
export function redactStoredFrames(sql: SqlStorage): void {
  new MessageJournal(sql, 1, 'durable').redactStored();
}

/** What the charger reported WriteOnly, as the journal learnt it, for code that runs without a journal (schema migrations). */
export function storedWriteOnly(sql: SqlStorage): WriteOnlyLookup {
  const journal = new MessageJournal(sql, 0);
  return (component, variable) => journal.isWriteOnly(component, variable);
}

/** A row as a journal entry, without the action a reply answers (that needs the frames before it: see `list`). */
function entryOf(row: Row): JournalEntry {
  const frame = readFrame(row[2]);
  return { at: new Date(row[0]).toISOString(), direction: row[1], ...frame, text: row[2], truncated: row[3] === 1 };
}

/** The message types whose third element is an action (CALL, SEND) or an error code (CALLERROR, CALLRESULTERROR). */
const NAMES_ACTION = new Set([2, 6]);
const NAMES_ERROR = new Set([4, 5]);

function readFrame(text: string): Pick<JournalEntry, 'messageType' | 'messageId' | 'action' | 'errorCode'> {
  const none = { messageType: null, messageId: null, action: null, errorCode: null };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // A cut frame is no longer JSON, but its head still names it.
    const head = /^\[\s*([2-6])\s*,\s*"([^"\\]{0,36})"\s*(?:,\s*"([^"\\]{0,64})")?/.exec(text);
    if (!head) return none;
    const type = Number(head[1]);
    return {
      messageType: type,
      messageId: head[2] ?? null,
      action: NAMES_ACTION.has(type) ? (head[3] ?? null) : null,
      errorCode: NAMES_ERROR.has(type) ? (head[3] ?? null) : null,
    };
  }
  // Types 5 and 6 are OCPP 2.1's; a 2.0.1 or 1.6 connection answered them MessageTypeNotSupported, and they are shown as sent.
  if (!Array.isArray(data) || ![2, 3, 4, 5, 6].includes(data[0] as number)) return none;
  const [type, id, third] = data as [number, unknown, unknown];
  return {
    messageType: type,
    messageId: typeof id === 'string' ? id : null,
    action: NAMES_ACTION.has(type) && typeof third === 'string' ? third : null,
    errorCode: NAMES_ERROR.has(type) && typeof third === 'string' ? third : null,
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
