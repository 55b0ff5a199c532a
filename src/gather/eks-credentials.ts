/**
 * Gathers and judges how one EKS pod gets AWS credentials: reads the pod and its
 * ServiceAccount (kubectl get), the pod identity webhook configuration and agent pods, and —
 * with a cluster name — the cluster's issuer, the IAM providers, the Pod Identity
 * associations and the role's trust policy; recognises the mechanism in use (IRSA, Pod
 * Identity, neither) and runs that mechanism's checks. Every source failure becomes a finding.
 */
import { ENV, IRSA, POD_IDENTITY, envOf, type AssociationFacts, type EksPodFacts, type ServiceAccountFacts, type WebhookFacts } from '../checks/eks/facts.js';
import { checkClusterProvider, checkIrsaAnnotation, checkIrsaMutation, checkTokenAge, checkTokenReadable } from '../checks/eks/irsa.js';
import { checkMechanism, checkShadowing, mechanismOf, type Mechanism } from '../checks/eks/mechanism.js';
import { checkAgent, checkAssociation, checkPlatform, checkPodIdentityTrust, nodeRoleNote } from '../checks/eks/pod-identity.js';
import { fail, type Finding } from '../checks/finding.js';
import { audienceFinding, matchProvider } from '../checks/web-identity/provider.js';
import { providerArnFor, providerUrlOf, webIdentityRequest } from '../checks/trust/context.js';
import { evaluateTrust } from '../checks/trust/evaluate.js';
import { trustFindings } from '../checks/trust/findings.js';
import { parseTrustPolicy } from '../checks/trust/policy.js';
import { awsSession, type AwsSession } from '../sources/aws/client.js';
import { describeCluster, listPodIdentityAssociations } from '../sources/aws/eks.js';
import { getRole, listOidcProviders, roleNameOf } from '../sources/aws/iam.js';
import { SourceError, UsageError } from '../sources/errors.js';
import { countAgentPods, getEksPod, getPodIdentityWebhooks, getServiceAccount, podsOfServiceAccount } from '../sources/kube-eks.js';
import { failureFinding } from './failure.js';
import type { KubeTarget } from '../sources/kubectl.js';

export interface EksCredentialsInput {
  namespace: string;
  pod?: string | undefined;
  service_account?: string | undefined;
  /** EKS cluster name: enables the AWS-side checks. */
  cluster?: string | undefined;
  context?: string | undefined;
  kubeconfig?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  /** Claims of a token captured from the pod (iat/exp), for the refresh check. */
  tokenClaims?: Record<string, unknown> | undefined;
  now: Date;
  signal?: AbortSignal | undefined;
}

export interface EksCredentialsResult {
  findings: Finding[];
  pod?: string | undefined;
  service_account?: string | undefined;
  mechanism: Mechanism;
  configured: Mechanism[];
  role_arn?: string | undefined;
  cluster_issuer?: string | undefined;
}

const kubeFailure = (e: unknown, what: string): Finding => failureFinding(e, { kube: what });
const awsFail = (e: unknown, profile?: string): Finding => failureFinding(e, { profile });
/** Runs a read; a source failure becomes a finding pushed to `into`, and the result undefined. */
async function attempt<T>(into: Finding[], read: () => Promise<T>, onError: (e: unknown) => Finding): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    into.push(onError(e));
    return undefined;
  }
}

export async function gatherEksCredentials(input: EksCredentialsInput): Promise<EksCredentialsResult> {
  if (!input.pod && !input.service_account) throw new UsageError('No pod or service account given.', 'Pass pod (a pod name) or service_account, with namespace.');
  // The caller's signal reaches kubectl too: at the diagnosis' deadline its children are killed, not left to their own timeout.
  const target: KubeTarget = { context: input.context, kubeconfig: input.kubeconfig, timeoutMs: 15000, signal: input.signal };
  const findings: Finding[] = [];
  let pod: EksPodFacts | undefined;
  try {
    if (input.pod) pod = await getEksPod(target, input.namespace, input.pod);
    else pod = (await podsOfServiceAccount(target, input.namespace, input.service_account!))[0];
  } catch (e) {
    return { findings: [kubeFailure(e, `Reading ${input.pod ? `pod ${input.namespace}/${input.pod}` : `the pods of ${input.namespace}/${input.service_account}`}`)], mechanism: 'none', configured: [] };
  }
  const saName = pod?.serviceAccount ?? input.service_account!;
  const sa: ServiceAccountFacts | undefined = await attempt(findings, () => getServiceAccount(target, input.namespace, saName), (e) => {
    if (e instanceof SourceError && e.facts.reason === 'not_found') {
      return fail('EKS_CREDENTIAL_MECHANISM', { title: `ServiceAccount ${input.namespace}/${saName} does not exist`, detail: 'Neither an IRSA annotation nor a Pod Identity association can apply to a service account that does not exist (new pods using it are refused).', evidence: { namespace: input.namespace, service_account: saName }, fix: `kubectl get serviceaccounts -n ${input.namespace}` });
    }
    return kubeFailure(e, `Reading ServiceAccount ${input.namespace}/${saName}`);
  });
  const webhooks: WebhookFacts[] | undefined = await getPodIdentityWebhooks(target).catch(() => undefined);

  const aws: AwsSession | undefined = input.cluster ? awsSession({ region: input.region, profile: input.profile, signal: input.signal }) : undefined;
  let associations: AssociationFacts[] | undefined;
  let clusterIssuer: string | undefined;
  if (aws && input.cluster) {
    const [assoc, cluster] = await Promise.all([
      attempt(findings, () => listPodIdentityAssociations(aws, input.cluster!, { namespace: input.namespace, serviceAccount: saName }), (e) => awsFail(e, input.profile)),
      attempt(findings, () => describeCluster(aws, input.cluster!), (e) => awsFail(e, input.profile)),
    ]);
    associations = assoc;
    clusterIssuer = cluster?.oidcIssuer;
  }
  const base = { service_account: `${input.namespace}/${saName}`, cluster_issuer: clusterIssuer };
  if (!pod) {
    findings.push(fail('EKS_CREDENTIAL_MECHANISM', { title: `No pod in ${input.namespace} runs as service account ${saName}`, detail: 'Nothing to judge on the pod side; the ServiceAccount and AWS side are checked below.', evidence: { namespace: input.namespace, service_account: saName }, fix: `kubectl get pods -n ${input.namespace} -o custom-columns=NAME:.metadata.name,SA:.spec.serviceAccountName` }));
    if (sa) findings.push(...checkIrsaAnnotation(sa));
    // A service account annotated for IRSA does not use Pod Identity: a missing association is no fault then.
    const irsa = Boolean(sa?.annotations[IRSA.roleArnAnnotation]);
    if (associations && (associations.length || !irsa)) findings.push(checkAssociation(associations, input.cluster!, input.namespace, saName));
    return { findings, ...base, mechanism: 'none', configured: [] };
  }
  const m = mechanismOf(pod, sa, associations);
  findings.push(checkMechanism(pod, m), checkShadowing(pod, m));
  const which: Mechanism = m.inEffect !== 'none' ? m.inEffect : (m.configured[0] ?? 'none');
  const out = { ...base, pod: `${pod.namespace}/${pod.name}`, mechanism: m.inEffect, configured: m.configured };

  if (which === 'irsa') {
    const roleArn = sa?.annotations[IRSA.roleArnAnnotation]?.trim() ?? pod.containers.map((c) => envOf(c, ENV.roleArn)?.value).find(Boolean);
    if (sa) findings.push(...checkIrsaAnnotation(sa));
    findings.push(...checkIrsaMutation(pod, sa, webhooks), checkTokenReadable(pod, IRSA.volumeName));
    if (input.tokenClaims) findings.push(checkTokenAge(input.tokenClaims, input.now));
    if (aws && clusterIssuer) {
      const providers = await attempt(findings, () => listOidcProviders(aws), (e) => awsFail(e, input.profile));
      const audience = pod.projectedTokens.find((t) => t.volume === IRSA.volumeName)?.audience ?? sa?.annotations[IRSA.audienceAnnotation] ?? IRSA.defaultAudience;
      if (providers) {
        findings.push(checkClusterProvider(clusterIssuer, providers, roleArn, input.cluster!));
        // The projected token's audience must be in the provider's client id list ("Incorrect token audience").
        const match = matchProvider(clusterIssuer, providers).match;
        if (match) findings.push(audienceFinding(match, [audience]));
      }
      const name = roleArn ? roleNameOf(roleArn) : undefined;
      if (roleArn && name) {
        const role = await attempt(findings, () => getRole(aws, name), (e) => awsFail(e, input.profile));
        const parsed = role ? parseTrustPolicy(role.trustPolicy) : undefined;
        const url = providerUrlOf(clusterIssuer);
        const providerArn = providerArnFor(role?.arn ?? roleArn, url);
        if (parsed?.ok && providerArn) {
          // The claims the projected token carries: iss, sub = system:serviceaccount:<ns>:<sa>, aud.
          const claims = { iss: clusterIssuer, sub: `system:serviceaccount:${pod.namespace}:${saName}`, aud: audience };
          findings.push(...trustFindings(evaluateTrust(parsed.statements, webIdentityRequest(providerArn, url, claims)), { providerArn, providerUrl: url }));
        }
      }
    }
    return { findings, ...out, role_arn: roleArn };
  }
  if (which === 'pod_identity') {
    const agents = await countAgentPods(target).catch(() => undefined);
    findings.push(...checkAgent(pod, agents), checkPlatform(pod), checkTokenReadable(pod, POD_IDENTITY.volumeName), nodeRoleNote());
    let roleArn: string | undefined;
    if (associations && input.cluster) {
      findings.push(checkAssociation(associations, input.cluster, pod.namespace, saName));
      roleArn = associations[0]?.roleArn;
      const name = roleArn ? roleNameOf(roleArn) : undefined;
      if (aws && roleArn && name) {
        const role = await attempt(findings, () => getRole(aws, name), (e) => awsFail(e, input.profile));
        const parsed = role ? parseTrustPolicy(role.trustPolicy) : undefined;
        if (parsed?.ok) findings.push(checkPodIdentityTrust(parsed.statements, role!.arn));
      }
    }
    return { findings, ...out, role_arn: roleArn };
  }
  return { findings, ...out };
}
