import { defineConfig } from 'vitest/config';

// The browser suite runs apart from `npm test`: it needs Chromium (`npm run test:browser` installs it when missing).
export default defineConfig({
  // `sluice` imports resolve to the TypeScript sources, as in vitest.config.ts.
  resolve: { conditions: ['sluice-source'] },
  ssr: { resolve: { conditions: ['sluice-source'] } },
  test: {
    setupFiles: ['test/support/setup-environment.ts'],
    include: ['test/integration/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
