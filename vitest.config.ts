import { defineConfig } from "vitest/config";

// Integration tests start real nats-server clusters and moto_server on 127.0.0.1; two cores here,
// so files run two at a time and tests inside a file run in order.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/build-cli.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    fileParallelism: true,
    sequence: { concurrent: false },
    reporters: ["default"],
  },
});
