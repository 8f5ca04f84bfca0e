// Writing many rows to a Durable Object's own SQLite storage in few statements.

/** A Durable Object's SQLite takes at most this many bound values in one statement. */
export const MAX_BOUND_VALUES = 100;

/**
 * Inserts `rows` in order with as few statements as the bound-value limit allows: a storage call
 * costs more than the rows it carries. `into` is `INSERT INTO table (col, ...)`, one column per
 * value of a row.
 */
export function insertRows(sql: SqlStorage, into: string, rows: readonly (readonly SqlStorageValue[])[]): void {
  const width = rows[0]?.length ?? 0;
  if (width === 0) return;
  const perStatement = Math.floor(MAX_BOUND_VALUES / width);
  const tuple = `(${Array(width).fill('?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perStatement) {
    const part = rows.slice(i, i + perStatement);
    sql.exec(`${into} VALUES ${part.map(() => tuple).join(', ')}`, ...part.flat());
  }
}
