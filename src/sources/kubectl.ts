/**
 * Runs the real `kubectl` (no shell, argument list only, with a timeout) for reads:
 * `get --raw`, `get -o json`, `logs`. A missing binary or an unreachable cluster is a
 * classified SourceError, never a crash.
 */
import { execFile } from 'node:child_process';
import { SourceError } from './errors.js';

export interface KubeTarget {
  context?: string | undefined;
  kubeconfig?: string | undefined;
  /** Default 10 s. */
  timeoutMs?: number | undefined;
  /** Cancels the run (kills kubectl), e.g. the MCP call's signal. */
  signal?: AbortSignal | undefined;
}

export interface KubectlResult {
  stdout: string;
  elapsedMs: number;
}

const READ_VERBS = new Set(['get', 'logs']);

/** Runs `kubectl <args>` with the target's --kubeconfig/--context. Only read verbs are allowed. */
export function kubectl(args: string[], target: KubeTarget = {}, bin = process.env.JWT_TRIAGE_KUBECTL ?? 'kubectl'): Promise<KubectlResult> {
  const verb = args[0] ?? '';
  if (!READ_VERBS.has(verb)) {
    return Promise.reject(new SourceError('SOURCE_BLOCKED', `kubectl ${verb} is not a read; jwt-triage only runs get and logs.`));
  }
  // `--flag=value` forms: a value can never be read as a flag of its own, whatever it holds.
  // Callers put `--` before positionals (names), so no input can add a flag (issue 11).
  const full = [
    ...(target.kubeconfig ? [`--kubeconfig=${target.kubeconfig}`] : []),
    ...(target.context ? [`--context=${target.context}`] : []),
    `--request-timeout=${Math.ceil((target.timeoutMs ?? 10000) / 1000)}s`,
    ...args,
  ];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(bin, full, { timeout: target.timeoutMs ?? 10000, maxBuffer: 16 * 1024 * 1024, env: process.env, ...(target.signal ? { signal: target.signal } : {}) }, (err, stdout, stderr) => {
      const elapsedMs = Math.round(performance.now() - start);
      if (!err) return resolve({ stdout, elapsedMs });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      if (e.name === 'AbortError' || target.signal?.aborted) {
        return reject(new SourceError('SOURCE_TIMEOUT', `kubectl ${verb} was cancelled after ${elapsedMs} ms.`, { elapsed_ms: elapsedMs, cancelled: true }, { cause: err }));
      }
      if (e.code === 'ENOENT') {
        return reject(new SourceError('SOURCE_KUBECTL_MISSING', `kubectl is not installed or not on PATH (looked for "${bin}").`, { bin }, { cause: err }));
      }
      if (e.killed) {
        return reject(new SourceError('SOURCE_TIMEOUT', `kubectl ${verb} did not finish within ${target.timeoutMs ?? 10000} ms.`, { elapsed_ms: elapsedMs }, { cause: err }));
      }
      const text = stderrText(String(stderr || e.message));
      const facts = { exit_code: e.code, elapsed_ms: elapsedMs, stderr: text, reason: failureReason(text) };
      reject(new SourceError('SOURCE_KUBECTL_FAILED', `kubectl ${verb} failed: ${text}`, facts, { cause: err }));
    });
  });
}

/** The last lines of kubectl's stderr, without klog noise (`E1122 17:55:04.03 … memcache.go…`). */
function stderrText(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
  const plain = lines.filter((l) => !/^[EIWF]\d{4} \d{2}:\d{2}:\d{2}/.test(l));
  return (plain.length ? plain : lines).slice(-3).join(' ').slice(0, 400);
}

/** Why kubectl failed, from its stderr: a fact for the checks (`facts.reason`). */
export type KubectlFailureReason = 'unauthorized' | 'forbidden' | 'not_found' | 'unreachable' | 'tls' | 'config' | 'other';

export function failureReason(text: string): KubectlFailureReason {
  if (/Unauthorized|must be logged in|provide credentials/i.test(text)) return 'unauthorized';
  if (/Forbidden|cannot (get|list) resource/i.test(text)) return 'forbidden';
  if (/x509|certificate|tls:/i.test(text)) return 'tls';
  if (/connection (?:to the server .* was )?refused|no such host|i\/o timeout|Unable to connect|dial tcp|no route to host|context deadline exceeded|Client\.Timeout/i.test(text)) return 'unreachable';
  if (/context .* does not exist|no configuration has been provided|invalid configuration|kubeconfig|stat .*: no such file/i.test(text)) return 'config';
  if (/NotFound|not found|doesn't have a resource type/i.test(text)) return 'not_found';
  return 'other';
}

/** `kubectl get --raw <path>` parsed as JSON. */
export async function kubectlGetRawJson(path: string, target: KubeTarget = {}): Promise<{ json: unknown; elapsedMs: number }> {
  const { stdout, elapsedMs } = await kubectl(['get', `--raw=${path}`], target);
  try {
    return { json: JSON.parse(stdout), elapsedMs };
  } catch {
    throw new SourceError('SOURCE_NOT_JSON', `kubectl get --raw ${path} did not return JSON.`, { elapsed_ms: elapsedMs });
  }
}
