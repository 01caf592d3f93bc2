// Issue 8: the monitor works with users restricted to the minimal allow lists the README documents,
// on servers with authorization on; and each allowed subject is needed (a narrower list degrades).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConfig } from "../../lib/config/load.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { RunReport } from "../../lib/run/run-slice.ts";
import { runOnce } from "../harness/run.ts";
import { SLICES } from "../../lib/slices/index.ts";
import type { Slice } from "../../lib/slices/slice.ts";
import { NatsCluster } from "../../lib/testbed/cluster.ts";
import { newestServer } from "../../lib/testbed/servers.ts";
import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { addStream } from "../streams/topology.ts";

/** The allow lists documented in the README ("NATS permissions"). */
export const SYSTEM_MODE_PERMISSIONS = {
  publish: {
    allow: [
      "$SYS.REQ.SERVER.PING.JSZ",
      "$SYS.REQ.SERVER.PING.RAFTZ",
      // the servers slice
      "$SYS.REQ.SERVER.PING.VARZ",
      "$SYS.REQ.SERVER.PING.HEALTHZ",
      "$SYS.REQ.SERVER.PING.ROUTEZ",
      "$SYS.REQ.SERVER.PING.GATEWAYZ",
      "$SYS.REQ.SERVER.PING.LEAFZ",
      "$SYS.REQ.ACCOUNT.PING.STATZ",
      // only with a creds file: its account's JWT as the servers hold it
      "$SYS.REQ.SERVER.PING.ACCOUNTZ",
    ],
  },
  subscribe: { allow: ["_INBOX.>"] },
};
export const ACCOUNT_MODE_PERMISSIONS = {
  publish: { allow: ["$JS.API.STREAM.LIST"] },
  subscribe: { allow: ["_INBOX.>"] },
};
/** Account mode with the consumers slice too: each stream's consumer listing. */
export const ACCOUNT_MODE_CONSUMER_PERMISSIONS = {
  publish: { allow: ["$JS.API.STREAM.LIST", "$JS.API.CONSUMER.LIST.>"] },
  subscribe: { allow: ["_INBOX.>"] },
};
const user = (name: string, perms: object) =>
  `{ user: "${name}", password: "${name}-pw", permissions: ${JSON.stringify(perms)} }`;

describe("minimal NATS permissions", () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await NatsCluster.start({
      binary: newestServer(),
      extraUsers: [
        {
          account: "SYS",
          users: [
            user("monitor", SYSTEM_MODE_PERMISSIONS),
            user("narrow", { publish: { allow: ["$SYS.REQ.SERVER.PING.JSZ"] }, subscribe: { allow: ["_INBOX.>"] } }),
          ],
        },
        {
          account: "APP",
          users: [user("appmon", ACCOUNT_MODE_PERMISSIONS), user("appcons", ACCOUNT_MODE_CONSUMER_PERMISSIONS)],
        },
      ],
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function run(slice: Slice, name: string, mode: "system" | "account"): Promise<RunReport> {
    const config = buildConfig(
      {
        nats: { servers: cluster.urls, user: name, password: `${name}-pw` },
        mode,
        timeouts: { request: "3s", connect: "2s" },
      },
      {},
    );
    return runOnce(slice, { config, history: new FileHistoryStore(mkdtempSync(join(tmpdir(), "lookout-perm-"))) });
  }

  it("system mode: the meta slice sees everything with publish JSZ+RAFTZ and subscribe _INBOX.>", async () => {
    const r = await run(SLICES.meta!, "monitor", "system");
    expect(r.findings).toEqual([]);
    expect(r.requests.requests).toBe(2);
  });

  it("system mode: the consumers and servers slices see everything with the same list", async () => {
    for (const slice of [SLICES.consumers!, SLICES.servers!]) {
      const r = await run(slice, "monitor", "system");
      expect(r.status, `${slice.name}: ${JSON.stringify(r.findings.map((f) => f.summary))}`).not.toBe("unknown");
      expect(r.findings.filter((f) => f.id.startsWith("monitor_"))).toEqual([]);
    }
  });

  it("system mode: without RAFTZ the run says its collection was incomplete", async () => {
    const r = await run(SLICES.meta!, "narrow", "system");
    expect(r.findings.map((f) => f.id)).toEqual(["monitor_partial"]);
    expect(r.findings[0]!.summary).toMatch(/RAFTZ/);
  });

  it("system mode: the streams slice works with the same list", async () => {
    const r = await run(SLICES.streams!, "monitor", "system");
    expect(r.findings).toEqual([]);
  });

  it("account mode: the streams slice works with publish $JS.API.STREAM.LIST and subscribe _INBOX.>", async () => {
    const r = await run(SLICES.streams!, "appmon", "account");
    expect(r.findings).toEqual([]);
  });

  it("the consumers slice: the system list in system mode; STREAM.LIST and CONSUMER.LIST.> in account mode", async () => {
    const app = await cluster.appConnection("APP");
    try {
      await addStream(app, { name: "PERM", subjects: ["perm.>"], num_replicas: 1 });
      await (await jetstreamManager(app)).consumers.add("PERM", { durable_name: "PC", ack_policy: AckPolicy.Explicit });
    } finally {
      await app.close();
    }
    const system = await run(SLICES.consumers!, "monitor", "system");
    expect(system.findings).toEqual([]);
    expect(system.perf.find((p) => p.name === "consumers_judged")!.value).toBe(1);
    const account = await run(SLICES.consumers!, "appcons", "account");
    expect(account.findings).toEqual([]);
    expect(account.perf.find((p) => p.name === "consumers_judged")!.value).toBe(1);
    // Without CONSUMER.LIST the run says which stream it could not list, never "healthy".
    const narrow = await run(SLICES.consumers!, "appmon", "account");
    expect(narrow.findings.map((f) => f.id)).toEqual(["monitor_partial"]);
    expect(narrow.findings[0]!.summary).toMatch(/CONSUMER\.LIST\.PERM/);
  });
});
