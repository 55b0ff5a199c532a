/** DynamoDB: one API-key item by its hash (GetItem), flattened to plain values. */
import type { AttributeValue, GetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-dynamodb');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-dynamodb');

export type ItemValue = string | number | boolean | null | string[];

function plain(v: AttributeValue): ItemValue | undefined {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL !== undefined) return null;
  if (v.SS !== undefined) return v.SS;
  return undefined;
}

/** The API-key item with this hash, flattened, or undefined. A missing table throws (kind not_found). */
export async function apiKeyItem(aws: AwsSession, table: string, keyHash: string): Promise<Record<string, ItemValue> | undefined> {
  const { DynamoDBClient, GetItemCommand } = sdk();
  const r = await aws.send<GetItemCommandOutput>('dynamodb:GetItem', aws.client('dynamodb', DynamoDBClient),
    new GetItemCommand({ TableName: table, Key: { key_hash: { S: keyHash } }, ConsistentRead: true }));
  if (!r.Item) return undefined;
  const out: Record<string, ItemValue> = {};
  for (const [k, v] of Object.entries(r.Item)) {
    const p = plain(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}
