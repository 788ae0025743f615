import { defineConfig } from 'vitest/config';

// The real-MLflow suite runs apart from `npm test`: it needs Python and PyPI (`npm run test:mlflow` prepares both).
export default defineConfig({
  // `sluice` imports resolve to the TypeScript sources, as in vitest.config.ts.
  resolve: { conditions: ['sluice-source'] },
  ssr: { resolve: { conditions: ['sluice-source'] } },
  test: {
    setupFiles: ['test/support/setup-environment.ts'],
    include: ['test/integration/mlflow/**/*.test.ts'],
    testTimeout: 180_000,
    // The first run installs MLflow into .cache/ (a minute or two), then starts the server and trains the models.
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
