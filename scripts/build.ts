// npm run build: the publishable package in dist/.
//   dist/cli.js              the CLI, one esbuild bundle (ESM, node20) with chunks loaded only by
//                            `check` and `watch`; its dependencies stay imports from node_modules
//   dist/lib, dist/infra     the library and the CDK construct, compiled by tsc (.js + .d.ts)
//   dist/functions/<slice>/  the Lambda handlers prebuilt with the construct's own esbuild options,
//                            which the installed construct deploys (it has no sources to bundle)
// `--cli` builds only the CLI (the test run's global setup: a fraction of a second).
// The CLI's files are written to a scratch folder and renamed into place, so a CLI that another
// process is starting is never read half written.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = join(ROOT, "dist");
export const CLI = join(DIST, "cli.js");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** Moves every file of `from` into the same place under `to`, the entry file last. */
function moveInto(from: string, to: string, last?: string): void {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(relative(from, p));
    }
  };
  walk(from);
  files.sort((a, b) => Number(a === last) - Number(b === last));
  for (const f of files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    renameSync(join(from, f), join(to, f));
  }
}

/** Builds the CLI; returns its files (relative to dist/). */
export async function buildCli(): Promise<string[]> {
  mkdirSync(DIST, { recursive: true });
  const tmp = mkdtempSync(join(DIST, ".cli-"));
  try {
    const r = await build({
      absWorkingDir: ROOT,
      entryPoints: { cli: "lib/cli/entry.ts" },
      bundle: true,
      splitting: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outdir: tmp,
      chunkNames: "cli-chunks/[name]-[hash]",
      packages: "external",
      banner: { js: "#!/usr/bin/env node" },
      define: { __LOOKOUT_VERSION__: JSON.stringify(VERSION) },
      legalComments: "none",
      logLevel: "warning",
      metafile: true,
    });
    moveInto(tmp, DIST, "cli.js");
    return Object.keys(r.metafile.outputs).map((f) => relative(tmp, join(ROOT, f)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function buildHandlers(): Promise<void> {
  // The construct's options (infra/bundling.ts), so the shipped bundles are the tested ones.
  const { esbuildOptions } = await import("../infra/bundling.ts");
  for (const slice of ["meta", "streams", "consumers", "servers"]) {
    await build(esbuildOptions(slice, join(DIST, "functions", slice)));
  }
}

function buildLibrary(): void {
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")],
    { stdio: "inherit" },
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--cli")) await buildCli();
  else {
    for (const d of ["lib", "infra", "functions"]) rmSync(join(DIST, d), { recursive: true, force: true });
    // dist/cli.js is replaced in place (a CLI running from it keeps working); chunks of older builds go.
    const cli = new Set(await buildCli());
    const chunks = join(DIST, "cli-chunks");
    for (const f of readdirSync(chunks)) if (!cli.has(`cli-chunks/${f}`)) rmSync(join(chunks, f));
    buildLibrary();
    await buildHandlers();
    for (const f of [
      "cli.js",
      "functions/meta/index.mjs",
      "functions/streams/index.mjs",
      "functions/consumers/index.mjs",
      "functions/servers/index.mjs",
    ]) {
      console.log(`build: dist/${f} ${(statSync(join(DIST, f)).size / 1024).toFixed(1)} KiB`);
    }
  }
}
