// Peak RSS of a slice (streams, consumers), measured in a child process per S (see rss-child.ts).
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { projectRoot } from "../lib/testbed/servers.ts";
import type { SliceName } from "../lib/core/slice-name.ts";
import type { RssChildResult } from "./rss-child.ts";
import type { BenchTarget } from "./target.ts";

const run = promisify(execFile);

/** Bundles the child once, with the Lambda bundles' format and target (ESM, node22, minified). */
export async function buildRssChild(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), "lookout-bench-rss-")), "rss-child.mjs");
  await build({
    absWorkingDir: projectRoot,
    entryPoints: [join(projectRoot, "bench", "rss-child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: true,
    outfile,
    banner: {
      js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  return outfile;
}

export async function measureRss(
  childFile: string,
  target: BenchTarget,
  runs: number,
  slice: SliceName = "streams",
): Promise<RssChildResult> {
  let stdout: string;
  try {
    const args = ["--expose-gc", childFile, JSON.stringify(target), String(runs), slice];
    ({ stdout } = await run(process.execPath, args, {
      maxBuffer: 1 << 20,
      timeout: 600_000,
    }));
  } catch (e) {
    // The child is minified: keep the readable lines of its stderr (the error), not the source.
    const stderr = String((e as { stderr?: string }).stderr ?? "")
      .split("\n")
      .filter((l) => l.length < 400)
      .slice(-8)
      .join("\n");
    throw new Error(`the ${slice} slice child process failed: ${stderr || (e as Error).message}`, { cause: e });
  }
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as RssChildResult;
}
