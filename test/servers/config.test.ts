// thresholds.servers in the configuration: rows of the one threshold table, kebab-case keys.
import { describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { DEFAULT_SERVER_THRESHOLDS } from "../../lib/thresholds/servers.ts";

describe("thresholds.servers", () => {
  it("defaults come from the catalog; set keys override them", () => {
    expect(buildConfig({}, {}).thresholds.servers).toEqual(DEFAULT_SERVER_THRESHOLDS);
    const c = buildConfig(
      { thresholds: { servers: { "route-rtt-warn": "20ms", "memory-warn-percent": 80, "creds-warn": "30d" } } },
      {},
    );
    expect(c.thresholds.servers).toEqual({
      ...DEFAULT_SERVER_THRESHOLDS,
      routeRttWarnMs: 20,
      memoryWarnPct: 80,
      credsWarnMs: 30 * 86_400_000,
    });
  });
  it("an unknown key or a bad value fails loading", () => {
    expect(() => buildConfig({ thresholds: { servers: { "route-rtt": "20ms" } } }, {})).toThrow(
      /thresholds.servers.route-rtt: unknown key/,
    );
    expect(() => buildConfig({ thresholds: { servers: { "gateway-rtt-warn": "soon" } } }, {})).toThrow(
      /thresholds.servers.gateway-rtt-warn/,
    );
  });
});
