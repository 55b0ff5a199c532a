/**
 * Which proxy a URL goes through: the environment variables and NO_PROXY semantics (curl's,
 * plus host:port), and the proxy URL's credentials never reaching the displayed form.
 */
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/sources/errors.js';
import { noProxyMatches, parseProxy, proxyFor } from '../../src/sources/proxy.js';

describe('NO_PROXY matching', () => {
  it.each([
    // [host, port, NO_PROXY, bypass?]
    ['example.com', 443, 'example.com', true],
    ['a.b.example.com', 443, 'example.com', true],
    ['example.com', 443, '.example.com', true],
    ['a.example.com', 443, '.example.com', true],
    ['a.example.com', 443, '*.example.com', true],
    ['notexample.com', 443, 'example.com', false],
    ['notexample.com', 443, '.example.com', false],
    ['EXAMPLE.com.', 443, 'example.COM.', true],
    ['example.com', 443, 'other.org, example.com', true],
    ['example.com', 443, 'other.org example.com', true],
    ['example.com', 443, 'other.org,,', false],
    ['anything.io', 443, '*', true],
    ['anything.io', 443, 'x.org,*', true],
    ['example.com', 443, '', false],
    ['example.com', 443, 'example.com:443', true],
    ['example.com', 8443, 'example.com:443', false],
    ['127.0.0.1', 443, '127.0.0.1', true],
    ['127.0.0.1', 443, 'localhost', false], // a name entry never matches an address (no resolution, as curl)
    ['localhost', 443, '127.0.0.1', false],
    ['localhost', 443, 'localhost', true],
    ['127.0.0.1', 443, '', false], // loopback is not exempt by itself (curl)
    ['127.0.0.5', 443, '127.0.0.0/8', true],
    ['10.1.2.3', 443, '10.0.0.0/8', true],
    ['11.1.2.3', 443, '10.0.0.0/8', false],
    ['10.1.2.3', 443, '10.0.0.0/33', false],
    ['[::1]', 443, '::1', true],
    ['[::1]', 443, '0:0:0:0:0:0:0:1', true],
    ['[::1]', 443, '[::1]:443', true],
    ['[::1]', 8443, '[::1]:443', false],
    ['[fd00::5]', 443, 'fd00::/8', true],
    ['[fe00::5]', 443, 'fd00::/8', false],
    ['[::ffff:127.0.0.1]', 443, '127.0.0.1', false], // an IPv6 host never matches an IPv4 entry
    ['127.0.0.1', 9000, '127.0.0.1:9000', true],
    ['10.0.0.1', 443, '10.0.0.1.example.com', false],
  ] as const)('%s:%i with NO_PROXY=%j bypasses: %s', (host, port, list, bypass) => {
    expect(noProxyMatches(host, port, list)).toBe(bypass);
  });
});

describe('proxyFor', () => {
  const https = new URL('https://issuer.example/');
  const http = new URL('http://127.0.0.1:8080/');

  it('uses https_proxy before HTTPS_PROXY for https; an empty value is unset', () => {
    expect(proxyFor(https, { HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128' })?.display).toBe('http://lower:3128');
    expect(proxyFor(https, { HTTPS_PROXY: 'http://upper:3128', https_proxy: '' })?.display).toBe('http://upper:3128');
    expect(proxyFor(https, { HTTPS_PROXY: '', https_proxy: '' })).toBeUndefined();
  });

  it('uses HTTP_PROXY only for http and never falls back to it for https (as curl)', () => {
    expect(proxyFor(http, { HTTP_PROXY: 'http://p:3128' })?.from).toBe('HTTP_PROXY');
    expect(proxyFor(http, { HTTPS_PROXY: 'http://p:3128' })).toBeUndefined();
    expect(proxyFor(https, { HTTP_PROXY: 'http://p:3128' })).toBeUndefined();
  });

  it('honours no_proxy before NO_PROXY', () => {
    expect(proxyFor(https, { HTTPS_PROXY: 'http://p:1', no_proxy: 'issuer.example', NO_PROXY: 'other' })).toBeUndefined();
    expect(proxyFor(https, { HTTPS_PROXY: 'http://p:1', no_proxy: 'other', NO_PROXY: 'issuer.example' })?.display).toBe('http://p:1');
  });

  it('takes a scheme-less proxy as http and defaults the port like curl (1080 http, 443 https)', () => {
    expect(parseProxy('proxy.corp:3128', 'HTTPS_PROXY').display).toBe('http://proxy.corp:3128');
    expect(parseProxy('proxy.corp', 'HTTPS_PROXY').display).toBe('http://proxy.corp:1080');
    expect(parseProxy('https://proxy.corp', 'HTTPS_PROXY').display).toBe('https://proxy.corp:443');
  });

  it('turns user-info into a Basic token that never appears in the display form or the key', () => {
    const p = parseProxy('http://al%40ice:s3cr3t%21pw@proxy.corp:3128', 'HTTPS_PROXY');
    expect(p.display).toBe('http://proxy.corp:3128');
    expect(p.token).toBe(`Basic ${Buffer.from('al@ice:s3cr3t!pw').toString('base64')}`);
    expect(p.key).not.toContain('s3cr3t');
    expect(p.key).not.toContain(p.token!.slice(6));
    expect(parseProxy('http://only-user@proxy.corp:3128', 'HTTPS_PROXY').token).toBe(`Basic ${Buffer.from('only-user:').toString('base64')}`);
  });

  it.each([
    ['socks5://user:s3cr3t-pw@127.0.0.1:1080', /socks5 proxy; jwt-triage speaks HTTP CONNECT only/],
    ['http://user:s3cr3t-pw@[not-an-ip:3128', /not a valid proxy URL/],
  ])('refuses an unusable proxy %s with SOURCE_PROXY, without echoing it', (raw, message) => {
    let err: unknown;
    try {
      proxyFor(https, { HTTPS_PROXY: raw });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('SOURCE_PROXY');
    expect((err as SourceError).message).toMatch(message);
    expect(JSON.stringify({ m: (err as SourceError).message, f: (err as SourceError).facts })).not.toContain('s3cr3t');
  });
});
