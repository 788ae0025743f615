import { defineConfig } from 'vitest/config';

// The real-Marquez suite runs apart from `npm test`: it needs Java, Maven and PostgreSQL (`npm run test:marquez`).
export default defineConfig({
  // `sluice` imports resolve to the TypeScript sources, as in vitest.config.ts.
  resolve: { conditions: ['sluice-source'] },
  ssr: { resolve: { conditions: ['sluice-source'] } },
  test: {
    setupFiles: ['test/support/setup-environment.ts'],
    include: ['test/integration/marquez/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Each file starts its own Marquez; one at a time on a 2-core machine.
    fileParallelism: false,
  },
});
