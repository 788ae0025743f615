import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `sluice` imports resolve to the TypeScript sources here, to the compiled package elsewhere.
  resolve: { conditions: ['sluice-source'] },
  ssr: { resolve: { conditions: ['sluice-source'] } },
  test: {
    include: ['test/**/*.test.ts', 'templates/*/test/**/*.test.ts'],
    exclude: ['test/integration/**', 'test/faults/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/support/setup-environment.ts'],
  },
});
