/**
 * EKS pod credentials: which mechanism a pod uses (IRSA or Pod Identity) and that
 * mechanism's checks, from kubectl get and (with a cluster name) read-only EKS/IAM calls.
 */
import { z } from 'zod';
import { tokenInputShape } from '../sources/secret-ref.js';
import { gatherEksCredentials } from '../gather/eks-credentials.js';
import { hasToken, loadToken } from './token-input.js';
import { defineTool, nowInput, parseNow, regionInputShape, resultOf, resultSchema } from './define.js';

const checkEksPodCredentials = defineTool({
  name: 'check_eks_pod_credentials',
  toolsets: ['web-identity', 'cluster'],
  title: 'Check how an EKS pod gets AWS credentials (IRSA or Pod Identity)',
  description:
    'Why does this EKS pod get no (or the wrong) AWS credentials? Finds whether the pod uses IRSA (role-arn annotation, injected AWS_ROLE_ARN / ' +
    'AWS_WEB_IDENTITY_TOKEN_FILE) or Pod Identity (association, the agent at 169.254.170.23) or neither (node-role fallback), and checks that one: ' +
    'the pod mutated at creation ("recreate the pod"), webhook failurePolicy Ignore, static keys that win, fsGroup, token age; with cluster: the ' +
    'cluster issuer vs the IAM provider, the role trust for the pod, or the association and trust for pods.eks.amazonaws.com. Read-only (kubectl get, eks/iam reads).',
  input: () => z.object({
    namespace: z.string().min(1).default('default').describe('The pod\'s namespace.'),
    pod: z.string().optional().describe('The pod name (else: the newest pod running as service_account).'),
    service_account: z.string().optional().describe('The service account name (when no pod is given).'),
    cluster: z.string().optional().describe('The EKS cluster name: enables the AWS-side checks (issuer vs IAM provider, associations, trust policy).'),
    context: z.string().optional().describe('kubeconfig context (default: current).'),
    kubeconfig: z.string().optional().describe('kubeconfig file (default KUBECONFIG, ~/.kube/config).'),
    ...tokenInputShape,
    ...regionInputShape,
    now: nowInput,
  }),
  output: () => resultSchema({
    pod: z.string().nullable(),
    service_account: z.string().nullable(),
    mechanism: z.enum(['irsa', 'pod_identity', 'none']).describe('What is in effect in the pod (from the injected env).'),
    configured: z.array(z.enum(['irsa', 'pod_identity', 'none'])).describe('What is configured (annotation / association).'),
    role_arn: z.string().nullable(),
    cluster_issuer: z.string().nullable(),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'eks-pod-credentials',
    summary: 'How an EKS pod gets AWS credentials (IRSA / Pod Identity), and what is wrong',
    examples: ['jwt-triage eks-pod-credentials --namespace apps --pod uploader-7d9f --cluster prod', 'jwt-triage eks-pod-credentials --namespace apps --service-account uploader --cluster prod --token-file token.jwt'],
  },
  async handle(input, ctx) {
    const t = hasToken(input) ? await loadToken(input, ctx) : undefined;
    const r = await gatherEksCredentials({ ...input, tokenClaims: t?.facts?.claims, now: parseNow(input.now, ctx.now), signal: ctx.signal });
    const findings = t?.malformed ? [t.malformed, ...r.findings] : r.findings;
    const fallback = r.mechanism === 'none' ? 'No IRSA or Pod Identity in effect.' : `The pod gets credentials through ${r.mechanism === 'irsa' ? 'IRSA' : 'EKS Pod Identity'}; nothing wrong was found.`;
    return { ...resultOf(findings, fallback), pod: r.pod ?? null, service_account: r.service_account ?? null, mechanism: r.mechanism, configured: r.configured, role_arn: r.role_arn ?? null, cluster_issuer: r.cluster_issuer ?? null };
  },
  text: (o) => [`pod ${o.pod ?? '—'}  service account ${o.service_account ?? '—'}  mechanism ${o.mechanism}${o.configured.length ? ` (configured: ${o.configured.join(', ')})` : ''}${o.role_arn ? `  role ${o.role_arn}` : ''}`],
});

export default [checkEksPodCredentials];
