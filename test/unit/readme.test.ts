import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checksDoc, renderReadme } from "../../scripts/gen-readme.ts";
import { CHECKS } from "../../lib/checks/catalog.ts";

describe("README", () => {
  const text = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
  it("has the checks table generated from the catalog (run `npm run docs` after changing a check)", () => {
    expect(renderReadme(text)).toBe(text);
    for (const c of CHECKS) expect(text).toContain(`\`${c.id}\``);
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "checks.md"), "utf8");
    expect(doc).toBe(checksDoc());
  });
  it("opens with the demo and the test command", () => {
    const firstBlock = text.slice(0, 1500);
    expect(firstBlock).toContain("npm run demo");
    expect(firstBlock).toContain("npm test");
  });
});
