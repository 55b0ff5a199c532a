/** search_logs (router logs in CloudWatch) and search_alb_access_logs (ALB access logs in S3). */
import { z } from 'zod';
import { ACCESS_LOG_PREFIX } from '../presets/opencode.js';
import { gatherAccessLogs, gatherRouterLogs, windowOf } from '../gather/logs.js';
import { stackOf } from '../gather/opencode.js';
import { UsageError } from '../sources/errors.js';
import { defineTool, resultOf, regionInputShape, resultSchema } from './define.js';


const count = z.array(z.object({ value: z.string(), count: z.number() }));
const envShape = z.object({ name: z.string(), source: z.string() });
const windowShape = z.object({ start: z.string(), end: z.string(), label: z.string() });
const windowInput = {
  since: z.string().optional().describe('How far back from now (or from end): "15m", "2h", "1d". Default 1h.'),
  start: z.string().optional().describe('Window start, ISO 8601 (instead of since).'),
  end: z.string().optional().describe('Window end, ISO 8601 (default now).'),
  limit: z.number().int().min(1).max(200).optional().describe('How many of the newest events to return (default 20).'),
  env: z.string().optional().describe('Stack environment name (default: ENVIRONMENT, then cdk.context.json, then dev).'),
};
const searchLogs = defineTool({
  name: 'search_logs',
  toolsets: ['opencode'],
  title: 'Search the OpenCode router logs',
  description:
    'What did the OpenCode router log? Counts by status, message, auth source and error code, and the newest events (parsed, redacted, never raw lines), over a window. The log group comes from the ECS task definition, never a guessed name; windows over 6 h use Logs Insights. A rejected API key leaves no router log line.',
  input: () => z.object({
    ...windowInput,
    log_group: z.string().optional().describe('Log group name (default: from the ECS task definition named in SSM).'),
    filter_pattern: z.string().optional().describe('CloudWatch filter pattern: plain terms or "quoted phrases", e.g. "Request completed" or a request id.'),
    insights: z.boolean().optional().describe('Aggregate with CloudWatch Logs Insights instead of paging through events.'),
    ...regionInputShape,
  }),
  output: () => resultSchema({
    environment: envShape,
    log_group: z.object({ name: z.string(), source: z.string() }).optional(),
    window: windowShape,
    mode: z.enum(['filter', 'insights']),
    pages: z.number().describe('FilterLogEvents pages read (0 in insights mode).'),
    truncated: z.boolean().describe('The page/event cap was reached: counts cover the oldest part of the window only.'),
    counts: z.object({ events: z.number(), by_status: count, by_message: count, by_auth_source: count, by_error_code: count, by_level: count }).optional(),
    events: z.array(z.object({
      timestamp: z.string(), level: z.string(), message: z.string(), status: z.number().optional(), method: z.string().optional(), path: z.string().optional(),
      auth_source: z.string().optional(), user_sub: z.string().optional(), request_id: z.string().optional(), duration_ms: z.number().optional(), error_code: z.string().optional(), unparsed: z.boolean().optional(),
    })),
    notes: z.array(z.string()),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'logs',
    summary: 'Summarise the OpenCode router logs (real log group from the ECS task definition).',
    examples: ['jwt-triage logs --env prod --since 15m', 'jwt-triage logs --since 1d --insights', 'jwt-triage logs --filter-pattern "DynamoDB lookup failed" --since 2h'],
  },
  async handle(input, ctx) {
    const stack = stackOf(ctx, input);
    const window = windowOf(input, ctx.now);
    const g = await gatherRouterLogs(ctx, stack, { window, logGroup: input.log_group, pattern: input.filter_pattern, insights: input.insights, limit: input.limit });
    const base = { environment: stack.env, window: window.out, mode: g.mode, pages: g.pages, truncated: g.truncated, events: g.events, notes: g.notes, ...(g.group ? { log_group: g.group } : {}), ...(g.counts ? { counts: g.counts } : {}) };
    if (!g.group) return { ...resultOf(g.findings, 'The router log group could not be found.'), ...base };
    if (!g.counts) return { ...resultOf(g.findings, 'The router logs could not be read.'), ...base };
    return { ...resultOf(g.findings, `No router failures among ${g.counts.events} events in ${window.out.label}.`, `${g.counts.events} events in ${window.out.label}`), ...base };
  },
  text: (o) => [
    `log group ${o.log_group?.name ?? '?'} (${o.log_group?.source ?? 'not found'}), ${o.window.label}, ${o.mode}${o.truncated ? ' (truncated)' : ''}`,
    ...(o.counts ? [`status: ${fmt(o.counts.by_status)}`, `message: ${fmt(o.counts.by_message)}`, `auth_source: ${fmt(o.counts.by_auth_source)}`] : []),
    ...o.events.map((e) => [e.timestamp, e.level, e.message, e.status, e.method, e.path, e.request_id && `req=${e.request_id}`].filter((x) => x !== undefined && x !== '').join(' ')),
    ...o.notes.map((n) => `note: ${n}`),
  ],
});

const searchAccessLogs = defineTool({
  name: 'search_alb_access_logs',
  toolsets: ['opencode'],
  title: 'Search the JWT ALB access logs',
  description:
    'Reads the JWT ALB\'s access logs where they really are (S3 bucket opencode-jwt-alb-logs-<env>-<account>, prefix jwt-alb, gzip; never CloudWatch) over a window: 401/403 counts by path and by matched rule / actions, who answered (default 403, jwt-validation 401, or the router), and the newest rejected requests (client IP, method, path without query values, rule, user agent, error_reason). Says when access logging is off.',
  input: () => z.object({
    ...windowInput,
    bucket: z.string().optional().describe('Bucket name (default: opencode-jwt-alb-logs-<env>-<account>, the account of the listener ARN in SSM, else the caller).'),
    ...regionInputShape,
  }),
  output: () => resultSchema({
    environment: envShape,
    bucket: z.object({ name: z.string(), source: z.string() }).optional(),
    prefix: z.string(),
    window: windowShape,
    files: z.object({ listed: z.number(), read: z.number(), skipped: z.number() }),
    counts: z.object({ requests: z.number(), rejections: z.number(), by_status: count, by_cause: count, by_path: count, by_rule: count }).optional(),
    rejected: z.array(z.object({
      time: z.string(), client_ip: z.string(), method: z.string(), path: z.string(), query_keys: z.array(z.string()), elb_status: z.number().optional(), target_status: z.number().optional(),
      rule: z.string(), actions: z.array(z.string()), user_agent: z.string().optional(), error_reason: z.string().optional(), cause: z.string(),
    })),
    notes: z.array(z.string()),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'access-logs',
    summary: 'Count 401/403 in the JWT ALB access logs (S3) by path and rule; newest rejected requests.',
    examples: ['jwt-triage access-logs --env prod --since 1h', 'jwt-triage access-logs --bucket my-alb-logs --start 2026-09-21T10:00:00Z --end 2026-09-21T11:00:00Z'],
  },
  async handle(input, ctx) {
    const stack = stackOf(ctx, input);
    const window = windowOf(input, ctx.now);
    if (window.endMs - window.startMs > 14 * 86400_000) throw new UsageError('The window is longer than 14 days.', 'Narrow it with since/start/end; for longer spans query the bucket with Athena.');
    const g = await gatherAccessLogs(ctx, stack, { window, bucket: input.bucket, region: input.region, limit: input.limit });
    const base = { environment: stack.env, prefix: ACCESS_LOG_PREFIX, window: window.out, files: g.read?.files ?? { listed: 0, read: 0, skipped: 0 }, rejected: g.read?.rejected ?? [], notes: g.notes, ...(g.bucket ? { bucket: g.bucket } : {}) };
    if (!g.bucket) return { ...resultOf(g.findings, 'The ALB access logs could not be read.'), ...base };
    if (!g.read) return { ...resultOf(g.findings, `ALB access logs are not available (bucket ${g.bucket.name} does not exist).`), ...base };
    return { ...resultOf(g.findings, `No 401/403 among ${g.read.counts.requests} requests in ${window.out.label}.`, window.out.label), ...base, counts: g.read.counts };
  },
  text: (o) => [
    `s3://${o.bucket?.name ?? '?'}/${o.prefix} (${o.bucket?.source ?? '?'}), ${o.window.label}: ${o.files.read} files read`,
    ...(o.counts ? [`status: ${fmt(o.counts.by_status)}`, `rejected by cause: ${fmt(o.counts.by_cause)}`, `rejected by rule: ${fmt(o.counts.by_rule)}`] : []),
    ...o.rejected.map((r) => `${r.time} ${r.elb_status ?? '-'} ${r.method} ${r.path} rule ${r.rule} [${r.actions.join(',')}] ${r.client_ip} "${r.user_agent ?? '-'}"${r.error_reason ? ` ${r.error_reason}` : ''}`),
    ...o.notes.map((n) => `note: ${n}`),
  ],
});

const fmt = (cs: Array<{ value: string; count: number }>) => cs.slice(0, 6).map((c) => `${c.value} ×${c.count}`).join(', ') || '-';


export default [searchLogs, searchAccessLogs];
