import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fail, pass } from '../../src/checks/finding.js';
import { SourceError, UsageError } from '../../src/sources/errors.js';
import { annotationsOf, defineTool, resultSchema } from '../../src/tools/define.js';
import { runTool } from '../../src/tools/run.js';
import { mintToken } from '../helpers/tokens.js';

function tool(handle: (input: { token?: string; mode?: string }) => Promise<Record<string, unknown>>) {
  return defineTool({
    name: 'probe_thing',
    toolsets: ['token'],
    title: 'Probe',
    description: 'A tool for testing the runner.',
    input: z.object({ token: z.string().optional(), mode: z.string().optional() }),
    output: resultSchema({ echo: z.string().optional() }),
    type: 'readOnly',
    network: false,
    cli: { command: 'probe-thing', summary: 'x' },
    handle: handle as never,
  });
}

describe('runTool', () => {
  it('derives the verdict from the findings, whatever the handler said', async () => {
    const t = tool(async () => ({ verdict: 'pass', summary: 's', findings: [pass('TOKEN_EXPIRED', { title: 'ok' }), fail('TOKEN_AUDIENCE_MISMATCH', { title: 'bad aud' })] }));
    const r = await runTool(t, {});
    expect(r.ok && r.verdict).toBe('fail');
    expect(r.ok && r.output.verdict).toBe('fail');
  });

  it('renders findings worst first with their fix', async () => {
    const t = tool(async () => ({ verdict: 'pass', summary: 'one line', findings: [pass('TOKEN_EXPIRED', { title: 'not expired' }), fail('TOKEN_AUDIENCE_MISMATCH', { title: 'bad aud', detail: 'why', fix: 'do this' })] }));
    const r = await runTool(t, {});
    expect(r.ok && r.text).toBe('one line\n\n✗ TOKEN_AUDIENCE_MISMATCH: bad aud\n    why\n    fix: do this\n✓ TOKEN_EXPIRED: not expired');
  });

  it('redacts an inline token wherever the handler put it, before validation', async () => {
    const raw = await mintToken();
    const t = tool(async (input) => ({ verdict: 'pass', summary: `saw ${input.token!.split('.')[2]}`, findings: [], echo: input.token }));
    const r = await runTool(t, { token: raw });
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r)).not.toContain(raw.split('.')[2]!);
  });

  it('turns bad input, usage errors, source errors and schema drift into messages of their kind', async () => {
    const ok = tool(async () => ({ verdict: 'pass', summary: 's', findings: [] }));
    expect(await runTool(ok, { mode: 3 })).toMatchObject({ ok: false, kind: 'usage', message: expect.stringMatching(/mode: Invalid input/) });
    const usage = tool(async () => {
      throw new UsageError('No token given.', 'Pass token_file.');
    });
    expect(await runTool(usage, {})).toEqual({ ok: false, kind: 'usage', message: 'No token given. Pass token_file.' });
    const source = tool(async () => {
      throw new SourceError('SOURCE_TIMEOUT', 'x did not answer.');
    });
    expect(await runTool(source, {})).toEqual({ ok: false, kind: 'source', message: 'x did not answer. (SOURCE_TIMEOUT)' });
    const drift = tool(async () => ({ verdict: 'pass', summary: 1, findings: [] }));
    expect(await runTool(drift, {})).toMatchObject({ ok: false, kind: 'internal', message: expect.stringMatching(/does not match its schema/) });
  });

  it('never lets a raw token through an error message', async () => {
    const raw = await mintToken();
    const t = tool(async () => {
      throw new Error(`boom ${raw}`);
    });
    const r = await runTool(t, { token: raw });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain(raw.split('.')[1]!);
  });
});

describe('annotationsOf', () => {
  it('derives the hints from type and network in one place', () => {
    const t = tool(async () => ({}));
    expect(annotationsOf(t)).toEqual({ title: 'Probe', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    expect(annotationsOf({ ...t, type: 'probe', network: true })).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true });
  });
});
