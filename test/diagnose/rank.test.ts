import { describe, expect, it } from 'vitest';
import { fail, pass, warn, error } from '../../src/checks/finding.js';
import { rank } from '../../src/diagnose/rank.js';

const f = (code: Parameters<typeof fail>[0]) => fail(code, { title: code });

describe('rank', () => {
  it('puts TOKEN_WRONG_TYPE before the TOKEN_AUDIENCE_MISMATCH it explains', () => {
    const r = rank([f('TOKEN_AUDIENCE_MISMATCH'), f('TOKEN_WRONG_TYPE')]);
    expect(r.root?.code).toBe('TOKEN_WRONG_TYPE');
    expect(r.also.map((x) => x.code)).toEqual(['TOKEN_AUDIENCE_MISMATCH']);
  });

  it('puts JWKS_KID_NOT_FOUND before SIGNATURE_INVALID, and an unreachable JWKS before both', () => {
    expect(rank([f('SIGNATURE_INVALID'), f('JWKS_KID_NOT_FOUND')]).root?.code).toBe('JWKS_KID_NOT_FOUND');
    expect(rank([f('SIGNATURE_INVALID'), f('JWKS_UNREACHABLE'), f('JWKS_KID_NOT_FOUND')]).root?.code).toBe('JWKS_UNREACHABLE');
  });

  it('ranks a stale ALB config before the issuer mismatch it causes', () => {
    expect(rank([f('TOKEN_ISSUER_MISMATCH'), f('ALB_JWT_CONFIG_MISMATCH')]).root?.code).toBe('ALB_JWT_CONFIG_MISMATCH');
  });

  it('keeps the checks\' order for codes outside the causal order', () => {
    expect(rank([f('TRUST_CONDITION_SUB_MISMATCH'), f('TRUST_ACTION_MISSING')]).root?.code).toBe('TRUST_CONDITION_SUB_MISMATCH');
  });

  it('has no root cause when nothing fails, and separates warnings and errors', () => {
    const r = rank([pass('TOKEN_EXPIRED', { title: 'ok' }), warn('DISCOVERY_SLOW', { title: 'slow' }), error('JWKS_UNREACHABLE', { title: 'x' })]);
    expect(r.root).toBeUndefined();
    expect(r.warnings.map((x) => x.code)).toEqual(['DISCOVERY_SLOW']);
    expect(r.errors.map((x) => x.code)).toEqual(['JWKS_UNREACHABLE']);
  });
});
