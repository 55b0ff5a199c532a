/**
 * Shared parts of the diagnosis world suites: live-then-replay (every world's snapshot must replay
 * offline to the same root cause), section lookup, and a black-hole TCP server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runOk } from './ctx.js';

export type Out = Record<string, unknown>;
export const root = (out: Out) => (out.root_cause as { code: string } | null)?.code ?? null;
const snapDir = mkdtempSync(join(tmpdir(), 'jwt-triage-snap-'));
let snapN = 0;

/**
 * Diagnoses live with snapshot: true, then replays the snapshot offline (`from`): the same root
 * cause, findings and section statuses, and no planted secret in the snapshot. Every world of this
 * suite goes through it (except the deadline worlds, whose unfinished facts are by design not recorded).
 */
export async function liveAndReplay(input: Record<string, unknown>, opts: { http: { ca: string } }, secrets: string[] = []) {
  const live = await runOk('diagnose_rejection', { ...input, snapshot: true }, opts);
  const snap = live.output.snapshot as Record<string, unknown>;
  const text = JSON.stringify(snap);
  for (const s of secrets.filter(Boolean)) {
    expect(text).not.toContain(s);
    if (s.split('.').length === 3) expect(text).not.toContain(s.split('.')[2]!);
  }
  const file = join(snapDir, `world-${++snapN}.json`);
  writeFileSync(file, text);
  // Replay with no network at all: no CA, a blackholed AWS endpoint, no kubectl.
  const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', JWT_TRIAGE_KUBECTL: '/nonexistent/kubectl' };
  const replay = await runOk('diagnose_rejection', { from: file }, { env });
  const shape = (o: Out) => ({
    root: root(o),
    findings: (o.findings as Array<{ code: string; status: string }>).map((f) => `${f.code}:${f.status}`).sort(),
    sections: (o.sections as Array<{ label: string; status: string }>).map((x) => `${x.label}:${x.status}`),
  });
  expect(shape(replay.output), `replay of ${file}`).toEqual(shape(live.output));
  expect(replay.output.replayed_from).toBe(file);
  return live;
}
export const section = (out: Out, label: string) => (out.sections as Array<{ label: string; status: string; line?: string; code?: string }>).find((s) => s.label === label);

/** A TCP server that accepts connections and never answers: the fault that finds missing deadlines. */
export async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

/** What the summary box shows for a section (its `line`, or the title of its worst finding), from the text. */
export function rowLine(r: { text: string }, label: string): string | undefined {
  const row = r.text.split('\n').find((l) => l.startsWith(`${label} `) && /^.+? [✓✗!–?] /.test(l));
  return row?.replace(/^.+? [✓✗!–?] /, '');
}
