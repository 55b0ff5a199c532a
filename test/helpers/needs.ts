/**
 * External programs some tests need (openssl, moto_server, kubectl). On CI (CI=true) a
 * missing one fails the run with a clear message; elsewhere the tests that need it are
 * skipped with one line naming the missing tool.
 */
import { execFileSync } from 'node:child_process';

const cache = new Map<string, boolean>();

export function has(bin: string): boolean {
  let ok = cache.get(bin);
  if (ok === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
      ok = true;
    } catch {
      ok = false;
    }
    cache.set(bin, ok);
  }
  return ok;
}

/** True when `bin` is available. Throws on CI when it is not; warns once otherwise. */
export function need(bin: string): boolean {
  if (has(bin)) return true;
  if (process.env.CI === 'true') throw new Error(`${bin} is required on CI but is not on PATH; install it (see README "Development").`);
  if (!warned.has(bin)) {
    warned.add(bin);
    console.warn(`SKIPPING tests that need ${bin}: it is not on PATH.`);
  }
  return false;
}
const warned = new Set<string>();
