/**
 * search_logs and search_alb_access_logs against a real moto server (SSM, ECS, CloudWatch
 * Logs, S3, STS). moto's Logs Insights runs fields/sort/limit but not `stats`, and moto never
 * denies or throttles: those cases use aws-sdk-client-mock, said at each test.
 *
 * Router log events use the real clock (CloudWatch, and moto, reject events older than
 * 14 days); the access-log world uses the frozen test clock.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';
import { codes, run, runOk } from '../helpers/ctx.js';
import { albLine, ROUTER_LOG_GROUP, routerLine, seedAccessLogs, seedRouterLogs } from '../helpers/opencode-world-data.js';
import { mintToken, NOW_DATE } from '../helpers/tokens.js';

const HAS_MOTO = need('moto_server');

const finding = (output: Record<string, unknown>, code: string) =>
  (output.findings as Array<{ code: string; status: string; detail: string; evidence: Record<string, unknown> }>).find((f) => f.code === code)!;

type Counts = Record<string, Array<{ value: string; count: number }>>;
const countOf = (cs: Array<{ value: string; count: number }> | undefined, value: string) => (cs ?? []).find((c) => c.value === value)?.count ?? 0;

describe.skipIf(!HAS_MOTO)('search_logs against moto', () => {
  let moto: Moto;
  let jwt: string;
  const saved = { ...process.env };
  const now = new Date();
  const at = (minAgo: number) => now.getTime() - minAgo * 60_000;
  const live = { now };

  beforeAll(async () => {
    moto = (await useMoto())!;
    Object.assign(process.env, motoEnv(moto.endpoint));
    jwt = await mintToken({ claims: { sub: 'canary-user' } });
    const d = (ms: number) => new Date(ms);
    await seedRouterLogs(moto.endpoint, {
      env: 'main',
      lines: [
        [at(50), routerLine(d(at(50)), 'Request started', { request_id: 'r-1', method: 'POST', path: '/v1/chat/completions' })],
        [at(49), routerLine(d(at(49)), 'Request completed', { request_id: 'r-1', method: 'POST', path: '/v1/chat/completions', status: 200, duration_ms: 812, auth_source: 'api_key', user_sub: 'u-1' })],
        [at(40), routerLine(d(at(40)), 'DynamoDB lookup failed', { error: 'AccessDeniedException' }, 'ERROR')],
        [at(30), routerLine(d(at(30)), 'Request completed', { request_id: 'r-2', method: 'POST', path: '/v1/chat/completions?debug=1', status: 500, duration_ms: 20, auth_source: 'jwt', user_sub: 'u-2' })],
        [at(20), routerLine(d(at(20)), 'Client version rejected', { request_id: 'r-3', status: 426, path: '/v1/chat/completions' }, 'WARNING')],
        [at(10), routerLine(d(at(10)), `Upstream call with token ${jwt}`, { request_id: 'r-4' })],
        [at(5), 'plain text line from the container runtime'],
        [at(2), routerLine(d(at(2)), 'Request completed', { request_id: 'r-5', method: 'GET', path: '/v1/models', status: 200, duration_ms: 3, auth_source: 'jwt', user_sub: 'u-2' })],
        [at(120), routerLine(d(at(120)), 'Request completed', { request_id: 'r-old', status: 502 })],
      ],
    });
    // A second environment with only a 426 in the window.
    await seedRouterLogs(moto.endpoint, {
      env: 'outdated',
      logGroup: 'OpenCodeApiStack-outdated-RouterLogGroupAAAA',
      lines: [[at(5), routerLine(new Date(at(5)), 'Client version rejected', { status: 426 }, 'WARNING')]],
    });
    // An environment whose task definition names a log group that does not exist.
    await seedRouterLogs(moto.endpoint, { env: 'nogroup', logGroup: 'OpenCodeApiStack-nogroup-Deleted', createGroup: false, lines: [] });
  });
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  it('finds the real log group from the task definition and reports LOGS_ERRORS_FOUND for 5xx and DynamoDB failures', async () => {
    const progress: string[] = [];
    const r = await runOk('search_logs', { env: 'main', since: '1h' }, { ...live, progress: (_n, _t, m) => progress.push(String(m)) });
    expect(r.output.log_group).toMatchObject({ name: ROUTER_LOG_GROUP });
    expect((r.output.log_group as { source: string }).source).toContain('container router');
    expect(codes(r.output, 'pass')).toContain('LOGS_GROUP_NOT_FOUND');
    expect(codes(r.output)).toEqual(['LOGS_ERRORS_FOUND']);
    const f = finding(r.output, 'LOGS_ERRORS_FOUND');
    expect(f.evidence).toMatchObject({ status_5xx: 1, dynamodb_lookup_failed: 1, client_outdated: 1 });
    const c = r.output.counts as Counts & { events: number };
    expect(c.events).toBe(8); // the 502 two hours ago is outside the window
    expect(countOf(c.by_status, '200')).toBe(2);
    expect(countOf(c.by_status, '502')).toBe(0);
    expect(countOf(c.by_message, 'DynamoDB lookup failed')).toBe(1);
    expect(countOf(c.by_auth_source, 'jwt')).toBe(2);
    expect(countOf(c.by_error_code, 'client_outdated')).toBe(1);
    expect(progress.length).toBeGreaterThan(0);
    expect((r.output.notes as string[]).join(' ')).toContain('NO router log line');
  });

  it('returns the newest events first, parsed and trimmed, with no query string in paths', async () => {
    const r = await runOk('search_logs', { env: 'main', since: '1h', limit: 5 }, live);
    const events = r.output.events as Array<Record<string, unknown>>;
    expect(events).toHaveLength(5);
    expect(events[0]).toMatchObject({ request_id: 'r-5', status: 200, path: '/v1/models', auth_source: 'jwt' });
    expect(events[1]).toMatchObject({ unparsed: true });
    expect(events.find((e) => e.request_id === 'r-2')?.path).toBe('/v1/chat/completions');
  });

  it('never lets a JWT planted in a log message escape (canary)', async () => {
    const r = await runOk('search_logs', { env: 'main', since: '1h' }, live);
    const [, payload, sig] = jwt.split('.');
    for (const out of [JSON.stringify(r.output), r.text]) {
      expect(out).not.toContain(jwt);
      expect(out).not.toContain(payload!);
      expect(out).not.toContain(sig!);
    }
    expect(JSON.stringify(r.output)).toContain('[REDACTED:jwt');
  });

  it('passes filter_pattern to FilterLogEvents (a quoted phrase)', async () => {
    const r = await runOk('search_logs', { env: 'main', since: '1h', filter_pattern: '"DynamoDB lookup failed"' }, live);
    expect((r.output.counts as { events: number }).events).toBe(1);
    expect((r.output.events as Array<{ message: string }>)[0]!.message).toBe('DynamoDB lookup failed');
  });

  it('reports LOGS_ERRORS_FOUND as a warning when only a 426 client_outdated appears', async () => {
    const r = await runOk('search_logs', { env: 'outdated', since: '15m' }, live);
    expect(codes(r.output, 'warn')).toEqual(['LOGS_ERRORS_FOUND']);
    expect(finding(r.output, 'LOGS_ERRORS_FOUND').detail).toContain('client_outdated');
    expect(r.output.verdict).toBe('pass');
  });

  it('passes LOGS_ERRORS_FOUND and says an empty window is itself evidence when nothing failed', async () => {
    const r = await runOk('search_logs', { env: 'main', start: new Date(at(3)).toISOString(), end: new Date(at(1)).toISOString() }, live);
    expect(codes(r.output, 'pass')).toContain('LOGS_ERRORS_FOUND');
    const quiet = await runOk('search_logs', { env: 'main', since: '30s', end: new Date(at(200)).toISOString() }, live);
    expect((quiet.output.counts as { events: number }).events).toBe(0);
    expect((quiet.output.notes as string[]).join(' ')).toContain('No router log lines in the window');
  });

  it('uses the log_group input over the task definition', async () => {
    const r = await runOk('search_logs', { env: 'nossm', log_group: 'OpenCodeApiStack-outdated-RouterLogGroupAAAA', since: '15m' }, live);
    expect(r.output.log_group).toEqual({ name: 'OpenCodeApiStack-outdated-RouterLogGroupAAAA', source: 'input' });
    expect((r.output.counts as { events: number }).events).toBe(1);
  });

  it('reports LOGS_GROUP_NOT_FOUND when SSM has no task definition ARN (never guesses /ecs/bedrock-router-<env>)', async () => {
    const r = await runOk('search_logs', { env: 'nossm', since: '1h' }, live);
    expect(codes(r.output, 'error')).toEqual(['LOGS_GROUP_NOT_FOUND']);
    expect(finding(r.output, 'LOGS_GROUP_NOT_FOUND').detail).toContain('/opencode/nossm/ecs/task-definition-arn');
    expect(r.output.log_group).toBeUndefined();
  });

  it('reports LOGS_GROUP_NOT_FOUND when the task definition names a log group that does not exist', async () => {
    const r = await runOk('search_logs', { env: 'nogroup', since: '1h' }, live);
    expect(codes(r.output, 'error')).toEqual(['LOGS_GROUP_NOT_FOUND']);
    expect(r.text).toContain('OpenCodeApiStack-nogroup-Deleted');
  });

  it('pages through many events with progress, and stops at the cap (truncated)', async () => {
    const lines: Array<[number, string]> = [];
    for (let i = 0; i < 10_500; i++) lines.push([at(59) + i, routerLine(new Date(at(59) + i), 'Request completed', { status: 200, request_id: `p-${i}` })]);
    await seedRouterLogs(moto.endpoint, { env: 'busy', logGroup: 'OpenCodeApiStack-busy-Router', lines });
    const pages: number[] = [];
    const r = await runOk('search_logs', { env: 'busy', since: '1h' }, { ...live, progress: (n) => pages.push(n) });
    expect(r.output.pages).toBeGreaterThanOrEqual(10);
    expect(pages.at(-1)).toBe(r.output.pages);
    expect(r.output.truncated).toBe(true);
    expect((r.output.counts as { events: number }).events).toBe(10_000);
    expect((r.output.notes as string[]).join(' ')).toMatch(/insights: true/);
  });

  it('switches to Logs Insights for windows over 6 h and returns the newest events from moto', async () => {
    const r = await runOk('search_logs', { env: 'main', since: '1d', limit: 3 }, live);
    expect(r.output.mode).toBe('insights');
    expect(r.output.pages).toBe(0);
    const events = r.output.events as Array<Record<string, unknown>>;
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ request_id: 'r-5' });
    expect(JSON.stringify(r.output)).not.toContain(jwt);
  });

  describe('cases moto cannot produce (aws-sdk-client-mock)', () => {
    it('aggregates `stats count(*)` rows from Logs Insights into counts and LOGS_ERRORS_FOUND', async () => {
      // moto's Insights ignores `stats`; the aggregation rows CloudWatch returns are mocked.
      const logs = mockClient(CloudWatchLogsClient);
      logs.on(StartQueryCommand).resolves({ queryId: 'q-1' });
      const row = (status: string, message: string, n: number, extra: Record<string, string> = {}) =>
        Object.entries({ status, message, n: String(n), ...extra }).map(([field, value]) => ({ field, value }));
      logs
        .on(GetQueryResultsCommand)
        .resolvesOnce({ status: 'Running', results: [] })
        .resolvesOnce({ status: 'Complete', results: [row('200', 'Request completed', 950, { auth_source: 'api_key', level: 'INFO' }), row('500', 'Request completed', 7, { level: 'INFO' }), row('', 'DynamoDB lookup failed', 3, { level: 'ERROR' })], statistics: { recordsScanned: 1960 } })
        .resolves({ status: 'Complete', results: [] });
      const r = await runOk('search_logs', { log_group: 'g', insights: true, since: '2h' }, live).finally(() => logs.restore());
      const c = r.output.counts as Counts & { events: number };
      expect(c.events).toBe(960);
      expect(countOf(c.by_status, '500')).toBe(7);
      expect(countOf(c.by_auth_source, 'api_key')).toBe(950);
      expect(codes(r.output)).toEqual(['LOGS_ERRORS_FOUND']);
      expect((r.output.notes as string[]).join(' ')).toContain('1960 records scanned');
      const started = logs.commandCalls(StartQueryCommand).map((c) => c.args[0].input.queryString);
      expect(started[0]).toContain('stats count(*) as n by status, message');
    });

    it('reports CHECK_PERMISSION_DENIED naming logs:FilterLogEvents on AccessDenied', async () => {
      // moto does not enforce IAM, so the denial is mocked.
      const logs = mockClient(CloudWatchLogsClient);
      logs.on(FilterLogEventsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
      const r = await runOk('search_logs', { log_group: 'g', since: '1h' }, live).finally(() => logs.restore());
      expect(codes(r.output, 'error')).toEqual(['CHECK_PERMISSION_DENIED']);
      expect(r.text).toContain('logs:FilterLogEvents');
    });
  });
});

describe.skipIf(!HAS_MOTO)('search_alb_access_logs against moto', () => {
  let moto: Moto;
  let jwt: string;
  const saved = { ...process.env };
  const t = (minAgo: number) => new Date(NOW_DATE.getTime() - minAgo * 60_000);
  const url = (path: string) => `https://api.opencode.example.com:443${path}`;

  beforeAll(async () => {
    moto = (await useMoto())!;
    Object.assign(process.env, motoEnv(moto.endpoint));
    jwt = await mintToken({ claims: { sub: 'canary-user' } });
    await seedAccessLogs(moto.endpoint, {
      env: 'main',
      files: [
        {
          end: t(25),
          lines: [
            albLine({ at: t(29), status: 403, request: `GET ${url('/v1/models')} HTTP/2.0`, rule: '0', actions: 'fixed-response' }),
            albLine({ at: t(28), status: 403, request: `POST ${url('/v1/chat/completions')} HTTP/2.0`, rule: '0', actions: 'fixed-response', userAgent: 'curl/8.5.0' }),
            albLine({ at: t(27), status: 200, target: 200, request: `POST ${url('/v1/chat/completions')} HTTP/2.0`, rule: '5', actions: 'jwt-validation,forward' }),
          ],
        },
        {
          end: t(5),
          lines: [
            albLine({ at: t(9), status: 401, request: `POST ${url(`/v1/chat/completions?id_token=${jwt}&x=1`)} HTTP/2.0`, rule: '5', actions: 'jwt-validation', client: '198.51.100.4', errorReason: 'JWTValidationFailed' }),
            albLine({ at: t(8), status: 401, target: 401, request: `POST ${url('/v1/chat/completions')} HTTP/2.0`, rule: '10', actions: 'forward' }),
            albLine({ at: t(7), status: 200, target: 200, request: `GET ${url('/health')} HTTP/1.1`, rule: '1', actions: 'forward', userAgent: 'ELB-HealthChecker/2.0' }),
          ],
        },
        // Outside the window: must not be read.
        { end: t(600), lines: [albLine({ at: t(602), status: 403, request: `GET ${url('/old')} HTTP/2.0`, rule: '0', actions: 'fixed-response' })] },
      ],
    });
    await seedAccessLogs(moto.endpoint, {
      env: 'quiet',
      files: [{ end: t(5), lines: [albLine({ at: t(9), status: 200, target: 200, request: `GET ${url('/v1/models')} HTTP/2.0`, rule: '5', actions: 'jwt-validation,forward' })] }],
    });
    await seedAccessLogs(moto.endpoint, { env: 'stale', files: [{ end: t(3 * 1440), lines: [] }] });
  });
  afterAll(async () => {
    process.env = saved;
    await moto?.stop();
  });

  it('reports ALB_ACCESS_LOGS_REJECTIONS with counts by cause, path and rule', async () => {
    const r = await runOk('search_alb_access_logs', { env: 'main', since: '1h' });
    expect(r.output.bucket).toEqual({ name: 'opencode-jwt-alb-logs-main-123456789012', source: "preset (account 123456789012, the caller's)" });
    expect(codes(r.output)).toEqual(['ALB_ACCESS_LOGS_REJECTIONS']);
    expect(codes(r.output, 'pass')).toContain('ALB_ACCESS_LOGS_DISABLED');
    const c = r.output.counts as Counts & { requests: number; rejections: number };
    expect(c.requests).toBe(6);
    expect(c.rejections).toBe(4);
    expect(countOf(c.by_cause, 'default_action')).toBe(2);
    expect(countOf(c.by_cause, 'jwt_validation')).toBe(1);
    expect(countOf(c.by_cause, 'router')).toBe(1);
    expect(countOf(c.by_rule, '403 rule 0 [fixed-response]')).toBe(2);
    expect(countOf(c.by_path, '401 POST /v1/chat/completions')).toBe(2);
    expect(r.output.files).toEqual({ listed: 3, read: 2, skipped: 0 });
  });

  it('lists the newest rejected requests without query values (JWT canary in the query string)', async () => {
    const r = await runOk('search_alb_access_logs', { env: 'main', since: '1h', limit: 2 });
    const rejected = r.output.rejected as Array<Record<string, unknown>>;
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toMatchObject({ elb_status: 401, target_status: 401, rule: '10', cause: 'router', path: '/v1/chat/completions' });
    expect(rejected[1]).toMatchObject({ client_ip: '198.51.100.4', cause: 'jwt_validation', query_keys: ['id_token', 'x'], error_reason: 'JWTValidationFailed' });
    const [, payload, sig] = jwt.split('.');
    for (const out of [JSON.stringify(r.output), r.text]) {
      expect(out).not.toContain(payload!);
      expect(out).not.toContain(sig!);
    }
  });

  it('passes ALB_ACCESS_LOGS_REJECTIONS when no 401/403 appear', async () => {
    const r = await runOk('search_alb_access_logs', { env: 'quiet', since: '1h' });
    expect(codes(r.output, 'pass')).toEqual(expect.arrayContaining(['ALB_ACCESS_LOGS_DISABLED', 'ALB_ACCESS_LOGS_REJECTIONS']));
    expect(r.output.verdict).toBe('pass');
  });

  it('reports ALB_ACCESS_LOGS_DISABLED when the bucket does not exist', async () => {
    const r = await runOk('search_alb_access_logs', { env: 'nologs', since: '1h' });
    expect(codes(r.output, 'warn')).toEqual(['ALB_ACCESS_LOGS_DISABLED']);
    expect(finding(r.output, 'ALB_ACCESS_LOGS_DISABLED').detail).toContain('does not exist');
    expect(r.text).toContain('access_logs.s3.enabled');
  });

  it('reads the logs of the account that owns the ALB (its listener ARN in SSM), not the caller\'s', async () => {
    // moto answers GetCallerIdentity with 123456789012: the logs are only found under the listener's account.
    const owner = '210987654321';
    await new SSMClient({ region: 'us-east-1' }).send(new PutParameterCommand({ Name: '/opencode/xacct/alb/jwt/listener-arn', Type: 'String', Overwrite: true, Value: `arn:aws:elasticloadbalancing:us-east-1:${owner}:listener/app/opencode-jwt-xacct/50dc6c495c0c9188/0123456789abcdef` }));
    await seedAccessLogs(moto.endpoint, { env: 'xacct', account: owner, files: [{ end: t(5), lines: [albLine({ at: t(9), status: 403, request: `GET ${url('/v1/models')} HTTP/2.0`, rule: '0', actions: 'fixed-response' })] }] });
    const r = await runOk('search_alb_access_logs', { env: 'xacct', since: '1h' });
    expect(r.output.bucket).toEqual({ name: `opencode-jwt-alb-logs-xacct-${owner}`, source: `preset (account ${owner}, the listener's)` });
    expect(codes(r.output)).toEqual(['ALB_ACCESS_LOGS_REJECTIONS']);
  });

  it('reports ALB_ACCESS_LOGS_DISABLED when the bucket holds no files for the window', async () => {
    const r = await runOk('search_alb_access_logs', { env: 'stale', since: '1h' });
    expect(codes(r.output, 'warn')).toEqual(['ALB_ACCESS_LOGS_DISABLED']);
    expect(r.output.files).toMatchObject({ read: 0 });
  });

  it('uses the bucket input', async () => {
    const r = await runOk('search_alb_access_logs', { env: 'other', bucket: 'opencode-jwt-alb-logs-main-123456789012', start: t(60).toISOString(), end: t(0).toISOString() });
    expect(r.output.bucket).toEqual({ name: 'opencode-jwt-alb-logs-main-123456789012', source: 'input' });
    expect((r.output.counts as { rejections: number }).rejections).toBe(4);
  });

  it('refuses a bad window with a usage error', async () => {
    const r = await run('search_alb_access_logs', { since: 'yesterday' }, { now: NOW_DATE });
    expect(r).toMatchObject({ ok: false, kind: 'usage' });
  });

  it('reports CHECK_PERMISSION_DENIED naming s3:ListBucket on AccessDenied (aws-sdk-client-mock)', async () => {
    // moto does not enforce bucket policies, so the denial is mocked.
    const s3 = mockClient(S3Client);
    s3.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const r = await runOk('search_alb_access_logs', { env: 'main', since: '1h' }).finally(() => s3.restore());
    expect(codes(r.output, 'error')).toEqual(['CHECK_PERMISSION_DENIED']);
    expect(r.text).toContain('s3:ListBucket');
  });
});
