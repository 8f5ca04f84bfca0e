// Test reporters: the default one, plus a JSON report per suite when CI asks for one.
export function reporters(suite: string): (string | [string, Record<string, unknown>])[] {
  const dir = process.env.VITEST_JSON_REPORT_DIR;
  return dir ? ['default', ['json', { outputFile: `${dir}/${suite}.json` }]] : ['default'];
}
