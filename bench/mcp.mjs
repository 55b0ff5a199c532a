/**
 * A minimal MCP stdio client for the bench: raw JSON-RPC lines, no SDK in the measuring
 * process, so both servers are timed the same way (spawn → initialize → first tool result).
 */
import { spawn } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';

export function startServer(command, args, env = {}) {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let buf = '';
  let nextId = 1;
  const waiting = new Map();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.id !== undefined && waiting.has(msg.id)) {
        waiting.get(msg.id).done({ msg, chars: line.length });
        waiting.delete(msg.id);
      }
    }
  });
  child.stderr.resume();
  // A server that exits (a flag it does not know) fails its pending requests at once.
  child.stdin.on('error', () => undefined);
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.fail(new Error(`the server exited (${code})`));
    waiting.clear();
  });
  const send = (obj) => child.stdin.write(JSON.stringify(obj) + '\n');
  const request = (method, params, timeoutMs = 120_000) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const t = setTimeout(() => reject(new Error(`${method} timed out`)), timeoutMs);
      const fail = (e) => {
        clearTimeout(t);
        reject(e);
      };
      waiting.set(id, {
        done: (r) => {
          clearTimeout(t);
          if (r.msg.error) reject(new Error(`${method}: ${JSON.stringify(r.msg.error)}`));
          else resolve(r);
        },
        fail,
      });
      if (child.exitCode !== null) fail(new Error(`the server exited (${child.exitCode})`));
      send({ jsonrpc: '2.0', id, method, params });
    });
  return {
    child,
    started,
    async initialize() {
      const r = await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'jwt-triage-bench', version: '0' } });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      return r;
    },
    call: (name, args, timeoutMs) => request('tools/call', { name, arguments: args }, timeoutMs),
    list: () => request('tools/list', {}),
    rss: () => rssOf(child.pid),
    close: () =>
      new Promise((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.stdin.end();
        setTimeout(() => child.kill('SIGTERM'), 1000).unref();
      }),
  };
}

import { readFileSync } from 'node:fs';
/** Resident set size of a process, in MB (Linux /proc). */
export function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
