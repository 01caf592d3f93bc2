// Child process for the at-least-once proof: one run of the pipeline whose notifier delivers and
// then the process dies by SIGKILL, before the run can record the delivery in history.
import type { Notice } from "../../lib/alerts/alert.ts";
import { buildConfig } from "../../lib/config/load.ts";
import { DynamoHistoryStore } from "../../lib/history/dynamodb-store.ts";
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import type { HistoryStore } from "../../lib/history/store.ts";
import { JsonLinesNotifier } from "../../lib/notify/jsonl.ts";
import type { DeliveryContext, DeliveryResult, Notifier } from "../../lib/notify/notifier.ts";
import { runSlice } from "../../lib/run/run-slice.ts";
import { noConnection, peerSeen, scriptedSlice } from "./scripted-slice.ts";

export interface CrashChildArgs {
  store: { kind: "file"; dir: string } | { kind: "dynamodb"; table: string; endpoint: string };
  cluster: string;
  jsonl: string;
  now: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as CrashChildArgs;
const history: HistoryStore =
  args.store.kind === "file"
    ? new FileHistoryStore(args.store.dir)
    : new DynamoHistoryStore({
        table: args.store.table,
        ttlDays: 1,
        clientConfig: {
          endpoint: args.store.endpoint,
          region: "us-east-1",
          credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        },
      });

class DeliverThenDie implements Notifier {
  private readonly inner = new JsonLinesNotifier(args.jsonl);
  readonly name = this.inner.name;
  async deliver(notices: readonly Notice[], ctx: DeliveryContext): Promise<DeliveryResult> {
    const r = await this.inner.deliver(notices, ctx);
    process.kill(process.pid, "SIGKILL");
    return r;
  }
}

await runSlice(scriptedSlice({ findings: [peerSeen("n2")], covers: () => true }), {
  config: buildConfig({ cluster: args.cluster, alerts: { claimLease: "5m" } }, {}),
  history,
  notifiers: [new DeliverThenDie()],
  connection: noConnection,
  now: () => args.now,
});
process.stdout.write("survived\n");
