/** What tools/list publishes for each record (src/tools/publish.ts). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { publishTool } from '../../src/tools/publish.js';

describe('publishTool', () => {
  it.each(ALL_TOOLS.map((t) => [t.name, t] as const))('%s: input whole, output compact, finding shape exact', (_name, tool) => {
    const p = publishTool(tool);
    const input = z.toJSONSchema(tool.input, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
    expect(p.inputSchema.$schema).toBeUndefined();
    expect(Object.keys(p.inputSchema.properties as object)).toEqual(Object.keys(input.properties as object));
    expect(p.inputSchema.required).toEqual(input.required);
    const out = p.outputSchema as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(out.required).toEqual(['verdict', 'summary', 'findings']);
    expect(Object.keys(out.properties)).toEqual(Object.keys(tool.output.shape));
    const finding = (out.properties.findings!.items as { properties: Record<string, unknown>; required: string[] });
    expect(finding.properties.code).toEqual({ type: 'string' });
    expect(finding.properties.evidence).toEqual({ type: 'object' });
    expect(finding.required).toEqual(['code', 'status', 'title', 'detail', 'evidence']);
    expect(JSON.stringify(p)).not.toMatch(/"type":\[|"additionalProperties":\{\}|"additionalProperties":false|\$schema/);
    expect(p.annotations.readOnlyHint).toBe(tool.type === 'readOnly');
  });
});
