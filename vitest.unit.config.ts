// Unit tests of the protocol layer: plain Node, no Workers runtime needed.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'unit',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
  },
});
