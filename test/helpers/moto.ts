/**
 * A real moto server for AWS integration tests: one private server per test file (files
 * run in parallel, so they must not share state), wiped between worlds with
 * POST /moto-api/reset.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { need } from './needs.js';

export interface Moto {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Environment for a process (or the SDK in-process) pointed at moto. No real credentials. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

const PYTHON = process.env.MOTO_PYTHON ?? 'python3';

export async function launchMoto(): Promise<{ endpoint: string; child: ChildProcess }> {
  const launcher = fileURLToPath(new URL('./moto_launcher.py', import.meta.url));
  // moto_server's own interpreter: the shim resolves to the pyenv python that has moto.
  const child = spawn(PYTHON, [launcher, '-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`moto did not start within 20 s: ${buf.slice(-500)}`)), 20000);
    const onData = (d: Buffer) => {
      buf += d.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto exited with ${code}: ${buf.slice(-500)}`));
    });
  });
  child.stderr!.resume();
  child.stdout!.resume();
  for (let i = 0; i < 50; i++) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.ok) break;
    } catch {
      /* not ready */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, child };
}

/**
 * A private moto server for this test file. Returns undefined (the file's tests skip,
 * with one line saying why) when moto is unavailable off CI; fails on CI.
 */
export async function useMoto(): Promise<Moto | undefined> {
  if (!need('moto_server')) return undefined;
  const { endpoint: ep, child } = await launchMoto();
  return {
    endpoint: ep,
    reset: async () => {
      await fetch(`${ep}/moto-api/reset`, { method: 'POST' });
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}
