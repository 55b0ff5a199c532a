/**
 * IRSA (IAM roles for service accounts): the ServiceAccount annotation, the pod mutation the
 * webhook makes at creation, the cluster issuer vs the IAM provider, reading the token as a
 * non-root user, and the projected token's age vs the kubelet's refresh.
 */
import { fail, pass, skip, warn, type Finding } from '../finding.js';
import { matchProvider, type ProviderFacts } from '../web-identity/provider.js';
import { accountOfArn } from '../arn.js';
import { ENV, IRSA, envOf, type EksPodFacts, type ServiceAccountFacts, type WebhookFacts } from './facts.js';

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** EKS_IRSA_ANNOTATION_INVALID: role-arn well-formed; audience and token-expiration usable. */
export function checkIrsaAnnotation(sa: ServiceAccountFacts): Finding[] {
  const roleArn = sa.annotations[IRSA.roleArnAnnotation];
  const evidence = { service_account: `${sa.namespace}/${sa.name}`, role_arn: roleArn ?? null };
  if (roleArn === undefined) return [skip('EKS_IRSA_ANNOTATION_INVALID', { title: `ServiceAccount ${sa.namespace}/${sa.name} has no ${IRSA.roleArnAnnotation} annotation`, evidence })];
  const out: Finding[] = [];
  const trimmed = roleArn.trim();
  if (!ROLE_ARN.test(trimmed) || trimmed !== roleArn) {
    out.push(fail('EKS_IRSA_ANNOTATION_INVALID', {
      title: `The ${IRSA.roleArnAnnotation} annotation is not a role ARN`,
      detail: `"${roleArn.slice(0, 200)}" is not arn:aws:iam::<12-digit account>:role/<name>${trimmed !== roleArn ? ' (it has leading or trailing whitespace)' : ''}. The webhook copies it into AWS_ROLE_ARN as is, and STS rejects the call.`,
      evidence,
      fix: `kubectl annotate serviceaccount ${sa.name} -n ${sa.namespace} --overwrite ${IRSA.roleArnAnnotation}=arn:aws:iam::<account>:role/<role>, then recreate the pods.`,
    }));
  }
  const aud = sa.annotations[IRSA.audienceAnnotation];
  if (aud !== undefined && aud !== IRSA.defaultAudience) {
    out.push(warn('EKS_IRSA_ANNOTATION_INVALID', {
      title: `The token audience is overridden to "${aud.slice(0, 100)}"`,
      detail: `${IRSA.audienceAnnotation} replaces the default ${IRSA.defaultAudience}. The IAM provider's client id list and the trust policy's :aud condition must then hold "${aud.slice(0, 100)}", or STS answers "Incorrect token audience".`,
      evidence: { ...evidence, audience: aud },
      fix: `Remove the annotation (default ${IRSA.defaultAudience}) or add the audience to the provider: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn <arn> --client-id ${aud.slice(0, 100)}`,
    }));
  }
  const exp = sa.annotations[IRSA.tokenExpirationAnnotation];
  if (exp !== undefined) {
    const n = /^\d+$/.test(exp.trim()) ? Number(exp) : NaN;
    // pkg/constants.go: 600 s (kube-apiserver minimum) … 86400 s; an unparsable value falls back to the default (handler.go).
    if (!(n >= IRSA.minExpiration && n <= IRSA.maxExpiration)) {
      out.push(warn('EKS_IRSA_ANNOTATION_INVALID', {
        title: `${IRSA.tokenExpirationAnnotation} "${exp.slice(0, 40)}" is outside ${IRSA.minExpiration}–${IRSA.maxExpiration} s`,
        detail: Number.isNaN(n) ? `The webhook cannot parse it and uses its default (${IRSA.defaultExpiration} s).` : `The webhook clamps the projected token's lifetime to ${IRSA.minExpiration}–${IRSA.maxExpiration} s.`,
        evidence: { ...evidence, token_expiration: exp },
        fix: `Use a number of seconds between ${IRSA.minExpiration} and ${IRSA.maxExpiration}, or remove the annotation.`,
      }));
    }
  }
  if (!out.some((f) => f.status === 'fail')) out.unshift(pass('EKS_IRSA_ANNOTATION_INVALID', { title: `ServiceAccount ${sa.namespace}/${sa.name} names role ${trimmed}`, evidence }));
  return out;
}

/**
 * EKS_IRSA_POD_NOT_MUTATED and EKS_WEBHOOK_FAILURE_IGNORED. The webhook mutates a pod only
 * when it is created (a MutatingWebhookConfiguration on pod CREATE), so a pod created before
 * the annotation was added — or while the webhook was unavailable under `failurePolicy:
 * Ignore` (Kubernetes docs, "Dynamic Admission Control": Ignore means the error is ignored
 * and the request is allowed) — keeps running without the role.
 */
export function checkIrsaMutation(pod: EksPodFacts, sa: ServiceAccountFacts | undefined, webhooks: readonly WebhookFacts[] | undefined): Finding[] {
  const roleArn = sa?.annotations[IRSA.roleArnAnnotation];
  const where = `${pod.namespace}/${pod.name}`;
  const skipList = (pod.annotations[IRSA.skipContainersAnnotation] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const app = pod.containers.filter((c) => !c.init && !skipList.includes(c.name));
  const volume = pod.projectedTokens.find((t) => t.volume === IRSA.volumeName);
  const missing = app.flatMap((c) => [ENV.roleArn, ENV.tokenFile].filter((n) => !envOf(c, n)).map((n) => `${c.name}: ${n}`));
  if (!volume) missing.push(`volume ${IRSA.volumeName}`);
  const stale = app.map((c) => envOf(c, ENV.roleArn)?.value).filter((v): v is string => v !== undefined && roleArn !== undefined && v !== roleArn);
  const evidence = { pod: where, created: pod.createdAt ?? null, role_arn_annotation: roleArn ?? null, missing, pod_role_arn: stale[0] ?? null };
  const out: Finding[] = [];
  const ignoring = (webhooks ?? []).filter((w) => w.failurePolicy === 'Ignore');
  if (!roleArn) return [skip('EKS_IRSA_POD_NOT_MUTATED', { title: 'No IRSA annotation, so no mutation is expected', evidence })];
  if (missing.length) {
    out.push(fail('EKS_IRSA_POD_NOT_MUTATED', {
      title: `Pod ${where} was not mutated for IRSA: recreate the pod`,
      detail: `The ServiceAccount names ${roleArn}, but the pod lacks ${missing.join(', ')}. The webhook changes pods only when they are created${pod.createdAt ? ` (this one was created ${pod.createdAt})` : ''}: a pod started before the annotation was added${ignoring.length ? ', or while the webhook was unavailable (its failurePolicy is Ignore)' : ''} keeps running without the role — the SDK then falls back to the node's role.`,
      evidence,
      fix: `kubectl rollout restart deployment/<name> -n ${pod.namespace} (or delete the pod so it is recreated); check again that ${ENV.tokenFile} appears in its env.`,
    }));
  } else if (stale.length) {
    out.push(fail('EKS_IRSA_POD_NOT_MUTATED', {
      title: `Pod ${where} still carries an older role ARN: recreate the pod`,
      detail: `The pod's ${ENV.roleArn} is ${stale[0]} but the ServiceAccount now names ${roleArn}. The value is copied at pod creation and never updated.`,
      evidence,
      fix: `kubectl rollout restart deployment/<name> -n ${pod.namespace}`,
    }));
  } else {
    out.push(pass('EKS_IRSA_POD_NOT_MUTATED', { title: `Pod ${where} has the IRSA token volume and env`, evidence: { ...evidence, audience: volume?.audience ?? null, expiration_seconds: volume?.expirationSeconds ?? null } }));
  }
  if (webhooks === undefined) {
    out.push(skip('EKS_WEBHOOK_FAILURE_IGNORED', { title: 'The mutating webhook configurations were not read', evidence: {} }));
  } else if (ignoring.length) {
    const names = ignoring.map((w) => `${w.configuration}/${w.name}`);
    out.push(warn('EKS_WEBHOOK_FAILURE_IGNORED', {
      title: `The pod identity webhook has failurePolicy: Ignore (${names.join(', ')})`,
      detail: 'When the webhook cannot be reached, the API server creates the pod unmutated and reports nothing; the pod then runs without IRSA (Kubernetes "Dynamic Admission Control": failurePolicy Ignore). Recreating the pod once the webhook is healthy fixes it.',
      evidence: { webhooks: names },
      fix: `Recreate pods that lack ${ENV.tokenFile}; on a self-managed webhook check its pods and logs.`,
    }));
  } else {
    out.push(pass('EKS_WEBHOOK_FAILURE_IGNORED', { title: webhooks.length ? 'The pod identity webhook fails closed' : 'No pod identity webhook configuration is visible (EKS runs it in the control plane)', evidence: { webhooks: webhooks.map((w) => `${w.configuration}/${w.name}:${w.failurePolicy ?? '-'}`) } }));
  }
  return out;
}

/**
 * EKS_CLUSTER_ISSUER_NO_PROVIDER: STS looks up the provider by the token's iss in the ROLE's
 * account. A recreated cluster gets a new OIDC id, so the old provider no longer matches.
 */
export function checkClusterProvider(clusterIssuer: string | undefined, providers: readonly ProviderFacts[], roleArn: string | undefined, cluster: string): Finding {
  if (!clusterIssuer) {
    return fail('EKS_CLUSTER_ISSUER_NO_PROVIDER', { title: `Cluster ${cluster} has no OIDC issuer`, detail: 'eks:DescribeCluster returned no identity.oidc.issuer.', evidence: { cluster }, fix: `aws eks describe-cluster --name ${cluster} --query cluster.identity.oidc.issuer` });
  }
  const m = matchProvider(clusterIssuer, providers);
  const roleAccount = accountOfArn(roleArn);
  const evidence = { cluster, issuer: clusterIssuer, wanted_url: m.wanted, providers: providers.length, near_misses: m.nearMisses, role_account: roleAccount ?? null };
  const fix = `eksctl utils associate-iam-oidc-provider --cluster ${cluster} --approve (or aws iam create-open-id-connect-provider --url ${clusterIssuer} --client-id-list sts.amazonaws.com)${roleAccount ? ` in account ${roleAccount}` : ''}; then point the role's trust policy at the new provider ARN and :sub/:aud condition keys.`;
  if (!m.match) {
    return fail('EKS_CLUSTER_ISSUER_NO_PROVIDER', {
      title: `No IAM OIDC provider for cluster ${cluster}'s issuer`,
      detail: `The cluster signs tokens with iss ${clusterIssuer}; no provider URL equals ${m.wanted}${m.nearMisses.length ? ` (other EKS providers: ${m.nearMisses.map((n) => n.url).join(', ')} — a recreated cluster gets a new OIDC id)` : ''}. STS answers "No OpenIDConnect provider found in your account for ${clusterIssuer}".`,
      evidence,
      fix,
    });
  }
  const providerAccount = accountOfArn(m.match.arn);
  if (roleAccount && providerAccount && roleAccount !== providerAccount) {
    return fail('EKS_CLUSTER_ISSUER_NO_PROVIDER', {
      title: `The provider is in account ${providerAccount}, the role in ${roleAccount}`,
      detail: 'STS looks for the OIDC provider in the account of the role being assumed; a provider in another account is not used.',
      evidence: { ...evidence, provider_arn: m.match.arn },
      fix,
    });
  }
  return pass('EKS_CLUSTER_ISSUER_NO_PROVIDER', { title: `IAM provider ${m.match.arn} matches the cluster's issuer`, evidence: { ...evidence, provider_arn: m.match.arn } });
}

/**
 * EKS_TOKEN_UNREADABLE: the webhook's README ("Usage with non-root container user") says a
 * non-root container needs `fsGroup` in the pod securityContext to read the token file.
 * Newer Kubernetes versions set projected token file permissions for the container's user,
 * so this is a warning, not a root cause (assumption: the cluster version is not known here).
 */
export function checkTokenReadable(pod: EksPodFacts, volumeName: string): Finding {
  const users = pod.containers.filter((c) => !c.init && c.volumeMounts.includes(volumeName)).map((c) => ({ name: c.name, uid: c.runAsUser ?? pod.runAsUser, nonRoot: c.runAsNonRoot ?? pod.runAsNonRoot }));
  const nonRoot = users.filter((u) => (u.uid !== undefined && u.uid !== 0) || (u.uid === undefined && u.nonRoot === true));
  const evidence = { fs_group: pod.fsGroup ?? null, non_root_containers: nonRoot.map((u) => `${u.name}${u.uid !== undefined ? ` (uid ${u.uid})` : ''}`) };
  if (!nonRoot.length || pod.fsGroup !== undefined) return pass('EKS_TOKEN_UNREADABLE', { title: nonRoot.length ? `fsGroup ${pod.fsGroup} lets non-root containers read the token` : 'The token readers run as root (or the user is set by the image)', evidence });
  return warn('EKS_TOKEN_UNREADABLE', {
    title: `Non-root containers without fsGroup may not read the token (${evidence.non_root_containers.join(', ')})`,
    detail: 'The pod identity webhook\'s documentation asks for securityContext.fsGroup when a container runs as a non-root user, so the projected token file is readable. Symptom: the SDK reports it cannot read the web identity token file, and credentials come from elsewhere or not at all. (Recent Kubernetes releases may set the file\'s owner for the container user; the cluster version was not checked.)',
    evidence,
    fix: 'Add spec.securityContext.fsGroup (e.g. 65534, or the container user\'s group) to the pod template, then roll it out.',
  });
}

/**
 * EKS_TOKEN_STALE: the kubelet refreshes a projected service-account token once it is older
 * than 80 % of its TTL or 24 hours (Kubernetes docs, "Configure Service Accounts for Pods",
 * service account token volume projection). A token older than that is a copy the client
 * kept instead of re-reading the file. Times in epoch seconds.
 */
export function checkTokenAge(claims: { iat?: unknown; exp?: unknown }, now: Date, slackSeconds = 300): Finding {
  const iat = typeof claims.iat === 'number' ? claims.iat : undefined;
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  if (iat === undefined || exp === undefined || exp <= iat) return skip('EKS_TOKEN_STALE', { title: 'The token has no usable iat/exp, so its age was not judged', evidence: { iat: iat ?? null, exp: exp ?? null } });
  const nowS = Math.floor(now.getTime() / 1000);
  const age = nowS - iat;
  const ttl = exp - iat;
  const refreshAt = Math.min(0.8 * ttl, 24 * 3600);
  const evidence = { age_seconds: age, ttl_seconds: ttl, refresh_after_seconds: Math.round(refreshAt), expired: nowS > exp };
  if (age <= refreshAt + slackSeconds) return pass('EKS_TOKEN_STALE', { title: `The token is ${Math.round(age / 60)} min old; the kubelet refreshes it after ${Math.round(refreshAt / 60)} min`, evidence });
  return fail('EKS_TOKEN_STALE', {
    title: `The token is ${Math.round(age / 60)} min old, past the kubelet's refresh point (${Math.round(refreshAt / 60)} min)${nowS > exp ? ' and expired' : ''}`,
    detail: 'The kubelet rewrites the projected token file once it is older than 80 % of its lifetime or 24 hours. A token this old was read once and kept: the client caches it instead of re-reading the file (AWS SDKs re-read AWS_WEB_IDENTITY_TOKEN_FILE on every refresh; old SDK versions and hand-written code may not).',
    evidence,
    fix: 'Upgrade the AWS SDK (IRSA support needs a minimum SDK version per language) or re-read the token file before each AssumeRoleWithWebIdentity call.',
  });
}
