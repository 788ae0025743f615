import { defineConfig } from 'vitest/config';

// The Marquez web UI suite runs apart from `npm test`: it needs Chromium and a build of the UI (`npm run test:marquez-ui`).
export default defineConfig({
  test: {
    include: ['test/integration/marquez-ui/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
