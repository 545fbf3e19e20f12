import { defineConfig } from 'vitest/config'

/**
 * Two projects: `unit` needs no broker and no Java (pure logic, and the templates as `serverless package`
 * builds them); `integration` runs against a real broker of the run's own, which its global setup starts
 * on free ports and stops, and may run Java. `npm test` runs both with coverage of lib/; `npm run
 * test:unit` the first alone. Two runs at once on one machine (two checkouts) do not meet.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // A passing test prints nothing; a failing one shows what it logged.
    silent: 'passed-only',
    env: {
      // Powertools loggers then write through console, which the line above holds back.
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    coverage: {
      provider: 'v8',
      include: ['lib/**/*.ts'],
      reporter: ['text-summary', 'html'],
      thresholds: { lines: 90, functions: 90, branches: 80, statements: 90 },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/templates/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // A broker and a temp folder of the run's own, handed to every test file (and what it starts).
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/run-environment.ts'],
          sequence: { groupOrder: 1 },
          // Integration tests share one broker on 2 cores; a few files at a time keeps them fast and steady.
          maxWorkers: 3,
        },
      },
    ],
  },
})
