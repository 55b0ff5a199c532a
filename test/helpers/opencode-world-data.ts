/**
 * Moto world parts for the OpenCode Stack's data plane, built like the real stack:
 * the API-keys table (PK key_hash) with active/revoked/expired items, the router's ECS
 * task definition whose awslogs-group is a CloudFormation-generated name, the router's
 * JSON log lines, and the ALB access-log bucket with gzipped files in the real path and
 * line format. The SSM parameters that point at them are written too (opt-out per part).
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const ACCOUNT = '123456789012'; // moto's default account
export const REGION = 'us-east-1';
/** What CloudFormation generates for the router container's log group (not /ecs/bedrock-router-<env>). */
export const ROUTER_LOG_GROUP = 'OpenCodeApiStack-dev-RouterTaskDefRouterLogGroup4C5B7E2A-kQ3x9ZpL1mNo';

function cfg(endpoint: string) {
  return { endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
}

async function putParam(endpoint: string, name: string, value: string) {
  await new SSMClient(cfg(endpoint)).send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
}

/** A key the way the router makes one: "oc_" + token_urlsafe(32). */
export function newApiKey(): string {
  return 'oc_' + randomBytes(32).toString('base64url');
}

const iso = (d: Date) => d.toISOString().replace('Z', '+00:00'); // Python isoformat()
const sha = (k: string) => createHash('sha256').update(k).digest('hex');

export interface ApiKeyWorld {
  table: string;
  active: string;
  revoked: string;
  justRevoked: string;
  expired: string;
  /** Well formed, never stored. */
  unknown: string;
}

export async function seedApiKeys(endpoint: string, o: { env: string; now: Date; table?: string; ssm?: boolean }): Promise<ApiKeyWorld> {
  const table = o.table ?? `opencode-api-keys-${o.env}`;
  const ddb = new DynamoDBClient(cfg(endpoint));
  await ddb.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'key_hash', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'key_hash', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  if (o.ssm !== false) await putParam(endpoint, `/opencode/${o.env}/dynamodb/api-keys-table-name`, table);
  const t = o.now.getTime();
  const day = 86400_000;
  const w: ApiKeyWorld = { table, active: newApiKey(), revoked: newApiKey(), justRevoked: newApiKey(), expired: newApiKey(), unknown: newApiKey() };
  const put = async (key: string, fields: Record<string, string>) => {
    const item: Record<string, AttributeValue> = {
      key_hash: { S: sha(key) },
      key_prefix: { S: key.slice(0, 10) },
      user_sub: { S: 'a1b2c3d4-0000-4000-8000-00000000cafe' },
      user_email: { S: 'dev@example.com' },
      description: { S: 'laptop' },
      created_at: { S: iso(new Date(t - 10 * day)) },
      ttl: { N: String(Math.floor(t / 1000) + 120 * 86400) },
    };
    for (const [k, v] of Object.entries(fields)) item[k] = { S: v };
    await ddb.send(new PutItemCommand({ TableName: table, Item: item }));
  };
  await put(w.active, { status: 'active', expires_at: iso(new Date(t + 80 * day)), last_used_at: iso(new Date(t - 3600_000)) });
  await put(w.revoked, { status: 'revoked', expires_at: iso(new Date(t + 80 * day)), revoked_at: iso(new Date(t - day)) });
  await put(w.justRevoked, { status: 'revoked', expires_at: iso(new Date(t + 80 * day)), revoked_at: iso(new Date(t - 60_000)) });
  await put(w.expired, { status: 'active', expires_at: iso(new Date(t - day)) });
  return w;
}

/** One router log line, as its JSONFormatter writes it. */
export function routerLine(at: Date, message: string, extra: Record<string, unknown> = {}, level = 'INFO'): string {
  return JSON.stringify({ timestamp: at.toISOString(), level, logger: 'bedrock-router', message, ...extra });
}

export interface RouterLogsOptions {
  env: string;
  /** [epoch ms, raw line] in any order. */
  lines: Array<[number, string]>;
  logGroup?: string;
  /** Create the log group (false: the task definition names a group that does not exist). */
  createGroup?: boolean;
  /** Register the task definition and write its ARN to SSM. */
  taskDefinition?: boolean;
}

export async function seedRouterLogs(endpoint: string, o: RouterLogsOptions): Promise<{ taskDefinitionArn?: string }> {
  const group = o.logGroup ?? ROUTER_LOG_GROUP;
  const logs = new CloudWatchLogsClient(cfg(endpoint));
  if (o.createGroup !== false) {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const stream = 'router/router/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const events = [...o.lines].sort((a, b) => a[0] - b[0]).map(([timestamp, message]) => ({ timestamp, message }));
    for (let i = 0; i < events.length; i += 5000) {
      await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.slice(i, i + 5000) }));
    }
  }
  if (o.taskDefinition === false) return {};
  const td = await new ECSClient(cfg(endpoint)).send(
    new RegisterTaskDefinitionCommand({
      family: `OpenCodeApiStack${o.env}RouterTaskDef7F3A9C1B`,
      containerDefinitions: [
        { name: 'xray-daemon', image: 'amazon/aws-xray-daemon', memory: 256 },
        {
          name: 'router',
          image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/opencode-router:latest`,
          memory: 1024,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'router' } },
        },
      ],
    }),
  );
  const arn = td.taskDefinition!.taskDefinitionArn!;
  await putParam(endpoint, `/opencode/${o.env}/ecs/task-definition-arn`, arn);
  return { taskDefinitionArn: arn };
}

export interface AlbLineOptions {
  at: Date;
  status: number;
  request: string;
  /** Target status; '-' when the ALB answered itself. */
  target?: number | '-';
  rule: string;
  actions: string;
  client?: string;
  userAgent?: string;
  errorReason?: string;
}

/** One access log line in the real ALB format (all 30 fields). */
export function albLine(o: AlbLineOptions): string {
  const target = o.target ?? '-';
  const forwarded = target !== '-';
  const created = new Date(o.at.getTime() - 12).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return [
    'h2',
    o.at.toISOString().replace(/\.(\d{3})Z$/, '.$1641Z'),
    'app/opencode-jwt-dev/50dc6c495c0c9188',
    `${o.client ?? '203.0.113.7'}:52144`,
    forwarded ? '10.0.1.23:8080' : '-',
    '0.001',
    forwarded ? '0.012' : '-1',
    '0.000',
    String(o.status),
    String(target),
    '512',
    '180',
    `"${o.request}"`,
    `"${(o.userAgent ?? 'opencode/1.4.2').replace(/"/g, '\\"')}"`,
    'TLS_AES_128_GCM_SHA256',
    'TLSv1.3',
    forwarded ? `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/opencode-router-dev/73e2d6bc24d8a067` : '-',
    '"Root=1-58337281-1d84f3d73c47ec4e58577259"',
    '"api.opencode.example.com"',
    `"arn:aws:acm:${REGION}:${ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012"`,
    o.rule,
    created,
    `"${o.actions}"`,
    '"-"',
    `"${o.errorReason ?? '-'}"`,
    forwarded ? '"10.0.1.23:8080"' : '"-"',
    forwarded ? `"${target}"` : '"-"',
    '"-"',
    '"-"',
    'TID_1234abcd5678ef90',
  ].join(' ');
}

const stamp = (d: Date) => d.toISOString().slice(0, 16).replace(/[-:]/g, '') + 'Z';

/** The S3 key ALB writes for the file that ends at `end`. */
export function accessLogKey(env: string, end: Date, account = ACCOUNT): string {
  const day = end.toISOString().slice(0, 10).replace(/-/g, '/');
  return `jwt-alb/AWSLogs/${account}/elasticloadbalancing/${REGION}/${day}/${account}_elasticloadbalancing_${REGION}_app.opencode-jwt-${env}.50dc6c495c0c9188_${stamp(end)}_10.0.1.23_${randomBytes(4).toString('hex')}.log.gz`;
}

/** `account`: the load balancer owner's (the bucket name and the key prefix carry it); default moto's. */
export async function seedAccessLogs(endpoint: string, o: { env: string; bucket?: string; account?: string; files: Array<{ end: Date; lines: string[] }> }): Promise<string> {
  const bucket = o.bucket ?? `opencode-jwt-alb-logs-${o.env}-${o.account ?? ACCOUNT}`;
  const s3 = new S3Client({ ...cfg(endpoint), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const f of o.files) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: accessLogKey(o.env, f.end, o.account), Body: gzipSync(f.lines.join('\n') + '\n') }));
  }
  return bucket;
}
