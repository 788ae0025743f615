import { defineConfig } from 'vitest/config';

// The fault suite (npm run test:faults): kills, races, damaged files, hostile requests and a catalog load, each
// scenario tallied as tried / held / lost and printed as one table at the end.
export default defineConfig({
  resolve: { conditions: ['sluice-source'] },
  ssr: { resolve: { conditions: ['sluice-source'] } },
  test: {
    include: ['test/faults/**/*.fault.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One scenario at a time: they measure what holds under load, so they must not load each other.
    fileParallelism: false,
    globalSetup: ['test/faults/tally-setup.ts'],
    setupFiles: ['test/support/setup-environment.ts'],
  },
});
