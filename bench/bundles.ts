// Each Lambda bundle as the stack ships it (infra/bundling.ts's esbuild options: ESM, node22,
// minified, source maps), its size, and its module initialisation time: the bundle imported in a
// fresh node process with the function's NODE_OPTIONS, several times, median.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { esbuildOptions, PROJECT_ROOT } from "../infra/bundling.ts";
import { median } from "./stats.ts";

const run = promisify(execFile);

export interface BundleFigures {
  /** index.mjs, minified (the source map ships beside it and is not loaded unless a trace is mapped). */
  bytes: number;
  mapBytes: number;
  initMs: number;
  initRunsMs: number[];
}

/** Slices that have a handler in functions/. */
export const functionNames = (): string[] =>
  readdirSync(join(PROJECT_ROOT, "functions"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => basename(f, ".ts"))
    .sort();

// Times the import alone, inside the child, so node's own start-up is not counted.
const IMPORT_TIMER = `
const t0 = performance.now();
await import(process.argv[1]);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }));
`;

async function initOnce(file: string): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    ["--enable-source-maps", "--input-type=module", "-e", IMPORT_TIMER, pathToFileURL(file).href],
    {
      // What the stack sets that the module scope may read; no credentials, nothing is called.
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: "us-east-1",
        POWERTOOLS_SERVICE_NAME: "nats-lookout",
        POWERTOOLS_LOG_LEVEL: "INFO",
      },
      timeout: 60_000,
    },
  );
  return (JSON.parse(stdout) as { ms: number }).ms;
}

export async function measureBundle(name: string, initRuns: number): Promise<BundleFigures> {
  const outdir = mkdtempSync(join(tmpdir(), `lookout-bench-${name}-`));
  const opts = esbuildOptions(name, outdir);
  await build(opts);
  const times: number[] = [];
  for (let i = 0; i < initRuns; i++) times.push(await initOnce(opts.outfile));
  return {
    bytes: statSync(opts.outfile).size,
    mapBytes: statSync(`${opts.outfile}.map`).size,
    initMs: median(times),
    initRunsMs: times,
  };
}
