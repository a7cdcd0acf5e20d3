import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['agent/test/**/*.test.ts', 'server/test/**/*.test.ts', 'tests/**/*.test.ts'],
    // Integration tests start real servers, agents, Docker containers and a browser: give them
    // room on a shared 2-core machine, and keep files apart so their ports and engines don't race.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
