/**
 * Issue 11 §7: the metadata address in its rarer IPv6 forms is blocked before any connection,
 * on the literal URL host and on what DNS returns (guardedLookup uses the same predicate).
 */
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/sources/errors.js';
import { assertFetchable, DEFAULT_HTTP_POLICY, isForbiddenAddress } from '../../src/sources/http.js';

describe('embedded IPv4 metadata addresses', () => {
  it.each([
    '::169.254.169.254', // IPv4-compatible
    '::a9fe:a9fe',
    '::ffff:169.254.169.254', // mapped
    '::ffff:a9fe:a9fe',
    '::ffff:0:a9fe:a9fe', // SIIT
    '64:ff9b::a9fe:a9fe', // NAT64 (RFC 6052)
    '64:ff9b::169.254.169.254',
    '64:ff9b:1::a9fe:a9fe', // local-use NAT64 (RFC 8215)
    '2002:a9fe:a9fe::1', // 6to4
    '2001:0:a9fe:a9fe::1', // Teredo server
    '2001:0:4136:e378:8000:63bf:5601:5601', // Teredo client ~(a9fe:a9fe)
    '0:0:0:0:0:0:a9fe:a9fe',
    'fe80::1%eth0',
    'fd00:ec2::254',
    'fd00:0ec2:0:0:0:0:0:254',
  ])('%s is forbidden, as a literal and as a URL host', (addr) => {
    expect(isForbiddenAddress(addr)).toBe(true);
    if (!addr.includes('%')) {
      let err: unknown;
      try {
        assertFetchable(`https://[${addr}]/latest/meta-data/`, DEFAULT_HTTP_POLICY);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SourceError);
      expect((err as SourceError).code).toBe('SOURCE_BLOCKED');
    }
  });

  it.each(['::1', '2606:4700::6810:84e5', '64:ff9b::808:808', '::ffff:8.8.8.8', '2002:808:808::1', '93.184.216.34', '1.2.3.4'])('%s stays allowed', (addr) => {
    expect(isForbiddenAddress(addr)).toBe(false);
  });

  it('decimal/hex IPv4 hosts are normalised by the URL parser and blocked', () => {
    for (const host of ['0xa9fea9fe', '2852039166', '169.254.169.254', '0251.0376.0251.0376']) {
      expect(() => assertFetchable(`https://${host}/`, DEFAULT_HTTP_POLICY)).toThrow(/link-local or cloud metadata/);
    }
  });
});
