/**
 * The CLI twins of the federation tools as real processes (the built binary): sts-failures
 * against the CloudTrail JSON 1.1 stand-in (moto lacks LookupEvents), eks-pod-credentials
 * against the kube stand-in with the real kubectl, verify-alb-oidc-data against a loopback key
 * server (trusted through NODE_EXTRA_CA_CERTS). Exit codes, --json, and no secret in either stream.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsStandin, type AwsStandin } from '../helpers/aws-standins.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { startKubeStandin, type KubeStandin } from '../helpers/kube-standin.js';
import { need } from '../helpers/needs.js';
import { CLI } from './client.js';

interface Ran { code: number; stdout: string; stderr: string }

describe.skipIf(!(need('kubectl') && need('openssl')))('federation CLI twins as processes', () => {
  let trail: AwsStandin;
  let kube: KubeStandin;
  let srv: TestHttpsServer;
  let env: NodeJS.ProcessEnv;
  const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-fed-'));
  const KEY_SECRET = 'AKIAFEDCANARY0000001';
  let oidcData = '';
  const cli = (...args: string[]) => new Promise<Ran>((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--no-color'], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 99) : 0, stdout, stderr }));
  });

  beforeAll(async () => {
    trail = await startAwsStandin();
    trail.events = [{ eventTime: new Date(Date.now() - 60_000), record: { eventName: 'AssumeRoleWithWebIdentity', errorCode: 'InvalidIdentityToken', errorMessage: 'Incorrect token audience', requestParameters: { roleArn: 'arn:aws:iam::123456789012:role/uploader' } } }];
    kube = await startKubeStandin({
      pods: [{ name: 'app-1', namespace: 'apps', raw: { spec: { serviceAccountName: 'app', containers: [{ name: 'main', env: [{ name: 'AWS_ACCESS_KEY_ID', value: KEY_SECRET }] }] } } }],
      serviceAccounts: [{ name: 'app', namespace: 'apps' }],
    });
    srv = await startHttpsServer();
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    srv.routes.set('/kid-1', { body: k.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const b64 = (b: Buffer) => { const s = b.toString('base64url'); return s + '='.repeat((4 - (s.length % 4)) % 4); };
    const input = `${b64(Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'kid-1', signer: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1', exp: Math.floor(Date.now() / 1000) - 10 })))}.${b64(Buffer.from('{"sub":"u"}'))}`;
    oidcData = `${input}.${b64(sign('sha256', Buffer.from(input), { key: k.privateKey, dsaEncoding: 'ieee-p1363' }))}`;
    writeFileSync(join(dir, 'oidc-data'), oidcData);
    env = { PATH: process.env.PATH, HOME: dir, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL_CLOUDTRAIL: trail.endpoint, NODE_EXTRA_CA_CERTS: srv.caCertPath };
  });
  afterAll(async () => {
    await trail?.close();
    await kube?.close();
    await srv?.close();
  });

  it('sts-failures exits 1 on a recorded failure and explains it in --json', async () => {
    const r = await cli('sts-failures', '--since', '1h', '--json');
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { failures: number; events: Array<{ case: string }> };
    expect(out.failures).toBe(1);
    expect(out.events[0]!.case).toBe('incorrect_audience');
  });

  it('eks-pod-credentials names the static keys that win (EKS_CREDENTIALS_SHADOWED) without printing them', async () => {
    const r = await cli('eks-pod-credentials', '--kubeconfig', kube.kubeconfig, '--namespace', 'apps', '--pod', 'app-1');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('EKS_CREDENTIALS_SHADOWED');
    expect(r.stdout + r.stderr).not.toContain(KEY_SECRET);
  });

  it('verify-alb-oidc-data verifies the signature and reports the expired header (TOKEN_EXPIRED)', async () => {
    const r = await cli('verify-alb-oidc-data', '--data-file', join(dir, 'oidc-data'), '--keys-url', srv.origin);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✓ ALB_OIDC_DATA_SIGNATURE/);
    expect(r.stdout).toMatch(/✗ TOKEN_EXPIRED/);
    expect(r.stdout + r.stderr).not.toContain(oidcData.split('.')[2]!);
  });
});
