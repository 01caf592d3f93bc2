// Which nats-server binaries this machine has: scripts/install-nats-servers.sh caches one per
// Debian suite under .cache/nats-server/<version>/nats-server.
import { existsSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { compareVersions, versionAtLeast } from "../nats/version.ts";

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cacheDir = join(projectRoot, ".cache", "nats-server");

export interface ServerBinary {
  version: string;
  path: string;
  /** Stream metadata (io.nats.monitor.*) arrived in 2.10. */
  hasMetadata: boolean;
}

const compare = compareVersions;
export { versionAtLeast };

/** Every cached server, oldest first. */
export function installedServers(): ServerBinary[] {
  if (!existsSync(cacheDir)) return [];
  return readdirSync(cacheDir)
    .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && existsSync(join(cacheDir, v, "nats-server")))
    .sort(compare)
    .map((version) => ({
      version,
      path: join(cacheDir, version, "nats-server"),
      hasMetadata: versionAtLeast(version, "2.10.0"),
    }));
}

/**
 * The servers a test suite runs against: 2.10.x and the newest by default (the minimum),
 * LOOKOUT_NATS_VERSIONS=all adds 2.9, or a comma list picks exact versions.
 */
export function serversUnderTest(): ServerBinary[] {
  const all = installedServers();
  if (all.length === 0) {
    throw new Error("no nats-server binaries cached: run `npm run setup` (scripts/install-nats-servers.sh)");
  }
  const want = process.env.LOOKOUT_NATS_VERSIONS;
  if (want === "all") return all;
  if (want) {
    const names = want.split(",").map((s) => s.trim());
    return all.filter((s) => names.some((n) => s.version === n || s.version.startsWith(n + ".")));
  }
  const newest = all[all.length - 1]!;
  const v210 = [...all].reverse().find((s) => s.version.startsWith("2.10."));
  return v210 && v210 !== newest ? [v210, newest] : [newest];
}

export function newestServer(): ServerBinary {
  const all = installedServers();
  const s = all[all.length - 1];
  if (!s) throw new Error("no nats-server binaries cached: run `npm run setup`");
  return s;
}
