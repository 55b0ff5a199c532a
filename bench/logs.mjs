/**
 * (4) The log paths in lines/s against `grep -c` over the same file:
 *  - router: CloudWatch events → parse + count + redact (what search_logs does per event);
 *  - bridge: kubectl logs text → parse + summarise (check_bridge_logs);
 *  - ALB access logs: gzip object stream → parse + aggregate (search_alb_access_logs).
 * Each path runs over the same lines twice (warm-up, then timed); lines/s is the timed run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const T0 = Date.parse('2026-09-21T10:00:00Z');

/** ~1 KB router lines: mostly "Request completed", some 4xx/5xx, a few with secret-shaped text. */
export function routerLines(n) {
  const pad = 'x'.repeat(620);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const status = i % 50 === 0 ? 500 : i % 10 === 0 ? 401 : 200;
    const rec = {
      timestamp: new Date(T0 + i * 10).toISOString(), level: status === 500 ? 'ERROR' : 'INFO', logger: 'bedrock-router',
      message: status === 500 ? 'DynamoDB lookup failed' : 'Request completed', status, method: 'POST', path: `/v1/chat/completions?model=m${i % 7}`,
      auth_source: i % 3 ? 'jwt' : 'api_key', user_sub: `user-${i % 97}`, request_id: `req-${i.toString(16).padStart(12, '0')}`, duration_ms: i % 400,
      user_agent: `opencode/1.4.2 (linux) ${pad}`,
      ...(i % 1000 === 0 ? { note: 'Authorization: Bearer abcdefgh12345678ijklmnop' } : {}),
    };
    out[i] = JSON.stringify(rec);
  }
  return out;
}

/** Bridge slog lines with a kubectl --timestamps prefix. */
export function bridgeLines(n) {
  const out = new Array(n);
  const events = ['jwks_prime_failure', 'funnel_not_permitted', 'token_exchange', 'jwks_served'];
  for (let i = 0; i < n; i++) {
    const t = new Date(T0 + i * 10).toISOString();
    out[i] = `${t} ${JSON.stringify({ time: t, level: i % 5 ? 'INFO' : 'ERROR', msg: 'bridge event with a message that is dropped', event: events[i % 4], component: 'oidc_bridge', error_kind: i % 5 ? undefined : 'NeedsLogin', status_code: 200 + (i % 3), expected_host: 'bridge.tail1234.ts.net', cert_domains: 'bridge.tail1234.ts.net,other.ts.net' })}`;
  }
  return out;
}

export function albLines(n, albLine) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = i % 20;
    const at = new Date(T0 + i * 10);
    out[i] =
      kind === 0
        ? albLine({ at, status: 403, request: 'POST https://api.opencode.example.com:443/v1/chat/completions?api_key=secret HTTP/2.0', rule: '-', actions: 'fixed-response' })
        : kind === 1
          ? albLine({ at, status: 401, request: 'POST https://api.opencode.example.com:443/v1/models HTTP/2.0', rule: '3', actions: 'jwt-validation', errorReason: 'JWTValidationFailed' })
          : albLine({ at, status: 200, target: 200, request: `POST https://api.opencode.example.com:443/v1/chat/completions?model=m${i % 9} HTTP/2.0`, rule: String(3 + (i % 3)), actions: 'jwt-validation,forward' });
  }
  return out;
}

function grepRate(lines) {
  const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-bench-'));
  const f = join(dir, 'lines.log');
  writeFileSync(f, lines.join('\n') + '\n');
  execFileSync('grep', ['-c', '"', f]); // warm the page cache
  const s = performance.now();
  execFileSync('grep', ['-c', '"', f]);
  return lines.length / ((performance.now() - s) / 1000);
}

function rate(n, fn) {
  fn(); // warm-up
  const s = performance.now();
  fn();
  return n / ((performance.now() - s) / 1000);
}

/** Returns rows: [path, lines/s, grep -c lines/s, ratio]. `dist` is the built project (dist/). */
export async function benchLogPaths(dist, albLine, n = 100_000) {
  const mod = (p) => import(pathToFileURL(join(dist, p)).href);
  const router = await mod('checks/opencode/router-logs.js');
  const bridge = await mod('checks/bridge/log-parse.js');
  const access = await mod('checks/opencode/access-logs.js');
  const out = [];

  const rl = routerLines(n);
  const events = rl.map((message, i) => ({ message, timestamp: T0 + i * 10 }));
  const routerPath = router.summarizeRouterLines
    ? () => router.summarizeRouterLines(events, 20)
    : () => {
        const parsed = events.map((e) => router.parseRouterLine(e.message, e.timestamp));
        router.summarizeRouterEvents(parsed);
        parsed.slice(-20);
      };
  const routerGrep = grepRate(rl);
  out.push(['router (1 KB JSON lines)', rate(n, routerPath), routerGrep]);
  // The floor of any path that reads the fields: JSON.parse alone over the same lines, nothing else.
  out.push(['router floor: JSON.parse alone, same lines', rate(n, () => { for (const e of events) JSON.parse(e.message); }), routerGrep]);

  const bl = bridgeLines(n);
  const text = bl.join('\n');
  out.push(['bridge (slog JSON)', rate(n, () => bridge.summarizeEvents(bridge.parseBridgeLog(text).events)), grepRate(bl)]);

  const al = albLines(n, albLine);
  const window = { startMs: T0 - 1, endMs: T0 + n * 10 + 1 };
  const accessPath = access.AccessLogAggregator
    ? () => {
        const agg = new access.AccessLogAggregator(window, 20);
        for (const l of al) agg.addLine(l);
        agg.summary();
      }
    : () => {
        const records = [];
        for (const l of al) {
          const r = access.parseAlbLine(l);
          const t = r ? Date.parse(r.time) : NaN;
          if (r && t >= window.startMs && t <= window.endMs) records.push(r);
        }
        access.summarizeAccessLogs(records);
        records.filter(access.isRejection).sort((a, b) => b.time.localeCompare(a.time)).slice(0, 20);
      };
  out.push(['ALB access log (30 fields)', rate(n, accessPath), grepRate(al)]);
  return out;
}
