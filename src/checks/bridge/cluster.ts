/**
 * The cluster side: could kubectl reach the API server (CLUSTER_UNREACHABLE, from a source
 * failure given as plain data), and is the API server's issuer the public issuer URL
 * (CLUSTER_ISSUER_MISMATCH)?
 */
import type { SourceFailure } from '../source-failure.js';
import { error, fail, pass, skip, type Finding } from '../finding.js';
import { describeDifference } from '../token/difference.js';

const REASONS: Record<string, { what: string; fix: string }> = {
  missing: { what: 'kubectl is not installed or not on PATH', fix: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/) or set JWT_TRIAGE_KUBECTL to its path.' },
  unauthorized: { what: 'the API server rejected the credentials (401 Unauthorized)', fix: 'Refresh the credentials of the kubeconfig user (e.g. aws eks update-kubeconfig, or log in again), then retry: kubectl get --raw /openid/v1/jwks' },
  forbidden: { what: 'the user may not read this (403 Forbidden)', fix: 'Grant the user get on the needed resource (for discovery: the system:service-account-issuer-discovery ClusterRole).' },
  unreachable: { what: 'the API server could not be reached', fix: 'Check the kubeconfig server address, VPN/tailnet and firewall: kubectl cluster-info' },
  timeout: { what: 'kubectl timed out', fix: 'Check the network path to the API server: kubectl cluster-info --request-timeout=10s' },
  tls: { what: 'TLS with the API server failed', fix: 'Check the kubeconfig certificate-authority data matches the API server certificate.' },
  config: { what: 'the kubeconfig or context is not usable', fix: 'Check the path and context: kubectl config get-contexts --kubeconfig <file>' },
  not_found: { what: 'the API server does not serve this path or object', fix: 'Check the name and namespace; discovery needs Kubernetes ≥ 1.21 (ServiceAccountIssuerDiscovery).' },
  other: { what: 'kubectl failed', fix: 'Run the same kubectl command by hand to see the full error.' },
};

/** Which way kubectl failed, from a source failure. */
export function clusterReason(e: SourceFailure): string {
  if (e.code === 'SOURCE_KUBECTL_MISSING') return 'missing';
  if (e.code === 'SOURCE_TIMEOUT') return 'timeout';
  const r = String(e.facts?.reason ?? 'other');
  return r in REASONS ? r : 'other';
}

export function clusterUnreachable(e: SourceFailure, what: string): Finding {
  const reason = clusterReason(e);
  const r = REASONS[reason]!;
  return error('CLUSTER_UNREACHABLE', {
    title: `${what}: ${r.what}`,
    detail: e.message,
    evidence: { reason, cause: e.code, ...(e.facts?.exit_code !== undefined ? { exit_code: e.facts.exit_code } : {}) },
    fix: r.fix,
  });
}

export function clusterReached(what: string, elapsedMs: number): Finding {
  return pass('CLUSTER_UNREACHABLE', { title: `kubectl reached the cluster (${what})`, evidence: { elapsed_ms: elapsedMs } });
}

/** The API server's issuer (cluster discovery `issuer`) against the public issuer URL. */
export function checkClusterIssuer(clusterIssuer: string | undefined, expected: { issuer: string; from: string } | undefined): Finding {
  if (!expected) return skip('CLUSTER_ISSUER_MISMATCH', { title: 'No public issuer to compare the cluster issuer with', evidence: { cluster_issuer: clusterIssuer } });
  if (clusterIssuer === undefined) return skip('CLUSTER_ISSUER_MISMATCH', { title: 'The cluster discovery document has no issuer' });
  const diff = describeDifference(clusterIssuer, expected.issuer);
  const evidence = { cluster_issuer: clusterIssuer, expected_issuer: expected.issuer, expected_from: expected.from };
  if (!diff) return pass('CLUSTER_ISSUER_MISMATCH', { title: `The API server's issuer equals the ${expected.from}`, evidence });
  return fail('CLUSTER_ISSUER_MISMATCH', {
    title: `The API server's issuer is not the ${expected.from}`,
    detail: `Cluster issuer "${clusterIssuer}" vs ${expected.from} "${expected.issuer}": ${diff.text}. Service-account tokens carry the cluster's issuer as iss; the bridge never rewrites it, so STS looks for a provider with the cluster's issuer.`,
    evidence: { ...evidence, difference: diff.kind },
    fix: `Start the API server with --service-account-issuer=${expected.issuer} and --api-audiences including sts.amazonaws.com (keep the old issuer as a second --service-account-issuer during the switch).`,
  });
}
