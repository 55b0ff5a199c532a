/**
 * Which way a pod gets AWS credentials, from what the webhook injected (env and volume) and
 * what was configured (the ServiceAccount annotation, a Pod Identity association) — and
 * whether static credentials earlier in the SDK's chain win over both.
 *
 * SDK default chains (AWS SDK for JavaScript v3 `defaultProvider`, boto3, the Go and Java
 * SDKs) try environment credentials first, then web identity (AWS_WEB_IDENTITY_TOKEN_FILE),
 * then the container provider (AWS_CONTAINER_CREDENTIALS_FULL_URI, used by Pod Identity),
 * then the instance metadata service (the node's role). Source: the SDKs and Tools reference,
 * "Understand the credential provider chain", and each SDK's chain documentation.
 */
import { fail, pass, warn, type Finding } from '../finding.js';
import { ENV, IRSA, POD_IDENTITY, envOf, type AssociationFacts, type EksPodFacts, type ServiceAccountFacts } from './facts.js';

export type Mechanism = 'irsa' | 'pod_identity' | 'none';

export interface MechanismFacts {
  /** What is in effect in the pod (injected env). */
  inEffect: Mechanism;
  /** What was configured for it (annotation / association), whether or not it was injected. */
  configured: Mechanism[];
}

const anyContainer = (pod: EksPodFacts, name: string) => pod.containers.filter((c) => !c.init).some((c) => envOf(c, name) !== undefined);

export function mechanismOf(pod: EksPodFacts, sa: ServiceAccountFacts | undefined, associations: readonly AssociationFacts[] | undefined): MechanismFacts {
  const configured: Mechanism[] = [];
  if (associations && associations.length > 0) configured.push('pod_identity');
  if (sa?.annotations[IRSA.roleArnAnnotation]) configured.push('irsa');
  // The webhook gives container credentials precedence over web identity (handler.go buildPodPatchConfig).
  const inEffect: Mechanism = anyContainer(pod, ENV.fullUri) ? 'pod_identity' : anyContainer(pod, ENV.tokenFile) && anyContainer(pod, ENV.roleArn) ? 'irsa' : 'none';
  return { inEffect, configured };
}

const NAMES: Record<Mechanism, string> = { irsa: 'IRSA (web identity)', pod_identity: 'EKS Pod Identity', none: 'neither' };

/** EKS_CREDENTIAL_MECHANISM: what the pod uses; none → the SDK falls back to the node role. */
export function checkMechanism(pod: EksPodFacts, m: MechanismFacts): Finding {
  const evidence = { pod: `${pod.namespace}/${pod.name}`, service_account: pod.serviceAccount, in_effect: m.inEffect, configured: m.configured };
  if (m.inEffect !== 'none') {
    return pass('EKS_CREDENTIAL_MECHANISM', { title: `The pod uses ${NAMES[m.inEffect]}`, detail: m.configured.length > 1 ? `Both IRSA and Pod Identity are configured; the webhook injected ${NAMES[m.inEffect]} (it prefers Pod Identity).` : '', evidence });
  }
  if (m.configured.length) {
    return fail('EKS_CREDENTIAL_MECHANISM', {
      title: `${m.configured.map((x) => NAMES[x]).join(' and ')} is configured, but nothing was injected into the pod`,
      detail: `The pod has neither ${ENV.tokenFile}/${ENV.roleArn} nor ${ENV.fullUri}. Without them the SDK's chain ends at the instance metadata service: the pod runs with the NODE's role (or gets no credentials when IMDS is blocked or its hop limit is 1).`,
      evidence,
      fix: `kubectl rollout restart deployment/<name> -n ${pod.namespace} (or delete the pod): the webhook mutates pods only when they are created.`,
    });
  }
  return warn('EKS_CREDENTIAL_MECHANISM', {
    title: 'The pod has no IRSA annotation and no Pod Identity association: it falls back to the node role',
    detail: `ServiceAccount ${pod.namespace}/${pod.serviceAccount} has no ${IRSA.roleArnAnnotation} annotation and no Pod Identity association was found. The SDK's chain ends at the instance metadata service, so the pod acts as the node's role (or gets no credentials when IMDS is blocked).`,
    evidence,
    fix: `Either annotate the service account (kubectl annotate serviceaccount ${pod.serviceAccount} -n ${pod.namespace} ${IRSA.roleArnAnnotation}=arn:aws:iam::<account>:role/<role>) or create a Pod Identity association (aws eks create-pod-identity-association --cluster-name <cluster> --namespace ${pod.namespace} --service-account ${pod.serviceAccount} --role-arn <role-arn>), then recreate the pod.`,
  });
}

/** EKS_CREDENTIALS_SHADOWED: static keys in the pod env come first in every SDK's chain. */
export function checkShadowing(pod: EksPodFacts, m: MechanismFacts): Finding {
  const hits = pod.containers.filter((c) => !c.init && envOf(c, ENV.accessKeyId)).map((c) => `${c.name} (${envOf(c, ENV.accessKeyId)!.from})`);
  const fromEnvFrom = pod.containers.filter((c) => !c.init && c.envFrom.length).map((c) => `${c.name}: ${c.envFrom.join(', ')}`);
  const evidence = { containers: hits, env_from: fromEnvFrom };
  if (hits.length) {
    return fail('EKS_CREDENTIALS_SHADOWED', {
      title: `${ENV.accessKeyId} is set in the pod env: those static keys win over ${m.inEffect === 'none' ? 'any role' : NAMES[m.inEffect]}`,
      detail: `Containers ${hits.join(', ')} set ${ENV.accessKeyId}. Every AWS SDK reads environment credentials before web identity and the container provider, so the pod acts as the user those keys belong to, not as the role.`,
      evidence,
      fix: `Remove ${ENV.accessKeyId} / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN from the pod spec (and from any Secret it loads with envFrom), then recreate the pod.`,
    });
  }
  if (fromEnvFrom.length) {
    return warn('EKS_CREDENTIALS_SHADOWED', {
      title: 'The pod loads env from Secrets/ConfigMaps whose keys were not read',
      detail: `envFrom: ${fromEnvFrom.join('; ')}. If one holds ${ENV.accessKeyId}, those static keys win over the role (environment credentials come first in every SDK's chain).`,
      evidence,
      fix: `kubectl get secret <name> -n ${pod.namespace} -o jsonpath='{.data}' | grep -c AWS_ACCESS_KEY_ID — and remove the keys if present.`,
    });
  }
  return pass('EKS_CREDENTIALS_SHADOWED', { title: `No ${ENV.accessKeyId} in the pod env`, evidence });
}

/** Whether the pod carries the injected volume of a mechanism. */
export const hasVolume = (pod: EksPodFacts, name: string) => pod.projectedTokens.some((t) => t.volume === name);
export const injectedVolume = (m: Mechanism) => (m === 'pod_identity' ? POD_IDENTITY.volumeName : IRSA.volumeName);
