/**
 * The malformed corpus: named bad inputs, each with the code it must produce (a finding code, or
 * the error kind and source code) and a message that names the problem. In-process (runTool, the
 * same path as the server and CLI), offline: files, inline documents, refused URLs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/checks/finding.js';
import { findTool } from '../../src/tools/index.js';
import { runTool } from '../../src/tools/run.js';
import { mintToken, testKey, jwksOf } from '../helpers/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-corpus-'));
const f = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};
const b64 = (s: string) => Buffer.from(s).toString('base64url');
const raw = (h: unknown, p: unknown, sig = 'c2lnbmF0dXJlLWJ5dGVz') => `${b64(typeof h === 'string' ? h : JSON.stringify(h))}.${b64(typeof p === 'string' ? p : JSON.stringify(p))}.${sig}`;
const P = { v: '2012-10-17', fed: 'arn:aws:iam::123456789012:oidc-provider/issuer.example', act: 'sts:AssumeRoleWithWebIdentity' };
const trust = (st: unknown) => JSON.stringify({ Version: P.v, Statement: st });

let good = '';
let goodJwks = '';
beforeAll(async () => {
  const key = await testKey('corpus');
  good = f('good.jwt', await mintToken({ key, claims: { iss: 'https://issuer.example', aud: 'sts.amazonaws.com', sub: 'system:serviceaccount:a:b' } }));
  goodJwks = JSON.stringify(jwksOf(key));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  mkdirSync(join(dir, 'adir'));
});

type Expect = { usage: RegExp } | { source: string; msg: RegExp } | { finding: string; msg: RegExp };
type Case = [name: string, tool: string, input: () => Record<string, unknown>, expect: Expect];

const T = (name: string, p: unknown, h: unknown = { alg: 'RS256', kid: 'k' }): Case => [name, 'decode_token', () => ({ token: raw(h, p) }), { finding: 'TOKEN_MALFORMED', msg: /./ }];

const CASES: Case[] = [
  // ── tokens ──
  ['token: one part', 'decode_token', () => ({ token: 'abcdef' }), { finding: 'TOKEN_MALFORMED', msg: /1/ }],
  ['token: two parts', 'decode_token', () => ({ token: 'abcdef.ghijkl' }), { finding: 'TOKEN_MALFORMED', msg: /2/ }],
  ['token: four parts', 'decode_token', () => ({ token: 'a1b2c3.d4e5f6.g7h8i9.j0k1l2' }), { finding: 'TOKEN_MALFORMED', msg: /4/ }],
  ['token: header not base64url', 'decode_token', () => ({ token: '!!!!.eyJhIjoxfQ.c2ln' }), { finding: 'TOKEN_MALFORMED', msg: /./ }],
  ['token: header not JSON', 'decode_token', () => ({ token: raw('not json', { a: 1 }) }), { finding: 'TOKEN_MALFORMED', msg: /./ }],
  T('token: payload not JSON', 'not json'),
  T('token: payload a JSON array', [1, 2]),
  T('token: payload a JSON string', '"x"'),
  ['token: alg none', 'decode_token', () => ({ token: `${b64('{"alg":"none"}')}.${b64('{"iss":"x"}')}.` }), { finding: 'TOKEN_UNSECURED', msg: /none/ }],
  ['token: JWE', 'decode_token', () => ({ token: `${b64('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.a2V5.aXY.Y2lwaGVy.dGFn` }), { finding: 'TOKEN_ENCRYPTED', msg: /./ }],
  ['token: empty file', 'decode_token', () => ({ token_file: f('empty.jwt', '   \n') }), { usage: /is empty/ }],
  ['token: missing file', 'decode_token', () => ({ token_file: join(dir, 'nope.jwt') }), { usage: /does not exist/ }],
  ['token: a directory', 'decode_token', () => ({ token_file: join(dir, 'adir') }), { usage: /directory/ }],
  ['token: a FIFO', 'decode_token', () => ({ token_file: join(dir, 'fifo') }), { usage: /FIFO/ }],
  ['token: /dev/zero', 'decode_token', () => ({ token_file: '/dev/zero' }), { usage: /character device/ }],
  ['token: env var not set', 'decode_token', () => ({ token_env: 'JWT_TRIAGE_CORPUS_UNSET' }), { usage: /is not set/ }],
  ['token: two sources', 'decode_token', () => ({ token: 'a.b.c', token_env: 'X' }), { usage: /More than one token source/ }],
  ['token: no source', 'decode_token', () => ({}), { usage: /No token given/ }],
  ['token: 100-deep claims', 'decode_token', () => ({ token: raw({ alg: 'RS256' }, '{"a":'.repeat(100) + '1' + '}'.repeat(100)) }), { usage: /nested more than 64 levels/ }],
  ['token: wrong type for a field', 'decode_token', () => ({ token: 42 }), { usage: /token/ }],
  ['token time: no exp', 'check_token_time', () => ({ token: raw({ alg: 'RS256', kid: 'k' }, { iss: 'x' }) }), { finding: 'TOKEN_NO_EXPIRY', msg: /exp/ }],
  ['token time: exp a string', 'check_token_time', () => ({ token: raw({ alg: 'RS256', kid: 'k' }, { exp: 'tomorrow' }) }), { finding: 'TOKEN_MALFORMED', msg: /exp|./ }],
  ['token time: expired', 'check_token_time', () => ({ token: raw({ alg: 'RS256', kid: 'k' }, { exp: 1000 }) }), { finding: 'TOKEN_EXPIRED', msg: /expired/ }],
  ['token time: skew out of range', 'check_token_time', () => ({ token_file: good, skew_seconds: -5 }), { usage: /skew_seconds/ }],
  ['claims: nothing to compare', 'compare_claims', () => ({ token_file: good }), { usage: /Nothing to compare/ }],
  ['claims: iss with trailing slash', 'compare_claims', () => ({ token_file: good, expected_issuer: 'https://issuer.example/' }), { finding: 'TOKEN_ISSUER_MISMATCH', msg: /\// }],
  ['claims: aud near miss', 'compare_claims', () => ({ token_file: good, expected_audience: 'sts.amazon.com' }), { finding: 'TOKEN_AUDIENCE_MISMATCH', msg: /sts/ }],
  ['claims: bad aud_format', 'compare_claims', () => ({ token_file: good, expected_audience: 'x', aud_format: 'csv' }), { usage: /aud_format/ }],
  // ── JWKS files ──
  ['jwks: not JSON', 'check_jwks', () => ({ jwks_file: f('a.json', 'not json') }), { finding: 'JWKS_INVALID', msg: /is not JSON/ }],
  ['jwks: empty object', 'check_jwks', () => ({ jwks_file: f('b.json', '{}') }), { finding: 'JWKS_INVALID', msg: /./ }],
  ['jwks: keys not an array', 'check_jwks', () => ({ jwks_file: f('c.json', '{"keys":{}}') }), { finding: 'JWKS_INVALID', msg: /./ }],
  ['jwks: empty keys', 'check_jwks', () => ({ jwks_file: f('d.json', '{"keys":[]}') }), { finding: 'JWKS_INVALID', msg: /./ }],
  ['jwks: private key material', 'check_jwks', () => ({ jwks_file: f('e.json', JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k', n: 'AQAB', e: 'AQAB', d: 'secret-d' }] })) }), { finding: 'JWKS_PRIVATE_KEY_EXPOSED', msg: /./ }],
  ['jwks: duplicate kids', 'check_jwks', () => ({ jwks_file: f('g.json', JSON.stringify({ keys: [...JSON.parse(goodJwks).keys, ...JSON.parse(goodJwks).keys] })) }), { finding: 'JWKS_INVALID', msg: /./ }],
  ['jwks: a FIFO', 'check_jwks', () => ({ jwks_file: join(dir, 'fifo') }), { usage: /is a FIFO \(named pipe\); only regular files are read/ }],
  ['jwks: /dev/urandom', 'check_jwks', () => ({ jwks_file: '/dev/urandom' }), { usage: /is a character device; only regular files are read/ }],
  ['jwks: no source', 'check_jwks', () => ({}), { usage: /No JWKS source/ }],
  ['jwks: plain-http URL', 'check_jwks', () => ({ jwks_url: 'http://issuer.example/jwks' }), { finding: 'JWKS_UNREACHABLE', msg: /Plain http/ }],
  ['jwks: metadata URL', 'check_jwks', () => ({ jwks_url: 'https://169.254.169.254/latest' }), { finding: 'JWKS_UNREACHABLE', msg: /metadata/ }],
  ['jwks: NAT64 metadata URL', 'check_jwks', () => ({ jwks_url: 'https://[64:ff9b::a9fe:a9fe]/latest' }), { finding: 'JWKS_UNREACHABLE', msg: /metadata/ }],
  ['jwks: file: scheme', 'check_jwks', () => ({ jwks_url: 'file:///etc/passwd' }), { finding: 'JWKS_UNREACHABLE', msg: /never fetched/ }],
  ['jwks: URL with userinfo', 'check_jwks', () => ({ jwks_url: 'https://u:p@issuer.example/jwks' }), { finding: 'JWKS_UNREACHABLE', msg: /carries credentials/ }],
  // ── discovery ──
  ['discovery: not a URL', 'check_discovery', () => ({ issuer: 'not a url' }), { finding: 'DISCOVERY_UNREACHABLE', msg: /not a valid absolute URL/ }],
  ['discovery: gopher scheme', 'check_discovery', () => ({ issuer: 'gopher://issuer.example' }), { finding: 'DISCOVERY_UNREACHABLE', msg: /gopher/ }],
  ['discovery: link-local', 'check_discovery', () => ({ issuer: 'https://[fe80::1]' }), { finding: 'DISCOVERY_UNREACHABLE', msg: /link-local/ }],
  ['discovery: no issuer', 'check_discovery', () => ({}), { usage: /No issuer/ }],
  ['reachability: issuer not a URL', 'check_public_reachability', () => ({ issuer: ' ' }), { usage: /is not a URL/ }],
  // ── trust policies ──
  ['trust: not JSON', 'check_role_trust', () => ({ token_file: good, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: '{nope' }), { usage: /not JSON/ }],
  ['trust: malformed URL escape', 'check_role_trust', () => ({ token_file: good, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: '%7B%22Version%22%3A%E0%A4%A' }), { usage: /malformed escape/ }],
  ['trust: a JSON array', 'check_role_trust', () => ({ token_file: good, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: '[]' }), { usage: /not a JSON object/ }],
  ['trust: no Statement', 'check_role_trust', () => ({ token_file: good, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: '{"Version":"2012-10-17"}' }), { usage: /no "Statement"/ }],
  ['trust: Effect lowercase', 'check_role_trust', () => ({ token_file: good, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: trust([{ Effect: 'allow' }]) }), { usage: /Effect/ }],
  ['trust: 100-deep', 'check_role_trust', () => ({ token_file: good, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: '{"Statement":' + '['.repeat(100) + ']'.repeat(100) + '}' }), { usage: /nested more than 64/ }],
  ['trust: wrong principal', 'check_role_trust', () => ({ token_file: good, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: trust([{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/other.example' }, Action: P.act }]) }), { finding: 'TRUST_PRINCIPAL_MISMATCH', msg: /./ }],
  ['trust: wildcard in StringEquals', 'check_role_trust', () => ({ token_file: good, offline: true, role_arn: 'arn:aws:iam::123456789012:role/r', trust_policy: trust([{ Effect: 'Allow', Principal: { Federated: P.fed }, Action: P.act, Condition: { StringEquals: { 'issuer.example:sub': 'system:serviceaccount:a:*' } } }]) }), { finding: 'TRUST_WILDCARD_IN_STRINGEQUALS', msg: /StringLike/ }],
  ['trust: no role', 'check_role_trust', () => ({ token_file: good, offline: true }), { usage: /No role given/ }],
  // ── STS error text ──
  ['sts: empty text', 'explain_sts_error', () => ({ error_text: '' }), { usage: /error_text/ }],
  ['sts: 20,001 characters', 'explain_sts_error', () => ({ error_text: 'x'.repeat(20001) }), { usage: /error_text/ }],
  // ── listener rules / simulate ──
  ['simulate: path without /', 'simulate_request', () => ({ path: 'v1/models', offline: true }), { usage: /does not start with/ }],
  ['simulate: secret header', 'simulate_request', () => ({ path: '/v1', offline: true, headers: ['Cookie: a=b'] }), { usage: /must not be passed/ }],
  ['simulate: header without colon', 'simulate_request', () => ({ path: '/v1', offline: true, headers: ['Host'] }), { usage: /is not "Name: value"/ }],
  ['simulate: whole API key as prefix', 'simulate_request', () => ({ path: '/v1', offline: true, api_key_prefix: 'oc_' + 'A'.repeat(40) }), { usage: /longer than a prefix/ }],
  ['simulate: bearer false with a token', 'simulate_request', () => ({ path: '/v1', offline: true, bearer: false, token_file: good }), { usage: /bearer is false/ }],
  // ── bridge ──
  ['bridge logs: log_file and pod', 'check_bridge_logs', () => ({ log_file: f('b.log', ''), pod: 'x' }), { usage: /both given/ }],
  ['bridge logs: pod as a flag', 'check_bridge_logs', () => ({ pod: '--server=https://x' }), { usage: /pod must be a Kubernetes name/ }],
  ['bridge logs: namespace uppercase', 'check_bridge_logs', () => ({ namespace: 'Prod' }), { usage: /namespace must be a Kubernetes DNS-1123 label/ }],
  ['bridge logs: since not a duration', 'check_bridge_logs', () => ({ log_file: f('c.log', ''), since: 'yesterday' }), { usage: /since/ }],
  ['bridge logs: sparse 300 MB file', 'check_bridge_logs', () => ({ log_file: (() => { const p = join(dir, 'big.log'); execFileSync('truncate', ['-s', '300M', p]); return p; })() }), { source: 'SOURCE_TOO_LARGE', msg: /the limit is/ }],
  ['bridge logs: 5,000-deep JSON line among good ones', 'check_bridge_logs', () => ({ log_file: f('d.log', ['{"a":'.repeat(5000) + '1' + '}'.repeat(5000), '{"level":"ERROR","component":"jwks_cache","event":"jwks_prime_failure","error_kind":"upstream_status"}'].join('\n')) }), { finding: 'BRIDGE_JWKS_PRIME_FAILED', msg: /./ }],
  ['bridge config: deployment as a flag', 'check_bridge_config', () => ({ deployment: '-v=9' }), { usage: /deployment must be a Kubernetes name/ }],
  ['bridge config: ISSUER_URL with a path', 'check_bridge_config', () => ({ env: { ISSUER_URL: 'https://oidc.tail1.ts.net/x', TS_HOSTNAME: 'oidc', TS_TAG: 'tag:x', TS_API_CLIENT_ID: 'a', TS_API_CLIENT_SECRET: 'secretKeyRef:s/k', TS_STATE_SECRET: 's' } }), { finding: 'BRIDGE_CONFIG_INVALID', msg: /path|host/ }],
];

describe('malformed corpus', () => {
  it('has at least 60 named cases', () => {
    console.log(`malformed corpus: ${CASES.length} cases`);
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c[0])).size).toBe(CASES.length);
  });
  it.each(CASES)('%s', async (_name, tool, input, want) => {
    const r = await runTool(findTool(tool)!, input(), { env: { ...process.env, JWT_TRIAGE_KUBECTL: '/nonexistent/kubectl' }, http: { timeoutMs: 1000 } });
    if ('usage' in want) {
      expect(r.ok, r.ok ? JSON.stringify(r.output).slice(0, 300) : r.message).toBe(false);
      if (!r.ok) {
        expect(r.kind, r.message).toBe('usage');
        expect(r.message).toMatch(want.usage);
      }
      return;
    }
    if ('source' in want) {
      expect(r.ok, r.ok ? JSON.stringify(r.output).slice(0, 300) : r.message).toBe(false);
      if (!r.ok) {
        expect(r.kind, r.message).toBe('source');
        expect(r.message).toContain(`(${want.source})`);
        expect(r.message).toMatch(want.msg);
      }
      return;
    }
    expect(r.ok, r.ok ? '' : r.message).toBe(true);
    if (!r.ok) return;
    const findings = r.output.findings as Finding[];
    const hit = findings.find((x) => x.code === want.finding && x.status !== 'pass' && x.status !== 'skip');
    expect(hit, `${want.finding} not in ${findings.map((x) => `${x.code}:${x.status}`).join(', ')}`).toBeDefined();
    expect(`${hit!.title} ${hit!.detail ?? ''}`).toMatch(want.msg);
  });
});
