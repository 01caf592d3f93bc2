// The bundles CDK ships are the ones tested: each handler built with esbuild from the shared
// options (infra/bundling.ts) is byte-identical to the asset `cdk synth` stages, self-contained
// (only Node built-ins stay imports), and its size is reported.
import { readFileSync, statSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { esbuildOptions } from "../../infra/bundling.ts";
import { functionIdOf, synthEnvironment } from "./synth.ts";

const SLICES = ["meta", "streams", "servers"];

describe("Lambda bundles", () => {
  const staging = synthEnvironment("staging", { bundle: true });

  for (const slice of SLICES) {
    it(`builds the ${slice} handler exactly as the stack does`, async () => {
      const outdir = mkdtempSync(join(tmpdir(), `lookout-bundle-${slice}-`));
      const o = esbuildOptions(slice, outdir);
      const result = await build(o);
      expect(result.errors).toEqual([]);

      const fn = staging.json.Resources[functionIdOf(staging.json, slice)]!;
      const assetDir = join(staging.outdir, String(fn.Metadata!["aws:asset:path"]));
      const ours = readFileSync(o.outfile);
      const shipped = readFileSync(join(assetDir, "index.mjs"));
      expect(ours.equals(shipped)).toBe(true);

      // Self-contained: the AWS SDK, nats.js and Powertools are inside; only node: built-ins (and
      // the SDK's optional CRT signer, loaded in a try) are left to the runtime.
      const specifiers = new Set(
        [...ours.toString().matchAll(/(?:\bfrom|\bimport\(|\brequire\(|=[A-Za-z_$][\w$]*\()"([^"]+)"/g)].map(
          (m) => m[1]!,
        ),
      );
      const external = [...specifiers].filter(
        (s) => !s.startsWith("node:") && s !== "@aws-sdk/signature-v4-crt" && /^[@a-z]/.test(s) && !s.includes(" "),
      );
      expect(external.filter((s) => /^(@aws-sdk|@smithy|@nats-io|@aws-lambda-powertools)\//.test(s))).toEqual([]);

      const bytes = statSync(o.outfile).size;
      const map = statSync(`${o.outfile}.map`).size;
      const gz = gzipSync(ours).length;
      console.log(
        `[bundle] ${slice}: index.mjs ${(bytes / 1024).toFixed(1)} KiB (gzip ${(gz / 1024).toFixed(1)} KiB), source map ${(map / 1024).toFixed(1)} KiB`,
      );
    });
  }

  it("holds only its own slice: the meta bundle has no streams code, and the other way round", async () => {
    const sources = async (slice: string) => {
      const r = await build({
        ...esbuildOptions(slice, mkdtempSync(join(tmpdir(), `lookout-meta-${slice}-`))),
        metafile: true,
      });
      return Object.values(r.metafile.outputs)
        .flatMap((o) => Object.keys(o.inputs))
        .filter((k) => k.startsWith("lib/"));
    };
    const meta = await sources("meta");
    const streams = await sources("streams");
    expect(meta).toContain("lib/collect/meta.ts");
    expect(meta.filter((f) => /stream/.test(f))).toEqual([]);
    expect(streams).toContain("lib/collect/streams.ts");
    expect(streams.filter((f) => /collect\/meta|slices\/meta/.test(f))).toEqual([]);
  });
});
