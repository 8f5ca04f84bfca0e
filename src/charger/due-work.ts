// One Durable Object alarm, multiplexed over a small table of named tasks and when each is due.

export type Task = 'offline-check' | 'flush';

export class DueWork {
  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
  ) {
    sql.exec('CREATE TABLE IF NOT EXISTS due_work (task TEXT PRIMARY KEY, due_at INTEGER NOT NULL)');
  }

  /** Sets when `task` is due. With `earliest`, an earlier time already set is kept. */
  async schedule(task: Task, dueAt: number, mode: 'replace' | 'earliest' = 'replace'): Promise<void> {
    const keep = mode === 'earliest' ? 'MIN(due_at, excluded.due_at)' : 'excluded.due_at';
    this.sql.exec(
      `INSERT INTO due_work (task, due_at) VALUES (?, ?) ON CONFLICT (task) DO UPDATE SET due_at = ${keep}`,
      task,
      dueAt,
    );
    await this.arm();
  }

  async cancel(task: Task): Promise<void> {
    this.sql.exec('DELETE FROM due_work WHERE task = ?', task);
    await this.arm();
  }

  isScheduled(task: Task): boolean {
    return this.sql.exec('SELECT 1 FROM due_work WHERE task = ?', task).toArray().length > 0;
  }

  /** Removes and returns the tasks due by `now`. Call `arm` after running them. */
  takeDue(now: number): Task[] {
    const due = this.sql
      .exec<{ task: Task }>('SELECT task FROM due_work WHERE due_at <= ? ORDER BY due_at', now)
      .toArray()
      .map((r) => r.task);
    this.sql.exec('DELETE FROM due_work WHERE due_at <= ?', now);
    return due;
  }

  /** Points the object's one alarm at the earliest due task, or clears it when nothing is due. */
  async arm(): Promise<void> {
    const next = this.sql.exec<{ at: number | null }>('SELECT MIN(due_at) AS at FROM due_work').one().at;
    const current = await this.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.storage.deleteAlarm();
    } else if (current !== next) {
      await this.storage.setAlarm(next);
    }
  }
}
