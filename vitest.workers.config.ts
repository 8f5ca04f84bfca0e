// Integration tests inside the real Workers runtime: the Worker, its Durable Objects and a local D1.
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { reporters } from './test/reporters.ts';

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // The optional outputs, bound as a deployment would bind them (see test/workers/outputs.test.ts).
          analyticsEngineDatasets: { METRICS: { dataset: 'csms_test' } },
          queueProducers: { EVENTS: 'csms-events' },
          bindings: {
            API_TOKEN: 'test-token',
            TEST_MIGRATIONS: migrations,
            UNKNOWN_CHARGER_POLICY: 'accept',
            // Tests copy to D1 when they choose (flushNow), not when a timer fires mid-test.
            FLEET_FLUSH_SECONDS: '3600',
            // One log line per message would bury the test output.
            LOG_MESSAGES: 'false',
          },
        },
      }),
    ],
    test: {
      name: 'workers',
      reporters: reporters('workers'),
      include: ['test/workers/**/*.test.ts'],
      setupFiles: ['./test/workers/apply-migrations.ts'],
    },
  };
});
