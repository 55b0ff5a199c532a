/**
 * The OpenCode Stack's logs, as facts: the router's log events (CloudWatch; the real log group
 * from the ECS task definition) and the JWT ALB's access logs (S3, streamed and aggregated).
 * Tools and the diagnosis call the same gatherers; each read is bounded by pages, bytes, lines
 * and a deadline, and said in a note when it stops early.
 */
import { accountOfArn } from '../checks/arn.js';
import { AccessLogAggregator, checkAccessLogs, logsMissing } from '../checks/opencode/access-logs.js';
import { checkRouterLogs, findLogGroup, logGroupMissing, NO_LOG_LINE_NOTE, parseRouterLine, summarizeInsightsRows, summarizeRouterLines } from '../checks/opencode/router-logs.js';
import type { Finding } from '../checks/finding.js';
import { ACCESS_LOG_PREFIX, accessLogBucket, SSM_KEYS, ssmPath } from '../presets/opencode.js';
import type { AwsSession } from '../sources/aws/client.js';
import { taskDefinitionLogs } from '../sources/aws/ecs.js';
import { filterLogEvents, insightsQuery } from '../sources/aws/logs.js';
import { forEachObjectLine, listObjects } from '../sources/aws/s3.js';
import { ssmValue } from '../sources/aws/ssm.js';
import { callerAccount } from '../sources/aws/sts.js';
import { SourceError, UsageError } from '../sources/errors.js';
import { once, type GatherContext } from './context.js';
import { failureFinding, isNotFound } from './failure.js';
import { gatherSsmTree, type Stack } from './opencode.js';

export const INSIGHTS_ABOVE_MS = 6 * 3600_000;
export const MAX_PAGES = 20;
export const MAX_EVENTS = 10_000;
/** Paging and reading logs stop here (partial counts, said in a note) so a call never runs on. */
export const LOG_DEADLINE_MS = 60_000;


export type WindowArgs = { since?: string | undefined; start?: string | undefined; end?: string | undefined; limit?: number | undefined; filter_pattern?: string | undefined };
export type Window = ReturnType<typeof windowOf>;

async function viaFilter(aws: AwsSession, group: string, w: Window, input: WindowArgs, ctx: GatherContext) {
  const r = await filterLogEvents(aws, {
    group, startMs: w.startMs, endMs: w.endMs, pattern: input.filter_pattern, maxPages: MAX_PAGES, maxEvents: MAX_EVENTS, signal: ctx.signal, deadlineMs: Date.now() + LOG_DEADLINE_MS,
    onPage: (page, n) => ctx.progress(page, undefined, `page ${page}: ${n} events`),
  });
  const s = summarizeRouterLines(r.events, input.limit ?? 20);
  const note = r.stoppedBy === 'deadline' ? `Paging stopped at the ${LOG_DEADLINE_MS / 1000} s deadline after ${r.pages} pages: counts cover the start of the window only.` : undefined;
  return { counts: s.counts, events: s.newest, pages: r.pages, truncated: r.truncated, note };
}

async function viaInsights(aws: AwsSession, group: string, w: Window, input: WindowArgs, ctx: GatherContext) {
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
export async function locateGroup(aws: AwsSession, given: string | undefined, env: string, findings: Finding[], profile?: string) {
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
    findings.push(failureFinding(e, { profile }));
    return undefined;
  }
}


export const MAX_FILES = 100;
/** Per call: unpacked bytes and lines read across all files, and the time spent, before reading stops. */
export const ACCESS_LOG_BUDGET = { bytes: 2 * 1024 ** 3, lines: 10_000_000, fileBytes: 32 * 1024 * 1024 } as const;
const STAMP = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;

/**
 * Lists the day folders of the window and streams the newest files (gunzip as a stream) through
 * one aggregator: no line is kept, so memory stays flat as data grows. Byte, line and time
 * budgets stop the reading (said in a note).
 */
export async function readAccessLogs(aws: AwsSession, bucket: string, base: string, w: Window, ctx: GatherContext, limit: number) {
  const days: string[] = [];
  for (let t = Date.UTC(...ymd(w.startMs)); t <= w.endMs; t += 86400_000) days.push(`${base}${new Date(t).toISOString().slice(0, 10).replace(/-/g, '/')}/`);
  const listed = await listObjects(aws, bucket, days, 5000).catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
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


export interface RouterLogsGathered {
  group?: { name: string; source: string } | undefined;
  counts?: ReturnType<typeof summarizeRouterLines>['counts'];
  events: ReturnType<typeof summarizeRouterLines>['newest'];
  mode: 'filter' | 'insights';
  pages: number;
  truncated: boolean;
  findings: Finding[];
  notes: string[];
}

/** The router's log events in the window: counts, the newest events, and the findings they support. */
export function gatherRouterLogs(ctx: GatherContext, s: Stack, o: { window: Window; logGroup?: string | undefined; pattern?: string | undefined; insights?: boolean | undefined; limit?: number | undefined }): Promise<RouterLogsGathered> {
  return once(ctx, `router-logs:${s.key}:${o.window.startMs}:${o.window.endMs}:${o.logGroup ?? ''}:${o.pattern ?? ''}:${o.insights ? 1 : 0}:${o.limit ?? 20}`, async () => {
    const findings: Finding[] = [];
    const notes = [NO_LOG_LINE_NOTE];
    const empty = { mode: 'filter' as const, pages: 0, truncated: false, events: [], notes };
    const group = await locateGroup(s.aws, o.logGroup, s.env.name, findings, s.profile);
    if (!group) return { ...empty, findings };
    const insights = Boolean(o.insights) || o.window.endMs - o.window.startMs > INSIGHTS_ABOVE_MS;
    const args = { filter_pattern: o.pattern, limit: o.limit };
    try {
      const r = insights ? await viaInsights(s.aws, group.name, o.window, args, ctx) : await viaFilter(s.aws, group.name, o.window, args, ctx);
      findings.push(...checkRouterLogs(r.counts, { group: group.name, window: o.window.out.label }));
      if (r.counts.events === 0) notes.push('No router log lines in the window. A 401 with an API key and no line here means the key was rejected (check_api_key); a 403 never reached the router (search_alb_access_logs).');
      if (r.truncated) notes.push(`Stopped after ${r.pages} pages / ${MAX_EVENTS} events: counts cover the start of the window only. Narrow the window or pass insights: true.`);
      if (r.note) notes.push(r.note);
      return { group, counts: r.counts, events: r.events, mode: insights ? ('insights' as const) : ('filter' as const), pages: r.pages, truncated: r.truncated, findings, notes };
    } catch (e) {
      findings.push(isNotFound(e) ? logGroupMissing(`log group ${group.name} (from ${group.source}) does not exist in this account/region`, s.env.name) : failureFinding(e, { profile: s.profile }));
      return { ...empty, group, findings };
    }
  });
}

export interface AccessLogsGathered {
  bucket?: { name: string; source: string } | undefined;
  read?: Awaited<ReturnType<typeof readAccessLogs>>;
  findings: Finding[];
  notes: string[];
}

async function albAccount(ctx: GatherContext, s: Stack): Promise<string | undefined> {
  const tree = await gatherSsmTree(ctx, s);
  const arn = tree.parameters.find((p) => p.name === ssmPath(s.env.name, SSM_KEYS.listenerArn))?.value;
  return accountOfArn(arn);
}

/** The JWT ALB's access logs in the window (S3, where they really are). */
export function gatherAccessLogs(ctx: GatherContext, s: Stack, o: { window: Window; bucket?: string | undefined; region?: string | undefined; limit?: number | undefined }): Promise<AccessLogsGathered> {
  return once(ctx, `access-logs:${s.key}:${o.window.startMs}:${o.window.endMs}:${o.bucket ?? ''}:${o.limit ?? 20}`, async () => {
    const findings: Finding[] = [];
    const notes = ['ALB access logs hold no header values; query-string values are dropped here (only parameter names are kept).'];
    try {
      // The prefix names the account that owns the load balancer (ELB user guide, "Access log files":
      // AWSLogs/aws-account-id/elasticloadbalancing/…): the listener ARN's account, read from SSM (one
      // memoized read the diagnosis has already started); the caller's account only when SSM has none.
      const owner = await albAccount(ctx, s);
      const account = owner ?? (await callerAccount(s.aws));
      const region = o.region ?? (await s.aws.region()) ?? 'us-east-1';
      const bucket = o.bucket ? { name: o.bucket, source: 'input' } : { name: accessLogBucket(s.env.name, account ?? '<account>'), source: `preset (account ${account}${owner ? ', the listener\'s' : ', the caller\'s'})` };
      const read = await readAccessLogs(s.aws, bucket.name, `${ACCESS_LOG_PREFIX}/AWSLogs/${account}/elasticloadbalancing/${region}/`, o.window, ctx, o.limit ?? 20);
      if (!read) {
        findings.push(logsMissing(bucket.name, ACCESS_LOG_PREFIX, `bucket ${bucket.name} does not exist`));
        return { bucket, findings, notes };
      }
      findings.push(...checkAccessLogs(read.counts, { bucket: bucket.name, prefix: ACCESS_LOG_PREFIX, window: o.window.out.label, files: read.files.read }));
      if (read.files.skipped) notes.push(`${read.files.skipped} older or unreadable log files were not read: narrow the window for complete counts.`);
      if (read.stoppedBy) notes.push(`Reading stopped at the ${read.stoppedBy} (${read.lines} lines, ${Math.round(read.bytes / 1048576)} MiB): counts cover the newest files only; narrow the window for complete counts.`);
      if (read.partial) notes.push(`${read.partial} log files unpack to more than ${ACCESS_LOG_BUDGET.fileBytes / 1048576} MiB; only their start was read.`);
      return { bucket, read, findings, notes };
    } catch (e) {
      findings.push(failureFinding(e, { profile: s.profile }));
      return { findings, notes };
    }
  });
}
