// The history table as the DynamoDB store uses it. The key schema and TTL attribute are the
// store's own constants (lib/history/dynamodb-table.ts); the actions are the API calls
// lib/history/dynamodb-store.ts makes, and nothing else.
import { HISTORY_TABLE } from "../lib/history/dynamodb-table.ts";

export const HISTORY_TABLE_SCHEMA = HISTORY_TABLE;

/** GetItem (HEAD, consistent read), Query (a document's extra chunks), PutItem (the conditional
 * HEAD), BatchWriteItem (extra chunks). PutItem's condition needs no extra action. */
export const HISTORY_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:PutItem",
  "dynamodb:BatchWriteItem",
] as const;
