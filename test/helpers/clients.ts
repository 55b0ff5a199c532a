/**
 * The real clients some end-to-end tests drive (Node 22/24, the MCP Inspector CLI, the `skills`
 * CLI), installed by scripts/test-clients.mjs into .cache/clients/ (`npm test` runs it first as
 * `pretest`; .ci/run runs it as a step). Missing on CI → the test fails naming the fix; missing
 * elsewhere → the tests are skipped with one line saying so.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type ClientName = 'node22' | 'node24' | 'inspector' | 'skills';

export const SCRIPT = fileURLToPath(new URL('../../scripts/test-clients.mjs', import.meta.url));

let paths: Record<ClientName, string | null> | undefined;
const warned = new Set<string>();

function all(): Record<ClientName, string | null> {
  paths ??= JSON.parse(execFileSync(process.execPath, [SCRIPT, '--paths'], { encoding: 'utf8' })) as Record<ClientName, string | null>;
  return paths;
}

/** The client's entry point (a node binary or a JS file), or undefined (skip) when it is not installed here. */
export function client(name: ClientName): string | undefined {
  const p = all()[name];
  if (p) return p;
  if (process.env.CI === 'true') throw new Error(`test client ${name} is not installed; CI must run \`node scripts/test-clients.mjs\` before the tests (see .ci/run).`);
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(`SKIPPING tests that need ${name}: not installed; run \`node scripts/test-clients.mjs\` (npm test does).`);
  }
  return undefined;
}
