// The history table's schema, in one place: the store, the tests' table helper and the CDK
// construct (infra/) all use these names. Changing one is a migration.
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";

export const HISTORY_TABLE = {
  /** String: `<cluster label>#<slice>` (hashed when longer than 1 KB). */
  partitionKey: "pk",
  /** String: `HEAD` for the current version, `CHUNK#<version>#<token>#<index>` for its extra chunks. */
  sortKey: "sk",
  /** Number, epoch seconds: DynamoDB's TTL deletes the item some time after this moment. */
  ttlAttribute: "expiresAt",
} as const;

/** Sort key of the item that holds the current version (and its first chunk). */
export const HEAD_SORT_KEY = "HEAD";

/** CreateTable input for the history table: on-demand billing, string partition and sort keys. */
export function historyTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: HISTORY_TABLE.partitionKey, AttributeType: "S" },
      { AttributeName: HISTORY_TABLE.sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: HISTORY_TABLE.partitionKey, KeyType: "HASH" },
      { AttributeName: HISTORY_TABLE.sortKey, KeyType: "RANGE" },
    ],
  };
}

/** Creates the history table, waits until it is active and turns TTL on (tests, local setups). */
export async function createHistoryTable(
  client: DynamoDBClient,
  tableName: string,
  maxWaitSeconds = 60,
): Promise<void> {
  await client.send(new CreateTableCommand(historyTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: maxWaitSeconds, minDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: HISTORY_TABLE.ttlAttribute, Enabled: true },
    }),
  );
}

/** The TTL attribute the table expires items by, or undefined when TTL is off. */
export async function historyTableTtl(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  const d = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const t = d.TimeToLiveDescription;
  return t?.TimeToLiveStatus === "ENABLED" || t?.TimeToLiveStatus === "ENABLING" ? t.AttributeName : undefined;
}
