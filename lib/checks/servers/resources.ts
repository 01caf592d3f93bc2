// Resources per server: JetStream memory and storage against what streams reserved (SERVER_005 /
// JETSTREAM_007, SERVER_017) and against the configured maximum (memory: no catalog code;
// storage: SERVER_019), CPU per core (SERVER_003), connections against max_connections (SERVER_011).
import { finding } from "../catalog.ts";
import type { Finding } from "../../findings/finding.ts";
import type { ServersSnapshot } from "../../snapshot/servers.ts";
import { pct, round1, serverSubject } from "./subject.ts";
import type { ServerThresholds } from "./thresholds.ts";

const mib = (b: number) => `${round1(b / 1048576)} MiB`;

export function resourceFindings(snap: ServersSnapshot, t: ServerThresholds): Finding[] {
  const out: Finding[] = [];
  for (const s of snap.servers) {
    const subject = serverSubject(snap, s);
    const js = s.jetstream;
    if (js) {
      const memRes = pct(js.memory, js.reservedMemory);
      if (js.reservedMemory > 0 && memRes >= t.memoryCriticalPct) {
        out.push(
          finding(
            "server_js_memory_reserved_critical",
            subject,
            `${s.name} JetStream memory ${mib(js.memory)} is ${round1(memRes)}% of ${mib(js.reservedMemory)} reserved (critical at ${t.memoryCriticalPct}%)`,
            { used: js.memory, reserved: js.reservedMemory, pct: round1(memRes), threshold_pct: t.memoryCriticalPct },
          ),
        );
      } else if (js.reservedMemory > 0 && memRes >= t.memoryWarnPct) {
        out.push(
          finding(
            "server_js_memory_reserved",
            subject,
            `${s.name} JetStream memory ${mib(js.memory)} is ${round1(memRes)}% of ${mib(js.reservedMemory)} reserved (warning at ${t.memoryWarnPct}%)`,
            { used: js.memory, reserved: js.reservedMemory, pct: round1(memRes), threshold_pct: t.memoryWarnPct },
          ),
        );
      }
      const stRes = pct(js.storage, js.reservedStorage);
      if (js.reservedStorage > 0 && stRes >= t.storageWarnPct) {
        out.push(
          finding(
            "server_js_storage_reserved",
            subject,
            `${s.name} JetStream storage ${mib(js.storage)} is ${round1(stRes)}% of ${mib(js.reservedStorage)} reserved (warning at ${t.storageWarnPct}%)`,
            { used: js.storage, reserved: js.reservedStorage, pct: round1(stRes), threshold_pct: t.storageWarnPct },
          ),
        );
      }
      for (const [id, used, max, w, c, what] of [
        ["server_js_memory_max", js.memory, js.maxMemory, t.memoryWarnPct, t.memoryCriticalPct, "memory"],
        ["server_js_storage_max", js.storage, js.maxStorage, t.storageWarnPct, t.storageCriticalPct, "storage"],
      ] as const) {
        const p = pct(used, max);
        if (max <= 0 || p < w) continue;
        const sev = p >= c ? "critical" : "warning";
        out.push(
          finding(
            id,
            subject,
            `${s.name} JetStream ${what} ${mib(used)} is ${round1(p)}% of the configured maximum ${mib(max)} (${sev} at ${sev === "critical" ? c : w}%)`,
            { used, max, pct: round1(p), warning_pct: w, critical_pct: c },
            sev,
          ),
        );
      }
    }
    if (s.cpu !== undefined && s.cores) {
      const perCore = s.cpu / s.cores;
      if (perCore >= t.cpuPerCoreWarnPct) {
        out.push(
          finding(
            "server_cpu",
            subject,
            `${s.name} CPU ${round1(perCore)}% per core (${round1(s.cpu)}% on ${s.cores} cores; warning at ${t.cpuPerCoreWarnPct}%)`,
            { cpu: s.cpu, cores: s.cores, per_core_pct: round1(perCore), threshold_pct: t.cpuPerCoreWarnPct },
          ),
        );
      }
    }
    if (s.maxConnections) {
      const p = pct(s.connections, s.maxConnections);
      if (p >= t.connectionsWarnPct) {
        out.push(
          finding(
            "server_connections",
            subject,
            `${s.name} has ${s.connections} of ${s.maxConnections} connections (${round1(p)}%, warning at ${t.connectionsWarnPct}%)`,
            { connections: s.connections, max: s.maxConnections, pct: round1(p), threshold_pct: t.connectionsWarnPct },
          ),
        );
      }
    }
  }
  return out;
}
