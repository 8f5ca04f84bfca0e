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
import { cdrExportMemory } from './lib/cdr-export.mjs';
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
  const mib = (n) => n.toFixed(1);
  console.log(`CDR CSV export: ${r.cdrs.toLocaleString('en')} CDRs, ${mib(r.exportMiB)} MiB in ${r.chunks} chunks, ${r.seconds.toFixed(2)} s`);
  console.log(`Worker workerd RSS: ${mib(r.rssBeforeMiB)} MiB before, ${mib(r.rssMaxMiB)} MiB at most while exporting (rise ${mib(r.rssRiseMiB)} MiB); peak (VmHWM) ${mib(r.peakBeforeMiB)} → ${mib(r.peakAfterMiB)} MiB`);
  if (args.json) writeFileSync(args.json, JSON.stringify(r, null, 2));
} finally {
  await csms.stop();
}
