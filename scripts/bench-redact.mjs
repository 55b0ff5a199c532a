// Throughput of the log path: parse + classify + redact of 1 KB router-log lines (built dist).
// Usage: npm run build && node scripts/bench-redact.mjs [lines]
import { parseRouterLine, summarizeRouterEvents } from '../dist/checks/opencode/router-logs.js';
import { Buffer } from 'node:buffer';
import { Redactor } from '../dist/redact.js';

const n = Number(process.argv[2] ?? 200_000);
const pad = 'x'.repeat(600);
const mk = (i) => JSON.stringify({
  timestamp: new Date(1_700_000_000_000 + i).toISOString(), level: i % 10 ? 'INFO' : 'ERROR', logger: 'bedrock-router',
  message: i % 3 ? 'Request completed' : 'Request started', method: 'POST', path: '/v1/chat/completions?stream=true', status: i % 7 ? 200 : 401,
  duration_ms: i % 900, auth_source: i % 2 ? 'jwt' : 'api_key', user_sub: '3f1c2d9e-8b7a-4c6d-9e0f-1a2b3c4d5e6f', user_email: 'dev@example.com',
  request_id: `req-${i}-0f1e2d3c4b5a6978`, model: 'anthropic.claude-sonnet', note: pad,
});
const lines = Array.from({ length: 1000 }, (_, i) => mk(i));
// Every 50th line carries a credential shape, so the slow path is measured too.
for (let i = 0; i < lines.length; i += 50) lines[i] = lines[i].replace('"note":"', '"note":"cookie: sid=abcdef0123456789 accept: */* ');
console.log(`line size ≈ ${Buffer.byteLength(lines[1])} bytes`);
const r = new Redactor();
function run(count) {
  const events = [];
  for (let i = 0; i < count; i++) events.push(parseRouterLine(lines[i % lines.length], 1_700_000_000_000 + i));
  const summary = summarizeRouterEvents(events);
  return r.redact({ summary, events: events.slice(-20) });
}
run(20_000); // warm up
const t0 = performance.now();
run(n);
const s = (performance.now() - t0) / 1000;
console.log(`${n} lines in ${s.toFixed(2)} s → ${Math.round(n / s).toLocaleString('en-US')} lines/s (parse + classify + redact)`);
