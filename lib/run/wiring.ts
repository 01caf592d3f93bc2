// Builds the history store and notifiers a configuration asks for. AWS implementations are loaded
// on demand so the local CLI never pulls the AWS SDK in, and each Lambda bundle only what it uses.
import { resolve } from "node:path";
import type { HistoryConfig, NotifierConfig } from "../config/config.ts";
import { defaultHistoryDir } from "../config/paths.ts";
import { FileHistoryStore } from "../history/file-store.ts";
import type { HistoryStore } from "../history/store.ts";
import { JsonLinesNotifier } from "../notify/jsonl.ts";
import type { Notifier } from "../notify/notifier.ts";
import { TerminalNotifier } from "../notify/terminal.ts";

export async function historyStoreFor(c: HistoryConfig, cwd = process.cwd()): Promise<HistoryStore> {
  switch (c.kind) {
    case "file":
      return new FileHistoryStore(c.dir ? resolve(cwd, c.dir) : defaultHistoryDir(process.env));
    case "dynamodb": {
      const { DynamoHistoryStore } = await import("../history/dynamodb-store.ts");
      return DynamoHistoryStore.fromConfig(c);
    }
  }
}

export async function notifiersFor(list: readonly NotifierConfig[], cwd = process.cwd()): Promise<Notifier[]> {
  const out: Notifier[] = [];
  for (const c of list) {
    switch (c.kind) {
      case "terminal":
        out.push(c.color === undefined ? new TerminalNotifier() : new TerminalNotifier(undefined, c.color));
        break;
      case "jsonl":
        out.push(new JsonLinesNotifier(resolve(cwd, c.file)));
        break;
      case "sns": {
        const { SnsNotifier } = await import("../notify/sns.ts");
        out.push(SnsNotifier.fromConfig(c));
        break;
      }
    }
  }
  return out;
}
