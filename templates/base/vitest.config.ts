import { defineConfig } from 'vitest/config';

export default defineConfig({
  // A local run starts an embedded S3 and DuckDB: give each test room on a busy machine.
  test: { testTimeout: 60_000 },
});
