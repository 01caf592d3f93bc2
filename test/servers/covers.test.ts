// Which alerts a servers run may clear: only what it looked at. A server's alerts need that server's
// answer (the part they are about); a blind run clears nothing but the blind alert.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AlertState } from "../../lib/alerts/alert.ts";
import { finding, type CheckId } from "../../lib/checks/catalog.ts";
import { DEFAULT_CONFIG } from "../../lib/config/config.ts";
import { parseServersReplies, type ServersReplies } from "../../lib/collect/servers.ts";
import { fingerprint } from "../../lib/findings/finding.ts";
import { newRequestStats } from "../../lib/nats/stats.ts";
import type { SysEnvelope } from "../../lib/nats/wire.ts";
import { serversSlice } from "../../lib/slices/servers.ts";

const capture = JSON.parse(
  readFileSync(new URL("../fixtures/servers/replies-2.15.1.json", import.meta.url), "utf8"),
) as Record<string, SysEnvelope<object>[]>;
const alert = (id: CheckId, server?: string): AlertState => {
  const f = finding(id, server ? { cluster: "c", server } : { cluster: "c" }, "x");
  return { fingerprint: fingerprint(f), finding: f, firstSeen: 0, lastSeen: 0, clearRuns: 0 };
};
const covers = (r: Record<string, SysEnvelope<object>[]>) =>
  serversSlice.judge(
    parseServersReplies(r as unknown as ServersReplies, { collectedAt: 1, timeoutMs: 1, stats: newRequestStats() }),
    undefined,
    DEFAULT_CONFIG,
  ).covers;

describe("servers slice: what a run covers", () => {
  const [n1, n2] = [capture.VARZ![0]!.server.name, capture.VARZ![1]!.server.name];
  it("a server's gateway and health alerts clear only in a run in which it answered those requests", () => {
    // n2 answered VARZ only: its link and health alerts stay open; its restart alert may clear.
    const c = covers({
      varz: capture.VARZ!,
      healthz: capture.HEALTHZ!.filter((r) => r.server.name !== n2),
      gatewayz: capture.GATEWAYZ!.filter((r) => r.server.name !== n2),
    });
    expect(c(alert("gateway_lost", n1))).toBe(true);
    expect(c(alert("gateway_lost", n2))).toBe(false);
    expect(c(alert("server_health_jetstream", n2))).toBe(false);
    expect(c(alert("server_restarted", n2))).toBe(true);
    // A server that did not answer at all keeps every alert but the silent-server one.
    expect(c(alert("server_restarted", "gone"))).toBe(false);
    expect(c(alert("server_not_answering", "gone"))).toBe(true);
  });
  it("a blind run clears only the blind alert and the credentials alert (read from a file)", () => {
    const c = covers({ varz: [] });
    expect(c(alert("monitor_blind"))).toBe(true);
    expect(c(alert("monitor_credentials_expiring"))).toBe(true);
    expect(c(alert("server_not_answering", n1))).toBe(false);
    expect(c(alert("meta_even_size"))).toBe(false);
  });
});
