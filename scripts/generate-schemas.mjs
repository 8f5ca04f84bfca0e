// Writes src/ocpp/{v16,v201,v21}/schemas.generated.ts from schemas/*.json (see generate-schemas-core.mjs).
//
//   node scripts/generate-schemas.mjs           regenerate the modules
//   node scripts/generate-schemas.mjs --check   exit 1, writing nothing, if a module is stale

import { writeFileSync } from 'node:fs';
import { TARGETS, generateModule, readRepoFile } from './generate-schemas-core.mjs';

const args = process.argv.slice(2);
const check = args.includes('--check');
const unknown = args.filter((a) => a !== '--check');
if (unknown.length > 0) {
  console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: node scripts/generate-schemas.mjs [--check]`);
  process.exit(2);
}

// Generate everything before writing anything, so a schema the generator rejects leaves no
// half-updated tree behind.
const modules = TARGETS.map(({ source, output }) => ({
  output,
  text: generateModule(readRepoFile(source), source.split('/').pop()),
}));

let stale = 0;
for (const { output, text } of modules) {
  let current = null;
  try {
    current = readRepoFile(output);
  } catch {
    // missing: stale
  }
  if (current === text) {
    console.log(`${output} is up to date`);
    continue;
  }
  if (check) {
    console.error(`${output} is stale: run \`npm run generate\``);
    stale += 1;
  } else {
    writeFileSync(new URL(`../${output}`, import.meta.url), text);
    console.log(`wrote ${output}`);
  }
}
if (stale > 0) process.exit(1);
