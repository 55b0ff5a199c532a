import { describe, expect, it } from 'vitest';
import { IRSA, POD_IDENTITY, type EksContainerFacts, type EksPodFacts, type ServiceAccountFacts } from '../../../src/checks/eks/facts.js';
import { checkClusterProvider, checkIrsaAnnotation, checkIrsaMutation, checkTokenAge, checkTokenReadable } from '../../../src/checks/eks/irsa.js';
import { checkMechanism, checkShadowing, mechanismOf } from '../../../src/checks/eks/mechanism.js';
import { checkAgent, checkAssociation, checkPlatform, checkPodIdentityTrust, nodeRoleNote } from '../../../src/checks/eks/pod-identity.js';
import { parseTrustPolicy } from '../../../src/checks/trust/policy.js';

const ROLE = 'arn:aws:iam::123456789012:role/uploader';
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC123';
const sa = (annotations: Record<string, string> = {}): ServiceAccountFacts => ({ name: 'uploader', namespace: 'apps', annotations });
const container = (env: Record<string, string> = {}, extra: Partial<EksContainerFacts> = {}): EksContainerFacts => ({
  name: 'main', init: false, envFrom: [], volumeMounts: [], ...extra,
  env: Object.entries(env).map(([name, value]) => ({ name, value, from: 'value' })),
});
const pod = (over: Partial<EksPodFacts> = {}): EksPodFacts => ({
  name: 'uploader-1', namespace: 'apps', serviceAccount: 'uploader', labels: {}, annotations: {}, nodeSelector: {}, projectedTokens: [], containers: [container()], ...over,
});
const irsaPod = (roleArn = ROLE) => pod({
  projectedTokens: [{ volume: IRSA.volumeName, audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' }],
  containers: [container({ AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: IRSA.tokenFile }, { volumeMounts: [IRSA.volumeName] })],
});
const podIdPod = (uri: string = POD_IDENTITY.fullUri) => pod({ containers: [container({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token' })] });

describe('mechanism', () => {
  it('EKS_CREDENTIAL_MECHANISM passes for an injected IRSA pod and names it', () => {
    const m = mechanismOf(irsaPod(), sa({ [IRSA.roleArnAnnotation]: ROLE }), []);
    expect(m.inEffect).toBe('irsa');
    expect(checkMechanism(irsaPod(), m).status).toBe('pass');
  });
  it('recognises Pod Identity from the injected full URI', () => {
    expect(mechanismOf(podIdPod(), sa(), [{ associationId: 'a-1', roleArn: ROLE }]).inEffect).toBe('pod_identity');
  });
  it('EKS_CREDENTIAL_MECHANISM fails when configured but not injected, and warns about the node role when nothing is configured', () => {
    const m = mechanismOf(pod(), sa({ [IRSA.roleArnAnnotation]: ROLE }), []);
    const f = checkMechanism(pod(), m);
    expect(f.status).toBe('fail');
    expect(f.detail).toMatch(/NODE's role/);
    const none = checkMechanism(pod(), mechanismOf(pod(), sa(), []));
    expect(none.status).toBe('warn');
    expect(none.title).toMatch(/node role/);
  });
  it('EKS_CREDENTIALS_SHADOWED fails when AWS_ACCESS_KEY_ID is in the pod env, warns on unread envFrom', () => {
    const p = pod({ containers: [{ ...container({ AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: IRSA.tokenFile }), env: [{ name: 'AWS_ACCESS_KEY_ID', from: 'secretKeyRef' }] }] });
    expect(checkShadowing(p, mechanismOf(p, undefined, undefined)).status).toBe('fail');
    expect(checkShadowing(pod({ containers: [container({}, { envFrom: ['secret:aws'] })] }), mechanismOf(pod(), undefined, undefined)).status).toBe('warn');
    expect(checkShadowing(irsaPod(), mechanismOf(irsaPod(), undefined, undefined)).status).toBe('pass');
  });
});

describe('IRSA', () => {
  it('EKS_IRSA_ANNOTATION_INVALID fails on a malformed role ARN, warns on an odd audience and token-expiration', () => {
    expect(checkIrsaAnnotation(sa({ [IRSA.roleArnAnnotation]: 'uploader' }))[0]!.status).toBe('fail');
    expect(checkIrsaAnnotation(sa({ [IRSA.roleArnAnnotation]: `${ROLE} ` }))[0]!.status).toBe('fail');
    const f = checkIrsaAnnotation(sa({ [IRSA.roleArnAnnotation]: ROLE, [IRSA.audienceAnnotation]: 'other', [IRSA.tokenExpirationAnnotation]: '100' }));
    expect(f.map((x) => x.status)).toEqual(['pass', 'warn', 'warn']);
    expect(checkIrsaAnnotation(sa())[0]!.status).toBe('skip');
  });
  it('EKS_IRSA_POD_NOT_MUTATED says "recreate the pod" for an annotated SA with an old pod, and names failurePolicy Ignore', () => {
    const f = checkIrsaMutation(pod({ createdAt: '2026-01-01T00:00:00Z' }), sa({ [IRSA.roleArnAnnotation]: ROLE }), [{ configuration: 'pod-identity-webhook', name: 'iam-for-pods.amazonaws.com', failurePolicy: 'Ignore' }]);
    expect(f[0]!.code).toBe('EKS_IRSA_POD_NOT_MUTATED');
    expect(f[0]!.status).toBe('fail');
    expect(f[0]!.title).toMatch(/recreate the pod/);
    expect(f[0]!.detail).toMatch(/failurePolicy is Ignore/);
    expect(f[1]!.code).toBe('EKS_WEBHOOK_FAILURE_IGNORED');
    expect(f[1]!.status).toBe('warn');
  });
  it('EKS_IRSA_POD_NOT_MUTATED fails when the pod carries an older role ARN, passes when mutated', () => {
    expect(checkIrsaMutation(irsaPod('arn:aws:iam::123456789012:role/old'), sa({ [IRSA.roleArnAnnotation]: ROLE }), [])[0]!.status).toBe('fail');
    const ok = checkIrsaMutation(irsaPod(), sa({ [IRSA.roleArnAnnotation]: ROLE }), [{ configuration: 'c', name: 'w', failurePolicy: 'Fail' }]);
    expect(ok.map((x) => x.status)).toEqual(['pass', 'pass']);
  });
  it('EKS_CLUSTER_ISSUER_NO_PROVIDER fails for a recreated cluster (new OIDC id) and for a provider in another account', () => {
    const old = { arn: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/OLD999', url: 'oidc.eks.us-east-1.amazonaws.com/id/OLD999', clientIds: ['sts.amazonaws.com'], thumbprints: [] };
    const f = checkClusterProvider(ISSUER, [old], ROLE, 'prod');
    expect(f.status).toBe('fail');
    expect(f.detail).toMatch(/No OpenIDConnect provider found/);
    const other = { ...old, arn: 'arn:aws:iam::999999999999:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123', url: 'oidc.eks.us-east-1.amazonaws.com/id/ABC123' };
    expect(checkClusterProvider(ISSUER, [other], ROLE, 'prod').title).toMatch(/account 999999999999/);
    expect(checkClusterProvider(ISSUER, [{ ...other, arn: other.arn.replace('999999999999', '123456789012') }], ROLE, 'prod').status).toBe('pass');
  });
  it('EKS_TOKEN_UNREADABLE warns for a non-root container without fsGroup', () => {
    const p = { ...irsaPod(), runAsUser: 1000 };
    expect(checkTokenReadable(p, IRSA.volumeName).status).toBe('warn');
    expect(checkTokenReadable({ ...p, fsGroup: 2000 }, IRSA.volumeName).status).toBe('pass');
    expect(checkTokenReadable(irsaPod(), IRSA.volumeName).status).toBe('pass');
  });
  it('EKS_TOKEN_STALE: past 80 % of the TTL (or 24 h) the kubelet would have refreshed it', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const t = now.getTime() / 1000;
    expect(checkTokenAge({ iat: t - 3600, exp: t + 82800 }, now).status).toBe('pass');
    expect(checkTokenAge({ iat: t - 3300, exp: t + 300 }, now).status).toBe('fail'); // 1 h TTL, 55 min old (refresh at 48 min)
    expect(checkTokenAge({ iat: t - 25 * 3600, exp: t + 3600 * 23 }, now).status).toBe('fail'); // 48 h TTL, 25 h old
    expect(checkTokenAge({}, now).status).toBe('skip');
  });
});

describe('Pod Identity', () => {
  const trust = (doc: unknown) => {
    const p = parseTrustPolicy(doc);
    if (!p.ok) throw new Error(p.problem);
    return p.statements;
  };
  it('EKS_POD_IDENTITY_TRUST needs the service principal and both actions', () => {
    const good = trust({ Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] });
    expect(checkPodIdentityTrust(good, ROLE).status).toBe('pass');
    const noTag = trust({ Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(checkPodIdentityTrust(noTag, ROLE).title).toMatch(/sts:TagSession/);
    const irsa = trust({ Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/x' }, Action: 'sts:AssumeRoleWithWebIdentity' }] });
    expect(checkPodIdentityTrust(irsa, ROLE).status).toBe('fail');
  });
  it('EKS_POD_IDENTITY_ASSOCIATION_MISSING fails without an association', () => {
    expect(checkAssociation([], 'prod', 'apps', 'uploader').status).toBe('fail');
    expect(checkAssociation([{ associationId: 'a-1', roleArn: ROLE }], 'prod', 'apps', 'uploader').status).toBe('pass');
  });
  it('EKS_POD_IDENTITY_AGENT: no env → recreate; no agent pods → install the add-on', () => {
    expect(checkAgent(pod(), 2)[0]!.title).toMatch(/recreate the pod/);
    expect(checkAgent(podIdPod(), 0)[0]!.status).toBe('fail');
    expect(checkAgent(podIdPod('http://10.0.0.1/creds'), 1)[0]!.status).toBe('warn');
    expect(checkAgent(podIdPod(), 3).map((f) => f.status)).toEqual(['pass']);
  });
  it('EKS_POD_IDENTITY_UNSUPPORTED on Fargate and Windows', () => {
    expect(checkPlatform(pod({ nodeName: 'fargate-ip-10-0-1-2.ec2.internal' })).status).toBe('fail');
    expect(checkPlatform(pod({ nodeSelector: { 'kubernetes.io/os': 'windows' } })).title).toMatch(/Windows/);
    expect(checkPlatform(pod({ nodeName: 'ip-10-0-1-2.ec2.internal' })).status).toBe('pass');
  });
  it('EKS_POD_IDENTITY_NODE_ROLE is stated, not verified', () => {
    expect(nodeRoleNote().status).toBe('skip');
  });
});
