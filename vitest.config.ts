import { configDefaults, defineConfig } from 'vitest/config';

// The CLI silences the AWS SDK's Node.js 22 notice (bin/edgewatch.mjs); test processes and the
// processes they start inherit this.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// chdb binds one data directory per process, so every test file runs in its own process.
export default defineConfig({
  test: {
    pool: 'forks',
    isolate: true,
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/kafka/**'] } },
      // The AWS stack (infra/aws, its own npm package): installs that package's dependencies first.
      {
        extends: true,
        test: { name: 'infra-aws', include: ['infra/aws/test/**/*.test.ts'], globalSetup: ['./infra/aws/test/install-dependencies.ts'], testTimeout: 240_000 },
      },
      // Tests on a real Kafka broker: one broker for all of them (started only when they run), and one
      // file at a time, since some restart it.
      {
        extends: true,
        test: {
          name: 'kafka',
          include: ['test/kafka/**/*.test.ts'],
          globalSetup: ['./test/kafka/broker-setup.ts'],
          maxWorkers: 1,
          testTimeout: 240_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
