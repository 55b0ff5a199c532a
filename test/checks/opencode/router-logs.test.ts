import { describe, expect, it } from 'vitest';
import {
  checkRouterLogs,
  clean,
  findLogGroup,
  logGroupMissing,
  parseRouterLine,
  summarizeInsightsRows,
  summarizeRouterEvents,
} from '../../../src/checks/opencode/router-logs.js';
import { redactPatterns } from '../../../src/redact.js';
import { mintToken, NOW_DATE } from '../../helpers/tokens.js';

const T = NOW_DATE.getTime();
const line = (message: string, extra: Record<string, unknown> = {}, level = 'INFO') => JSON.stringify({ timestamp: NOW_DATE.toISOString(), level, logger: 'bedrock-router', message, ...extra });
const where = { group: 'g', window: 'the 1h before now' };

describe('parseRouterLine', () => {
  it('keeps the router fields, drops the query string from path', () => {
    const e = parseRouterLine(line('Request completed', { status: 200, method: 'POST', path: '/v1/chat?k=v', auth_source: 'api_key', user_sub: 'u', request_id: 'r', duration_ms: 12, user_email: 'x@y' }), T);
    expect(e).toEqual({ timestamp: NOW_DATE.toISOString(), level: 'INFO', message: 'Request completed', status: 200, method: 'POST', path: '/v1/chat', auth_source: 'api_key', user_sub: 'u', request_id: 'r', duration_ms: 12, error_code: undefined });
  });

  it('marks a non-JSON line unparsed and uses the event time', () => {
    expect(parseRouterLine('Traceback (most recent call last):', T)).toMatchObject({ unparsed: true, level: '?', timestamp: NOW_DATE.toISOString() });
  });

  it('derives client_outdated for a 426 and reads error.code', () => {
    expect(parseRouterLine(line('Client version rejected', { status: 426 }), T).error_code).toBe('client_outdated');
    expect(parseRouterLine(line('x', { error: { code: 'internal_error' } }), T).error_code).toBe('internal_error');
  });

  it('redacts a JWT before trimming, so no fragment of it survives a long message', async () => {
    const jwt = await mintToken({ claims: { sub: 'a'.repeat(200) } });
    const e = parseRouterLine(line(`${'x'.repeat(100)} ${jwt}`), T);
    expect(e.message.length).toBeLessThanOrEqual(160);
    expect(e.message).not.toContain(jwt.slice(0, 30));
    const trimmedFirst = `${'x'.repeat(100)} ${jwt}`.slice(0, 160);
    expect(redactPatterns(trimmedFirst)).toContain('eyJ'); // why the order matters: the trimmed token no longer matches
  });

  it('clean() redacts an oc_ key and collapses whitespace', () => {
    expect(clean('key\n oc_abcdefghijklmnop used')).toMatch(/^key \[REDACTED:api-key sha256:[0-9a-f]{12}\] used$/);
    expect(clean('')).toBeUndefined();
  });
});

describe('summaries', () => {
  it('counts by status, message, auth_source, error code and level', () => {
    const s = summarizeRouterEvents([
      parseRouterLine(line('Request completed', { status: 200, auth_source: 'jwt' }), T),
      parseRouterLine(line('Request completed', { status: 200, auth_source: 'jwt' }), T),
      parseRouterLine(line('Client version rejected', { status: 426 }, 'WARNING'), T),
    ]);
    expect(s.events).toBe(3);
    expect(s.by_status).toEqual([{ value: '200', count: 2 }, { value: '426', count: 1 }]);
    expect(s.by_auth_source).toEqual([{ value: 'jwt', count: 2 }]);
    expect(s.by_error_code).toEqual([{ value: 'client_outdated', count: 1 }]);
    expect(s.by_level).toEqual([{ value: 'INFO', count: 2 }, { value: 'WARNING', count: 1 }]);
  });

  it('weights Insights stats rows by their count', () => {
    const s = summarizeInsightsRows([
      { status: '200', message: 'Request completed', auth_source: 'api_key', level: 'INFO', n: '40' },
      { status: '426', message: 'Client version rejected', level: 'WARNING', n: '2' },
    ]);
    expect(s.events).toBe(42);
    expect(s.by_status).toEqual([{ value: '200', count: 40 }, { value: '426', count: 2 }]);
    expect(s.by_error_code).toEqual([{ value: 'client_outdated', count: 2 }]);
  });
});

describe('checkRouterLogs', () => {
  const summary = (lines: string[]) => summarizeRouterEvents(lines.map((l) => parseRouterLine(l, T)));

  it('reports LOGS_ERRORS_FOUND as fail for 5xx, ERROR lines and DynamoDB lookup failures', () => {
    for (const l of [line('Request completed', { status: 502 }), line('DynamoDB lookup failed', {}, 'ERROR'), line('Request failed', {}, 'ERROR')]) {
      const [f] = checkRouterLogs(summary([l]), where);
      expect(f).toMatchObject({ code: 'LOGS_ERRORS_FOUND', status: 'fail' });
    }
    expect(checkRouterLogs(summary([line('DynamoDB lookup failed', {}, 'ERROR')]), where)[0]!.fix).toContain('dynamodb:GetItem');
  });

  it('reports LOGS_ERRORS_FOUND as warn for 4xx only, naming client_outdated for 426', () => {
    const [f] = checkRouterLogs(summary([line('Client version rejected', { status: 426 }, 'WARNING')]), where);
    expect(f).toMatchObject({ status: 'warn' });
    expect(f!.detail).toContain('client_outdated');
  });

  it('passes LOGS_ERRORS_FOUND when every request succeeded, or there were none', () => {
    expect(checkRouterLogs(summary([line('Request completed', { status: 200 })]), where)[0]!.status).toBe('pass');
    expect(checkRouterLogs(summary([]), where)[0]!.status).toBe('pass');
  });
});

describe('findLogGroup', () => {
  it('passes LOGS_GROUP_NOT_FOUND with the router container\'s awslogs-group', () => {
    const r = findLogGroup({ family: 'f', revision: 3, containers: [{ container: 'sidecar', log_group: 'side' }, { container: 'router', log_group: 'Gen-Router-1' }] }, 'arn:td', 'dev');
    expect(r.group).toEqual({ name: 'Gen-Router-1', source: 'task definition f:3 container router' });
    expect(r.finding.status).toBe('pass');
  });

  it('reports LOGS_GROUP_NOT_FOUND when no container logs to CloudWatch, and never suggests the guessed name as the answer', () => {
    const r = findLogGroup({ containers: [{ container: 'router', log_driver: 'fluentd' }] }, 'arn:td', 'prod');
    expect(r.group).toBeUndefined();
    expect(r.finding).toMatchObject({ code: 'LOGS_GROUP_NOT_FOUND', status: 'error' });
    expect(r.finding.detail).toContain('router: fluentd');
    expect(logGroupMissing('x', 'prod').detail).toContain('/ecs/bedrock-router-prod is only the seed skill\'s guess');
  });
});
