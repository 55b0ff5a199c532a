/**
 * Issue 7 end to end: the BUILT CLI with HTTPS_PROXY in its environment reaches the loopback
 * issuer through a real CONNECT proxy (test/helpers/connect-proxy.ts), says so in the evidence,
 * reports a refusing proxy as the proxy's failure (never a typo, never the issuer being down), and
 * never prints the proxy's credentials.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectProxy, type TestConnectProxy } from '../helpers/connect-proxy.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { need } from '../helpers/needs.js';
import { CLI, nodeBinary } from './client.js';

const USER = 'e2e-proxy-user';
const PASS = 'e2e-Pr0xy-pass-canary-91c';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

interface Finding {
  code: string;
  status: string;
  title: string;
  detail?: string;
  fix?: string;
  evidence?: Record<string, unknown>;
}

describe.skipIf(!need('openssl'))('jwt-triage discovery through HTTPS_PROXY (built CLI)', () => {
  let srv: TestHttpsServer;
  let proxy: TestConnectProxy;
  let issuer: string;

  const cli = (proxyUrl: string, ...args: string[]) =>
    new Promise<Ran>((resolve) => {
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_EXTRA_CA_CERTS: srv.caCertPath, HTTPS_PROXY: proxyUrl };
      execFile(nodeBinary(), [CLI, ...args, '--no-color'], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 99) : 0, stdout, stderr });
      });
    });
  const findings = (r: Ran) => (JSON.parse(r.stdout) as { findings: Finding[] }).findings;

  beforeAll(async () => {
    srv = await startHttpsServer();
    issuer = `${srv.origin}/pool`;
    srv.routes.set('/pool/.well-known/openid-configuration', { json: { issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] } });
    proxy = await startConnectProxy({ requireAuth: { user: USER, pass: PASS } });
  });
  afterAll(async () => {
    await proxy.close();
    await srv.close();
  });

  it('reaches the issuer through the proxy and says so (via_proxy), without showing the credentials', async () => {
    const before = proxy.connects.length;
    const r = await cli(`http://${USER}:${PASS}@127.0.0.1:${proxy.port}`, 'discovery', issuer, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.connects.slice(before).map((c) => c.target)).toEqual([`127.0.0.1:${srv.port}`]);
    const slow = findings(r).find((f) => f.code === 'DISCOVERY_SLOW')!;
    expect(slow.evidence?.via_proxy).toBe(proxy.url);
    expect(slow.title).toContain(`through proxy ${proxy.url}`);
    expect(r.stdout + r.stderr).not.toContain(PASS);

    const human = await cli(`http://${USER}:${PASS}@127.0.0.1:${proxy.port}`, 'discovery', issuer);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`through proxy ${proxy.url}`);
    expect(human.stdout + human.stderr).not.toContain(PASS);
  });

  it('a 407 from the proxy is a proxy failure (exit 3, could not check): check proxy credentials, no typo', async () => {
    const wrong = 'wrong-pass-canary-55e';
    const r = await cli(`http://${USER}:${wrong}@127.0.0.1:${proxy.port}`, 'discovery', issuer, '--json');
    expect(r.code, r.stderr).toBe(3);
    const f = findings(r).find((x) => x.code === 'DISCOVERY_UNREACHABLE')!;
    expect(f.status).toBe('error');
    expect(f.evidence).toMatchObject({ cause: 'SOURCE_PROXY', connect_status: 407, via_proxy: proxy.url });
    expect(f.detail).toContain(`Through proxy ${proxy.url} (HTTPS_PROXY): CONNECT 127.0.0.1:${srv.port} answered 407 — check proxy credentials`);
    expect(JSON.stringify(f)).not.toMatch(/typo/i);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(r.stdout + r.stderr).not.toContain(USER);
  });
});
