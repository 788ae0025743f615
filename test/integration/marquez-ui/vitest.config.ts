import { defineConfig } from 'vitest/config';

// The Marquez web UI suite runs apart from `npm test`: it needs Chromium and a build of the UI (`npm run test:marquez-ui`).
export default defineConfig({
  // `sluice` imports resolve to the TypeScript sources, as in vitest.config.ts.
  resolve: { conditions: ['sluice-source'] },
  ssr: { resolve: { conditions: ['sluice-source'] } },
  test: {
    setupFiles: ['test/support/setup-environment.ts'],
    include: ['test/integration/marquez-ui/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
