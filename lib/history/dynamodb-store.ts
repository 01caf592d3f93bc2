// Placeholder until the DynamoDB history store lands (issue 4).
import type { HistoryConfig } from "../config/config.ts";
import type { HistoryStore } from "./store.ts";
export class DynamoHistoryStore {
  static fromConfig(_c: Extract<HistoryConfig, { kind: "dynamodb" }>): HistoryStore {
    throw new Error("the DynamoDB history store is not built yet");
  }
}
