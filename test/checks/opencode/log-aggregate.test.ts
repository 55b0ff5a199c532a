/**
 * The one-pass log aggregators give the same figures as parsing every line into a record and
 * counting the records (the slower path they replace), and keep nothing but bounded counts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccessLogAggregator, causeOf, isRejection, parseAlbLine, splitAlbLine, summarizeAccessLogs } from '../../../src/checks/opencode/access-logs.js';
import { cleanRepeated, clean, parseRouterLine, summarizeRouterEvents, summarizeRouterLines } from '../../../src/checks/opencode/router-logs.js';
import { albLine, routerLine } from '../../helpers/opencode-world-data.js';
import { NOW_DATE } from '../../helpers/tokens.js';

const T = NOW_DATE.getTime();

/** The reference: the old character-by-character splitter. */
function splitReference(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let field = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        field += line[i++];
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ') field += line[i++];
    }
    out.push(field);
  }
  return out;
}

describe('splitAlbLine (fast path)', () => {
  it('splits exactly like the character-by-character reference, escapes and unterminated quotes included', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', ' ', '"', '\\', 'x y', '-', '"q"', 'é'), { maxLength: 40 }).map((p) => p.join('')), (line) => {
        expect(splitAlbLine(line)).toEqual(splitReference(line));
      }),
      { numRuns: 2000 },
    );
  });
});

function albSample(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(T + (i % 7) * 60_000 + i);
    const k = i % 6;
    lines.push(
      k === 0
        ? albLine({ at, status: 403, request: `POST https://h:443/v1/chat?api_key=oc_secretsecret${i} HTTP/2.0`, rule: '-', actions: 'fixed-response', client: `198.51.100.${i % 5}` })
        : k === 1
          ? albLine({ at, status: 401, request: 'GET https://h:443/v1/models HTTP/2.0', rule: '3', actions: 'jwt-validation', errorReason: 'JWTValidationFailed' })
          : k === 2
            ? albLine({ at, status: 401, target: 401, request: 'GET https://h:443/v1/x HTTP/2.0', rule: '5', actions: 'jwt-validation,forward' })
            : k === 3
              ? 'not an access log line'
              : albLine({ at, status: 200, target: 200, request: `POST https://h:443/v1/chat?m=${i % 3} HTTP/2.0`, rule: '4', actions: 'forward' }),
    );
  }
  return lines;
}

describe('AccessLogAggregator', () => {
  it('counts like summarizeAccessLogs and keeps the same newest rejections (ALB_ACCESS_LOGS_REJECTIONS figures)', () => {
    const lines = albSample(600);
    const window = { startMs: T + 60_000, endMs: T + 5 * 60_000 + 599 };
    const agg = new AccessLogAggregator(window, 7);
    for (const l of lines) agg.addLine(l);
    const records = lines.map((l) => parseAlbLine(l)).filter((r) => r !== undefined).filter((r) => Date.parse(r.time) >= window.startMs && Date.parse(r.time) <= window.endMs);
    expect(records.length).toBeGreaterThan(100);
    expect(agg.summary()).toEqual(summarizeAccessLogs(records));
    const newest = records.filter(isRejection).sort((a, b) => b.time.localeCompare(a.time)).slice(0, 7).map((r) => ({ ...r, cause: causeOf(r) }));
    expect(agg.rejected()).toEqual(newest);
    expect(agg.lines).toBe(600);
  });

  it('keeps memory bounded: the newest list never grows past a small multiple of the limit', () => {
    const agg = new AccessLogAggregator({ startMs: 0, endMs: Number.MAX_SAFE_INTEGER }, 5);
    const line = albLine({ at: NOW_DATE, status: 403, request: 'GET https://h:443/ HTTP/2.0', rule: '-', actions: 'fixed-response' });
    for (let i = 0; i < 10_000; i++) agg.addLine(line);
    expect((agg as unknown as { newest: unknown[] }).newest.length).toBeLessThan(5 * 2 + 64);
    expect(agg.summary().rejections).toBe(10_000);
  });

  it('never keeps a query-string value', () => {
    const agg = new AccessLogAggregator({ startMs: 0, endMs: Number.MAX_SAFE_INTEGER }, 5);
    for (const l of albSample(60)) agg.addLine(l);
    expect(JSON.stringify([agg.summary(), agg.rejected()])).not.toContain('oc_secretsecret');
  });
});

describe('summarizeRouterLines', () => {
  it('counts like summarizeRouterEvents over parseRouterLine, and returns the newest events parsed in full', () => {
    const events = Array.from({ length: 300 }, (_, i) => {
      const status = [200, 401, 426, 500][i % 4]!;
      const message =
        i % 9 === 0
          ? `Traceback line ${i % 2} Authorization: Bearer abcdefgh12345678ijkl`
          : i % 13 === 0
            ? '  {"message":"indented json","status":"200"}'
            : i % 17 === 0
              ? '[1,2]'
              : routerLine(new Date(T + i), status === 500 ? 'DynamoDB lookup failed' : 'Request completed', { status, auth_source: i % 2 ? 'jwt' : 'api_key', request_id: `r${i}`, ...(i % 5 === 0 ? { error: { code: 'internal_error' } } : {}) }, status === 500 ? 'ERROR' : 'INFO');
      return { message, timestamp: T + i };
    });
    const parsed = events.map((e) => parseRouterLine(e.message, e.timestamp));
    const r = summarizeRouterLines(events, 20);
    expect(r.counts).toEqual(summarizeRouterEvents(parsed));
    expect(r.newest).toEqual(parsed.slice(-20).reverse());
    expect(JSON.stringify(r)).not.toContain('abcdefgh12345678ijkl');
  });
});

describe('cleanRepeated', () => {
  it('gives what clean gives, including redaction, for repeated and long values', () => {
    for (const v of ['Request completed', 'Bearer abcdefgh12345678ijklmnop', 'x'.repeat(300), 42, undefined, '']) {
      expect(cleanRepeated(v, 40)).toEqual(clean(v, 40));
      expect(cleanRepeated(v, 40)).toEqual(clean(v, 40));
    }
  });
});
