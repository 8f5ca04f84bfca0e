// The order rows of a charger object's WITHOUT ROWID table were added in, kept in its column `n`.
//
// Tables keyed by text that every session writes have no rowid (one row written per new entry,
// not the row and its key's index; schema.ts version 3); those that need their rows' order keep
// it in `n` instead. Only the charger's own object writes its tables, so the largest `n` is read
// once per instance and counted on here. Gaps (a number taken for a row that was not added) do
// not matter: only the order does.

export class InsertionOrder {
  private last: number | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly table: string,
  ) {}

  /** The place of the next row added. */
  next(): number {
    this.last ??= this.sql.exec<{ n: number }>(`SELECT COALESCE(MAX(n), 0) AS n FROM ${this.table}`).one().n;
    this.last += 1;
    return this.last;
  }
}
