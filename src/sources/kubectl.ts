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
}

export interface KubectlResult {
  stdout: string;
  elapsedMs: number;
}

const READ_VERBS = new Set(['get', 'logs', 'version', 'config']);

/** Runs `kubectl <args>` with the target's --kubeconfig/--context. Only read verbs are allowed. */
export function kubectl(args: string[], target: KubeTarget = {}, bin = process.env.JWT_TRIAGE_KUBECTL ?? 'kubectl'): Promise<KubectlResult> {
  const verb = args[0] ?? '';
  if (!READ_VERBS.has(verb)) {
    return Promise.reject(new SourceError('SOURCE_BLOCKED', `kubectl ${verb} is not a read; jwt-triage only runs get, logs, version and config.`));
  }
  const full = [
    ...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : []),
    ...(target.context ? ['--context', target.context] : []),
    '--request-timeout', `${Math.ceil((target.timeoutMs ?? 10000) / 1000)}s`,
    ...args,
  ];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(bin, full, { timeout: target.timeoutMs ?? 10000, maxBuffer: 16 * 1024 * 1024, env: process.env }, (err, stdout, stderr) => {
      const elapsedMs = Math.round(performance.now() - start);
      if (!err) return resolve({ stdout, elapsedMs });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      if (e.code === 'ENOENT') {
        return reject(new SourceError('SOURCE_KUBECTL_MISSING', `kubectl is not installed or not on PATH (looked for "${bin}").`, { bin }, { cause: err }));
      }
      if (e.killed) {
        return reject(new SourceError('SOURCE_TIMEOUT', `kubectl ${verb} did not finish within ${target.timeoutMs ?? 10000} ms.`, { elapsed_ms: elapsedMs }, { cause: err }));
      }
      const text = String(stderr || e.message).trim().split('\n').slice(-3).join(' ').slice(0, 400);
      reject(new SourceError('SOURCE_KUBECTL_FAILED', `kubectl ${verb} failed: ${text}`, { exit_code: e.code, elapsed_ms: elapsedMs, stderr: text }, { cause: err }));
    });
  });
}

/** `kubectl get --raw <path>` parsed as JSON. */
export async function kubectlGetRawJson(path: string, target: KubeTarget = {}): Promise<{ json: unknown; elapsedMs: number }> {
  const { stdout, elapsedMs } = await kubectl(['get', '--raw', path], target);
  try {
    return { json: JSON.parse(stdout), elapsedMs };
  } catch {
    throw new SourceError('SOURCE_NOT_JSON', `kubectl get --raw ${path} did not return JSON.`, { elapsed_ms: elapsedMs });
  }
}
