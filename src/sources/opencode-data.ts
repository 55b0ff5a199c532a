/**
 * The OpenCode Stack's data plane, as facts: one SSM parameter (through ssmByNames), an API-key item (DynamoDB
 * GetItem), the router's log group (ECS DescribeTaskDefinition), router log events
 * (FilterLogEvents paging, Logs Insights), ALB access log objects (S3 ListObjectsV2 /
 * GetObject + gunzip). Every call goes through `awsCall`; nothing here decides anything.
 */
import { GetQueryResultsCommand, FilterLogEventsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { gunzipSync } from 'node:zlib';
import { awsCall, type AwsClients } from './aws.js';
import { SourceError } from './errors.js';
import { ssmByNames } from './opencode.js';


/** A String parameter's value, or undefined when it does not exist (or is a SecureString: never read). */
export async function ssmValue(aws: AwsClients, name: string): Promise<string | undefined> {
  const { parameters } = await ssmByNames(aws, [name]);
  return parameters[0]?.value;
}

/** The caller's account id (sts:GetCallerIdentity). */
export async function callerAccount(aws: AwsClients): Promise<string | undefined> {
  const r = await awsCall('sts:GetCallerIdentity', () => aws.sts.send(new GetCallerIdentityCommand({})));
  return r.Account;
}

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
export async function apiKeyItem(aws: AwsClients, table: string, keyHash: string): Promise<Record<string, ItemValue> | undefined> {
  const r = await awsCall('dynamodb:GetItem', () =>
    aws.dynamodb.send(new GetItemCommand({ TableName: table, Key: { key_hash: { S: keyHash } }, ConsistentRead: true })),
  );
  if (!r.Item) return undefined;
  const out: Record<string, ItemValue> = {};
  for (const [k, v] of Object.entries(r.Item)) {
    const p = plain(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

export interface ContainerLogFacts {
  container: string;
  log_driver?: string | undefined;
  log_group?: string | undefined;
  log_region?: string | undefined;
  stream_prefix?: string | undefined;
}

/** Each container's log configuration in a task definition (family:revision or ARN). */
export async function taskDefinitionLogs(aws: AwsClients, taskDefinition: string): Promise<{ family?: string | undefined; revision?: number | undefined; containers: ContainerLogFacts[] }> {
  const r = await awsCall('ecs:DescribeTaskDefinition', () => aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition })));
  const td = r.taskDefinition;
  const containers = (td?.containerDefinitions ?? []).map((c) => ({
    container: c.name ?? '?',
    log_driver: c.logConfiguration?.logDriver,
    log_group: c.logConfiguration?.options?.['awslogs-group'],
    log_region: c.logConfiguration?.options?.['awslogs-region'],
    stream_prefix: c.logConfiguration?.options?.['awslogs-stream-prefix'],
  }));
  return { family: td?.family, revision: td?.revision, containers };
}

export interface LogEventFact {
  timestamp: number;
  message: string;
}

export interface FilterOptions {
  group: string;
  startMs: number;
  endMs: number;
  pattern?: string | undefined;
  maxPages: number;
  maxEvents: number;
  signal?: AbortSignal;
  onPage?: (page: number, events: number) => void;
}

/** Pages FilterLogEvents over the window (oldest first) until done or a cap is reached. */
export async function filterLogEvents(aws: AwsClients, o: FilterOptions): Promise<{ events: LogEventFact[]; pages: number; truncated: boolean }> {
  const events: LogEventFact[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (o.signal?.aborted) return { events, pages, truncated: true };
    const r = await awsCall('logs:FilterLogEvents', () =>
      aws.logs.send(
        new FilterLogEventsCommand({
          logGroupName: o.group,
          startTime: o.startMs,
          endTime: o.endMs,
          ...(o.pattern ? { filterPattern: o.pattern } : {}),
          limit: Math.min(1000, o.maxEvents),
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
    pages++;
    for (const e of r.events ?? []) events.push({ timestamp: e.timestamp ?? 0, message: e.message ?? '' });
    o.onPage?.(pages, events.length);
    nextToken = r.nextToken;
  } while (nextToken && pages < o.maxPages && events.length < o.maxEvents);
  return { events: events.slice(0, o.maxEvents), pages, truncated: Boolean(nextToken) };
}

export interface InsightsOptions {
  group: string;
  startMs: number;
  endMs: number;
  query: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onPoll?: (polls: number, status: string) => void;
}

/** Runs one Logs Insights query and polls until it ends or the timeout passes. */
export async function insightsQuery(aws: AwsClients, o: InsightsOptions): Promise<{ status: string; rows: Array<Record<string, string>>; records_scanned?: number | undefined }> {
  const started = await awsCall('logs:StartQuery', () =>
    aws.logs.send(new StartQueryCommand({ logGroupName: o.group, startTime: Math.floor(o.startMs / 1000), endTime: Math.ceil(o.endMs / 1000), queryString: o.query })),
  );
  const deadline = Date.now() + o.timeoutMs;
  let delay = 200;
  for (let polls = 1; ; polls++) {
    const r = await awsCall('logs:GetQueryResults', () => aws.logs.send(new GetQueryResultsCommand({ queryId: started.queryId })));
    const status = r.status ?? 'Unknown';
    o.onPoll?.(polls, status);
    if (!['Scheduled', 'Running'].includes(status) || Date.now() > deadline || o.signal?.aborted) {
      const rows = (r.results ?? []).map((row) => Object.fromEntries(row.filter((c) => c.field).map((c) => [c.field!, c.value ?? ''])));
      const done = ['Scheduled', 'Running'].includes(status) ? 'Timeout' : status;
      return { status: done, rows, records_scanned: r.statistics?.recordsScanned };
    }
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

export interface S3ObjectFact {
  key: string;
  size: number;
}

/** Lists the objects under each prefix (paged, capped). A missing bucket throws (kind not_found). */
export async function listObjects(aws: AwsClients, bucket: string, prefixes: string[], maxKeys: number): Promise<{ objects: S3ObjectFact[]; truncated: boolean }> {
  const objects: S3ObjectFact[] = [];
  for (const prefix of prefixes) {
    let token: string | undefined;
    do {
      const r = await awsCall('s3:ListBucket', () =>
        aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) })),
      );
      for (const o of r.Contents ?? []) if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0 });
      if (objects.length >= maxKeys) return { objects: objects.slice(0, maxKeys), truncated: true };
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }
  return { objects, truncated: false };
}

/** One object's text, gunzipped when it is gzip, at most `maxBytes` of output. */
export async function readObjectText(aws: AwsClients, bucket: string, key: string, maxBytes: number): Promise<string> {
  const r = await awsCall('s3:GetObject', () => aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
  const body = r.Body ? Buffer.from(await r.Body.transformToByteArray()) : Buffer.alloc(0);
  const gz = body.length > 2 && body[0] === 0x1f && body[1] === 0x8b;
  try {
    const text = gz ? gunzipSync(body, { maxOutputLength: maxBytes }) : body.subarray(0, maxBytes);
    return text.toString('utf8');
  } catch (e) {
    const tooLarge = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError;
    const why = tooLarge ? `unpacks to more than ${maxBytes} bytes` : 'is not valid gzip';
    throw new SourceError(tooLarge ? 'SOURCE_TOO_LARGE' : 'SOURCE_FILE', `s3://${bucket}/${key} ${why}.`, { key }, { cause: e });
  }
}
