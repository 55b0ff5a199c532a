/**
 * Issue 11 §7: the metadata address in its rarer IPv6 forms is blocked before any connection,
 * on the literal URL host and on what DNS returns (guardedLookup uses the same predicate).
 * Issue 7: with HTTPS_PROXY set, a literal blocked address is refused before the proxy is
 * contacted, and a name this machine's DNS resolves to one is refused too.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SourceError } from '../../src/sources/errors.js';
import { assertFetchable, closeHttpAgents, DEFAULT_HTTP_POLICY, isForbiddenAddress, safeGet } from '../../src/sources/http.js';
import { startConnectProxy, withEnv, type TestConnectProxy } from '../helpers/connect-proxy.js';

// A mock, said as such: no resolver on this machine answers a name with 169.254.169.254, and the
// pre-proxy check resolves through node:dns/promises. Only this one name is faked, and only in the
// fresh copy of the fetch module the test below loads (the setup file already loaded the real one).
const METADATA_NAME = 'metadata.proxy-test.example';
async function httpWithFakeDns(): Promise<typeof import('../../src/sources/http.js')> {
  vi.resetModules();
  vi.doMock('node:dns/promises', async (importOriginal) => {
    const real = await importOriginal<typeof import('node:dns/promises')>();
    const lookup = (host: string, opts: object) => (host === METADATA_NAME ? Promise.resolve([{ address: '169.254.169.254', family: 4 }]) : real.lookup(host, opts as never));
    return { ...real, lookup, default: { ...real, lookup } };
  });
  return import('../../src/sources/http.js');
}

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

describe('with HTTPS_PROXY set', () => {
  let proxy: TestConnectProxy;
  beforeAll(async () => {
    proxy = await startConnectProxy();
  });
  afterAll(async () => {
    await closeHttpAgents();
    await proxy.close();
  });
  const viaProxy = <T>(fn: () => Promise<T>) => withEnv({ HTTPS_PROXY: proxy.url, https_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined }, fn);

  it.each(['https://169.254.169.254/latest/meta-data/', 'https://[::ffff:a9fe:a9fe]/', 'https://[fd00:ec2::254]/', 'https://0xa9fea9fe/', 'https://[64:ff9b::a9fe:a9fe]/'])(
    'refuses %s before contacting the proxy',
    async (url) => {
      const e = await viaProxy(() => safeGet(url).then(() => undefined, (x: unknown) => x));
      expect(e).toBeInstanceOf(SourceError);
      expect((e as SourceError).code).toBe('SOURCE_BLOCKED');
      expect(proxy.connections()).toBe(0);
    },
  );

  it('refuses a name that this machine\'s DNS resolves to a metadata address, before any CONNECT', async () => {
    const http = await httpWithFakeDns();
    const e = await viaProxy(() => http.safeGet(`https://${METADATA_NAME}/latest/meta-data/`).then(() => undefined, (x: unknown) => x));
    await http.closeHttpAgents();
    vi.doUnmock('node:dns/promises');
    expect((e as SourceError).code).toBe('SOURCE_BLOCKED');
    expect((e as SourceError).message).toMatch(/resolves \(in this machine's DNS\) to 169\.254\.169\.254.*not even through a proxy/);
    expect(proxy.connections()).toBe(0);
  });
});
