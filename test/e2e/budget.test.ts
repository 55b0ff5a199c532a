/**
 * The tool surface an assistant pays for in every conversation, measured as a real client
 * receives it (the JSON of tools/list over stdio): the default toolset ≤ 32,000 characters,
 * every tool ≤ 6,000, all tools ≤ 64,000.
 */
import { describe, expect, it } from 'vitest';
import { connect } from './client.js';

async function listed(args: string[]) {
  const c = await connect(args);
  try {
    return (await c.client.listTools()).tools;
  } finally {
    await c.close();
  }
}

describe('tools/list budget', () => {
  it('keeps the default toolset within 32,000 characters and every tool of all within 6,000; all within 64,000', async () => {
    const def = await listed([]);
    const all = await listed(['serve', '--toolsets', 'all']);
    const size = (tools: unknown[]) => JSON.stringify({ tools }).length;
    const sizes = Object.fromEntries(all.map((t) => [t.name, JSON.stringify(t).length]));
    console.info(`tools/list: default ${def.length} tools ${size(def)} chars; all ${all.length} tools ${size(all)} chars; largest ${Math.max(...Object.values(sizes))}`);
    expect(size(def)).toBeLessThanOrEqual(32_000);
    expect(size(all)).toBeLessThanOrEqual(64_000);
    for (const [name, n] of Object.entries(sizes)) expect(n, name).toBeLessThanOrEqual(6_000);
  });

  it('describes the finding code once (no enum of codes in any schema) and keeps input descriptions', async () => {
    const all = await listed(['serve', '--toolsets', 'all']);
    for (const t of all) {
      const out = JSON.stringify(t.outputSchema);
      expect(out, t.name).not.toContain('TOKEN_EXPIRED');
      expect(out, t.name).toContain('"findings"');
      const props = Object.values((t.inputSchema.properties ?? {}) as Record<string, { description?: string }>);
      for (const p of props) expect(p.description, t.name).toBeTruthy();
    }
  });
});
