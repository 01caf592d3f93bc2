// The history table as the DynamoDB store (lib/history/dynamodb-store.ts) uses it: key schema, TTL
// attribute and the API actions it calls. Kept beside the construct so IAM and the table match
// the code that reads and writes them.
// TODO(reconcile): import HISTORY_TABLE from lib/history/dynamodb-table.ts once it is committed.
export const HISTORY_TABLE_SCHEMA = { partitionKey: "pk", sortKey: "sk", ttlAttribute: "expiresAt" } as const;

/** GetItem (HEAD), Query (chunks), PutItem (conditional HEAD), BatchWriteItem (chunks). */
export const HISTORY_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:BatchWriteItem"] as const;
