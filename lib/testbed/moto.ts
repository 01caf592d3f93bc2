// moto_server (Python moto 5.x, shipped with this machine image) on 127.0.0.1: a real HTTP server
// speaking DynamoDB, SNS, SQS and Secrets Manager to the real AWS SDK v3 clients.
import { spawn, type ChildProcess } from "node:child_process";
import { freePort, waitFor } from "./cluster.ts";

export interface AwsTestEnv {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export class MotoServer {
  private constructor(
    private readonly proc: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<MotoServer> {
    const port = await freePort();
    const proc = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const m = new MotoServer(proc, port);
    try {
      await waitFor(
        "moto_server to answer",
        async () => {
          if (proc.exitCode !== null) throw new Error(`moto_server exited ${proc.exitCode}: ${stderr}`);
          const r = await fetch(`${m.endpoint}/moto-api/`).catch(() => undefined);
          return r ? true : undefined;
        },
        30_000,
        200,
      );
    } catch (e) {
      proc.kill("SIGKILL");
      throw e;
    }
    return m;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Settings for SDK clients; the keys are moto's dummies, never real credentials. */
  get env(): AwsTestEnv {
    return {
      endpoint: this.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    };
  }

  /** Forgets every resource (between tests). */
  async reset(): Promise<void> {
    await fetch(`${this.endpoint}/moto-api/reset`, { method: "POST" });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.proc.once("exit", () => r()));
    this.proc.kill("SIGTERM");
    const t = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  }
}
