/**
 * ALB access log lines (space-separated, some fields double-quoted), parsed into records
 * that keep no query-string values and no header values (ALB logs have none), then
 * counted: which rule / action rejected which paths with 401/403.
 */
import { fail, pass, warn, type Finding } from '../finding.js';
import { cleanRepeated as clean, countBy, type Count } from './router-logs.js';

const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;

/** Splits one line into fields; a quoted field may hold spaces and backslash-escaped quotes. */
export function splitAlbLine(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === SPACE) {
      i++;
      continue;
    }
    if (c === QUOTE) {
      // Fast path: a quoted field without backslashes is one slice.
      let j = i + 1;
      while (j < n && line.charCodeAt(j) !== QUOTE && line.charCodeAt(j) !== BACKSLASH) j++;
      if (j >= n || line.charCodeAt(j) === QUOTE) {
        out.push(line.slice(i + 1, j));
        i = j + 1;
        continue;
      }
      let field = line.slice(i + 1, j);
      i = j;
      while (i < n && line.charCodeAt(i) !== QUOTE) {
        if (line.charCodeAt(i) === BACKSLASH && i + 1 < n) i++;
        field += line[i++];
      }
      out.push(field);
      i++;
    } else {
      let j = line.indexOf(' ', i);
      if (j < 0) j = n;
      out.push(line.slice(i, j));
      i = j;
    }
  }
  return out;
}

export interface AlbRecord {
  time: string;
  client_ip: string;
  method: string;
  path: string;
  /** Names of query parameters; their values are dropped (they may carry secrets). */
  query_keys: string[];
  elb_status: number | undefined;
  target_status: number | undefined;
  rule: string;
  actions: string[];
  user_agent: string | undefined;
  error_reason: string | undefined;
}

const code = (s: string | undefined) => (s && /^\d{3}$/.test(s) ? Number(s) : undefined);
const dash = (s: string | undefined) => (s === undefined || s === '-' || s === '' ? undefined : s);

function splitRequest(request: string): { method: string; path: string; query_keys: string[] } {
  const [method = '-', url = '-'] = request.split(' ');
  let path = url.split('?')[0] ?? '-';
  let keys: string[] = [];
  try {
    const u = new URL(url);
    path = u.pathname;
    keys = [...new Set([...u.searchParams.keys()])].slice(0, 10).map((k) => clean(k, 40) ?? '');
  } catch {
    /* "- - -" or a malformed request line: keep the part before any '?' */
  }
  return { method: clean(method, 10) ?? '-', path: clean(path, 120) ?? '-', query_keys: keys };
}

const ALB_TIME = /^\d{4}-\d{2}-\d{2}T/;

/** One access log line → a record, or undefined when the line is not an ALB log line. */
export function parseAlbLine(line: string): AlbRecord | undefined {
  const f = splitAlbLine(line.trim());
  return isAlbFields(f) ? recordOf(f) : undefined;
}

const isAlbFields = (f: string[]) => f.length >= 14 && ALB_TIME.test(f[1] ?? '');

function recordOf(f: string[]): AlbRecord {
  const client = f[3] ?? '-';
  return {
    time: f[1]!,
    client_ip: clean(client.slice(0, client.lastIndexOf(':') > 0 ? client.lastIndexOf(':') : undefined), 45) ?? '-',
    ...splitRequest(f[12] ?? '-'),
    elb_status: code(f[8]),
    target_status: code(f[9]),
    rule: dash(f[20]) ?? '-',
    actions: (dash(f[22]) ?? '').split(',').filter(Boolean),
    user_agent: clean(dash(f[13]), 120),
    error_reason: clean(dash(f[24]), 80),
  };
}

export type RejectionCause = 'default_action' | 'jwt_validation' | 'router' | 'other';

/** Who answered the 401/403: the default action, jwt-validation, or the router behind it. */
export function causeOf(r: AlbRecord): RejectionCause {
  if (r.target_status !== undefined && (r.target_status === 401 || r.target_status === 403)) return 'router';
  if (r.actions.includes('jwt-validation') && r.elb_status === 401) return 'jwt_validation';
  if (r.actions.includes('fixed-response') && r.elb_status === 403) return 'default_action';
  return 'other';
}

export const isRejection = (r: AlbRecord) => r.elb_status === 401 || r.elb_status === 403;

export interface AccessLogSummary {
  requests: number;
  rejections: number;
  by_status: Count[];
  by_cause: Count[];
  by_path: Count[];
  by_rule: Count[];
}

/** Distinct path / rule values counted at most; later new values are counted as "(other values)". */
const MAX_DISTINCT = 10_000;

/**
 * Counts access log lines as they stream by, keeping no line: totals by status, and for the
 * 401/403s by cause, path and rule, plus the newest `limit` rejected requests. Memory stays
 * flat whatever the amount of data (bounded maps, a bounded list). A line is split once; only
 * rejections are turned into full (cleaned) records. Same figures as summarizeAccessLogs over
 * the lines' records.
 */
export class AccessLogAggregator {
  requests = 0;
  rejections = 0;
  lines = 0;
  private readonly status = new Map<string, number>();
  private readonly cause = new Map<string, number>();
  private readonly path = new Map<string, number>();
  private readonly rule = new Map<string, number>();
  private newest: Array<AlbRecord & { cause: RejectionCause }> = [];

  constructor(
    private readonly window: { startMs: number; endMs: number },
    private readonly limit = 20,
  ) {}

  /** Counts one line when it is an ALB log line inside the window. */
  addLine(line: string): void {
    this.lines++;
    const f = splitAlbLine(line.trim());
    if (!isAlbFields(f)) return;
    const t = Date.parse(f[1] as string);
    if (!(t >= this.window.startMs && t <= this.window.endMs)) return;
    this.requests++;
    const status = code(f[8]);
    bump(this.status, status === undefined ? '-' : String(status));
    if (status !== 401 && status !== 403) return;
    const r = recordOf(f);
    const cause = causeOf(r);
    this.rejections++;
    bump(this.cause, cause);
    bump(this.path, `${r.elb_status} ${r.method} ${r.path}`);
    bump(this.rule, `${r.elb_status} rule ${r.rule} [${r.actions.join(',') || '-'}]`);
    this.newest.push({ ...r, cause });
    if (this.newest.length >= this.limit * 2 + 64) this.trim();
  }

  summary(): AccessLogSummary {
    return {
      requests: this.requests,
      rejections: this.rejections,
      by_status: sorted(this.status),
      by_cause: sorted(this.cause),
      by_path: sorted(this.path).slice(0, 20),
      by_rule: sorted(this.rule).slice(0, 20),
    };
  }

  /** The newest `limit` rejected requests, newest first. */
  rejected(): Array<AlbRecord & { cause: RejectionCause }> {
    this.trim();
    return [...this.newest];
  }

  private trim(): void {
    this.newest = this.newest.sort((a, b) => b.time.localeCompare(a.time)).slice(0, this.limit);
  }
}

function bump(m: Map<string, number>, k: string): void {
  const n = m.get(k);
  if (n !== undefined) m.set(k, n + 1);
  else if (m.size < MAX_DISTINCT) m.set(k, 1);
  else m.set('(other values)', (m.get('(other values)') ?? 0) + 1);
}

const sorted = (m: Map<string, number>): Count[] => [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));

export function summarizeAccessLogs(records: readonly AlbRecord[]): AccessLogSummary {
  const rejected = records.filter(isRejection);
  return {
    requests: records.length,
    rejections: rejected.length,
    by_status: countBy(records, (r) => (r.elb_status === undefined ? '-' : String(r.elb_status))),
    by_cause: countBy(rejected, causeOf),
    by_path: countBy(rejected, (r) => `${r.elb_status} ${r.method} ${r.path}`).slice(0, 20),
    by_rule: countBy(rejected, (r) => `${r.elb_status} rule ${r.rule} [${r.actions.join(',') || '-'}]`).slice(0, 20),
  };
}

const CAUSE_TEXT: Record<RejectionCause, string> = {
  default_action: 'the default action\'s 403 (no Bearer header and no X-API-Key starting with oc_)',
  jwt_validation: 'jwt-validation 401 (bad, expired or wrong-audience JWT: run check_token / check_alb_jwt_config)',
  router: 'the router\'s own 401/403 (API key unknown, revoked or expired: run check_api_key — these leave no router log line)',
  other: 'another cause',
};

export function checkAccessLogs(s: AccessLogSummary, where: { bucket: string; prefix: string; window: string; files: number }): Finding[] {
  const evidence = { bucket: where.bucket, prefix: where.prefix, window: where.window, files: where.files, requests: s.requests };
  if (where.files === 0) return [logsMissing(where.bucket, where.prefix, `no log files for ${where.window}`)];
  // Each finding gets its own evidence object: the output must be a tree, not a graph.
  const out: Finding[] = [pass('ALB_ACCESS_LOGS_DISABLED', { title: `${where.files} access log files, ${s.requests} requests`, evidence: { ...evidence } })];
  if (s.rejections === 0) {
    out.push(pass('ALB_ACCESS_LOGS_REJECTIONS', { title: `No 401/403 among ${s.requests} requests in ${where.window}`, evidence: { ...evidence } }));
    return out;
  }
  const causes = s.by_cause.map((c) => `${c.count}× ${CAUSE_TEXT[c.value as RejectionCause] ?? c.value}`);
  const top = s.by_cause[0]?.value as RejectionCause | undefined;
  out.push(
    fail('ALB_ACCESS_LOGS_REJECTIONS', {
      title: `${s.rejections} of ${s.requests} requests were rejected with 401/403`,
      detail: `In ${where.window}: ${causes.join('; ')}. Most rejected: ${s.by_path[0]?.value ?? '?'} (${s.by_path[0]?.count ?? 0}×).`,
      evidence: { ...evidence, rejections: s.rejections, by_cause: s.by_cause.map((c) => ({ ...c })) },
      fix:
        top === 'default_action'
          ? 'Send the ID token as the Bearer token in the Authorization header (re-authenticate: opencode-auth login), or an X-API-Key header starting with oc_; simulate_request shows which rule a request matches.'
          : top === 'jwt_validation'
            ? 'Check the token with check_token and the ALB\'s jwt-validation config with check_alb_jwt_config.'
            : 'Check the key with check_api_key.',
    }),
  );
  return out;
}

/** ALB_ACCESS_LOGS_DISABLED: the bucket or prefix is missing, or empty for the window. */
export function logsMissing(bucket: string, prefix: string, why: string): Finding {
  return warn('ALB_ACCESS_LOGS_DISABLED', {
    title: `No ALB access logs: ${why}`,
    detail: `${why[0]!.toUpperCase()}${why.slice(1)}. Expected gzipped logs in s3://${bucket}/${prefix}/AWSLogs/<account>/elasticloadbalancing/<region>/<yyyy>/<mm>/<dd>/. ALB access logs go to S3 only (never CloudWatch). Logging may be off, or no request reached the ALB in the window.`,
    evidence: { bucket, prefix, why },
    fix: `aws elbv2 describe-load-balancer-attributes --load-balancer-arn <arn> shows access_logs.s3.enabled; turn it on with aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> --attributes Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value=${bucket} Key=access_logs.s3.prefix,Value=${prefix}`,
  });
}

// ── authenticate-oidc error reasons (the distribution ALB) ─────────────────────

/**
 * `error_reason` values the ALB writes for its authenticate actions. Meanings and fixes: AWS
 * Knowledge Center "How do I troubleshoot authentication issues in my Application Load
 * Balancer?" (elb-configure-authentication-alb) for the cookie, nonce and state codes, and the
 * ALB User Guide's access log "Error reason codes" table for the endpoint codes.
 */
export const AUTH_ERROR_REASONS: Record<string, { meaning: string; fix: string }> = {
  AuthInvalidCookie: { meaning: 'the authentication session cookie (AWSELBAuthSessionCookie) is not valid or is malformed', fix: 'Clear the browser\'s cookies for the site and log in again; make sure the client sends the cookie on every request (no cookie-stripping proxy or CDN cache rule).' },
  AuthInvalidAWSALBAuthNonce: { meaning: 'the nonce in the authentication state does not match the AWSALBAuthNonce browser cookie', fix: 'Make sure the client keeps and sends the AWSALBAuthNonce cookie during the login round trip (one browser tab, same domain, no cookie blocking).' },
  AuthMissingAWSALBAuthNonce: { meaning: 'the AWSALBAuthNonce cookie is missing when the IdP redirects back', fix: 'The browser dropped the nonce cookie: use the same domain for the whole flow, allow the cookie (SameSite/third-party cookie settings), and do not cache /oauth2/idpresponse.' },
  AuthInvalidStateParam: { meaning: 'the state parameter in the IdP\'s response is not valid', fix: 'Configure the IdP to return the state parameter unchanged in the authentication response.' },
  AuthMissingStateParam: { meaning: 'the IdP\'s response has no state parameter', fix: 'Configure the IdP to return the state parameter in the authentication response.' },
  AuthTokenEpRequestConnectionError: { meaning: 'the ALB could not connect to the IdP token endpoint', fix: 'The token endpoint must be publicly resolvable, reachable over IPv4 on 443, and allowed by the ALB\'s security group and subnet ACLs (check_alb_oidc ALB_OIDC_IDP_IPV4).' },
  AuthTokenEpRequestTimeout: { meaning: 'the IdP token endpoint did not answer in time', fix: 'Check the route from the ALB subnets to the IdP (internet gateway or NAT) and the IdP\'s health.' },
  AuthUserinfoEpRequestConnectionError: { meaning: 'the ALB could not connect to the IdP user info endpoint', fix: 'Same as the token endpoint: public DNS, IPv4, 443 egress (check_alb_oidc ALB_OIDC_IDP_IPV4).' },
  AuthInvalidGrantError: { meaning: 'the IdP rejected the authorization code (invalid_grant) — wrong client id/secret, or the code was reused or expired', fix: 'Compare the ALB\'s client id with the IdP app (check_alb_oidc) and re-enter the client secret on the rule.' },
  AuthInvalidIdToken: { meaning: 'the ID token the IdP returned is not valid for the ALB (issuer, audience or signature)', fix: 'Compare the ALB\'s issuer with the IdP discovery document (check_alb_oidc ALB_OIDC_CONFIG_MISMATCH).' },
};

/** ALB_ACCESS_LOGS_REJECTIONS for authenticate-oidc error reasons: each code explained, most frequent first. */
export function checkAuthErrorReasons(records: readonly AlbRecord[]): Finding[] {
  const counts = countBy(records.filter((r) => r.error_reason && r.error_reason.startsWith('Auth')), (r) => r.error_reason!);
  if (!counts.length) return [];
  const known = counts.filter((c) => AUTH_ERROR_REASONS[c.value]);
  const top = known[0] ?? counts[0]!;
  const lines = counts.map((c) => `${c.count}× ${c.value}${AUTH_ERROR_REASONS[c.value] ? `: ${AUTH_ERROR_REASONS[c.value]!.meaning}` : ''}`);
  return [fail('ALB_ACCESS_LOGS_REJECTIONS', {
    title: `The ALB's authenticate action failed: ${counts.map((c) => `${c.count}× ${c.value}`).join(', ')}`,
    detail: `${lines.join('; ')}.`,
    evidence: { error_reasons: counts.map((c) => ({ ...c })) },
    fix: AUTH_ERROR_REASONS[top.value]?.fix ?? 'See the ALB access log error reason codes in the ALB User Guide.',
  })];
}
