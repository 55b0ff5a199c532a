import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeFields, parseToolArgs } from '../../src/cli/args.js';
import { colorEnabled, paint } from '../../src/cli/color.js';
import { UsageError } from '../../src/sources/errors.js';

const schema = z.object({
  token_file: z.string().optional().describe('path'),
  skew_seconds: z.number().int().default(60).describe('skew'),
  names: z.array(z.string()).optional().describe('names'),
  confirm: z.boolean().optional().describe('confirm'),
  consumer: z.enum(['alb', 'sts', 'generic']).optional().describe('consumer'),
  expected_claims: z.record(z.string(), z.unknown()).optional().describe('claims'),
  issuer: z.string().describe('issuer'),
});
const fields = describeFields(schema);

describe('describeFields', () => {
  it('derives kebab flags, kinds, defaults and required-ness from the zod schema', () => {
    expect(fields.map((f) => [f.flag, f.kind, f.required])).toEqual([
      ['token-file', 'string', false],
      ['skew-seconds', 'number', false],
      ['names', 'array', false],
      ['confirm', 'boolean', false],
      ['consumer', 'enum', false],
      ['expected-claims', 'object', false],
      ['issuer', 'string', true],
    ]);
    expect(fields.find((f) => f.key === 'skew_seconds')?.defaultValue).toBe(60);
    expect(fields.find((f) => f.key === 'consumer')?.choices).toEqual(['alb', 'sts', 'generic']);
  });
});

describe('parseToolArgs', () => {
  const table: Array<[string[], Record<string, unknown>]> = [
    [['--token-file', 't.jwt'], { token_file: 't.jwt' }],
    [['--skew-seconds', '30'], { skew_seconds: 30 }],
    [['--names', 'a,b', '--names', 'c'], { names: ['a', 'b', 'c'] }],
    [['--confirm'], { confirm: true }],
    [['--consumer', 'alb'], { consumer: 'alb' }],
    [['--expected-claims', '{"email":"a@b"}'], { expected_claims: { email: 'a@b' } }],
    [['https://issuer.example'], { issuer: 'https://issuer.example' }],
  ];
  it.each(table)('%j → %j', (argv, input) => {
    expect(parseToolArgs(argv, fields, 'x', 'issuer').input).toEqual(input);
  });

  const bad: Array<[string[], RegExp]> = [
    [['--nope'], /Unknown option '--nope'/],
    [['--skew-seconds', 'soon'], /--skew-seconds takes a number/],
    [['--consumer', 'elb'], /--consumer must be one of alb, sts, generic/],
    [['--expected-claims', '[1]'], /--expected-claims takes a JSON object/],
    [['a', 'b'], /Unexpected argument "a b"/],
    [['--timeout', '0'], /--timeout must be milliseconds/],
  ];
  it.each(bad)('%j is a usage error naming the problem', (argv, message) => {
    expect(() => parseToolArgs(argv, fields, 'x', 'issuer')).toThrow(UsageError);
    expect(() => parseToolArgs(argv, fields, 'x', 'issuer')).toThrow(message);
  });

  it('reads the global flags', () => {
    expect(parseToolArgs(['--json', '--allow-http-loopback', '--timeout', '250'], fields, 'x').globals).toEqual({
      json: true,
      noColor: false,
      help: false,
      allowHttpLoopback: true,
      timeoutMs: 250,
    });
  });
});

describe('colour', () => {
  const base = { json: false, noColor: false, isTTY: true, env: {} };
  it('is on only for a TTY without --json, --no-color or a non-empty NO_COLOR', () => {
    expect(colorEnabled(base)).toBe(true);
    expect(colorEnabled({ ...base, json: true })).toBe(false);
    expect(colorEnabled({ ...base, noColor: true })).toBe(false);
    expect(colorEnabled({ ...base, isTTY: false })).toBe(false);
    expect(colorEnabled({ ...base, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorEnabled({ ...base, env: { NO_COLOR: '' } })).toBe(true);
  });
  it('paints only the status marks', () => {
    expect(paint('✗ TOKEN_EXPIRED: x\nplain', true)).toBe('\u001b[31m✗\u001b[0m TOKEN_EXPIRED: x\nplain');
    expect(paint('✗ TOKEN_EXPIRED: x', false)).toBe('✗ TOKEN_EXPIRED: x');
  });
});
