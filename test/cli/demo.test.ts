import { describe, expect, it } from 'vitest';
import { DEMO_SCENARIOS, runDemo } from '../../src/cli/demo.js';
import { UsageError } from '../../src/sources/errors.js';

function io() {
  const out: string[] = [];
  return { io: { out: (t: string) => void out.push(t), isTTY: false, env: {} }, text: () => out.join('\n') };
}

describe('jwt-triage demo', () => {
  it.each(Object.entries(DEMO_SCENARIOS))('names the planted fault of scenario %s as the root cause', async (name, scenario) => {
    const o = io();
    const code = await runDemo(['--scenario', name, '--json'], o.io);
    const result = JSON.parse(o.text());
    expect(result.root_cause).toBe(scenario.planted);
    expect(code).toBe(0);
    // The token is named by fingerprint only: no JWT-shaped string in the output.
    expect(o.text()).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(result.token_summary.fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
  });

  it('prints the summary box with the diagnosis and fix by default', async () => {
    const o = io();
    expect(await runDemo([], o.io)).toBe(0);
    const text = o.text();
    expect(text).toContain('Diagnosis: TOKEN_WRONG_TYPE');
    expect(text).toContain('Fix: Send the ID token');
    expect(text).toContain('opencode-auth login');
    expect(text.includes('\u001b[')).toBe(false); // not a TTY: no colour
  });

  it('rejects an unknown scenario with the list of known ones', async () => {
    await expect(runDemo(['--scenario', 'nope'], io().io)).rejects.toThrow(UsageError);
    await expect(runDemo(['--scenario', 'nope'], io().io)).rejects.toThrow(/Unknown scenario "nope"/);
  });
});
