/**
 * Runs the diagnosis' sections in parallel under one deadline. Each section's sources get
 * the diagnosis' signal: when the deadline passes, the signal aborts (AWS requests, fetches
 * and kubectl children are cancelled) and a section still running becomes a
 * DIAGNOSIS_DEADLINE finding — never a hang.
 */
import { error, type Finding } from '../checks/finding.js';
import { failureFinding } from '../gather/failure.js';
import { SourceError } from '../sources/errors.js';
import type { Section } from './types.js';

export interface SectionTask {
  label: string;
  run(): Promise<Omit<Section, 'label'>>;
}

/** After the abort, how long sections get to turn their cancelled calls into findings. */
const GRACE_MS = 300;

export async function runSections(
  tasks: readonly SectionTask[],
  opts: { deadlineMs: number; abort: AbortController; progress: (done: number, total: number, message: string) => void },
): Promise<{ sections: Section[]; timedOut: string[] }> {
  const results: Array<Section | undefined> = tasks.map(() => undefined);
  let done = 0;
  const settled = tasks.map((t, i) =>
    t.run().then(
      (r) => {
        results[i] = { label: t.label, ...r };
        opts.progress(++done, tasks.length, `${t.label}: done`);
      },
      (e: unknown) => {
        // A source failure that escaped its gatherer (a fact a replayed snapshot lacks) is the section's finding;
        // a UsageError (bad input found while gathering) is the caller's to report.
        if (e instanceof SourceError) {
          results[i] = { label: t.label, findings: [failureFinding(e)] };
          opts.progress(++done, tasks.length, `${t.label}: could not check`);
          return;
        }
        throw e;
      },
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), opts.deadlineMs);
  });
  const all = Promise.all(settled);
  const first = await Promise.race([all.then(() => 'done' as const), deadline]);
  clearTimeout(timer);
  if (first === 'deadline') {
    opts.abort.abort(new Error('diagnosis deadline'));
    await Promise.race([all.catch(() => undefined), new Promise((r) => setTimeout(r, GRACE_MS))]);
  } else {
    await all;
  }
  const timedOut: string[] = [];
  const sections = tasks.map((t, i) => {
    const r = results[i];
    if (r) return r;
    timedOut.push(t.label);
    return { label: t.label, findings: [deadlineFinding(t.label, opts.deadlineMs)] };
  });
  return { sections, timedOut };
}

export function deadlineFinding(label: string, ms: number): Finding {
  return error('DIAGNOSIS_DEADLINE', {
    title: `${label}: not finished within the ${Math.round(ms / 1000)} s deadline`,
    detail: 'Its calls were cancelled; this section says nothing about the rejection. A source that accepts connections but never answers (an AWS endpoint, an issuer, the Kubernetes API) looks like this.',
    evidence: { section: label, deadline_ms: ms },
    fix: 'Check the endpoint it talks to, or give more time (deadline_seconds).',
  });
}
