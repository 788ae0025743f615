import { defineConfig } from 'vitest/config';

// The real-Marquez suite runs apart from `npm test`: it needs Java, Maven and PostgreSQL (`npm run test:marquez`).
export default defineConfig({
  test: {
    include: ['test/integration/marquez/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Each file starts its own Marquez; one at a time on a 2-core machine.
    fileParallelism: false,
  },
});
