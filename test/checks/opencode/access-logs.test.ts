import { describe, expect, it } from 'vitest';
import { causeOf, checkAccessLogs, logsMissing, parseAlbLine, splitAlbLine, summarizeAccessLogs, type AlbRecord } from '../../../src/checks/opencode/access-logs.js';
import { redactPatterns } from '../../../src/redact.js';
import { albLine } from '../../helpers/opencode-world-data.js';
import { mintToken, NOW_DATE } from '../../helpers/tokens.js';

// The first example line of the AWS documentation ("Access log entries" → HTTPS entry).
const AWS_EXAMPLE =
  'https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90';

describe('splitAlbLine', () => {
  it('keeps quoted fields whole, with spaces and escaped quotes', () => {
    expect(splitAlbLine('a "b c" "d \\"e\\"" - "-"')).toEqual(['a', 'b c', 'd "e"', '-', '-']);
  });
});

describe('parseAlbLine', () => {
  it('parses the AWS documentation example', () => {
    expect(parseAlbLine(AWS_EXAMPLE)).toEqual({
      time: '2018-07-02T22:23:00.186641Z',
      client_ip: '192.168.131.39',
      method: 'GET',
      path: '/',
      query_keys: [],
      elb_status: 200,
      target_status: 200,
      rule: '1',
      actions: ['authenticate', 'forward'],
      user_agent: 'curl/7.46.0',
      error_reason: undefined,
    });
  });

  it('drops query-string values (a JWT in the query never survives) but keeps parameter names', async () => {
    const jwt = await mintToken();
    const r = parseAlbLine(albLine({ at: NOW_DATE, status: 401, request: `GET https://h:443/v1/x?id_token=${jwt}&a=1 HTTP/2.0`, rule: '5', actions: 'jwt-validation' }))!;
    expect(r.path).toBe('/v1/x');
    expect(r.query_keys).toEqual(['id_token', 'a']);
    expect(JSON.stringify(r)).not.toContain(jwt.split('.')[1]!);
  });

  it('reads a user agent with escaped quotes, and rejects lines that are not ALB log lines', () => {
    expect(parseAlbLine(albLine({ at: NOW_DATE, status: 200, target: 200, request: 'GET https://h:443/ HTTP/1.1', rule: '1', actions: 'forward', userAgent: 'odd "agent"' }))!.user_agent).toBe('odd "agent"');
    expect(parseAlbLine('')).toBeUndefined();
    expect(parseAlbLine('{"not":"an alb line"}')).toBeUndefined();
  });

  it('survives a malformed request line', () => {
    const r = parseAlbLine(albLine({ at: NOW_DATE, status: 400, request: '- - - ', rule: '-', actions: '-' }))!;
    expect(r).toMatchObject({ method: '-', path: '-', rule: '-', actions: [] });
  });
});

describe('causeOf', () => {
  const rec = (o: Partial<AlbRecord>): AlbRecord => ({ time: '', client_ip: '', method: 'GET', path: '/', query_keys: [], elb_status: 200, target_status: undefined, rule: '0', actions: [], user_agent: undefined, error_reason: undefined, ...o });
  const table: Array<[Partial<AlbRecord>, string]> = [
    [{ elb_status: 403, actions: ['fixed-response'] }, 'default_action'],
    [{ elb_status: 401, actions: ['jwt-validation'] }, 'jwt_validation'],
    [{ elb_status: 401, target_status: 401, actions: ['forward'] }, 'router'],
    [{ elb_status: 403, target_status: 403, actions: ['jwt-validation', 'forward'] }, 'router'],
    [{ elb_status: 403, actions: ['waf'] }, 'other'],
  ];
  it.each(table)('%o → %s', (o, cause) => expect(causeOf(rec(o))).toBe(cause));
});

describe('checkAccessLogs', () => {
  const where = { bucket: 'b', prefix: 'jwt-alb', window: 'w', files: 2 };
  const recs = (lines: string[]) => lines.map((l) => parseAlbLine(l)!);
  const l403 = albLine({ at: NOW_DATE, status: 403, request: 'GET https://h:443/v1/models HTTP/2.0', rule: '0', actions: 'fixed-response' });
  const l200 = albLine({ at: NOW_DATE, status: 200, target: 200, request: 'GET https://h:443/v1/models HTTP/2.0', rule: '5', actions: 'jwt-validation,forward' });

  it('reports ALB_ACCESS_LOGS_REJECTIONS naming the default action for 403s', () => {
    const s = summarizeAccessLogs(recs([l403, l403, l200]));
    const f = checkAccessLogs(s, where).find((x) => x.code === 'ALB_ACCESS_LOGS_REJECTIONS')!;
    expect(f.status).toBe('fail');
    expect(f.detail).toContain('2× the default action');
    expect(f.fix).toContain('simulate_request');
    expect(s.by_path).toEqual([{ value: '403 GET /v1/models', count: 2 }]);
  });

  it('passes ALB_ACCESS_LOGS_REJECTIONS without 401/403', () => {
    expect(checkAccessLogs(summarizeAccessLogs(recs([l200])), where).map((f) => f.status)).toEqual(['pass', 'pass']);
  });

  it('reports ALB_ACCESS_LOGS_DISABLED when no file was read, with the attribute to turn on', () => {
    const [f] = checkAccessLogs(summarizeAccessLogs([]), { ...where, files: 0 });
    expect(f).toMatchObject({ code: 'ALB_ACCESS_LOGS_DISABLED', status: 'warn' });
    expect(f!.fix).toContain('access_logs.s3.enabled');
  });

  it('finding texts survive the redactor unchanged', () => {
    const all = [...checkAccessLogs(summarizeAccessLogs(recs([l403, l200])), where), logsMissing('b', 'p', 'why')];
    for (const f of all) for (const text of [f.title, f.detail, f.fix ?? '']) expect(redactPatterns(text)).toBe(text);
  });
});
