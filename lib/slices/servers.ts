// The servers slice: each server's health, resources, restarts, links and per-account counters (VARZ,
// HEALTHZ, ROUTEZ, GATEWAYZ, LEAFZ, ACCOUNT STATZ fan-outs; ACCOUNTZ for the monitor's account),
// judged with what earlier runs saw.
import type { AlertState } from "../alerts/alert.ts";
import { judgeServers } from "../checks/servers/run.ts";
import type { ServersObservation } from "../checks/servers/observation.ts";
import { serverThresholds } from "../checks/servers/thresholds.ts";
import { collectServers, type ServersCollectOptions } from "../collect/servers.ts";
import { reportsAccountCounters } from "../collect/servers-accounts.ts";
import type { ServerLine, ServersSnapshot } from "../snapshot/servers.ts";
import type { Slice } from "./slice.ts";

// Which part of a server's answer an alert needs: it clears only in a run that got that part.
const NEEDS: Record<string, keyof ServerLine> = {
  server_health: "health",
  server_health_jetstream: "health",
  server_health_asset: "health",
  server_health_account: "health",
  cluster_routes_missing: "routes",
  route_rtt: "routes",
  gateway_lost: "gateways",
  gateway_rtt: "gateways",
  leaf_lost: "leafs",
  leaf_rtt: "leafs",
  account_slow_consumers: "accounts",
};

export const serversSlice: Slice<ServersSnapshot, ServersObservation> = {
  name: "servers",
  collect: (nc, ctx) => {
    const o: ServersCollectOptions = { timeoutMs: ctx.config.timeouts.requestMs, stats: ctx.stats, now: ctx.now };
    if (ctx.deadline !== undefined) o.deadline = ctx.deadline;
    if (ctx.config.clusterLabel) o.clusterLabel = ctx.config.clusterLabel;
    if (ctx.config.nats.creds) o.credsFile = ctx.config.nats.creds;
    const known = Object.values(ctx.previous?.servers ?? {});
    if (known.length) {
      o.expectedServers = known.length;
      o.expectedAccountCounters = known.filter((m) => reportsAccountCounters(m.version)).length;
    }
    return collectServers(nc, o);
  },
  blind: (reason, ctx) => ({
    collectedAt: ctx.now(),
    cluster: ctx.config.clusterLabel,
    blind: reason,
    servers: [],
    problems: [],
    stats: ctx.stats,
  }),
  judge: (snap, prev, config) => {
    const { findings, observation } = judgeServers(snap, prev, serverThresholds(config));
    return { findings, observation, covers: (alert) => covers(snap, alert) };
  },
  perf: (snap) => {
    if (snap.blind) return [];
    const unhealthy = snap.servers.filter((s) => s.health && s.health.status !== "ok").length;
    return [
      { name: "servers_answered", value: snap.servers.length, help: "Servers that answered the VARZ fan-out.", min: 0 },
      {
        name: "servers_unhealthy",
        value: unhealthy,
        help: "Servers whose HEALTHZ status is not ok.",
        critical: "0",
        min: 0,
      },
    ];
  },
};

// A blind run clears only the blind alert (and what the creds file says). A server's alerts clear
// only when that server answered (the part they need); a silent server's once it answers again. The
// account JWT's alert clears when a server showed the account, or the monitor no longer names one.
function covers(snap: ServersSnapshot, alert: AlertState): boolean {
  const id = alert.finding.id;
  if (id === "monitor_blind" || id === "monitor_credentials_expiring") return true;
  if (snap.blind) return false;
  if (id === "monitor_account_expiring") {
    const c = snap.credentials;
    return c?.account === undefined || c.account !== alert.finding.subject.account || c.accountJwt !== undefined;
  }
  const server = alert.finding.subject.server;
  if (server === undefined || id === "server_not_answering") return true;
  const s = snap.servers.find((x) => x.name === server);
  const part = NEEDS[id];
  return s !== undefined && (part === undefined || s[part] !== undefined);
}
