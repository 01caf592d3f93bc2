// Child process for the kill -9 test: saves ever-new large history documents in a loop and prints
// each version it saved, until it is killed.
import { FileHistoryStore } from "../../lib/history/file-store.ts";
import { historyDoc, streamObservations } from "./contract.ts";

const [dir, cluster] = process.argv.slice(2);
if (!dir || !cluster) throw new Error("usage: file-saver-child.ts DIR CLUSTER");
const store = new FileHistoryStore(dir, 30_000);
const key = { cluster, slice: "streams" as const };
for (let i = 0; ; i++) {
  const cur = await store.load(key);
  const r = await store.save(key, historyDoc(streamObservations(20_000, i), `child-${process.pid}-${i}`), cur?.version);
  process.stdout.write(`${r.version}\n`);
}
