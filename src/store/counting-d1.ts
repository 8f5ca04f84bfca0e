// A D1Database that counts the statements it runs and the rows D1 reports for them, so the cost
// of a charger's traffic can be measured.

import { isolateStats } from '../isolate-stats';

/** Statements counted for one user of D1; with `rowsRead` and `rowsWritten`, its rows too. */
export interface D1Counter {
  statements: number;
  rowsRead?: number;
  rowsWritten?: number;
}

/** Adds what D1 reports for one statement (rows read and written, index entries included) to isolateStats and to `counter`. */
function countRows(meta: Partial<D1Meta> | undefined, counter: D1Counter): void {
  if (!meta) return;
  isolateStats.d1RowsRead += meta.rows_read ?? 0;
  isolateStats.d1RowsWritten += meta.rows_written ?? 0;
  if (counter.rowsRead !== undefined) counter.rowsRead += meta.rows_read ?? 0;
  if (counter.rowsWritten !== undefined) counter.rowsWritten += meta.rows_written ?? 0;
  if (typeof meta.size_after === 'number' && meta.size_after > 0) isolateStats.d1DatabaseBytes = meta.size_after;
}

/**
 * Statements run through `db`, counted into `counter.statements` and into this isolate's total
 * (isolateStats), with their rows (into `counter` too when it counts rows). Behaves exactly like `db` otherwise; `first()` without a
 * column name runs as `all()` (the same query) so that its rows are counted too.
 */
export function countingD1(db: D1Database, counter: D1Counter): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>();

  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') {
          return (...values: unknown[]) => wrapStatement(target.bind(...values));
        }
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (prop === 'first' || prop === 'run' || prop === 'all' || prop === 'raw') {
          return async (...args: unknown[]) => {
            counter.statements += 1;
            isolateStats.d1Statements += 1;
            if (prop === 'first' && args.length === 0) {
              const result = await target.all();
              countRows(result.meta, counter);
              return result.results[0] ?? null;
            }
            const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            // first(column) and raw() return no meta: their statements are counted, their rows not.
            if (prop === 'run' || prop === 'all') countRows((result as D1Result).meta, counter);
            return result;
          };
        }
        return value.bind(target);
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };

  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrapStatement(target.prepare(query));
      if (prop === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          counter.statements += statements.length;
          isolateStats.d1Statements += statements.length;
          const results = await target.batch(statements.map((s) => originals.get(s) ?? s));
          for (const result of results) countRows(result.meta, counter);
          return results;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
