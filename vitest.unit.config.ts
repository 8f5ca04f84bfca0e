// Unit tests of the protocol layer: plain Node, no Workers runtime needed.
import { defineConfig } from 'vitest/config';
import { reporters } from './test/reporters.ts';

export default defineConfig({
  test: {
    name: 'unit',
    reporters: reporters('unit'),
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
  },
});
