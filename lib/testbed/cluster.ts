// Real nats-server clusters on 127.0.0.1 for tests, the demo and the benchmark.
// Each server is a child process we started; we only ever signal those PIDs.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, createWriteStream, mkdirSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { ServerBinary } from "./servers.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Thrown by a `waitFor` probe to stop waiting at once: the condition can no longer come true. */
export class StopWaiting extends Error {}

/** A server process ended while starting (e.g. a port taken meanwhile). */
export class ServerExitedError extends StopWaiting {}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value or the deadline passes. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && (v as unknown) !== false) return v;
    } catch (e) {
      if (e instanceof StopWaiting) throw e;
      lastError = e;
    }
    await sleep(everyMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ""}`,
  );
}

export interface AccountSpec {
  name: string;
  user: string;
  password: string;
  jetstream: boolean;
  /** Public keys of extra nkey users of the account. */
  nkeys?: string[];
}

/** Extra users written verbatim into an account's `users` list (e.g. with permissions). */
export interface RawUsers {
  account: string;
  users: string[];
}

export interface ClusterOptions {
  binary: ServerBinary;
  size?: number;
  clusterName?: string;
  /** Application accounts; a system account SYS (user `sys`) is always added. */
  accounts?: AccountSpec[];
  /** JetStream domain of every server in this cluster. */
  domain?: string;
  /** Accept leafnode connections (the hub side of a leafnode link). */
  leafnodeListen?: boolean;
  /** Do not gossip the other hub servers' leafnode URLs to leaves, so a leaf stays on the URL it was given (e.g. a TcpProxy a test can cut). */
  leafnodeNoAdvertise?: boolean;
  /** Leafnode address a server tells leaves to reconnect to, by server index (e.g. a TcpProxy in front of it, so reconnects stay behind the proxy). */
  leafnodeAdvertise?: (string | undefined)[];
  /** Connect this cluster's servers as leafnodes to a hub: account name -> hub leafnode URL with creds. */
  leafRemotes?: { url: string; account: string }[];
  /** Users with permissions, added to the named account (`SYS` for the system account). */
  extraUsers?: RawUsers[];
  /** Extra raw config appended to every server's file. */
  extraConfig?: string;
  /**
   * Replaces the accounts block and `system_account` (e.g. operator mode with its resolver): the
   * users of `accounts` and SYS_USER then do not exist.
   */
  authConfig?: string;
  /** Extra raw config for one server (e.g. its own gateway listen port), appended after `extraConfig`. */
  serverConfig?: (s: ServerProcess) => string;
  /** JetStream max_memory_store of every server (default 256MB). */
  maxMem?: string;
  /** false: start() does not wait for a meta leader (its meta group spans other clusters too). */
  waitForMeta?: boolean;
}

export const DEFAULT_ACCOUNTS: AccountSpec[] = [
  { name: "APP", user: "app", password: "app-secret", jetstream: true },
  { name: "OTHER", user: "other", password: "other-secret", jetstream: true },
];
export const SYS_USER = { user: "sys", password: "sys-secret" };

export interface ServerProcess {
  index: number;
  name: string;
  port: number;
  clusterPort: number;
  monitorPort: number;
  leafPort: number | undefined;
  configFile: string;
  storeDir: string;
  logFile: string;
  proc: ChildProcess | undefined;
  frozen: boolean;
}

export class NatsCluster {
  readonly servers: ServerProcess[] = [];
  private constructor(
    readonly opts: Required<Pick<ClusterOptions, "size" | "clusterName" | "accounts">> & ClusterOptions,
    readonly dir: string,
  ) {}

  get version(): string {
    return this.opts.binary.version;
  }
  get name(): string {
    return this.opts.clusterName;
  }
  /** Client URLs of every server, running or not. */
  get urls(): string[] {
    return this.servers.map((s) => `nats://127.0.0.1:${s.port}`);
  }
  url(i = 0): string {
    return `nats://127.0.0.1:${this.servers[i]!.port}`;
  }
  account(name = "APP"): AccountSpec {
    const a = this.opts.accounts.find((x) => x.name === name);
    if (!a) throw new Error(`no account ${name}`);
    return a;
  }

  /**
   * Starts the cluster. Free ports are picked by binding port 0 and releasing it, so under parallel
   * load another process can take one before the server binds it: a server that exits at start is
   * retried with fresh ports (twice), and its log travels in the error.
   */
  static async start(options: ClusterOptions): Promise<NatsCluster> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await NatsCluster.startOnce(options);
      } catch (e) {
        if (attempt >= 3 || !(e instanceof ServerExitedError)) throw e;
      }
    }
  }

  private static async startOnce(options: ClusterOptions): Promise<NatsCluster> {
    const opts = {
      size: 3,
      clusterName: `lk${Math.random().toString(36).slice(2, 7)}`,
      accounts: DEFAULT_ACCOUNTS,
      ...options,
    };
    const dir = mkdtempSync(join(tmpdir(), "lookout-nats-"));
    const c = new NatsCluster(opts, dir);
    for (let i = 0; i < opts.size; i++) {
      c.servers.push({
        index: i,
        name: `${opts.clusterName}-n${i + 1}`,
        port: await freePort(),
        clusterPort: await freePort(),
        monitorPort: await freePort(),
        leafPort: opts.leafnodeListen ? await freePort() : undefined,
        configFile: join(dir, `n${i + 1}.conf`),
        storeDir: join(dir, `n${i + 1}-store`),
        logFile: join(dir, `n${i + 1}.log`),
        proc: undefined,
        frozen: false,
      });
    }
    for (const s of c.servers) {
      mkdirSync(s.storeDir, { recursive: true });
      writeFileSync(s.configFile, c.configFor(s));
    }
    try {
      await Promise.all(c.servers.map((s) => c.spawn(s)));
      if (opts.waitForMeta !== false) await c.waitForMetaLeader();
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  private configFor(s: ServerProcess): string {
    const o = this.opts;
    const routes = this.servers.filter((x) => x !== s).map((x) => `nats-route://127.0.0.1:${x.clusterPort}`);
    const accounts = o.accounts
      .map(
        (a) =>
          `  ${a.name}: { ${a.jetstream ? "jetstream: enabled, " : ""}users: [ { user: "${a.user}", password: "${a.password}" }${(a.nkeys ?? []).map((k) => `, { nkey: "${k}" }`).join("")}${this.rawUsers(a.name)} ] }`,
      )
      .join("\n");
    const cluster =
      o.size > 1
        ? `cluster { name: "${o.clusterName}", listen: "127.0.0.1:${s.clusterPort}", routes: [ ${routes.map((r) => `"${r}"`).join(", ")} ] }`
        : "";
    const advertise = o.leafnodeAdvertise?.[s.index];
    const leafListen = s.leafPort
      ? `leafnodes { listen: "127.0.0.1:${s.leafPort}"${o.leafnodeNoAdvertise ? ", no_advertise: true" : ""}${advertise ? `, advertise: "${advertise}"` : ""} }`
      : "";
    const leafRemotes = o.leafRemotes?.length
      ? `leafnodes { remotes: [ ${o.leafRemotes.map((r) => `{ url: "${r.url}", account: "${r.account}" }`).join(", ")} ] }`
      : "";
    return `server_name: "${s.name}"
listen: "127.0.0.1:${s.port}"
http: "127.0.0.1:${s.monitorPort}"
jetstream { store_dir: "${s.storeDir}"${o.domain ? `, domain: "${o.domain}"` : ""}, max_mem: ${o.maxMem ?? "256MB"}, max_file: 2GB }
${cluster}
${leafListen}
${leafRemotes}
${o.authConfig ?? this.accountsBlock(accounts)}
${o.extraConfig ?? ""}
${o.serverConfig?.(s) ?? ""}
`;
  }

  private accountsBlock(accounts: string): string {
    return `accounts {
${accounts}
  SYS: { users: [ { user: "${SYS_USER.user}", password: "${SYS_USER.password}" }${this.rawUsers("SYS")} ] }
}
system_account: SYS`;
  }

  private rawUsers(account: string): string {
    return (this.opts.extraUsers ?? [])
      .filter((u) => u.account === account)
      .flatMap((u) => u.users)
      .map((u) => `, ${u}`)
      .join("");
  }

  private async spawn(s: ServerProcess): Promise<void> {
    const log = createWriteStream(s.logFile, { flags: "a" });
    const proc = spawn(this.opts.binary.path, ["-c", s.configFile], { stdio: ["ignore", "pipe", "pipe"] });
    // Both into one file: ended once the process has closed both, else whichever ends first ends the
    // file and the other's last lines (often why it exited) fail with "write after end".
    proc.stdout?.pipe(log, { end: false });
    proc.stderr?.pipe(log, { end: false });
    proc.once("close", () => log.end());
    s.proc = proc;
    s.frozen = false;
    await waitFor(
      `${s.name} to accept clients`,
      async () => {
        if (proc.exitCode !== null) {
          const log = existsSync(s.logFile) ? readFileSync(s.logFile, "utf8").split("\n").slice(-8).join("\n") : "";
          throw new ServerExitedError(`${s.name} exited with ${proc.exitCode} at start:\n${log}`);
        }
        const r = await fetch(`http://127.0.0.1:${s.monitorPort}/varz`).catch(() => undefined);
        return r?.ok ? true : undefined;
      },
      20_000,
      100,
    );
  }

  /** A system-account connection (for $SYS requests and meta step-downs). */
  async sysConnection(servers: string[] = this.runningUrls()): Promise<NatsConnection> {
    return connect({ servers, user: SYS_USER.user, pass: SYS_USER.password, timeout: 3000, maxReconnectAttempts: 5 });
  }
  async appConnection(account = "APP", servers: string[] = this.runningUrls()): Promise<NatsConnection> {
    const a = this.account(account);
    return connect({ servers, user: a.user, pass: a.password, timeout: 3000 });
  }

  runningUrls(): string[] {
    return this.servers
      .filter((s) => s.proc && s.proc.exitCode === null && !s.frozen)
      .map((s) => `nats://127.0.0.1:${s.port}`);
  }

  /** Each running server's own /jsz view over HTTP (no NATS connection needed). */
  async jsz(i: number): Promise<{
    meta_cluster?: {
      leader?: string;
      cluster_size?: number;
      replicas?: { name: string; current: boolean; offline?: boolean }[];
    };
  }> {
    const r = await fetch(`http://127.0.0.1:${this.servers[i]!.monitorPort}/jsz`, {
      signal: AbortSignal.timeout(2000),
    });
    return (await r.json()) as never;
  }

  /** Waits until every running, unfrozen server agrees on a meta leader and the leader sees its peers current. */
  async waitForMetaLeader(timeoutMs = 30_000): Promise<string> {
    const live = () => this.servers.filter((s) => s.proc && s.proc.exitCode === null && !s.frozen);
    // A single server without clustering has no meta group: JetStream answering is all there is.
    if (this.opts.size === 1) {
      const s = this.servers[0]!;
      return waitFor(
        `${s.name} JetStream to answer`,
        async () => {
          await this.jsz(0);
          return s.name;
        },
        timeoutMs,
        250,
      );
    }
    return waitFor(
      "a meta leader agreed by every running server",
      async () => {
        const views = await Promise.all(live().map((s) => this.jsz(s.index)));
        const leaders = new Set(views.map((v) => v.meta_cluster?.leader ?? ""));
        if (leaders.size !== 1) return undefined;
        const leader = [...leaders][0]!;
        if (!leader) return undefined;
        const lv = views.find((_, k) => live()[k]!.name === leader);
        const liveNames = new Set(live().map((s) => s.name));
        const ok =
          lv?.meta_cluster?.replicas?.filter((r) => liveNames.has(r.name)).every((r) => r.current && !r.offline) ??
          this.opts.size === 1;
        return ok ? leader : undefined;
      },
      timeoutMs,
      250,
    );
  }

  index(nameOrIndex: string | number): ServerProcess {
    const s =
      typeof nameOrIndex === "number" ? this.servers[nameOrIndex] : this.servers.find((x) => x.name === nameOrIndex);
    if (!s) throw new Error(`no server ${nameOrIndex}`);
    return s;
  }

  /** SIGSTOP: the process stays, its sockets stay open, it answers nothing (a hung server). */
  freeze(which: string | number): void {
    const s = this.index(which);
    s.proc?.kill("SIGSTOP");
    s.frozen = true;
    // The signal is delivered asynchronously: on a loaded machine the process kept answering for a
    // few more milliseconds, long enough to answer a request sent right after. Wait until the
    // kernel reports it stopped (Linux /proc; state T), for at most 2 s.
    const pid = s.proc?.pid;
    const stat = pid ? `/proc/${pid}/stat` : undefined;
    if (!stat || !existsSync(stat)) return;
    const until = Date.now() + 2000;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (Date.now() < until) {
      const state = readFileSync(stat, "utf8").replace(/^.*\) /s, "")[0];
      if (state === "T" || state === "t") return;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
  thaw(which: string | number): void {
    const s = this.index(which);
    s.proc?.kill("SIGCONT");
    s.frozen = false;
  }
  /** kill -9: no lame-duck, no goodbye to peers. */
  async kill(which: string | number): Promise<void> {
    const s = this.index(which);
    await this.signalAndWait(s, "SIGKILL");
  }
  /** Graceful shutdown (peers mark it offline at once). */
  async stopServer(which: string | number): Promise<void> {
    const s = this.index(which);
    if (s.frozen) this.thaw(which);
    await this.signalAndWait(s, "SIGTERM");
  }
  async restart(which: string | number): Promise<void> {
    const s = this.index(which);
    if (s.proc && s.proc.exitCode === null) await this.stopServer(which);
    await this.spawn(s);
  }

  private async signalAndWait(s: ServerProcess, sig: NodeJS.Signals): Promise<void> {
    const p = s.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once("exit", () => r()));
    if (s.frozen && sig !== "SIGKILL") p.kill("SIGCONT");
    p.kill(sig);
    const t = setTimeout(() => p.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(t);
    s.frozen = false;
  }

  /** Forces a meta election from the system account. Returns the new leader's name. */
  async stepdownMeta(): Promise<string> {
    const before = await this.waitForMetaLeader();
    const nc = await this.sysConnection();
    try {
      await nc.request("$JS.API.META.LEADER.STEPDOWN", "", { timeout: 5000 });
    } finally {
      await nc.close();
    }
    return waitFor(
      "a new meta leader",
      async () => {
        const l = await this.waitForMetaLeader(5000).catch(() => undefined);
        return l && l !== before ? l : undefined;
      },
      30_000,
      300,
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => this.signalAndWait(s, "SIGKILL").catch(() => undefined)));
    if (!process.env.LOOKOUT_KEEP_CLUSTER_DIR) rmSync(this.dir, { recursive: true, force: true });
  }
}
