/**
 * The router's JSON log lines (`{timestamp, level, logger:"bedrock-router", message, …}`),
 * parsed into short, redacted events and counted. A rejected API key writes NO line:
 * the router authenticates before its request-logging middleware runs.
 */
import { error, fail, pass, warn, type Finding } from '../finding.js';
import { redactPatterns } from '../../redact.js';

export interface RouterEvent {
  timestamp: string;
  level: string;
  message: string;
  status?: number | undefined;
  method?: string | undefined;
  path?: string | undefined;
  auth_source?: string | undefined;
  user_sub?: string | undefined;
  request_id?: string | undefined;
  duration_ms?: number | undefined;
  error_code?: string | undefined;
  /** The line was not JSON; `message` holds its redacted start. */
  unparsed?: boolean | undefined;
}

export interface Count {
  value: string;
  count: number;
}

export interface RouterSummary {
  events: number;
  by_status: Count[];
  by_message: Count[];
  by_auth_source: Count[];
  by_error_code: Count[];
  by_level: Count[];
}

export const NO_LOG_LINE_NOTE =
  'A rejected API key leaves NO router log line (the router authenticates before it logs the request), so "no log line" for a 401 is itself evidence: check the key with check_api_key. A 403 never reaches the router at all: see search_alb_access_logs.';

/** Redacts secret-shaped text first, then trims, so a trimmed secret cannot slip past the patterns. */
export function clean(s: unknown, max = 160): string | undefined {
  if (s === undefined || s === null || s === '') return undefined;
  const text = redactPatterns(String(s)).replace(/\s+/g, ' ');
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/**
 * `clean` for values that repeat across lines (message, level, status words, paths): the
 * same input always gives the same output, so each distinct short value is redacted once.
 * Bounded: at most 4,096 values of ≤ 256 characters are kept, then the memo starts over.
 */
const memo = new Map<string, string | undefined>();
export function cleanRepeated(s: unknown, max = 160): string | undefined {
  if (typeof s !== 'string' || s.length > 256) return clean(s, max);
  const key = `${max}\u0000${s}`;
  const hit = memo.get(key);
  if (hit !== undefined || memo.has(key)) return hit;
  const v = clean(s, max);
  if (memo.size >= 4096) memo.clear();
  memo.set(key, v);
  return v;
}

const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

export function parseRouterLine(line: string, eventMs: number): RouterEvent {
  let j: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) j = v as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  const at = new Date(eventMs).toISOString();
  if (!j) return { timestamp: at, level: '?', message: clean(line) ?? '', unparsed: true };
  const err = j.error && typeof j.error === 'object' ? (j.error as Record<string, unknown>).code : undefined;
  const status = num(j.status);
  return {
    timestamp: clean(j.timestamp, 40) ?? at,
    level: clean(j.level, 12) ?? '?',
    message: clean(j.message) ?? '',
    status,
    method: clean(j.method, 10),
    path: clean(typeof j.path === 'string' ? j.path.split('?')[0] : undefined, 120),
    auth_source: clean(j.auth_source, 20),
    user_sub: clean(j.user_sub, 80),
    request_id: clean(j.request_id, 64),
    duration_ms: num(j.duration_ms),
    error_code: clean(j.code ?? j.error_code ?? err ?? (status === 426 ? 'client_outdated' : undefined), 40),
  };
}

/**
 * Counts router events and keeps the newest `limit` of them, in one pass: a line is parsed
 * once, only the counted fields are cleaned (through the memo, as they repeat), and only the
 * `limit` events shown are parsed in full. `events` are oldest first (FilterLogEvents order).
 * Same counts as summarizeRouterEvents(events.map(parseRouterLine)).
 */
export function summarizeRouterLines(events: ReadonlyArray<{ message: string; timestamp: number }>, limit: number): { counts: RouterSummary; newest: RouterEvent[] } {
  const tallies = { status: new Map<string, number>(), message: new Map<string, number>(), auth: new Map<string, number>(), code: new Map<string, number>(), level: new Map<string, number>() };
  const bump = (m: Map<string, number>, k: string | undefined) => {
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  };
  for (const e of events) {
    let j: Record<string, unknown> | undefined;
    // Only a line that starts like an object can be one: skip the throw for plain text.
    if (e.message.charCodeAt(0) === 123 /* { */ || /^\s*\{/.test(e.message)) {
      try {
        const v = JSON.parse(e.message) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) j = v as Record<string, unknown>;
      } catch {
        /* not JSON */
      }
    }
    if (!j) {
      bump(tallies.message, clean(e.message) || undefined);
      bump(tallies.level, '?');
      continue;
    }
    const status = num(j.status);
    const err = j.error && typeof j.error === 'object' ? (j.error as Record<string, unknown>).code : undefined;
    bump(tallies.status, status === undefined ? undefined : String(status));
    bump(tallies.message, cleanRepeated(j.message) || undefined);
    bump(tallies.auth, cleanRepeated(j.auth_source, 20));
    bump(tallies.code, cleanRepeated(j.code ?? j.error_code ?? err ?? (status === 426 ? 'client_outdated' : undefined), 40));
    bump(tallies.level, cleanRepeated(j.level, 12) ?? '?');
  }
  const sorted = (m: Map<string, number>): Count[] => [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return {
    counts: { events: events.length, by_status: sorted(tallies.status), by_message: sorted(tallies.message), by_auth_source: sorted(tallies.auth), by_error_code: sorted(tallies.code), by_level: sorted(tallies.level) },
    newest: events.slice(-limit).reverse().map((e) => parseRouterLine(e.message, e.timestamp)),
  };
}

export function countBy<T>(items: readonly T[], key: (t: T) => string | undefined, weight: (t: T) => number = () => 1): Count[] {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + weight(it));
  }
  return [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

export function summarizeRouterEvents(events: readonly RouterEvent[]): RouterSummary {
  return {
    events: events.length,
    by_status: countBy(events, (e) => (e.status === undefined ? undefined : String(e.status))),
    by_message: countBy(events, (e) => e.message || undefined),
    by_auth_source: countBy(events, (e) => e.auth_source),
    by_error_code: countBy(events, (e) => e.error_code),
    by_level: countBy(events, (e) => e.level),
  };
}

/** The rows of `stats count(*) as n by status, message, auth_source, level, code`, as a summary. */
export function summarizeInsightsRows(rows: ReadonlyArray<Record<string, string>>): RouterSummary {
  const n = (r: Record<string, string>) => Number(r.n ?? r['count(*)'] ?? 0) || 0;
  const v = (s: string | undefined, max = 160) => (s === undefined || s === '' ? undefined : clean(s, max));
  return {
    events: rows.reduce((a, r) => a + n(r), 0),
    by_status: countBy(rows, (r) => v(r.status, 8), n),
    by_message: countBy(rows, (r) => v(r.message), n),
    by_auth_source: countBy(rows, (r) => v(r.auth_source, 20), n),
    by_error_code: countBy(rows, (r) => v(r.code, 40) ?? (r.status === '426' ? 'client_outdated' : undefined), n),
    by_level: countBy(rows, (r) => v(r.level, 12), n),
  };
}

const sum = (cs: Count[], pred: (v: string) => boolean) => cs.filter((c) => pred(c.value)).reduce((a, c) => a + c.count, 0);

/** LOGS_ERRORS_FOUND: fail for 5xx / ERROR lines / DynamoDB lookup failures, warn for 4xx (426 client_outdated). */
export function checkRouterLogs(s: RouterSummary, where: { group: string; window: string }): Finding[] {
  const s5 = sum(s.by_status, (v) => Number(v) >= 500);
  const s4 = sum(s.by_status, (v) => Number(v) >= 400 && Number(v) < 500);
  const outdated = sum(s.by_status, (v) => v === '426');
  const dynamo = sum(s.by_message, (v) => v.startsWith('DynamoDB lookup failed'));
  const errors = sum(s.by_level, (v) => v === 'ERROR' || v === 'CRITICAL');
  const evidence = { log_group: where.group, window: where.window, status_5xx: s5, status_4xx: s4, client_outdated: outdated, dynamodb_lookup_failed: dynamo, error_lines: errors };
  if (s5 + dynamo + errors > 0) {
    const parts = [s5 && `${s5}× status 5xx`, dynamo && `${dynamo}× "DynamoDB lookup failed" (API-key checks answered 500 internal_error)`, errors && `${errors} ERROR lines`, s4 && `${s4}× status 4xx`].filter(Boolean);
    return [
      fail('LOGS_ERRORS_FOUND', {
        title: 'The router logged failures',
        detail: `${parts.join(', ')} in ${where.window}.`,
        evidence,
        fix: dynamo
          ? 'Check the ECS task role can dynamodb:GetItem on the API-keys table and that API_KEYS_TABLE_NAME names it; then look up the request_id of a failing event.'
          : 'Look up the request_id of a failing event (filter_pattern "<request_id>") to see the whole request.',
      }),
    ];
  }
  if (s4 > 0) {
    return [
      warn('LOGS_ERRORS_FOUND', {
        title: `The router answered ${s4} requests with 4xx`,
        detail: `${s4}× status 4xx in ${where.window}${outdated ? `, ${outdated} of them 426 client_outdated (the client is older than the router accepts)` : ''}.`,
        evidence,
        fix: outdated ? 'Update the OpenCode client to the version the router requires, then retry.' : 'Look up the request_id of a 4xx event to see the request.',
      }),
    ];
  }
  return [pass('LOGS_ERRORS_FOUND', { title: `No router failures among ${s.events} events in ${where.window}`, evidence })];
}

export interface TaskDefinitionLogFacts {
  family?: string | undefined;
  revision?: number | undefined;
  containers: Array<{ container: string; log_driver?: string | undefined; log_group?: string | undefined }>;
}

/** LOGS_GROUP_NOT_FOUND: how the router's log group was looked up, and why it failed. */
export function logGroupMissing(why: string, env: string): Finding {
  return error('LOGS_GROUP_NOT_FOUND', {
    title: 'The router log group could not be found',
    detail: `${why}. The log group name is generated by CloudFormation: /ecs/bedrock-router-${env} is only the seed skill's guess and usually does not exist.`,
    evidence: { lookup: `SSM /opencode/${env}/ecs/task-definition-arn → ecs:DescribeTaskDefinition → containerDefinitions[].logConfiguration.options["awslogs-group"]`, why },
    fix: `Pass log_group (list candidates with: aws logs describe-log-groups --query "logGroups[?contains(logGroupName, 'Router')].logGroupName"), or redeploy the API stack: ./scripts/deploy.sh api`,
  });
}

/** The awslogs-group of the router container (the one named like "router", else the first with one). */
export function findLogGroup(td: TaskDefinitionLogFacts, arn: string, env: string): { finding: Finding; group?: { name: string; source: string } } {
  const withGroup = td.containers.filter((c) => c.log_group);
  const c = withGroup.find((x) => /router/i.test(x.container)) ?? withGroup[0];
  if (!c?.log_group) {
    const drivers = td.containers.map((x) => `${x.container}: ${x.log_driver ?? 'no logConfiguration'}`).join(', ');
    return { finding: logGroupMissing(`task definition ${arn} has no container with an awslogs-group option (${drivers || 'no containers'})`, env) };
  }
  const source = `task definition ${td.family ?? arn}:${td.revision ?? '?'} container ${c.container}`;
  return {
    group: { name: c.log_group, source },
    finding: pass('LOGS_GROUP_NOT_FOUND', { title: `Router log group ${c.log_group}`, detail: `From ${source}.`, evidence: { log_group: c.log_group, task_definition: arn, container: c.container } }),
  };
}
