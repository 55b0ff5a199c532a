/**
 * Prompts and resources through a real SDK Client, over an in-memory transport to the server
 * (the stdio path is covered by test/e2e; this is the content).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_CODES, FINDING_GUIDE } from '../../src/checks/codes.js';
import { CAUSAL_ORDER } from '../../src/diagnose/rank.js';
import { createServer } from '../../src/server.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { playbook } from '../../src/mcp/prompts.js';

let client: Client;

beforeAll(async () => {
  const [a, b] = InMemoryTransport.createLinkedPair();
  await createServer().connect(a);
  client = new Client({ name: 'test', version: '0' });
  await client.connect(b);
});
afterAll(async () => client?.close());

const textOf = (r: Awaited<ReturnType<Client['getPrompt']>>) => r.messages.map((m) => (m.content.type === 'text' ? m.content.text : '')).join('\n');

describe('prompts', () => {
  it('lists debug_401 and debug_assume_role with their arguments', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['debug_401', 'debug_assume_role']);
    const args = (n: string) => prompts.find((p) => p.name === n)!.arguments!.map((a) => a.name);
    expect(args('debug_401')).toEqual(expect.arrayContaining(['preset', 'env', 'token_file', 'token_env']));
    expect(args('debug_assume_role')).toEqual(expect.arrayContaining(['preset', 'role_arn', 'token_file', 'token_env', 'error_text']));
  });

  it('debug_401 turns its arguments into the first diagnose_rejection call and carries the jwt-debug playbook', async () => {
    const r = await client.getPrompt({ name: 'debug_401', arguments: { env: 'prod', token_file: '/tmp/id_token' } });
    const t = textOf(r);
    expect(t).toContain('diagnose_rejection with {"preset":"opencode","env":"prod","token_file":"/tmp/id_token"}');
    expect(t).toContain(playbook('jwt-debug')!.slice(0, 200));
    expect(t).not.toContain('No token reference was given');
  });

  it('debug_assume_role defaults to the sts preset, asks for a token by reference when none is given, and never echoes a token in error_text', async () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const r = await client.getPrompt({ name: 'debug_assume_role', arguments: { role_arn: 'arn:aws:iam::123456789012:role/app', error_text: `AccessDenied for ${jwt}` } });
    const t = textOf(r);
    expect(t).toContain('"preset":"sts"');
    expect(t).toContain('"role_arn":"arn:aws:iam::123456789012:role/app"');
    expect(t).toMatch(/Never ask them to paste a token/);
    expect(t).not.toContain(jwt);
    expect(t).toContain(playbook('web-identity-debug')!.slice(0, 200));
  });
});

describe('resources', () => {
  it('lists the code catalogue and the precedence table', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(['jwt-triage://codes', 'jwt-triage://precedence']);
  });

  it('jwt-triage://codes has every finding code with meaning, detecting tools and fix', async () => {
    const r = await client.readResource({ uri: 'jwt-triage://codes' });
    const { codes } = JSON.parse((r.contents[0] as { text: string }).text) as { codes: { code: string; meaning: string; detected_by: string[]; fix: string }[] };
    expect(codes.map((c) => c.code)).toEqual([...FINDING_CODES]);
    for (const c of codes) {
      expect(c.meaning.length, c.code).toBeGreaterThan(10);
      expect(c.fix.length, c.code).toBeGreaterThan(5);
      expect(c.detected_by.length, c.code).toBeGreaterThan(0);
    }
  });

  it('names only tools that exist in FINDING_GUIDE', () => {
    const names = new Set(ALL_TOOLS.map((t) => t.name));
    for (const [code, g] of Object.entries(FINDING_GUIDE)) for (const t of g.tools) expect(names.has(t), `${code}: ${t}`).toBe(true);
  });

  it('jwt-triage://precedence is the ranking the diagnosis uses', async () => {
    const r = await client.readResource({ uri: 'jwt-triage://precedence' });
    const { order, note } = JSON.parse((r.contents[0] as { text: string }).text) as { order: { rank: number; code: string }[]; note: string };
    expect(order.map((o) => o.code)).toEqual([...CAUSAL_ORDER]);
    expect(order[0]!.rank).toBe(1);
    expect(note).toMatch(/root cause/);
  });
});
