// Vitest global setup: the tests run the CLI as users do (bin/lookout.js -> dist/cli.js), so it is
// rebuilt from the current sources before any test file starts (esbuild, well under a second).
import { buildCli } from "../../scripts/build.ts";

export default async function setup(): Promise<void> {
  await buildCli();
}
