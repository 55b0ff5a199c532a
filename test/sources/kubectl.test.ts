import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/sources/errors.js';
import { kubectl } from '../../src/sources/kubectl.js';

describe('kubectl runner', () => {
  it.each([['delete', 'pod', 'x'], ['apply', '-f', 'x.yaml'], ['exec', 'pod', '--', 'sh'], ['version'], ['config', 'view', '--raw']])(
    'refuses %s (only get and logs run) without starting kubectl',
    async (...args) => {
      const err = await kubectl(args as string[], {}, '/nonexistent/kubectl').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SourceError);
      expect((err as SourceError).code).toBe('SOURCE_BLOCKED');
    },
  );

  it('reports a missing kubectl as SOURCE_KUBECTL_MISSING, not a crash', async () => {
    const err = await kubectl(['get', '--raw', '/openid/v1/jwks'], {}, '/nonexistent/kubectl').catch((e: unknown) => e);
    expect((err as SourceError).code).toBe('SOURCE_KUBECTL_MISSING');
    expect((err as SourceError).message).toMatch(/not installed or not on PATH/);
  });
});
