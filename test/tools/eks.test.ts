/**
 * check_eks_pod_credentials end to end: the REAL kubectl against the kube API stand-in (pods,
 * ServiceAccounts, MutatingWebhookConfigurations), moto for eks:DescribeCluster and IAM, and —
 * because moto 5.2.1 lacks eks:ListPodIdentityAssociations — a loopback EKS stand-in speaking
 * the REST-JSON protocol, reached through AWS_ENDPOINT_URL_EKS (it forwards every other EKS
 * request, e.g. DescribeCluster, to moto). The SDK path is the real one throughout.
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, runOk } from '../helpers/ctx.js';
import { startAwsStandin, type AwsStandin } from '../helpers/aws-standins.js';
import { startKubeStandin, type KubeStandin, type StandinPod } from '../helpers/kube-standin.js';
import { motoEnv, useMoto, type Moto } from '../helpers/moto.js';
import { need } from '../helpers/needs.js';

const ready = need('kubectl') && need('moto_server');
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/uploader`;
const SECRET = 'AKIAZZZZCANARYSECRET1';

type Env = Record<string, string | { secretKeyRef: { name: string; key: string } }>;
function rawPod(o: { env?: Env; volumes?: unknown[]; sa?: string; securityContext?: Record<string, unknown>; nodeName?: string; created?: string }) {
  return {
    metadata: { creationTimestamp: o.created ?? '2026-09-01T00:00:00Z' },
    spec: {
      serviceAccountName: o.sa ?? 'uploader',
      nodeName: o.nodeName ?? 'ip-10-0-1-2.ec2.internal',
      ...(o.securityContext ? { securityContext: o.securityContext } : {}),
      containers: [{ name: 'main', image: 'example/app:1', env: Object.entries(o.env ?? {}).map(([name, v]) => (typeof v === 'string' ? { name, value: v } : { name, valueFrom: v })), volumeMounts: (o.volumes ?? []).map((v) => ({ name: (v as { name: string }).name, mountPath: '/var/run/secrets/x' })) }],
      volumes: o.volumes ?? [],
    },
    status: { phase: 'Running' },
  };
}
const irsaEnv = (role = ROLE): Env => ({ AWS_ROLE_ARN: role, AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', AWS_REGION: 'us-east-1' });
const irsaVolume = { name: 'aws-iam-token', projected: { sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } }] } };
const podIdEnv: Env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials', AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token' };
const podIdVolume = { name: 'eks-pod-identity-token', projected: { sources: [{ serviceAccountToken: { audience: 'pods.eks.amazonaws.com', expirationSeconds: 86400, path: 'eks-pod-identity-token' } }] } };
const webhook = (failurePolicy: string) => ({ metadata: { name: 'pod-identity-webhook' }, webhooks: [{ name: 'iam-for-pods.amazonaws.com', failurePolicy, admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: {} }] });
const agentPod: StandinPod = { name: 'eks-pod-identity-agent-x7k2p', namespace: 'kube-system' };

describe.skipIf(!ready)('check_eks_pod_credentials (kubectl stand-in, moto, EKS stand-in)', () => {
  let moto: Moto;
  let eks: AwsStandin;
  let kube: KubeStandin;
  let issuer = '';
  const kc = () => ({ kubeconfig: kube.kubeconfig, context: kube.context, namespace: 'apps', cluster: 'prod' });

  async function world(o: { pod: StandinPod; annotations?: Record<string, string>; webhookPolicy?: string; agents?: boolean; provider?: 'current' | 'old' | 'none'; trust?: unknown; association?: boolean }) {
    await moto.reset();
    const iam = new IAMClient({});
    const { cluster } = await new EKSClient({}).send(new CreateClusterCommand({ name: 'prod', roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`, resourcesVpcConfig: { subnetIds: [] } }));
    issuer = cluster!.identity!.oidc!.issuer!;
    const url = issuer.replace('https://', '');
    if ((o.provider ?? 'current') !== 'none') {
      await iam.send(new CreateOpenIDConnectProviderCommand({ Url: o.provider === 'old' ? 'https://oidc.eks.us-east-1.amazonaws.com/id/OLDCLUSTER0' : issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] }));
    }
    const trust = o.trust ?? { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${url}` }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${url}:sub`]: 'system:serviceaccount:apps:uploader', [`${url}:aud`]: 'sts.amazonaws.com' } } }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'uploader', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    eks.associations = o.association ? [{ cluster: 'prod', namespace: 'apps', serviceAccount: 'uploader', roleArn: ROLE }] : [];
    kube.world.pods = [o.pod, ...(o.agents === false ? [] : [agentPod])];
    kube.world.serviceAccounts = [{ name: 'uploader', namespace: 'apps', annotations: o.annotations ?? {} }];
    kube.world.mutatingWebhookConfigurations = [webhook(o.webhookPolicy ?? 'Ignore')];
  }

  beforeAll(async () => {
    moto = (await useMoto())!;
    eks = await startAwsStandin({ motoEndpoint: moto.endpoint });
    Object.assign(process.env, motoEnv(moto.endpoint), { AWS_ENDPOINT_URL_EKS: eks.endpoint });
    kube = await startKubeStandin({});
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_EKS;
    await kube?.close();
    await eks?.close();
    await moto?.stop();
  });

  describe('IRSA', () => {
    const ann = { 'eks.amazonaws.com/role-arn': ROLE };
    it('passes a mutated pod whose cluster issuer has a provider and whose role trusts its sub/aud', async () => {
      await world({ annotations: ann, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: irsaEnv(), volumes: [irsaVolume] }) }, webhookPolicy: 'Fail' });
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
      expect(r.output.mechanism, r.text).toBe('irsa');
      expect(r.output.verdict, r.text).toBe('pass');
      expect(r.output.cluster_issuer).toBe(issuer);
      expect(r.output.role_arn).toBe(ROLE);
      expect(eks.hits).toContain('forward:GET /clusters/prod');
    });

    it('EKS_IRSA_POD_NOT_MUTATED: an annotated service account with an old pod says "recreate the pod" and names failurePolicy Ignore', async () => {
      await world({ annotations: ann, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: { AWS_REGION: 'us-east-1' } }) } });
      const r = await runOk('check_eks_pod_credentials', { ...kc(), service_account: 'uploader' });
      expect(codes(r.output)).toContain('EKS_IRSA_POD_NOT_MUTATED');
      expect(codes(r.output, 'warn')).toContain('EKS_WEBHOOK_FAILURE_IGNORED');
      expect(r.text).toMatch(/recreate the pod/);
      expect(r.output.mechanism).toBe('none');
      expect(r.output.configured).toEqual(['irsa']);
    });

    it('EKS_CLUSTER_ISSUER_NO_PROVIDER: a recreated cluster (new OIDC id) has no provider', async () => {
      await world({ annotations: ann, provider: 'old', pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: irsaEnv(), volumes: [irsaVolume] }) } });
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
      expect(codes(r.output)).toContain('EKS_CLUSTER_ISSUER_NO_PROVIDER');
      expect(r.text).toContain('No OpenIDConnect provider found');
    });

    it('IAM_PROVIDER_AUDIENCE_MISSING when the audience annotation moves the token off sts.amazonaws.com', async () => {
      const vol = { ...irsaVolume, projected: { sources: [{ serviceAccountToken: { audience: 'custom-aud', expirationSeconds: 86400, path: 'token' } }] } };
      await world({ annotations: { ...ann, 'eks.amazonaws.com/audience': 'custom-aud' }, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: irsaEnv(), volumes: [vol] }) }, webhookPolicy: 'Fail' });
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
      expect(codes(r.output)).toContain('IAM_PROVIDER_AUDIENCE_MISSING');
      expect(codes(r.output, 'warn')).toContain('EKS_IRSA_ANNOTATION_INVALID');
    });

    it('EKS_CREDENTIALS_SHADOWED: static keys in the pod env win, and their value never appears', async () => {
      await world({ annotations: ann, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: { ...irsaEnv(), AWS_ACCESS_KEY_ID: SECRET }, volumes: [irsaVolume], securityContext: { runAsUser: 1000 } }) } });
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
      expect(codes(r.output)).toContain('EKS_CREDENTIALS_SHADOWED');
      expect(codes(r.output, 'warn')).toContain('EKS_TOKEN_UNREADABLE');
      expect(JSON.stringify(r.output) + r.text).not.toContain(SECRET);
    });

    it('the trust policy is evaluated for the pod\'s subject (TRUST_CONDITION_SUB_MISMATCH for another service account)', async () => {
      await world({ annotations: ann, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: irsaEnv(), volumes: [irsaVolume] }) } });
      kube.world.pods = [{ name: 'other-1', namespace: 'apps', raw: rawPod({ sa: 'other', env: irsaEnv(), volumes: [irsaVolume] }) }];
      kube.world.serviceAccounts = [...(kube.world.serviceAccounts ?? []), { name: 'other', namespace: 'apps', annotations: ann }];
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'other-1' });
      expect(codes(r.output)).toContain('TRUST_CONDITION_SUB_MISMATCH');
    });
  });

  describe('Pod Identity', () => {
    const podTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] };
    it('recognises Pod Identity and passes with an association, the agent, and the right trust', async () => {
      await world({ association: true, trust: podTrust, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: podIdEnv, volumes: [podIdVolume] }) } });
      eks.hits.length = 0;
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
      expect(r.output.mechanism, r.text).toBe('pod_identity');
      expect(r.output.verdict, r.text).toBe('pass');
      expect(r.output.role_arn).toBe(ROLE);
      expect(eks.hits).toEqual(expect.arrayContaining(['eks:ListPodIdentityAssociations', 'eks:DescribePodIdentityAssociation']));
      expect(codes(r.output, 'skip')).toContain('EKS_POD_IDENTITY_NODE_ROLE');
    });

    it('EKS_POD_IDENTITY_TRUST fails for a web-identity trust policy; EKS_POD_IDENTITY_AGENT without agent pods', async () => {
      await world({ association: true, agents: false, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: podIdEnv, volumes: [podIdVolume] }) } });
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
      expect(codes(r.output)).toEqual(expect.arrayContaining(['EKS_POD_IDENTITY_TRUST', 'EKS_POD_IDENTITY_AGENT']));
    });

    it('EKS_POD_IDENTITY_UNSUPPORTED on Fargate; an association with an uninjected pod says recreate', async () => {
      await world({ association: true, trust: podTrust, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ nodeName: 'fargate-ip-10-0-1-2.ec2.internal' }) } });
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
      expect(r.output.configured).toEqual(['pod_identity']);
      expect(codes(r.output)).toEqual(expect.arrayContaining(['EKS_POD_IDENTITY_UNSUPPORTED', 'EKS_POD_IDENTITY_AGENT', 'EKS_CREDENTIAL_MECHANISM']));
    });

    it('EKS_POD_IDENTITY_ASSOCIATION_MISSING is reported for a service account with no pod and no association', async () => {
      await world({ pod: { name: 'unrelated', namespace: 'apps', raw: rawPod({ sa: 'default' }) } });
      const r = await runOk('check_eks_pod_credentials', { ...kc(), service_account: 'uploader' });
      expect(codes(r.output)).toEqual(expect.arrayContaining(['EKS_CREDENTIAL_MECHANISM', 'EKS_POD_IDENTITY_ASSOCIATION_MISSING']));
    });
  });

  it('a service account that does not exist is named as such, not as an unreachable cluster', async () => {
    await world({ pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ sa: 'ghost' }) } });
    const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
    expect(r.text).toMatch(/ServiceAccount apps\/ghost does not exist/);
    expect(codes(r.output, 'error')).not.toContain('CLUSTER_UNREACHABLE');
  });

  it('an EKS error (throttling from the stand-in) is a finding, not a crash', async () => {
    await world({ pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({}) } });
    eks.fail = { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
    try {
      const r = await runOk('check_eks_pod_credentials', { ...kc(), pod: 'uploader-1' });
      expect(codes(r.output, 'error')).toContain('AWS_THROTTLED');
    } finally {
      eks.fail = undefined;
    }
  });

  describe('diagnose_rejection --preset web-identity --eks-cluster', () => {
    const ann = { 'eks.amazonaws.com/role-arn': ROLE };
    const saToken = async () => {
      const { mintToken } = await import('../helpers/tokens.js');
      return mintToken({ claims: { iss: issuer, aud: ['sts.amazonaws.com'], sub: 'system:serviceaccount:apps:uploader' } });
    };
    const diagnose = async () =>
      runOk('diagnose_rejection', { token: await saToken(), preset: 'web-identity', role_arn: ROLE, service_account: 'apps:uploader', eks_cluster: 'prod', kubeconfig: kube.kubeconfig, kube_context: kube.context, deadline_seconds: 10 });

    it('names EKS_IRSA_POD_NOT_MUTATED for an annotated service account whose pod predates the annotation', async () => {
      await world({ annotations: ann, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: { AWS_REGION: 'us-east-1' } }) } });
      const r = await diagnose();
      expect((r.output.root_cause as { code: string }).code, r.text).toBe('EKS_IRSA_POD_NOT_MUTATED');
      expect(r.text).toMatch(/EKS pod\s+✗/);
    });

    it('names EKS_POD_IDENTITY_ASSOCIATION_MISSING for a Pod Identity pod without an association', async () => {
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] };
      await world({ trust, association: false, pod: { name: 'uploader-1', namespace: 'apps', raw: rawPod({ env: podIdEnv, volumes: [podIdVolume] }) } });
      const r = await diagnose();
      expect((r.output.root_cause as { code: string }).code, r.text).toBe('EKS_POD_IDENTITY_ASSOCIATION_MISSING');
    });
  });
});
