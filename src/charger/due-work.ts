// One Durable Object alarm, multiplexed over a small table of named tasks and when each is due,
// and the outbox's flush, which is due whenever the outbox holds facts and keeps no row of its own.
//
// The table is mirrored in memory, and the alarm last set is remembered, so the common case (a
// frame asks for a flush that is already due sooner) costs no storage call at all. The table is
// the truth: a new instance (first use, or a wake-up from hibernation) reads it once. A task the
// alarm ran keeps its row until `arm`: one rescheduled meanwhile (the hourly liveness check)
// costs one row update, not a delete and an insert.
//
// The flush is not in the table: a row for it would be written and deleted for every flush (two
// billed rows each, and an index entry each) just to remember what the outbox and the alarm
// already say. The rule that makes that enough: while the outbox holds facts, the alarm is never
// later than their flush. So an instance that does not know when the flush is due (a new one)
// takes the alarm's time for it, which is never later than the truth.

/**
 * offline-check: the liveness check of an open connection (hourly, see liveness.ts);
 * record-offline: retry D1's copy of a disconnection that failed; flush: only in tables written
 * before the flush kept no row (run once, then gone); cost-update: the running cost of priced
 * transactions to a charger that shows it (driver-price.ts).
 */
export type Task = 'offline-check' | 'flush' | 'record-offline' | 'cost-update';

export class DueWork {
  /** task → due time (ms), as in the table. Read on first use. */
  private tasks: Map<Task, number> | undefined;
  /** The alarm as this instance last saw or set it; undefined until asked once. */
  private alarmAt: number | null | undefined;
  /** Tasks the alarm took whose rows are still in the table: deleted by `arm` unless scheduled again. */
  private readonly taken = new Set<Task>();
  /** When the outbox is flushed next: null for not at all; undefined until this instance knows (see `flushDue`). */
  private flushAt: number | null | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
    /** Whether the outbox holds facts to flush. */
    private readonly outboxWaiting: () => boolean = () => false,
  ) {}

  private table(): Map<Task, number> {
    this.tasks ??= new Map(
      this.sql
        .exec<{ task: Task; due_at: number }>('SELECT task, due_at FROM due_work')
        .toArray()
        .map((row) => [row.task, row.due_at]),
    );
    return this.tasks;
  }

  /** Sets when `task` is due. */
  async schedule(task: Task, next: number): Promise<void> {
    const tasks = this.table();
    if (next === tasks.get(task)) return;
    this.taken.delete(task);
    this.sql.exec(
      'INSERT INTO due_work (task, due_at) VALUES (?, ?) ON CONFLICT (task) DO UPDATE SET due_at = excluded.due_at',
      task,
      next,
    );
    tasks.set(task, next);
    await this.arm();
  }

  async cancel(task: Task): Promise<void> {
    const tasks = this.table();
    if (!tasks.has(task)) return;
    this.taken.delete(task);
    this.sql.exec('DELETE FROM due_work WHERE task = ?', task);
    tasks.delete(task);
    await this.arm();
  }

  /**
   * Has the outbox flushed by `at`, or earlier if that is already so. No row is written: only
   * the alarm moves, and only when it would otherwise come later.
   */
  async scheduleFlush(at: number): Promise<void> {
    const current = await this.flushDue();
    if (current !== null && current <= at) return;
    this.flushAt = at;
    await this.arm();
  }

  /**
   * Expects a flush at `at` without moving the alarm now: after a flush while a charger is
   * metering, the next facts come soon, and leaving the alarm where their flush will be costs one
   * setAlarm per flush instead of two (one back to the liveness check, one forward again). If
   * nothing comes, the alarm finds the outbox empty and points itself at the liveness check.
   */
  expectFlush(at: number): void {
    this.flushAt = at;
  }

  /**
   * Learns when the flush is due before this instance appends facts. A new instance that appends
   * first would take its own facts for ones an earlier instance left waiting and, with no alarm
   * set (a charger's first connection), flush them at once instead of when they ask.
   */
  async learnFlush(): Promise<void> {
    await this.flushDue();
  }

  /** When the flush is due, learnt once per instance: the alarm's time while facts wait (see above). */
  private async flushDue(): Promise<number | null> {
    if (this.flushAt === undefined) {
      if (this.outboxWaiting()) {
        this.alarmAt ??= await this.storage.getAlarm();
        this.flushAt = this.alarmAt ?? Date.now();
      } else {
        this.flushAt = null;
      }
    }
    return this.flushAt;
  }

  isScheduled(task: Task): boolean {
    return this.table().has(task);
  }

  /** When `task` is due, if it is scheduled. */
  dueAt(task: Task): number | undefined {
    return this.table().get(task);
  }

  /**
   * Takes the tasks due by `now`, and those of `alongside` due before `now + withinMs` (run with
   * them rather than on a wake-up of their own). Call from the alarm handler (the alarm that
   * fired is gone), and call `arm` after running them: it deletes the rows of those not
   * scheduled again.
   */
  takeDue(now: number, alongside: { tasks: readonly Task[]; withinMs: number } = { tasks: [], withinMs: 0 }): Task[] {
    this.alarmAt = null;
    // The flush the alarm was for is the caller's to run now; it schedules the next.
    this.flushAt = null;
    // Alarms are rare: read the table afresh, so the truth decides what runs.
    this.tasks = undefined;
    this.taken.clear();
    const tasks = this.table();
    const due = [...tasks].filter(([, at]) => at <= now);
    if (due.length > 0) {
      for (const [task, at] of tasks) {
        if (at > now && alongside.tasks.includes(task) && at < now + alongside.withinMs) due.push([task, at]);
      }
    }
    const taken = due.sort((a, b) => a[1] - b[1]).map(([task]) => task);
    for (const task of taken) {
      tasks.delete(task);
      this.taken.add(task);
    }
    return taken;
  }

  /** Points the object's one alarm at the earliest due task or flush, or clears it when nothing is due. */
  async arm(): Promise<void> {
    if (this.taken.size > 0) {
      this.sql.exec('DELETE FROM due_work WHERE task IN (SELECT value FROM json_each(?))', JSON.stringify([...this.taken]));
      this.taken.clear();
    }
    const flushAt = await this.flushDue();
    const dues = [...this.table().values(), ...(flushAt === null ? [] : [flushAt])];
    const next = dues.length > 0 ? Math.min(...dues) : null;
    if (this.alarmAt === undefined) this.alarmAt = await this.storage.getAlarm();
    if (next === null) {
      if (this.alarmAt !== null) await this.storage.deleteAlarm();
    } else if (this.alarmAt !== next) {
      await this.storage.setAlarm(next);
    }
    this.alarmAt = next;
  }
}
