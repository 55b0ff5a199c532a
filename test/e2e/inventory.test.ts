import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { connect } from './client.js';

/** The tool names are part of the product's interface: changing this set is a deliberate act. */
const EXPECTED = [
  'decode_token',
  'check_token_time',
  'compare_claims',
  'check_discovery',
  'check_jwks',
  'compare_jwks',
  'get_ssm_parameters',
  'describe_listener_rules',
  'check_alb_jwt_config',
  'simulate_request',
  'check_api_key',
  'search_logs',
  'search_alb_access_logs',
  'check_web_identity_token',
  'get_cluster_oidc',
  'check_public_reachability',
  'check_iam_oidc_provider',
  'check_role_trust',
  'explain_sts_error',
  'predict_sts_outcome',
  'probe_assume_role',
  'check_bridge_logs',
  'check_bridge_config',
  'diagnose_rejection',
  'check_eks_pod_credentials',
  'find_sts_failures',
  'check_alb_oidc',
  'verify_alb_oidc_data',
].sort();

let client: Client;
let close: () => Promise<void>;
let listed: Awaited<ReturnType<Client['listTools']>>['tools'];

beforeAll(async () => {
  ({ client, close } = await connect(['serve', '--toolsets', 'all']));
  listed = (await client.listTools()).tools;
});
afterAll(async () => close?.());

describe('tools/list over stdio from a real MCP client', () => {
  it('lists exactly the expected tools', () => {
    expect(listed.map((t) => t.name).sort()).toEqual(EXPECTED);
  });

  it('gives every tool a title, a description, input and output schemas, and snake_case', () => {
    for (const t of listed) {
      expect(t.name, t.name).toMatch(/^[a-z]+(_[a-z]+)+$/);
      expect(t.title, t.name).toBeTruthy();
      expect(t.description!.length, t.name).toBeGreaterThan(60);
      expect(t.inputSchema.type, t.name).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
    }
  });

  it('has no top-level anyOf/oneOf/allOf in any input schema (some clients reject the whole list)', () => {
    for (const t of listed) {
      const s = t.inputSchema as Record<string, unknown>;
      expect(s.anyOf ?? s.oneOf ?? s.allOf, t.name).toBeUndefined();
    }
  });

  it('marks every tool readOnlyHint except the opt-in probe, and openWorldHint only where it reaches a network', () => {
    for (const t of listed) {
      const rec = ALL_TOOLS.find((x) => x.name === t.name)!;
      expect(t.annotations?.readOnlyHint, t.name).toBe(t.name !== 'probe_assume_role');
      expect(t.annotations?.destructiveHint, t.name).toBe(false);
      expect(t.annotations?.openWorldHint, t.name).toBe(rec.network);
    }
    // Pure judgement tools never reach a network.
    for (const name of ['decode_token', 'check_token_time', 'compare_claims', 'explain_sts_error']) {
      expect(listed.find((t) => t.name === name)?.annotations?.openWorldHint, name).toBe(false);
    }
  });

  it('snapshots every tool definition (a changed schema is a reviewed change)', async () => {
    for (const t of listed) {
      await expect(JSON.stringify(t, null, 2) + '\n').toMatchFileSnapshot(`./__toolsnaps__/${t.name}.snap`);
    }
  });

  it('has a CLI command for every tool, all distinct', () => {
    const commands = ALL_TOOLS.map((t) => t.cli.command);
    expect(new Set(commands).size).toBe(commands.length);
    for (const c of commands) expect(c).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });
});

describe('toolsets', () => {
  const names = async (args: string[], env: Record<string, string> = {}) => {
    const c = await connect(args, env);
    try {
      return (await c.client.listTools()).tools.map((t) => t.name).sort();
    } finally {
      await c.close();
    }
  };
  const inSet = (set: string) => ALL_TOOLS.filter((t) => t.toolsets.includes(set as never)).map((t) => t.name);

  it('lists only the default toolset with no flag, led by diagnose_rejection', async () => {
    const listed = await names([]);
    expect(listed).toEqual(inSet('default').sort());
    expect(listed).toContain('diagnose_rejection');
    expect(listed.length).toBeLessThan(EXPECTED.length);
  });

  it('adds a family with --toolsets, and the same from JWT_TRIAGE_TOOLSETS', async () => {
    const want = [...new Set([...inSet('default'), ...inSet('cluster'), ...inSet('keys')])].sort();
    expect(await names(['serve', '--toolsets', 'cluster,keys'])).toEqual(want);
    expect(await names([], { JWT_TRIAGE_TOOLSETS: 'cluster,keys' })).toEqual(want);
  });

  it('puts every tool in at least one family besides default', () => {
    for (const t of ALL_TOOLS) if (t.name !== 'diagnose_rejection') expect(t.toolsets.some((s) => s !== 'default'), t.name).toBe(true);
  });
});

describe('serve --read-only', () => {
  it('drops the probe and keeps every read-only tool', async () => {
    const ro = await connect(['serve', '--toolsets', 'all', '--read-only']);
    try {
      const names = (await ro.client.listTools()).tools.map((t) => t.name).sort();
      expect(names).toEqual(EXPECTED.filter((n) => n !== 'probe_assume_role'));
    } finally {
      await ro.close();
    }
  });
});
