// `npm run bench:cdrs`: the CDR CSV export's peak memory alone (issue 14: "CSV export of 10,000 CDRs
// is tested for memory: it streams"); `npm run bench` runs the same measurement as its last part
// (`--cdrs N`, 0 to skip). Starts this CSMS under wrangler dev (bench/lib/targets.mjs),
// seeds the CDRs into its local D1, reads the export to its end while sampling the Worker's workerd
// RSS, prints the figures and stops. Runs on 127.0.0.1 only.
//
//   npm run bench:cdrs -- [--cdrs 10000] [--json FILE]
//
// Run it at two sizes (e.g. --cdrs 10000 and --cdrs 40000): a streamed export's RSS rise stays about
// the same while the export grows; an export built in memory rises with it.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cdrExportMemory, renderCdrExport } from './lib/cdr-export.mjs';
import { startCsms } from './lib/targets.mjs';

const { values: args } = parseArgs({
  options: {
    cdrs: { type: 'string', default: '10000' },
    json: { type: 'string' },
  },
});
const count = Number(args.cdrs);
if (!Number.isInteger(count) || count < 1 || count > 200_000) throw new Error('--cdrs must be an integer from 1 to 200000');

const csms = await startCsms({}, { name: '(a) this CSMS' });
try {
  const r = await cdrExportMemory(csms, { count });
  process.stdout.write(renderCdrExport(r));
  if (args.json) writeFileSync(args.json, JSON.stringify(r, null, 2));
} finally {
  await csms.stop();
}
