// A real HTTP server on 127.0.0.1 in front of moto_server that answers the first N matching
// DynamoDB requests with an injected throttling or 5xx error, to prove the SDK's retries and the
// store's failure path against real HTTP (no local DynamoDB can be made to throttle).
import { createServer, type Server } from "node:http";

export type Injected = "throttle" | "5xx";

export class FlakyProxy {
  /** Requests seen per DynamoDB operation (X-Amz-Target suffix). */
  readonly seen = new Map<string, number>();
  private failuresLeft = 0;
  private kind: Injected = "5xx";
  private operation = "";

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: string): Promise<FlakyProxy> {
    const state: { self?: FlakyProxy } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on(
        "end",
        () =>
          void (async () => {
            const op =
              String(req.headers["x-amz-target"] ?? "")
                .split(".")
                .at(-1) ?? "";
            state.self!.seen.set(op, (state.self!.seen.get(op) ?? 0) + 1);
            if (state.self!.failuresLeft > 0 && op === state.self!.operation) {
              state.self!.failuresLeft--;
              const throttle = state.self!.kind === "throttle";
              res.writeHead(throttle ? 400 : 500, { "content-type": "application/x-amz-json-1.0" });
              res.end(
                JSON.stringify({
                  __type: `com.amazonaws.dynamodb.v20120810#${throttle ? "ProvisionedThroughputExceededException" : "InternalServerError"}`,
                  message: `injected ${state.self!.kind} by the test proxy`,
                }),
              );
              return;
            }
            try {
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(req.headers))
                if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
              const r = await fetch(`${target}${req.url ?? "/"}`, {
                method: req.method ?? "POST",
                headers,
                body: Buffer.concat(chunks),
              });
              const body = Buffer.from(await r.arrayBuffer());
              res.writeHead(r.status, {
                "content-type": r.headers.get("content-type") ?? "application/x-amz-json-1.0",
              });
              res.end(body);
            } catch (e) {
              res.writeHead(502);
              res.end(String(e));
            }
          })(),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const addr = server.address();
    state.self = new FlakyProxy(server, typeof addr === "object" && addr ? addr.port : 0);
    return state.self;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next `count` requests for `operation` (e.g. "PutItem") fail with `kind`. */
  failNext(operation: string, count: number, kind: Injected): void {
    this.operation = operation;
    this.failuresLeft = count;
    this.kind = kind;
    this.seen.clear();
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
