// One Durable Object alarm, multiplexed over a small table of named tasks and when each is due.
//
// The table is mirrored in memory, and the alarm last set is remembered, so the common case (a
// frame asks for a flush that is already due sooner) costs no storage call at all. The table is
// the truth: a new instance (first use, or a wake-up from hibernation) reads it once. A task the
// alarm ran keeps its row until `arm`: one rescheduled meanwhile (the hourly liveness check)
// costs one row update, not a delete and an insert.

/**
 * offline-check: the liveness check of an open connection (hourly, see liveness.ts); flush: hand
 * the outbox to the FleetWriter; record-offline: retry D1's copy of a disconnection that failed.
 */
export type Task = 'offline-check' | 'flush' | 'record-offline';

export class DueWork {
  /** task → due time (ms), as in the table. Read on first use. */
  private tasks: Map<Task, number> | undefined;
  /** The alarm as this instance last saw or set it; undefined until asked once. */
  private alarmAt: number | null | undefined;
  /** Tasks the alarm took whose rows are still in the table: deleted by `arm` unless scheduled again. */
  private readonly taken = new Set<Task>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
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

  /** Sets when `task` is due. With `earliest`, an earlier time already set is kept. */
  async schedule(task: Task, dueAt: number, mode: 'replace' | 'earliest' = 'replace'): Promise<void> {
    const tasks = this.table();
    const current = tasks.get(task);
    const next = mode === 'earliest' && current !== undefined ? Math.min(current, dueAt) : dueAt;
    if (next === current) return;
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

  /** Points the object's one alarm at the earliest due task, or clears it when nothing is due. */
  async arm(): Promise<void> {
    if (this.taken.size > 0) {
      this.sql.exec('DELETE FROM due_work WHERE task IN (SELECT value FROM json_each(?))', JSON.stringify([...this.taken]));
      this.taken.clear();
    }
    const dues = [...this.table().values()];
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
