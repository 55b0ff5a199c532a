/**
 * Issue 11 §6 and the faults suite: every network fault on loopback is classified, and within its
 * deadline + 10 % (a bound on when an answer comes, not a speed benchmark). Real servers only:
 * a TCP black hole (accepts, never answers: a TLS handshake that never completes), the loopback
 * HTTPS server for the HTTP-level faults, a closed port, a name under .invalid, the real kubectl
 * against a black-hole API server, and the real AWS SDK against a black-hole AWS_ENDPOINT_URL.
 */
import { createServer as createTcp, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsSession } from '../../src/sources/aws/client.js';
import { SourceError } from '../../src/sources/errors.js';
import { DEFAULT_HTTP_POLICY, safeGet, safeGetJson, type HttpPolicy } from '../../src/sources/http.js';
import { kubectlGetRawJson } from '../../src/sources/kubectl.js';
import { ssmByNames } from '../../src/sources/aws/ssm.js';
import { need } from '../helpers/needs.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { testPki } from '../helpers/tls.js';

const T = 1000; // the fetch deadline for these cases
let hole: Server;
let holePort = 0;
const held = new Set<Socket>();
let srv: TestHttpsServer;
let wrongName: TestHttpsServer;
let policy: HttpPolicy;
/** The 30 s AWS black-hole case starts first and is awaited last, so it overlaps the others. */
let awsHole: Promise<{ code: string; ms: number; message: string }>;

beforeAll(async () => {
  hole = createTcp((s) => {
    held.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
  holePort = (hole.address() as AddressInfo).port;
  awsHole = blackHoleAws();
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros → ~64 KiB on the wire
  srv = await startHttpsServer({
    '/hang': { hang: true },
    '/boom': { status: 502, body: 'bad gateway' },
    '/huge': { body: 'x'.repeat(3 * 1024 * 1024) },
    '/loop': { redirect: '/loop' },
    '/drip': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(t));
    },
    '/bomb': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(bomb);
    },
  });
  wrongName = await startHttpsServer({ '/ok': { json: {} } }, { wrongName: true });
  policy = { ...DEFAULT_HTTP_POLICY, timeoutMs: T, ca: srv.caCert };
});
afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  for (const s of held) s.destroy();
  await new Promise((r) => hole.close(r));
  await srv.close();
  await wrongName.close();
});

async function classify(p: Promise<unknown>): Promise<{ code: string; ms: number; message: string }> {
  const start = performance.now();
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SourceError);
    return { code: (e as SourceError).code, ms: performance.now() - start, message: (e as SourceError).message };
  }
  throw new Error('expected a failure');
}

describe('HTTP faults: classified within the deadline + 10 %', () => {
  const cases: Array<[string, () => string, string, (HttpPolicy | undefined)?]> = [
    ['TLS handshake that never completes (black hole)', () => `https://127.0.0.1:${holePort}/x`, 'SOURCE_TIMEOUT'],
    ['server that never answers after TLS', () => `${srv.origin}/hang`, 'SOURCE_TIMEOUT'],
    ['slow drip (a byte every 50 ms, forever)', () => `${srv.origin}/drip`, 'SOURCE_TIMEOUT'],
    ['5xx', () => `${srv.origin}/boom`, 'SOURCE_HTTP_STATUS'],
    ['huge body (3 MiB > 1 MiB limit)', () => `${srv.origin}/huge`, 'SOURCE_TOO_LARGE'],
    ['gzip bomb (64 MiB inflated; never inflated)', () => `${srv.origin}/bomb`, 'SOURCE_NOT_JSON'],
    ['redirect loop', () => `${srv.origin}/loop`, 'SOURCE_REDIRECT'],
    ['untrusted certificate', () => `${srv.origin}/hang`, 'SOURCE_TLS_UNTRUSTED', { ...DEFAULT_HTTP_POLICY, timeoutMs: T }],
    ['certificate for another name', () => `${wrongName.origin}/ok`, 'SOURCE_TLS_NAME'],
    ['connection refused', () => 'https://127.0.0.1:1/x', 'SOURCE_REFUSED'],
    ['unresolvable name', () => 'https://no-such-host.invalid/x', 'SOURCE_DNS'],
  ];
  it.each(cases)('%s', async (_what, url, code, pol) => {
    const r = await classify(safeGetJson(url(), pol ?? policy));
    expect(r.code, r.message).toBe(code);
    expect(r.ms).toBeLessThanOrEqual(T * 1.1);
  });

  it('expired certificate → SOURCE_TLS_EXPIRED', async () => {
    const pki = testPki();
    const { execFileSync } = await import('node:child_process');
    const dir = pki.dir;
    // A leaf whose validity ended yesterday, signed by the test CA (openssl ca with explicit dates).
    writeFileSync(join(dir, 'exp.cnf'), `[ca]\ndefault_ca=c\n[c]\ndatabase=${dir}/index.txt\nnew_certs_dir=${dir}\nserial=${dir}/serial\npolicy=p\ndefault_md=sha256\ncopy_extensions=copy\n[p]\ncommonName=supplied\n`);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(join(dir, 'exp.ext'), 'subjectAltName=IP:127.0.0.1\n');
    const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'exp.key', '-out', 'exp.csr', '-subj', '/CN=127.0.0.1']);
    ossl(['ca', '-batch', '-config', 'exp.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', 'exp.csr', '-out', 'exp.crt', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extfile', 'exp.ext']);
    const { createServer } = await import('node:https');
    const { readFileSync } = await import('node:fs');
    const s = createServer({ cert: readFileSync(join(dir, 'exp.crt')), key: readFileSync(join(dir, 'exp.key')) }, (_q, res) => res.end('{}'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const r = await classify(safeGetJson(`https://127.0.0.1:${(s.address() as AddressInfo).port}/`, policy));
      expect(r.code, r.message).toBe('SOURCE_TLS_EXPIRED');
      expect(r.ms).toBeLessThanOrEqual(T * 1.1);
    } finally {
      s.close();
    }
  });

  it('the default 5 s deadline holds for a stalled handshake (≤ 5.5 s, was 5.5 s + handshake)', async () => {
    const r = await classify(safeGet(`https://127.0.0.1:${holePort}/y`));
    expect(r.code).toBe('SOURCE_TIMEOUT');
    expect(r.ms).toBeLessThanOrEqual(5000 * 1.02);
  }, 10_000);
});

describe.skipIf(!need('kubectl'))('a hanging kube API (real kubectl, black-hole server)', () => {
  it('is classified within the kubectl timeout + 10 %', async () => {
    const pki = testPki();
    const cfg = join(pki.dir, 'hole.kubeconfig');
    writeFileSync(cfg, [
      'apiVersion: v1', 'kind: Config', 'current-context: hole',
      'clusters:', `- name: hole`, '  cluster:', `    server: https://127.0.0.1:${holePort}`, `    certificate-authority: ${pki.caCertPath}`,
      'users:', '- name: u', '  user:', '    token: not-a-real-token',
      'contexts:', '- name: hole', '  context:', '    cluster: hole', '    user: u',
    ].join('\n'));
    const r = await classify(kubectlGetRawJson('/openid/v1/jwks', { kubeconfig: cfg, timeoutMs: 3000 }));
    expect(['SOURCE_TIMEOUT', 'SOURCE_KUBECTL_FAILED']).toContain(r.code);
    expect(r.ms).toBeLessThanOrEqual(3000 * 1.1);
    // And a cancelled call (the MCP request's signal) kills kubectl at once.
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const c = await classify(kubectlGetRawJson('/openid/v1/jwks', { kubeconfig: cfg, timeoutMs: 8000, signal: ac.signal }));
    expect(c.code).toBe('SOURCE_TIMEOUT');
    expect(c.message).toMatch(/cancelled/);
    expect(c.ms).toBeLessThan(8000);
  }, 10_000);
});

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDBLACKHOLE', AWS_SECRET_ACCESS_KEY: 'blackhole', AWS_REGION: 'us-east-1' };
const savedEnv = Object.fromEntries(Object.keys(AWS_ENV).map((k) => [k, process.env[k]]));

function blackHoleAws() {
  // Restored in afterAll; nothing else in this file reads AWS settings.
  Object.assign(process.env, AWS_ENV);
  return classify(ssmByNames(awsSession({ endpoint: `http://127.0.0.1:${holePort}` }), ['/opencode/dev/oidc/issuer']));
}

describe('a black-hole AWS endpoint (real SDK)', () => {
  it('is a classified network failure, not a hang (within maxAttempts × requestTimeout + 10 %)', async () => {
    // src/sources/aws/client.ts: maxAttempts 2 × requestTimeout 15 s, with throwOnRequestTimeout.
    const r = await awsHole;
    expect(r.code, r.message).toBe('SOURCE_AWS');
    expect(r.message).toMatch(/The AWS endpoint 127\.0\.0\.1:\d+ did not answer .* in time/);
    expect(r.ms).toBeLessThanOrEqual(2 * 15_000 * 1.1);
  }, 40_000);
});
