// A built Lambda bundle in its own Node process: started = cold start, each invoke() = one
// invocation of the same (warm) instance, stop() = the instance goes away. Only our child.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { RunSummary } from "../../lib/lambda/handler.ts";

const RUNNER = join(dirname(fileURLToPath(import.meta.url)), "bundle-runner.mjs");

export type Invocation =
  | { ok: true; result: RunSummary; ms: number }
  | { ok: false; error: { name: string; message: string; stack?: string }; ms: number };

/** A JSON line the function wrote to stdout (Powertools logs and EMF metrics). */
export type LogLine = Record<string, unknown>;

export class BundleProcess {
  private stdout = "";
  private stderr = "";
  private readonly pending: ((line: Record<string, unknown>) => void)[] = [];
  private readonly queued: Record<string, unknown>[] = [];
  importMs = 0;

  private constructor(private readonly proc: ChildProcess) {
    proc.stdout!.on("data", (d: Buffer) => (this.stdout += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    const rl = createInterface({ input: proc.stdio[3] as Readable });
    rl.on("line", (l) => {
      const msg = JSON.parse(l) as Record<string, unknown>;
      const waiter = this.pending.shift();
      if (waiter) waiter(msg);
      else this.queued.push(msg);
    });
  }

  /** Starts the bundle with exactly `env` (plus PATH), as Lambda would with the function's variables. */
  static async start(
    bundle: string,
    env: Record<string, string>,
    functionName = "lookout-test",
    timeoutMs = 50_000,
  ): Promise<BundleProcess> {
    const proc = spawn(process.execPath, ["--enable-source-maps", RUNNER, bundle, functionName, String(timeoutMs)], {
      env: {
        PATH: process.env.PATH ?? "",
        // What the Lambda runtime itself sets (Powertools reads the initialization type for ColdStart).
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        AWS_LAMBDA_FUNCTION_NAME: functionName,
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
        ...env,
      },
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    const p = new BundleProcess(proc);
    const ready = await p.next(30_000);
    if (ready.type !== "ready") throw new Error(`bundle did not start: ${p.stderr}`);
    p.importMs = ready.importMs as number;
    return p;
  }

  private next(timeoutMs: number): Promise<Record<string, unknown>> {
    const q = this.queued.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(new Error(`no answer from the bundle within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)),
        timeoutMs,
      );
      const onExit = () =>
        reject(new Error(`bundle process exited (${this.proc.exitCode}); stderr: ${this.stderr.slice(-2000)}`));
      this.proc.once("exit", onExit);
      this.pending.push((m) => {
        clearTimeout(t);
        this.proc.off("exit", onExit);
        resolve(m);
      });
    });
  }

  async invoke(event: unknown, timeoutMs = 90_000): Promise<Invocation> {
    (this.proc.stdin as Writable).write(`${JSON.stringify(event)}\n`);
    const outcome = await this.next(timeoutMs);
    // Its log lines travel on stdout and stderr, other pipes: wait for the runner's markers after them.
    const marker = `#done ${String(outcome.seq)}\n`;
    const deadline = Date.now() + 10_000;
    while (!this.stdout.includes(marker) || !this.stderr.includes(marker)) {
      if (Date.now() > deadline)
        throw new Error(`the bundle's stdout never caught up with invocation ${String(outcome.seq)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return outcome as unknown as Invocation;
  }

  /** Everything the function wrote, stdout and stderr. */
  get output(): string {
    return this.stdout + this.stderr;
  }

  /** The JSON lines of stdout then stderr (Powertools logs errors to stderr; Lambda ships both). */
  get lines(): LogLine[] {
    return `${this.stdout}\n${this.stderr}`
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as LogLine);
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
    (this.proc.stdin as Writable).end();
    const t = setTimeout(() => this.proc.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(t);
  }
}

/** The EMF metrics in a set of log lines: metric name with its exact dimensions and value. */
export function emfMetrics(
  lines: LogLine[],
): { namespace: string; name: string; dimensions: Record<string, string>; value: unknown }[] {
  const out: { namespace: string; name: string; dimensions: Record<string, string>; value: unknown }[] = [];
  for (const l of lines) {
    const aws = l._aws as
      { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } | undefined;
    for (const d of aws?.CloudWatchMetrics ?? []) {
      for (const dims of d.Dimensions) {
        for (const m of d.Metrics)
          out.push({
            namespace: d.Namespace,
            name: m.Name,
            dimensions: Object.fromEntries(dims.map((k) => [k, String(l[k])])),
            value: l[m.Name],
          });
      }
    }
  }
  return out;
}
