import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    // Forks, not threads: tests bind sockets and spawn the CLI; process isolation keeps them honest.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    // ink decides at import time that a CI variable means "print only the last frame"; the in-process
    // TUI tests need interactive rendering. (The product loads ink through src/tui/load.ts, which does
    // the same; the tmux e2e test runs the CLI with CI=true to prove it.)
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
  },
});
