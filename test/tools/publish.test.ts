/** What tools/list publishes for each record (src/tools/publish.ts). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { publishTool } from '../../src/tools/publish.js';

describe('publishTool', () => {
  it.each(ALL_TOOLS.map((t) => [t.name, t] as const))('%s: input whole (inline token not advertised), output compact, the finding shape by its required members', (_name, tool) => {
    const p = publishTool(tool);
    const input = z.toJSONSchema(tool.input, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
    expect(p.inputSchema.$schema).toBeUndefined();
    // Tokens by reference: an inline `token` is accepted but not advertised next to token_file/token_env.
    const advertised = Object.keys(input.properties as object).filter((k) => !(k === 'token' && 'token_file' in (input.properties as object)));
    expect(Object.keys(p.inputSchema.properties as object)).toEqual(advertised);
    expect(p.inputSchema.required).toEqual(input.required);
    const out = p.outputSchema as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(out.required).toEqual(['verdict', 'summary', 'findings']);
    expect(Object.keys(out.properties)).toEqual(Object.keys(tool.output.shape));
    // The finding shape is spelled out once (the server's instructions); each schema names its required members.
    // The diagnosis lists its other findings without evidence (the root cause carries it).
    const members = tool.name === 'diagnose_rejection' ? ['code', 'status', 'title', 'detail'] : ['code', 'status', 'title', 'detail', 'evidence'];
    expect(out.properties.findings!.items).toEqual({ type: 'object', required: members });
    expect(JSON.stringify(p)).not.toMatch(/"type":\[|"additionalProperties":\{\}|"additionalProperties":false|\$schema/);
    expect(p.annotations.readOnlyHint).toBe(tool.type === 'readOnly');
  });
});
