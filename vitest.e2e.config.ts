// End-to-end tests: `wrangler dev` on a free loopback port, driven by ocpp-rpc clients in strict mode.
import { defineConfig } from 'vitest/config';
import { reporters } from './test/reporters.ts';

export default defineConfig({
  test: {
    name: 'e2e',
    reporters: reporters('e2e'),
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['./test/e2e/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One Worker serves every test file; run the files one after another.
    fileParallelism: false,
  },
});
