// The servers slice's part of the report, by cluster size (servers), not by S.
import type { ServersFigures } from "./measure-servers.ts";
import { round } from "./stats.ts";

export interface ServersReport {
  /** The cluster sizes measured, each on a fresh cluster without streams. */
  servers_counts: number[];
  servers_answered: Record<string, number>;
  servers_slice_requests_per_run: Record<string, number>;
  servers_slice_bytes_received_per_run: Record<string, number>;
  servers_slice_json_bytes_per_run: Record<string, number>;
  /** Runs after the first, through runSlice with DynamoDB history: medians. */
  servers_slice_ms: Record<string, number>;
  servers_slice_cpu_ms: Record<string, number>;
  /** The first run knows no server count and waits the request timeout (servers_request_timeout). */
  servers_slice_first_run_ms: Record<string, number>;
  servers_request_timeout: string;
  servers_findings_per_run: Record<string, number>;
  servers_ddb_items_written_per_run: Record<string, number>;
  servers_ddb_write_units_per_run: Record<string, number>;
  servers_history_bytes_per_run: Record<string, number>;
}

export function serversReport(servers: ServersFigures[]): ServersReport {
  const by = (f: (s: ServersFigures) => number): Record<string, number> =>
    Object.fromEntries(servers.map((s) => [String(s.servers), f(s)]));
  return {
    servers_counts: servers.map((s) => s.servers),
    servers_answered: by((s) => s.answered),
    servers_slice_requests_per_run: by((s) => s.slice.requests),
    servers_slice_bytes_received_per_run: by((s) => s.slice.bytesReceived),
    servers_slice_json_bytes_per_run: by((s) => s.slice.bytesDecoded),
    servers_slice_ms: by((s) => round(s.slice.wallMs)),
    servers_slice_cpu_ms: by((s) => round(s.slice.cpuMs)),
    servers_slice_first_run_ms: by((s) => round(s.firstRunMs)),
    servers_request_timeout: servers[0]?.requestTimeout ?? "",
    servers_findings_per_run: by((s) => s.slice.findings),
    servers_ddb_items_written_per_run: by((s) => s.slice.historyItemsWritten),
    servers_ddb_write_units_per_run: by((s) => s.slice.writeUnits),
    servers_history_bytes_per_run: by((s) => s.slice.historyBytesWritten),
  };
}
