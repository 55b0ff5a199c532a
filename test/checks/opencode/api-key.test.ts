import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiKeyHash, checkApiKeyItem, checkApiKeyShape, checkBearerShadow, publicPrefix, tableMissing } from '../../../src/checks/opencode/api-key.js';
import type { Finding } from '../../../src/checks/finding.js';
import { redactPatterns } from '../../../src/redact.js';
import { NOW_DATE } from '../../helpers/tokens.js';

const key = () => 'oc_' + randomBytes(32).toString('base64url');
const by = (fs: Finding[], status: string) => fs.filter((f) => f.status === status).map((f) => f.code);
const iso = (offsetSec: number) => new Date(NOW_DATE.getTime() + offsetSec * 1000).toISOString();
const where = { table: 'opencode-api-keys-dev', keyHash: 'ab'.repeat(32) };

describe('checkApiKeyShape', () => {
  it('passes API_KEY_BAD_PREFIX and API_KEY_MALFORMED for oc_ + 43 base64url characters', () => {
    expect(by(checkApiKeyShape(key()), 'pass')).toEqual(['API_KEY_BAD_PREFIX', 'API_KEY_MALFORMED']);
  });

  it('reports API_KEY_BAD_PREFIX (403 default action) when the key lacks oc_', () => {
    const fs = checkApiKeyShape(key().slice(3));
    expect(by(fs, 'fail')).toEqual(['API_KEY_BAD_PREFIX']);
    expect(fs[0]!.detail).toContain('403');
  });

  it('reports API_KEY_BAD_PREFIX with the router\'s 401 missing_credentials for OC_ (ALB matches case-insensitively)', () => {
    const fs = checkApiKeyShape('OC_' + key().slice(3));
    expect(by(fs, 'fail')).toEqual(['API_KEY_BAD_PREFIX']);
    expect(fs[0]!.detail).toContain('missing_credentials');
  });

  it('reports API_KEY_MALFORMED for a truncated key and one with characters outside base64url', () => {
    expect(by(checkApiKeyShape(key().slice(0, 40)), 'fail')).toEqual(['API_KEY_MALFORMED']);
    const odd = checkApiKeyShape('oc_' + 'a'.repeat(41) + '+/');
    expect(by(odd, 'fail')).toEqual(['API_KEY_MALFORMED']);
    expect(odd.find((f) => f.code === 'API_KEY_MALFORMED')!.evidence.invalid_characters).toBe(2);
  });

  it('never puts the key into a finding', () => {
    const k = key();
    for (const v of [k, k.slice(3), k.slice(0, 30)]) expect(JSON.stringify(checkApiKeyShape(v))).not.toContain(v.slice(3, 20));
  });
});

describe('apiKeyHash / publicPrefix', () => {
  it('hashes like the router (sha256 hex) and shows only the first 10 characters of oc_ keys', () => {
    const k = key();
    expect(apiKeyHash(k)).toBe(createHash('sha256').update(k).digest('hex'));
    expect(publicPrefix(k)).toBe(k.slice(0, 10));
    expect(publicPrefix('abcdefghijklmnop')).toBeUndefined();
  });
});

describe('checkApiKeyItem', () => {
  const active = { key_prefix: 'oc_abcdefg', status: 'active', user_sub: 'u', expires_at: iso(86400) };

  it('reports API_KEY_UNKNOWN (401 invalid_api_key) when no item exists', () => {
    const fs = checkApiKeyItem(undefined, NOW_DATE, where);
    expect(by(fs, 'fail')).toEqual(['API_KEY_UNKNOWN']);
    expect(fs[0]!.detail).toContain('invalid_api_key');
  });

  it('passes an active, unexpired key', () => {
    expect(by(checkApiKeyItem(active, NOW_DATE, where), 'pass')).toEqual(['API_KEY_UNKNOWN', 'API_KEY_REVOKED', 'API_KEY_EXPIRED']);
  });

  it('reports API_KEY_REVOKED with possibly_cached inside the 300 s window, not after it', () => {
    const recent = checkApiKeyItem({ ...active, status: 'revoked', revoked_at: iso(-299) }, NOW_DATE, where).find((f) => f.code === 'API_KEY_REVOKED')!;
    expect(recent.status).toBe('fail');
    expect(recent.evidence.possibly_cached).toBe(true);
    expect(recent.detail).toContain(iso(1));
    const old = checkApiKeyItem({ ...active, status: 'revoked', revoked_at: iso(-301) }, NOW_DATE, where).find((f) => f.code === 'API_KEY_REVOKED')!;
    expect(old.evidence.possibly_cached).toBe(false);
  });

  it('reports API_KEY_REVOKED (not API_KEY_EXPIRED) for a revoked and expired key, in the router\'s order', () => {
    const fs = checkApiKeyItem({ ...active, status: 'revoked', expires_at: iso(-10) }, NOW_DATE, where);
    expect(by(fs, 'fail')).toEqual(['API_KEY_REVOKED']);
  });

  it('reports API_KEY_EXPIRED when expires_at (Python isoformat with +00:00) is past', () => {
    const fs = checkApiKeyItem({ ...active, expires_at: iso(-1).replace('Z', '+00:00') }, NOW_DATE, where);
    expect(by(fs, 'fail')).toEqual(['API_KEY_EXPIRED']);
    expect(fs.find((f) => f.code === 'API_KEY_EXPIRED')!.detail).toContain('expired_api_key');
  });

  it('reports API_KEY_EXPIRED as error when expires_at is unreadable, and passes a key without expiry', () => {
    expect(by(checkApiKeyItem({ ...active, expires_at: 'soon' }, NOW_DATE, where), 'error')).toEqual(['API_KEY_EXPIRED']);
    const { expires_at: _drop, ...noExpiry } = active;
    expect(by(checkApiKeyItem(noExpiry, NOW_DATE, where), 'fail')).toEqual([]);
  });
});

describe('checkBearerShadow', () => {
  it('reports API_KEY_SHADOWED_BY_BEARER only when a Bearer header is sent', () => {
    expect(checkBearerShadow(undefined)).toEqual([]);
    expect(by(checkBearerShadow(false), 'pass')).toEqual(['API_KEY_SHADOWED_BY_BEARER']);
    expect(by(checkBearerShadow(true), 'warn')).toEqual(['API_KEY_SHADOWED_BY_BEARER']);
  });
});

describe('finding texts', () => {
  it('survive the redactor unchanged (no text looks like a header value or a credential)', () => {
    const all = [
      ...checkApiKeyShape('x'),
      ...checkApiKeyShape('OC_x'),
      ...checkApiKeyShape('oc_short'),
      ...checkApiKeyItem(undefined, NOW_DATE, where),
      ...checkApiKeyItem({ status: 'revoked', revoked_at: iso(-5) }, NOW_DATE, where),
      ...checkApiKeyItem({ status: 'active', expires_at: iso(-5) }, NOW_DATE, where),
      ...checkBearerShadow(true),
      tableMissing('t', 'preset'),
    ];
    for (const f of all) for (const text of [f.title, f.detail, f.fix ?? '']) expect(redactPatterns(text)).toBe(text);
  });
});
