import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Integration suites start their own moto server on a free port; two at a time fit a 2-core machine.
    maxWorkers: 2,
  },
});
