// The console's modules: each small and saying what it is for, and together one script that parses.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONSOLE_MODULES, CONSOLE_SCRIPT } from './index';

const DIR = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('the console modules', () => {
  it('each opens with a comment on what it is for and stays under 300 lines', () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const file of files) {
      const text = readFileSync(join(DIR, file), 'utf8');
      expect(text, file).toMatch(/^\/\/ \S/);
      expect(text.split('\n').length, file).toBeLessThanOrEqual(300);
    }
  });

  it('declare each top-level name once: they share one scope, where a second declaration would silently replace the first', () => {
    const names = CONSOLE_MODULES.flatMap(([, source]) =>
      [...source.matchAll(/^ {2}(?:function|var) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!),
    );
    expect(names.length).toBeGreaterThan(50);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('are all in the script, which parses as one strict function', () => {
    expect(CONSOLE_MODULES.length).toBe(files.filter((f) => f !== 'index.ts' && f !== 'style.ts').length);
    // Parsed, not run: a syntax error in any module would stop the whole console.
    expect(() => new Function(CONSOLE_SCRIPT)).not.toThrow();
    expect(CONSOLE_SCRIPT).not.toContain('innerHTML');
    expect(CONSOLE_SCRIPT).not.toMatch(/\beval\(|new Function/);
  });
});
