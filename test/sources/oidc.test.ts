/**
 * OIDC sources: discovery URL building, fetches over loopback HTTPS, JWKS files, and the
 * cluster's own JWKS through the real kubectl against the kube API stand-in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/sources/errors.js';
import { DEFAULT_HTTP_POLICY, type HttpPolicy } from '../../src/sources/http.js';
import { discoveryUrl, fetchDiscovery, fetchJson, readClusterJson, readJsonFile } from '../../src/sources/oidc.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { startKubeStandin, type KubeStandin } from '../helpers/kube-standin.js';
import { need } from '../helpers/needs.js';
import { jwksOf, testKey } from '../helpers/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-oidc-'));

async function sourceError(p: Promise<unknown>): Promise<SourceError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SourceError);
  return e as SourceError;
}

describe('discoveryUrl', () => {
  it.each([
    ['https://issuer.example.com', 'https://issuer.example.com/.well-known/openid-configuration'],
    ['https://issuer.example.com/', 'https://issuer.example.com/.well-known/openid-configuration'],
    ['https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc', 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc/.well-known/openid-configuration'],
    ['https://example.com/tenant//', 'https://example.com/tenant/.well-known/openid-configuration'],
  ])('%s → %s', (issuer, url) => {
    expect(discoveryUrl(issuer)).toBe(url);
  });
});

describe('fetchDiscovery / fetchJson over loopback HTTPS', () => {
  let srv: TestHttpsServer;
  let policy: HttpPolicy;
  beforeAll(async () => {
    srv = await startHttpsServer({});
    srv.routes.set('/tenant/.well-known/openid-configuration', { json: { issuer: `${srv.origin}/tenant`, jwks_uri: `${srv.origin}/tenant/keys` } });
    srv.routes.set('/tenant/keys', { json: jwksOf(await testKey()) });
    policy = { ...DEFAULT_HTTP_POLICY, ca: srv.caCert };
  });
  afterAll(() => srv.close());

  it('fetches the discovery document under the issuer path with HTTP facts', async () => {
    const d = await fetchDiscovery(`${srv.origin}/tenant/`, policy);
    expect(d.origin).toBe(`${srv.origin}/tenant/.well-known/openid-configuration`);
    expect((d.json as { issuer: string }).issuer).toBe(`${srv.origin}/tenant`);
    expect(d.http?.status).toBe(200);
    expect(d.bytes).toBeGreaterThan(0);
    expect(d.http).not.toHaveProperty('body');
  });

  it('fetches a JWKS by URL', async () => {
    const j = await fetchJson(`${srv.origin}/tenant/keys`, policy);
    expect((j.json as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('passes a 404 through as SOURCE_HTTP_STATUS', async () => {
    const e = await sourceError(fetchDiscovery(`${srv.origin}/other`, policy));
    expect(e.code).toBe('SOURCE_HTTP_STATUS');
    expect(e.facts.status).toBe(404);
  });
});

describe('readJsonFile', () => {
  it('reads a JSON file with its origin and size', async () => {
    const p = join(dir, 'jwks.json');
    writeFileSync(p, '{"keys":[]}');
    const f = await readJsonFile(p);
    expect(f).toMatchObject({ origin: `file:${p}`, json: { keys: [] }, bytes: 11 });
  });

  it('reports a missing file as SOURCE_FILE', async () => {
    expect((await sourceError(readJsonFile(join(dir, 'nope.json')))).code).toBe('SOURCE_FILE');
  });

  it('reports a file that is not JSON as SOURCE_NOT_JSON', async () => {
    const p = join(dir, 'bad.json');
    writeFileSync(p, 'keys: []');
    expect((await sourceError(readJsonFile(p))).code).toBe('SOURCE_NOT_JSON');
  });

  it('reports a file over the limit as SOURCE_TOO_LARGE', async () => {
    const p = join(dir, 'big.json');
    writeFileSync(p, JSON.stringify({ pad: 'x'.repeat(200) }));
    expect((await sourceError(readJsonFile(p, 100))).code).toBe('SOURCE_TOO_LARGE');
  });
});

describe.skipIf(!need('kubectl'))('readClusterJson with the real kubectl', () => {
  let kube: KubeStandin;
  beforeAll(async () => {
    kube = await startKubeStandin({ jwks: jwksOf(await testKey('cluster-1')) });
  });
  afterAll(() => kube.close());

  it('reads /openid/v1/jwks from the cluster', async () => {
    const f = await readClusterJson('/openid/v1/jwks', { kubeconfig: kube.kubeconfig, context: kube.context });
    expect(f.origin).toBe('cluster:/openid/v1/jwks');
    expect((f.json as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid)).toEqual(['cluster-1']);
  });

  it('reports a rejected kube credential as SOURCE_KUBECTL_FAILED', async () => {
    const e = await sourceError(readClusterJson('/openid/v1/jwks', { kubeconfig: kube.kubeconfigWith({ token: 'wrong' }) }));
    expect(e.code).toBe('SOURCE_KUBECTL_FAILED');
  });
});
