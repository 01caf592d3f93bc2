// How every handler is bundled, in one place: the construct hands these options to NodejsFunction
// (which runs the local esbuild CLI), and the tests feed the same options to esbuild's API. The
// bundles that CDK ships are the ones tested (test/infra/bundle.test.ts compares them byte for byte).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildOptions } from "esbuild";
import { OutputFormat, type BundlingOptions } from "aws-cdk-lib/aws-lambda-nodejs";

/** The repository root: functions/, lib/ and package-lock.json live here. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The handler entry of a slice. */
export const entryFor = (slice: string): string => join(PROJECT_ROOT, "functions", `${slice}.ts`);

/** The handler of a slice prebuilt by `npm run build` with the options below (dist/functions/<slice>/
 * index.mjs). The installed package has no sources to bundle: its construct (compiled to dist/infra,
 * so PROJECT_ROOT is dist/) deploys these. */
export const prebuiltFor = (slice: string): string => join(PROJECT_ROOT, "functions", slice);

/** Whether the slice is bundled from its sources (this repository) or deployed prebuilt (the package). */
export const hasSources = (slice: string): boolean => existsSync(entryFor(slice));

/** Whether a slice has a handler either way. */
export const hasHandler = (slice: string): boolean =>
  hasSources(slice) || existsSync(join(prebuiltFor(slice), "index.mjs"));

/** Lambda's nodejs22.x runtime. */
export const NODE_TARGET = "node22";

// ES modules need `require` for the few CommonJS dependencies that call it for Node built-ins.
const REQUIRE_SHIM =
  "import { createRequire as __lookoutCreateRequire } from 'node:module'; const require = __lookoutCreateRequire(import.meta.url);";

/** The single source of truth; both mappings below read only this. */
export const LOOKOUT_BUNDLE = {
  format: "esm",
  target: NODE_TARGET,
  minify: true,
  sourceMap: true,
  // Stack traces need the mappings, not the sources: a smaller asset.
  sourcesContent: false,
  // Minified class names would turn BlindError into "t" in Lambda's error type.
  keepNames: true,
  mainFields: ["module", "main"],
  banner: REQUIRE_SHIM,
  // Nothing external: the AWS SDK version we test is the one that runs (not the runtime's copy).
  externalModules: [] as string[],
} as const;

/** NodejsFunction's bundling props: local esbuild, never Docker. */
export function cdkBundling(): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: LOOKOUT_BUNDLE.target,
    minify: LOOKOUT_BUNDLE.minify,
    sourceMap: LOOKOUT_BUNDLE.sourceMap,
    sourcesContent: LOOKOUT_BUNDLE.sourcesContent,
    keepNames: LOOKOUT_BUNDLE.keepNames,
    mainFields: [...LOOKOUT_BUNDLE.mainFields],
    banner: LOOKOUT_BUNDLE.banner,
    externalModules: [...LOOKOUT_BUNDLE.externalModules],
  };
}

/** The same build through esbuild's API, as NodejsFunction runs its CLI (cwd = project root,
 * `--bundle --platform=node`, output `index.mjs` for ESM). */
export function esbuildOptions(slice: string, outdir: string): BuildOptions & { outfile: string } {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entryFor(slice)],
    bundle: true,
    platform: "node",
    format: LOOKOUT_BUNDLE.format,
    target: LOOKOUT_BUNDLE.target,
    outfile: join(outdir, "index.mjs"),
    minify: LOOKOUT_BUNDLE.minify,
    sourcemap: LOOKOUT_BUNDLE.sourceMap,
    sourcesContent: LOOKOUT_BUNDLE.sourcesContent,
    keepNames: LOOKOUT_BUNDLE.keepNames,
    mainFields: [...LOOKOUT_BUNDLE.mainFields],
    banner: { js: LOOKOUT_BUNDLE.banner },
    external: [...LOOKOUT_BUNDLE.externalModules],
    logLevel: "warning",
  };
}
