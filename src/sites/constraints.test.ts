// Unit tests: a site's limits as flat constraints (issue 17) — which constraints a load counts
// against and by how much, and how a circuit tree the API would refuse is still kept safe.
import { describe, expect, it } from 'vitest';
import type { Capacity } from './allocation';
import { addLoad, buildConstraints, SITE_NODE, type Constraints, type Terms } from './constraints';
import type { CircuitConfig } from './model';

function circuit(circuitId: string, parentId: string | null, amps: number | null, kw: number | null = null): CircuitConfig {
  return { circuitId, parentId, name: circuitId, limit: { amps, kw } };
}
function capacity(amps: number | null, kw: number | null, circuits: CircuitConfig[] = [], voltage = 230): Capacity {
  return { limit: { amps, kw }, voltage, circuits };
}
/** A load's terms as readable pairs: "node phase" or "node kW", with its coefficient. */
function described(constraints: Constraints, terms: Terms): [string, number][] {
  return Array.from(terms.index, (c, k) => {
    const node = constraints.labels[constraints.nodeOf[c]!]!;
    const phase = constraints.phaseOf[c]!;
    return [`${node} ${phase === 0 ? 'kW' : `L${phase}`}`, Number(terms.coef[k]!.toFixed(6))];
  });
}

describe('buildConstraints', () => {
  it('a limit in amps is one constraint per phase, one in kW a single one; none where the limit is null', () => {
    const constraints = buildConstraints(capacity(100, 50, [circuit('A', null, null, null)]));
    expect(Array.from(constraints.limits)).toEqual([100, 100, 100, 50]);
    expect(Array.from(constraints.phaseOf)).toEqual([1, 2, 3, 0]);
    expect(constraints.labels).toEqual([SITE_NODE, 'A']);
  });

  it('a load counts against its circuit and every one above it, on its phases, kW at |phases| × voltage / 1000 per amp', () => {
    const constraints = buildConstraints(capacity(100, 40, [circuit('A', null, 63, 30), circuit('A1', 'A', 32)], 230));
    expect(described(constraints, constraints.terms('A1', [2]))).toEqual([
      ['A1 L2', 1],
      ['A L2', 1],
      ['A kW', 0.23],
      ['site L2', 1],
      ['site kW', 0.23],
    ]);
    expect(described(constraints, constraints.terms('A', [1, 2, 3])).filter(([name]) => name.endsWith('kW'))).toEqual([
      ['A kW', 0.69],
      ['site kW', 0.69],
    ]);
  });

  it('a load on no known phase counts on all three', () => {
    const constraints = buildConstraints(capacity(32, null));
    expect(described(constraints, constraints.terms(null, []))).toEqual([
      ['site L1', 1],
      ['site L2', 1],
      ['site L3', 1],
    ]);
  });

  it('an unknown circuit, an unknown parent, or a parent cycle: the load still counts against the site', () => {
    const constraints = buildConstraints(capacity(100, null, [circuit('orphan', 'nowhere', 10), circuit('x', 'y', 20), circuit('y', 'x', 30)]));
    expect(described(constraints, constraints.terms('ghost', [1]))).toEqual([['site L1', 1]]);
    expect(described(constraints, constraints.terms('orphan', [1]))).toEqual([
      ['orphan L1', 1],
      ['site L1', 1],
    ]);
    // The cycle is broken where it is found; both circuits' loads reach the site and keep their own limits.
    for (const id of ['x', 'y']) {
      const names = described(constraints, constraints.terms(id, [1])).map(([name]) => name);
      expect(names[0]).toBe(`${id} L1`);
      expect(names.at(-1)).toBe('site L1');
    }
  });

  it('a circuit id given twice counts once, with its first definition', () => {
    const constraints = buildConstraints(capacity(null, null, [circuit('A', null, 10), circuit('A', null, 99)]));
    expect(constraints.labels).toEqual([SITE_NODE, 'A']);
    expect(Array.from(constraints.limits)).toEqual([10, 10, 10]);
  });

  it('children list the tree; addLoad adds a load’s amps times its coefficients', () => {
    const constraints = buildConstraints(capacity(100, 40, [circuit('A', null, 63), circuit('A1', 'A', 32)]));
    expect(constraints.children).toEqual([[1], [2], []]);
    const load = new Float64Array(constraints.limits.length);
    addLoad(load, constraints.terms('A1', [1, 2, 3]), 10);
    addLoad(load, constraints.terms(null, [3]), 5);
    // Site L1..L3, kW; A L1..L3; A1 L1..L3.
    expect(Array.from(load, (x) => Number(x.toFixed(6)))).toEqual([10, 10, 15, 8.05, 10, 10, 10, 10, 10, 10]);
  });
});
