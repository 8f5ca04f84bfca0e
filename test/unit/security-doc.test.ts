// SECURITY.md names a test for every defence it claims: each name must be a real test, so the table cannot drift from the code.
//
// A reference reads `<suite> `<file>` › describe › it (free notes)`, several per cell separated by
// ';'. The suite says where the file is (unit: src/… or test/unit/…, workers: test/workers/…,
// e2e: test/e2e/…); each '›' segment must occur in that file as the text of a describe or an it
// (a segment ending in '…' as its beginning). Parenthesised notes are free text.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

interface Reference {
  suite: 'unit' | 'workers' | 'e2e';
  file: string;
  segments: string[];
  line: number;
}

/** Every test reference in the third column of SECURITY.md's tables. */
function references(markdown: string): Reference[] {
  const found: Reference[] = [];
  markdown.split('\n').forEach((text, index) => {
    if (!text.startsWith('|') || text.startsWith('| ---') || text.startsWith('| threat')) return;
    const cells = text.split(' | ');
    const cell = cells[cells.length - 1]?.replace(/\s*\|\s*$/, '') ?? '';
    // Pieces separated by ';': a suite name and a file in backquotes, then '›' segments up to a
    // '('; a piece that starts with '›' names another test of the file before it.
    let last: Pick<Reference, 'suite' | 'file'> | undefined;
    for (const piece of cell.split(';').map((p) => p.trim())) {
      const named = /^(?:.*?\b)?(unit|workers|e2e) `([^`]+)`(.*)$/.exec(piece);
      if (named) last = { suite: named[1] as Reference['suite'], file: named[2] as string };
      else if (!piece.startsWith('›') || !last) continue;
      const rest = named ? (named[3] as string) : piece;
      const segments = (rest.split('(')[0] ?? '')
        .split('›')
        .slice(1)
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      found.push({ ...last, segments, line: index + 1 });
    }
  });
  return found;
}

function locate(ref: Reference): string | undefined {
  const candidates =
    ref.suite === 'unit'
      ? [ref.file, join('test/unit', ref.file)]
      : [join(ref.suite === 'workers' ? 'test/workers' : 'test/e2e', ref.file)];
  return candidates.map((c) => join(root, c)).find((p) => existsSync(p));
}

/** The texts of the file's describe / it / test calls, as written (template parts kept as `${…}`). */
function testTitles(source: string): string[] {
  const titles: string[] = [];
  const call = /\b(?:describe|it|test)(?:\.each\([^)]*\))?\(\s*(['"`])((?:\\.|(?!\1).)*)\1/gs;
  for (const match of source.matchAll(call)) titles.push((match[2] ?? '').replace(/\\(.)/g, '$1'));
  return titles;
}

/**
 * Whether a segment names a title: equal; the title's beginning up to its punctuation (the doc
 * may quote `does no harm when it runs twice` of `does no harm when it runs twice: facts are …`);
 * a prefix when it ends in '…'; or equal once `${…}` parts are allowed to be anything.
 */
function names(segment: string, title: string): boolean {
  if (segment.endsWith('…')) return title.startsWith(segment.slice(0, -1).trimEnd());
  if (title === segment) return true;
  if (title.startsWith(segment) && /^\s*[:;,(—]/.test(title.slice(segment.length))) return true;
  if (!title.includes('${')) return false;
  const escaped = title
    .split(/\$\{[^}]*\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${escaped}$`).test(segment);
}

describe('SECURITY.md', () => {
  const markdown = readFileSync(join(root, 'SECURITY.md'), 'utf8');
  const refs = references(markdown);

  it('names tests in every row of its tables', () => {
    const rows = markdown.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| threat'));
    expect(rows.length).toBeGreaterThan(40);
    const without = rows.filter((row) => references(row).length === 0);
    expect(without).toEqual([]);
  });

  it('names only tests that exist, by their describe and it titles', () => {
    const broken: string[] = [];
    for (const ref of refs) {
      const path = locate(ref);
      if (!path) {
        broken.push(`line ${ref.line}: no ${ref.suite} file ${ref.file}`);
        continue;
      }
      const titles = testTitles(readFileSync(path, 'utf8'));
      for (const segment of ref.segments) {
        if (!titles.some((title) => names(segment, title))) broken.push(`line ${ref.line}: ${ref.file} has no test titled "${segment}"`);
      }
    }
    expect(broken).toEqual([]);
  });
});
