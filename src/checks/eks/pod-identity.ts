/**
 * EKS Pod Identity. It never calls AssumeRoleWithWebIdentity: the Pod Identity agent on the
 * node (169.254.170.23) exchanges the pod's token via eks-auth:AssumeRoleForPodIdentity, so
 * the role's trust policy names the SERVICE principal pods.eks.amazonaws.com with
 * sts:AssumeRole and sts:TagSession, and an association ties namespace + service account to
 * the role. Source: Amazon EKS User Guide, "EKS Pod Identity" (pod-identities.html,
 * pod-id-role.html, pod-id-agent-setup.html, and its considerations: not on Fargate, not on
 * Windows nodes).
 */
import { fail, pass, skip, warn, type Finding } from '../finding.js';
import type { TrustStatement } from '../trust/policy.js';
import { ENV, POD_IDENTITY, envOf, type AssociationFacts, type EksPodFacts } from './facts.js';

const covers = (actions: readonly string[] | undefined, want: string) =>
  (actions ?? []).some((a) => a === '*' || a.toLowerCase() === want.toLowerCase() || (a.endsWith('*') && want.toLowerCase().startsWith(a.slice(0, -1).toLowerCase())));

/** EKS_POD_IDENTITY_TRUST: an Allow for Service pods.eks.amazonaws.com with both actions. */
export function checkPodIdentityTrust(statements: readonly TrustStatement[], roleArn: string): Finding {
  const allows = statements.filter((s) => s.effect === 'Allow' && s.principal !== undefined && (s.principal === '*' || (s.principal.Service ?? []).includes(POD_IDENTITY.principal)));
  const missing = ['sts:AssumeRole', 'sts:TagSession'].filter((a) => !allows.some((s) => covers(s.action, a)));
  const evidence = { role_arn: roleArn, statements: allows.map((s) => s.index), missing_actions: missing };
  const policy = `{"Effect":"Allow","Principal":{"Service":"${POD_IDENTITY.principal}"},"Action":["sts:AssumeRole","sts:TagSession"]}`;
  if (!allows.length) {
    return fail('EKS_POD_IDENTITY_TRUST', {
      title: `The trust policy of ${roleArn} does not name ${POD_IDENTITY.principal}`,
      detail: 'Pod Identity assumes the role as the EKS service principal, not through an OIDC provider: a web-identity (IRSA) trust policy does not work for it.',
      evidence,
      fix: `Add the statement ${policy} (aws iam update-assume-role-policy).`,
    });
  }
  if (missing.length) {
    return fail('EKS_POD_IDENTITY_TRUST', {
      title: `The trust policy allows ${POD_IDENTITY.principal} but not ${missing.join(' and ')}`,
      detail: 'Pod Identity needs both sts:AssumeRole and sts:TagSession (it tags every session with the cluster, namespace and service account).',
      evidence,
      fix: `Use the statement ${policy}.`,
    });
  }
  return pass('EKS_POD_IDENTITY_TRUST', { title: `${POD_IDENTITY.principal} may assume ${roleArn} and tag the session`, evidence });
}

/** EKS_POD_IDENTITY_ASSOCIATION_MISSING: ListPodIdentityAssociations for namespace + service account. */
export function checkAssociation(associations: readonly AssociationFacts[], cluster: string, namespace: string, serviceAccount: string): Finding {
  const evidence = { cluster, namespace, service_account: serviceAccount, associations: associations.map((a) => ({ id: a.associationId, role_arn: a.roleArn ?? null, target_role_arn: a.targetRoleArn ?? null })) };
  if (!associations.length) {
    return fail('EKS_POD_IDENTITY_ASSOCIATION_MISSING', {
      title: `No Pod Identity association for ${namespace}/${serviceAccount} in cluster ${cluster}`,
      detail: 'The agent finds the role by the pod\'s namespace and service account; without an association it has no role to hand out.',
      evidence,
      fix: `aws eks create-pod-identity-association --cluster-name ${cluster} --namespace ${namespace} --service-account ${serviceAccount} --role-arn <role-arn>, then recreate the pod.`,
    });
  }
  return pass('EKS_POD_IDENTITY_ASSOCIATION_MISSING', { title: `Association ${associations[0]!.associationId} maps ${namespace}/${serviceAccount} to ${associations[0]!.roleArn ?? '?'}`, evidence });
}

/** EKS_POD_IDENTITY_AGENT: the pod was injected (env), and the agent DaemonSet has pods. */
export function checkAgent(pod: EksPodFacts, agentPods: number | undefined): Finding[] {
  const app = pod.containers.filter((c) => !c.init);
  const uris = app.map((c) => envOf(c, ENV.fullUri)?.value).filter((v): v is string => v !== undefined);
  const evidence = { pod: `${pod.namespace}/${pod.name}`, full_uri: uris[0] ?? null, agent_pods: agentPods ?? null };
  const out: Finding[] = [];
  if (!uris.length) {
    out.push(fail('EKS_POD_IDENTITY_AGENT', {
      title: `Pod ${pod.namespace}/${pod.name} has no ${ENV.fullUri}: recreate the pod`,
      detail: `An association exists, but the pod was created before it (or while the webhook was unavailable): the webhook injects ${ENV.fullUri} and ${ENV.authTokenFile} only when a pod is created. Without them the SDK falls back to the node role.`,
      evidence,
      fix: `kubectl rollout restart deployment/<name> -n ${pod.namespace}`,
    }));
  } else if (uris.some((u) => !u.includes(POD_IDENTITY.agentAddress))) {
    out.push(warn('EKS_POD_IDENTITY_AGENT', { title: `${ENV.fullUri} does not point at the agent (${POD_IDENTITY.agentAddress})`, detail: `It is ${uris.join(', ')}; the EKS agent listens on ${POD_IDENTITY.fullUri}.`, evidence, fix: `Remove the hand-set ${ENV.fullUri} from the pod spec and recreate the pod.` }));
  }
  if (agentPods === undefined) {
    out.push(skip('EKS_POD_IDENTITY_AGENT', { title: 'The Pod Identity agent pods were not listed', evidence }));
  } else if (agentPods === 0) {
    out.push(fail('EKS_POD_IDENTITY_AGENT', {
      title: 'The EKS Pod Identity agent is not running (no eks-pod-identity-agent pods in kube-system)',
      detail: `Nothing answers on ${POD_IDENTITY.agentAddress}, so the SDK's container provider fails to get credentials.`,
      evidence,
      fix: 'aws eks create-addon --cluster-name <cluster> --addon-name eks-pod-identity-agent',
    }));
  } else if (!out.length) {
    out.push(pass('EKS_POD_IDENTITY_AGENT', { title: `The pod points at the agent; ${agentPods} agent pod(s) run`, evidence }));
  }
  return out;
}

/** EKS_POD_IDENTITY_UNSUPPORTED: Fargate (node name `fargate-…` or the fargate-profile label) and Windows nodes. */
export function checkPlatform(pod: EksPodFacts): Finding {
  const fargate = (pod.nodeName ?? '').startsWith('fargate-') || 'eks.amazonaws.com/fargate-profile' in pod.labels;
  const windows = pod.nodeSelector['kubernetes.io/os'] === 'windows';
  const evidence = { node: pod.nodeName ?? null, fargate, windows };
  if (!fargate && !windows) return pass('EKS_POD_IDENTITY_UNSUPPORTED', { title: 'The pod is not on Fargate or a Windows node', evidence });
  return fail('EKS_POD_IDENTITY_UNSUPPORTED', {
    title: `EKS Pod Identity does not work on ${fargate ? 'Fargate' : 'Windows nodes'}`,
    detail: 'The Pod Identity agent runs as a DaemonSet on Linux EC2 nodes; Fargate and Windows pods cannot reach it.',
    evidence,
    fix: 'Use IRSA for this pod (annotate the service account with eks.amazonaws.com/role-arn and trust the cluster\'s OIDC provider).',
  });
}

/**
 * EKS_POD_IDENTITY_NODE_ROLE: the agent calls eks-auth:AssumeRoleForPodIdentity with the node's
 * role (the managed AmazonEKSWorkerNodePolicy includes it). Reading the node role's policies
 * needs IAM reads this tool does not make, so this is stated, not verified.
 */
export function nodeRoleNote(): Finding {
  return skip('EKS_POD_IDENTITY_NODE_ROLE', {
    title: 'Not checked: the node role must allow eks-auth:AssumeRoleForPodIdentity',
    detail: 'The agent exchanges the pod token using the NODE\'s role. If it lacks the permission, the agent logs AccessDenied and the pod gets no credentials.',
    evidence: {},
    fix: 'Attach AmazonEKSWorkerNodePolicy (or allow eks-auth:AssumeRoleForPodIdentity) on the node role; check the agent\'s logs: kubectl logs -n kube-system -l app.kubernetes.io/name=eks-pod-identity-agent',
  });
}
