/** search_logs (router logs in CloudWatch) and search_alb_access_logs (ALB access logs in S3). */
import { z } from 'zod';
import { AccessLogAggregator, checkAccessLogs, logsMissing } from '../checks/opencode/access-logs.js';
import { checkRouterLogs, findLogGroup, logGroupMissing, NO_LOG_LINE_NOTE, parseRouterLine, summarizeInsightsRows, summarizeRouterLines } from '../checks/opencode/router-logs.js';
import { type Finding } from '../checks/finding.js';
import { awsFailure } from '../checks/source-failure.js';
import { accessLogBucket, ACCESS_LOG_PREFIX, resolveEnvironment, ssmPath } from '../presets/opencode.js';
import { awsSession, type AwsSession } from '../sources/aws/client.js';
import { SourceError, UsageError } from '../sources/errors.js';
import { taskDefinitionLogs } from '../sources/aws/ecs.js';
import { filterLogEvents, insightsQuery } from '../sources/aws/logs.js';
import { forEachObjectLine, listObjects } from '../sources/aws/s3.js';
import { ssmValue } from '../sources/aws/ssm.js';
import { callerAccount } from '../sources/aws/sts.js';
import { defineTool, resultOf, regionInputShape, resultSchema, type ToolContext } from './define.js';

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
const INSIGHTS_ABOVE_MS = 6 * 3600_000;
const MAX_PAGES = 20;
const MAX_EVENTS = 10_000;
/** Paging and reading logs stop here (partial counts, said in a note) so a call never runs on. */
const LOG_DEADLINE_MS = 60_000;

const searchLogs = defineTool({
  name: 'search_logs',
  toolsets: ['opencode'],
  title: 'Search the OpenCode router logs',
  description:
    'What did the OpenCode router log? Counts by status, message, auth source and error code, and the newest events (parsed, redacted, never raw lines), over a window. The log group comes from the ECS task definition, never a guessed name; windows over 6 h use Logs Insights. A rejected API key leaves no router log line.',
  input: z.object({
    ...windowInput,
    log_group: z.string().optional().describe('Log group name (default: from the ECS task definition named in SSM).'),
    filter_pattern: z.string().optional().describe('CloudWatch filter pattern: plain terms or "quoted phrases", e.g. "Request completed" or a request id.'),
    insights: z.boolean().optional().describe('Aggregate with CloudWatch Logs Insights instead of paging through events.'),
    ...regionInputShape,
  }),
  output: resultSchema({
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
    const environment = resolveEnvironment(input.env, ctx.env, ctx.cwd);
    const window = windowOf(input, ctx.now);
    const aws = awsSession({ region: input.region, profile: input.profile, signal: ctx.signal });
    const findings: Finding[] = [];
    const notes = [NO_LOG_LINE_NOTE];
    const empty = { environment, window: window.out, mode: 'filter' as const, pages: 0, truncated: false, events: [], notes };
    const group = await locateGroup(aws, input.log_group, environment.name, findings, input.profile);
    if (!group) return { ...resultOf(findings, 'The router log group could not be found.'), ...empty };
    const insights = Boolean(input.insights) || window.endMs - window.startMs > INSIGHTS_ABOVE_MS;
    try {
      const r = insights ? await viaInsights(aws, group.name, window, input, ctx) : await viaFilter(aws, group.name, window, input, ctx);
      findings.push(...checkRouterLogs(r.counts, { group: group.name, window: window.out.label }));
      if (r.counts.events === 0) notes.push('No router log lines in the window. A 401 with an API key and no line here means the key was rejected (check_api_key); a 403 never reached the router (search_alb_access_logs).');
      if (r.truncated) notes.push(`Stopped after ${r.pages} pages / ${MAX_EVENTS} events: counts cover the start of the window only. Narrow the window or pass insights: true.`);
      const { note, ...facts } = r;
      if (note) notes.push(note);
      const mode = insights ? ('insights' as const) : ('filter' as const);
      return { ...resultOf(findings, `No router failures among ${r.counts.events} events in ${window.out.label}.`, `${r.counts.events} events in ${window.out.label}`), ...empty, log_group: group, mode, ...facts };
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      findings.push(e.facts.kind === 'not_found' ? logGroupMissing(`log group ${group.name} (from ${group.source}) does not exist in this account/region`, environment.name) : awsFailure(e, { profile: input.profile }));
      return { ...resultOf(findings, 'The router logs could not be read.'), ...empty, log_group: group };
    }
  },
  text: (o) => [
    `log group ${o.log_group?.name ?? '?'} (${o.log_group?.source ?? 'not found'}), ${o.window.label}, ${o.mode}${o.truncated ? ' (truncated)' : ''}`,
    ...(o.counts ? [`status: ${fmt(o.counts.by_status)}`, `message: ${fmt(o.counts.by_message)}`, `auth_source: ${fmt(o.counts.by_auth_source)}`] : []),
    ...o.events.map((e) => [e.timestamp, e.level, e.message, e.status, e.method, e.path, e.request_id && `req=${e.request_id}`].filter((x) => x !== undefined && x !== '').join(' ')),
    ...o.notes.map((n) => `note: ${n}`),
  ],
});

type WindowArgs = { since?: string | undefined; start?: string | undefined; end?: string | undefined; limit?: number | undefined; filter_pattern?: string | undefined };
type Window = ReturnType<typeof windowOf>;

async function viaFilter(aws: AwsSession, group: string, w: Window, input: WindowArgs, ctx: ToolContext) {
  const r = await filterLogEvents(aws, {
    group, startMs: w.startMs, endMs: w.endMs, pattern: input.filter_pattern, maxPages: MAX_PAGES, maxEvents: MAX_EVENTS, signal: ctx.signal, deadlineMs: Date.now() + LOG_DEADLINE_MS,
    onPage: (page, n) => ctx.progress(page, undefined, `page ${page}: ${n} events`),
  });
  const s = summarizeRouterLines(r.events, input.limit ?? 20);
  const note = r.stoppedBy === 'deadline' ? `Paging stopped at the ${LOG_DEADLINE_MS / 1000} s deadline after ${r.pages} pages: counts cover the start of the window only.` : undefined;
  return { counts: s.counts, events: s.newest, pages: r.pages, truncated: r.truncated, note };
}

async function viaInsights(aws: AwsSession, group: string, w: Window, input: WindowArgs, ctx: ToolContext) {
  const filter = insightsFilter(input.filter_pattern);
  const base = { group, startMs: w.startMs, endMs: w.endMs, timeoutMs: 60_000, signal: ctx.signal, onPoll: (n: number, s: string) => ctx.progress(n, undefined, `Logs Insights: ${s}`) };
  const stats = await insightsQuery(aws, { ...base, query: `${filter}stats count(*) as n by status, message, auth_source, level, code` });
  const newest = await insightsQuery(aws, { ...base, query: `${filter}fields @timestamp, @message | sort @timestamp desc | limit ${input.limit ?? 20}` });
  const events = newest.rows.map((r) => parseRouterLine(r['@message'] ?? '', Number(r['@timestamp']) || Date.parse(r['@timestamp'] ?? '') || w.endMs));
  const note = stats.status === 'Complete' ? `Aggregated server-side by Logs Insights${stats.records_scanned !== undefined ? ` (${stats.records_scanned} records scanned)` : ''}.` : `The Logs Insights query ended with status ${stats.status}; counts may be incomplete.`;
  return { counts: summarizeInsightsRows(stats.rows), events, pages: 0, truncated: stats.status !== 'Complete', note };
}

/** Plain terms and "quoted phrases" → Insights `filter @message like "…"` clauses. */
function insightsFilter(pattern: string | undefined): string {
  const terms = [...(pattern ?? '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').filter(Boolean);
  return terms.map((t) => `filter @message like ${JSON.stringify(t)} | `).join('');
}

/** The log group: the input, else the ECS task definition named in SSM. Pushes findings on the way. */
async function locateGroup(aws: AwsSession, given: string | undefined, env: string, findings: Finding[], profile?: string) {
  if (given) return { name: given, source: 'input' };
  const param = ssmPath(env, 'ecs/task-definition-arn');
  try {
    const arn = await ssmValue(aws, param);
    if (!arn) return void findings.push(logGroupMissing(`SSM parameter ${param} is missing`, env));
    const td = await taskDefinitionLogs(aws, arn).catch((e: unknown) => {
      if (e instanceof SourceError && e.facts.kind !== 'access_denied' && e.facts.kind !== 'throttled' && !String(e.facts.kind).startsWith('cred')) return undefined;
      throw e;
    });
    if (!td) return void findings.push(logGroupMissing(`task definition ${arn} (from SSM ${param}) does not exist`, env));
    const found = findLogGroup(td, arn, env);
    findings.push(found.finding);
    return found.group;
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    findings.push(awsFailure(e, { profile }));
    return undefined;
  }
}

const searchAccessLogs = defineTool({
  name: 'search_alb_access_logs',
  toolsets: ['opencode'],
  title: 'Search the JWT ALB access logs',
  description:
    'Reads the JWT ALB\'s access logs where they really are (S3 bucket opencode-jwt-alb-logs-<env>-<account>, prefix jwt-alb, gzip; never CloudWatch) over a window: 401/403 counts by path and by matched rule / actions, who answered (default 403, jwt-validation 401, or the router), and the newest rejected requests (client IP, method, path without query values, rule, user agent, error_reason). Says when access logging is off.',
  input: z.object({
    ...windowInput,
    bucket: z.string().optional().describe('Bucket name (default: opencode-jwt-alb-logs-<env>-<account>, account from sts:GetCallerIdentity).'),
    ...regionInputShape,
  }),
  output: resultSchema({
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
    const environment = resolveEnvironment(input.env, ctx.env, ctx.cwd);
    const window = windowOf(input, ctx.now);
    if (window.endMs - window.startMs > 14 * 86400_000) throw new UsageError('The window is longer than 14 days.', 'Narrow it with since/start/end; for longer spans query the bucket with Athena.');
    const aws = awsSession({ region: input.region, profile: input.profile, signal: ctx.signal });
    const findings: Finding[] = [];
    const notes = ['ALB access logs hold no header values; query-string values are dropped here (only parameter names are kept).'];
    const base = { environment, prefix: ACCESS_LOG_PREFIX, window: window.out, files: { listed: 0, read: 0, skipped: 0 }, rejected: [], notes };
    try {
      const account = await callerAccount(aws);
      const region = input.region ?? (await aws.region()) ?? 'us-east-1';
      const bucket = input.bucket ? { name: input.bucket, source: 'input' } : { name: accessLogBucket(environment.name, account ?? '<account>'), source: `preset (account ${account})` };
      const read = await readAccessLogs(aws, bucket.name, `${ACCESS_LOG_PREFIX}/AWSLogs/${account}/elasticloadbalancing/${region}/`, window, ctx, input.limit ?? 20);
      if (!read) {
        findings.push(logsMissing(bucket.name, ACCESS_LOG_PREFIX, `bucket ${bucket.name} does not exist`));
        return { ...resultOf(findings, `ALB access logs are not available (bucket ${bucket.name} does not exist).`), ...base, bucket };
      }
      const counts = read.counts;
      findings.push(...checkAccessLogs(counts, { bucket: bucket.name, prefix: ACCESS_LOG_PREFIX, window: window.out.label, files: read.files.read }));
      if (read.files.skipped) notes.push(`${read.files.skipped} older or unreadable log files were not read: narrow the window for complete counts.`);
      if (read.stoppedBy) notes.push(`Reading stopped at the ${read.stoppedBy} (${read.lines} lines, ${Math.round(read.bytes / 1048576)} MiB): counts cover the newest files only; narrow the window for complete counts.`);
      if (read.partial) notes.push(`${read.partial} log files unpack to more than ${ACCESS_LOG_BUDGET.fileBytes / 1048576} MiB; only their start was read.`);
      const rejected = read.rejected;
      return { ...resultOf(findings, `No 401/403 among ${counts.requests} requests in ${window.out.label}.`, window.out.label), ...base, bucket, files: read.files, counts, rejected };
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      findings.push(awsFailure(e, { profile: input.profile }));
      return { ...resultOf(findings, 'The ALB access logs could not be read.'), ...base };
    }
  },
  text: (o) => [
    `s3://${o.bucket?.name ?? '?'}/${o.prefix} (${o.bucket?.source ?? '?'}), ${o.window.label}: ${o.files.read} files read`,
    ...(o.counts ? [`status: ${fmt(o.counts.by_status)}`, `rejected by cause: ${fmt(o.counts.by_cause)}`, `rejected by rule: ${fmt(o.counts.by_rule)}`] : []),
    ...o.rejected.map((r) => `${r.time} ${r.elb_status ?? '-'} ${r.method} ${r.path} rule ${r.rule} [${r.actions.join(',')}] ${r.client_ip} "${r.user_agent ?? '-'}"${r.error_reason ? ` ${r.error_reason}` : ''}`),
    ...o.notes.map((n) => `note: ${n}`),
  ],
});

const MAX_FILES = 100;
/** Per call: unpacked bytes and lines read across all files, and the time spent, before reading stops. */
const ACCESS_LOG_BUDGET = { bytes: 2 * 1024 ** 3, lines: 10_000_000, fileBytes: 32 * 1024 * 1024 } as const;
const STAMP = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;

/**
 * Lists the day folders of the window and streams the newest files (gunzip as a stream) through
 * one aggregator: no line is kept, so memory stays flat as data grows. Byte, line and time
 * budgets stop the reading (said in a note).
 */
async function readAccessLogs(aws: AwsSession, bucket: string, base: string, w: Window, ctx: ToolContext, limit: number) {
  const days: string[] = [];
  for (let t = Date.UTC(...ymd(w.startMs)); t <= w.endMs; t += 86400_000) days.push(`${base}${new Date(t).toISOString().slice(0, 10).replace(/-/g, '/')}/`);
  const listed = await listObjects(aws, bucket, days, 5000).catch((e: unknown) => {
    if (e instanceof SourceError && e.facts.kind === 'not_found') return undefined;
    throw e;
  });
  if (!listed) return undefined;
  const inWindow = listed.objects
    .map((o) => ({ ...o, stamp: stampOf(o.key) }))
    .filter((o) => o.stamp === undefined || (o.stamp >= w.startMs && o.stamp - 15 * 60_000 <= w.endMs))
    .sort((a, b) => (b.stamp ?? 0) - (a.stamp ?? 0));
  const agg = new AccessLogAggregator(w, limit);
  const deadline = Date.now() + LOG_DEADLINE_MS;
  let bytes = 0;
  let stoppedBy: string | undefined;
  const over = () => {
    if (agg.lines >= ACCESS_LOG_BUDGET.lines) stoppedBy = `${ACCESS_LOG_BUDGET.lines.toLocaleString('en-US')}-line budget`;
    else if (bytes >= ACCESS_LOG_BUDGET.bytes) stoppedBy = `${ACCESS_LOG_BUDGET.bytes / 1024 ** 3} GiB budget`;
    else if (Date.now() >= deadline) stoppedBy = `${LOG_DEADLINE_MS / 1000} s deadline`;
    return stoppedBy !== undefined;
  };
  let read = 0;
  let failed = 0;
  let notRead = 0;
  let partial = 0;
  const files = inWindow.slice(0, MAX_FILES);
  for (const [i, o] of files.entries()) {
    if (ctx.signal.aborted || over()) {
      notRead = files.length - i;
      break;
    }
    const got = await forEachObjectLine(aws, bucket, o.key, { maxBytes: ACCESS_LOG_BUDGET.fileBytes, signal: ctx.signal, stop: over }, (line) => {
      bytes += line.length + 1;
      agg.addLine(line);
    }).catch((e: unknown) => {
      if (e instanceof SourceError && e.code !== 'SOURCE_AWS') return undefined;
      throw e;
    });
    ctx.progress(read + failed + 1, files.length, o.key.split('/').pop());
    if (got === undefined) failed++;
    else read++;
    if (got?.truncated && !stoppedBy) partial++;
  }
  return {
    counts: agg.summary(),
    rejected: agg.rejected(),
    lines: agg.lines,
    bytes,
    stoppedBy,
    partial,
    files: { listed: listed.objects.length, read, skipped: Math.max(0, inWindow.length - MAX_FILES) + failed + notRead },
  };
}

const ymd = (ms: number): [number, number, number] => {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
};

function stampOf(key: string): number | undefined {
  const m = STAMP.exec(key);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : undefined;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000, d: 86400_000 };

/** since ("15m", "2h", "1d") or start/end (ISO 8601) → a window ending at end or now. */
export function windowOf(input: { since?: string | undefined; start?: string | undefined; end?: string | undefined }, now: Date) {
  if (input.since && input.start) throw new UsageError('Both since and start given.', 'Pass since (e.g. "2h") or start/end, not both.');
  const endMs = input.end ? Date.parse(input.end) : now.getTime();
  if (Number.isNaN(endMs)) throw new UsageError(`end "${input.end}" is not an ISO 8601 time.`, 'Use e.g. 2026-09-21T10:00:00Z.');
  let startMs: number;
  if (input.start) {
    startMs = Date.parse(input.start);
    if (Number.isNaN(startMs)) throw new UsageError(`start "${input.start}" is not an ISO 8601 time.`, 'Use e.g. 2026-09-21T09:00:00Z.');
  } else {
    const m = /^(\d+)\s*([smhd])$/.exec((input.since ?? '1h').trim());
    if (!m) throw new UsageError(`since "${input.since}" is not a duration.`, 'Use a number and a unit: "15m", "2h", "1d".');
    startMs = endMs - Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  if (startMs >= endMs) throw new UsageError('The window is empty: start is not before end.', 'Pass a start before end, or a positive since.');
  if (endMs - startMs > 90 * 86400_000) throw new UsageError('The window is longer than 90 days.', 'Narrow it with since/start/end.');
  const start = new Date(startMs).toISOString();
  const end = new Date(endMs).toISOString();
  const label = input.start ? `${start} – ${end}` : `the ${input.since ?? '1h'} before ${end}`;
  return { startMs, endMs, out: { start, end, label } };
}

const fmt = (cs: Array<{ value: string; count: number }>) => cs.slice(0, 6).map((c) => `${c.value} ×${c.count}`).join(', ') || '-';


export default [searchLogs, searchAccessLogs];
