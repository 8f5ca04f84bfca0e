// wrangler.toml settings the project's defences rely on (SECURITY.md): what Workers Logs may keep.
// Read as text, section by section: the settings are few and flat, and a TOML parser is not a dependency.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const toml = readFileSync(resolve(import.meta.dirname, '../../wrangler.toml'), 'utf8');

/** The `key = value` lines of one `[section]` (up to the next section header). */
function section(name: string): Record<string, string> {
  const lines = toml.split('\n');
  const start = lines.findIndex((line) => line.trim() === `[${name}]`);
  if (start < 0) return {};
  const entries: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\s*\[/.test(line)) break;
    const m = /^\s*([A-Za-z_]+)\s*=\s*(.+?)\s*$/.exec(line);
    if (m) entries[m[1]!] = m[2]!;
  }
  return entries;
}

describe('wrangler.toml', () => {
  it('Workers Logs keep no request line and no query string: log-upload signatures and live tickets stay out of them', () => {
    expect(section('observability')).toMatchObject({ enabled: 'true', redact_query_string: 'true' });
    expect(section('observability.logs')).toMatchObject({ invocation_logs: 'false' });
  });
});
