// A D1Database that counts the statements it runs, so the cost of a charger's traffic can be measured.

import { isolateStats } from '../isolate-stats';

/**
 * Statements run through `db`, counted into `counter.statements` and into this isolate's total
 * (isolateStats). Behaves exactly like `db` otherwise.
 */
export function countingD1(db: D1Database, counter: { statements: number }): D1Database {
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
          return (...args: unknown[]) => {
            counter.statements += 1;
            isolateStats.d1Statements += 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
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
        return (statements: D1PreparedStatement[]) => {
          counter.statements += statements.length;
          isolateStats.d1Statements += statements.length;
          return target.batch(statements.map((s) => originals.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
