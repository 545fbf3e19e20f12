import { defineConfig } from 'vitest/config'

/** `npm run test:load`: the load test alone, outside the default test command because it takes minutes. */
export default defineConfig({
  test: {
    include: ['test/load/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/run-environment.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
})
