/**
 * kube.ts and kubectl.ts through the REAL kubectl against the kube API stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { need } from '../helpers/needs.js';
import { startKubeStandin, type KubeStandin } from '../helpers/kube-standin.js';
import { getDeployments, getPods, podLogs, readLogFile } from '../../src/sources/kube.js';
import { failureReason, kubectl, kubectlGetRawJson } from '../../src/sources/kubectl.js';
import { SourceError } from '../../src/sources/errors.js';

describe.skipIf(!need('kubectl'))('kube sources against the stand-in (real kubectl)', () => {
  let kube: KubeStandin;
  const target = () => ({ kubeconfig: kube.kubeconfig, context: kube.context });
  beforeAll(async () => {
    kube = await startKubeStandin({
      issuer: 'https://oidc.tail1234.ts.net',
      jwks: { keys: [{ kid: 'k1', kty: 'RSA' }] },
      pods: [
        { name: 'bridge-a', namespace: 'oidc', labels: { app: 'bridge', tier: 'x' }, logs: [{ text: 'old', ageSeconds: 3600 }, 'l1', 'l2', 'l3'] },
        { name: 'other', namespace: 'oidc', labels: { app: 'other' } },
      ],
      deployments: [
        {
          name: 'bridge',
          namespace: 'oidc',
          env: { ISSUER_URL: 'https://oidc.tail1234.ts.net', TS_API_CLIENT_SECRET: { secretKeyRef: { name: 'ts-oauth', key: 'secret' } } },
        },
      ],
    });
  });
  afterAll(() => kube?.close());

  it('reads the cluster JWKS and discovery with kubectl get --raw', async () => {
    expect((await kubectlGetRawJson('/openid/v1/jwks', target())).json).toEqual({ keys: [{ kid: 'k1', kty: 'RSA' }] });
    expect((await kubectlGetRawJson('/.well-known/openid-configuration', target())).json).toMatchObject({ issuer: 'https://oidc.tail1234.ts.net' });
  });

  it('lists pods by label selector and gets one by name', async () => {
    const byLabel = await getPods(target(), { namespace: 'oidc', selector: 'app=bridge' });
    expect(byLabel.map((p) => p.name)).toEqual(['bridge-a']);
    expect(byLabel[0]).toMatchObject({ namespace: 'oidc', containers: ['main'], phase: 'Running', restarts: 0 });
    expect((await getPods(target(), { namespace: 'oidc', name: 'other' }))[0]!.labels).toEqual({ app: 'other' });
    expect(await getPods(target(), { namespace: 'oidc', selector: 'app=none' })).toEqual([]);
  });

  it('reads pod logs honouring tail and since', async () => {
    expect(await podLogs(target(), { namespace: 'oidc', pod: 'bridge-a', tail: 2 })).toBe('l2\nl3\n');
    expect(await podLogs(target(), { namespace: 'oidc', pod: 'bridge-a', since: '10m' })).toBe('l1\nl2\nl3\n');
    expect(await podLogs(target(), { namespace: 'oidc', pod: 'bridge-a' })).toBe('old\nl1\nl2\nl3\n');
  });

  it('reads a Deployment: literal values and secretKeyRef references', async () => {
    const [d] = await getDeployments(target(), { namespace: 'oidc', name: 'bridge' });
    expect(d!.name).toBe('bridge');
    expect(d!.containers[0]!.env).toEqual([
      { name: 'ISSUER_URL', from: 'value', value: 'https://oidc.tail1234.ts.net' },
      { name: 'TS_API_CLIENT_SECRET', from: 'secretKeyRef', ref: 'ts-oauth/secret' },
    ]);
    expect((await getDeployments(target(), { namespace: 'oidc', selector: 'app=bridge' })).map((x) => x.name)).toEqual(['bridge']);
  });

  it('classifies a wrong token as SOURCE_KUBECTL_FAILED with reason unauthorized', async () => {
    const err = await kubectlGetRawJson('/openid/v1/jwks', { kubeconfig: kube.kubeconfigWith({ token: 'wrong' }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('SOURCE_KUBECTL_FAILED');
    expect((err as SourceError).facts.reason).toBe('unauthorized');
    expect((err as SourceError).message).not.toMatch(/memcache\.go/);
  });

  it('classifies a missing object as reason not_found and a dead server as unreachable', async () => {
    const nf = (await getDeployments(target(), { namespace: 'oidc', name: 'nope' }).catch((e: unknown) => e)) as SourceError;
    expect(nf.facts.reason).toBe('not_found');
    const dead = (await kubectl(['get', '--raw', '/api'], { kubeconfig: kube.kubeconfigWith({ server: 'https://127.0.0.1:1' }), timeoutMs: 8000 }).catch((e: unknown) => e)) as SourceError;
    expect(dead.facts.reason).toBe('unreachable');
  });

  it('reports SOURCE_KUBECTL_MISSING when the binary is absent', async () => {
    const err = (await kubectl(['get', '--raw', '/api'], {}, '/nonexistent/kubectl').catch((e: unknown) => e)) as SourceError;
    expect(err.code).toBe('SOURCE_KUBECTL_MISSING');
  });

  it('refuses kubectl verbs that are not reads', async () => {
    const err = (await kubectl(['delete', 'pod', 'x'], target()).catch((e: unknown) => e)) as SourceError;
    expect(err.code).toBe('SOURCE_BLOCKED');
  });
});

describe('failureReason', () => {
  it.each([
    ['error: You must be logged in to the server (Unauthorized)', 'unauthorized'],
    ['Error from server (Forbidden): pods is forbidden: User "x" cannot list resource "pods"', 'forbidden'],
    ['Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout', 'unreachable'],
    ['The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?', 'unreachable'],
    ['Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority', 'tls'],
    ['error: context "prod" does not exist', 'config'],
    ['Error from server (NotFound): pods "x" not found', 'not_found'],
  ])('%s → %s', (text, reason) => {
    expect(failureReason(text)).toBe(reason);
  });
});

describe('readLogFile', () => {
  it('reads a file and reports SOURCE_FILE for a missing one, SOURCE_TOO_LARGE over the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-log-'));
    const f = join(dir, 'b.log');
    writeFileSync(f, 'a\nb\n');
    expect(await readLogFile(f)).toBe('a\nb\n');
    expect(((await readLogFile(join(dir, 'none')).catch((e: unknown) => e)) as SourceError).code).toBe('SOURCE_FILE');
    expect(((await readLogFile(f, 2).catch((e: unknown) => e)) as SourceError).code).toBe('SOURCE_TOO_LARGE');
  });
});
