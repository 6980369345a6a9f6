import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Two cores: two workers; each test file gets its own database (embedded snapshot or server database).
    maxWorkers: 2,
    pool: 'forks',
  },
});
