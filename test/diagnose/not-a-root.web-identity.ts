/**
 * Finding codes of the web-identity / github-actions area that `diagnose_rejection` can never
 * name as root cause, each with why (read by test/diagnose/coverage.test.ts next to the world
 * suites' `names CODE` titles). A code a real-backend world can produce as root is NOT here:
 * it has its world in ./worlds-web-identity.test.ts (or an older suite).
 */
export const NOT_A_ROOT: Readonly<Record<string, string>> = {
  // Warn-only judgements: the diagnosis ranks failures only, so these are listed, never the root.
  REACHABILITY_TAILNET_ONLY: 'Warn only (success through the tailnet proves nothing for AWS); a world also needs an issuer host resolving into 100.64.0.0/10, which this machine has no interface for.',
  DISCOVERY_REDIRECTED: 'Warn only: an off-host redirect may or may not be followed by STS, so it is never claimed as the cause.',
  TRUST_FORALLVALUES_SINGLE_VALUED: 'Warn only: ForAllValues on a single-valued key matches an absent key, which widens access instead of denying it.',
  TRUST_SUB_UNCONSTRAINED: 'Warn only: a missing :sub condition lets more subjects in; it never causes a rejection.',
  TRUST_WILDCARD_PRODUCTION: 'Warn only: a broad sub wildcard on a production role is a security risk, not a rejection.',
  EKS_WEBHOOK_FAILURE_IGNORED: 'Warn only: failurePolicy Ignore explains how a pod went unmutated; the root is EKS_IRSA_POD_NOT_MUTATED.',
  EKS_TOKEN_UNREADABLE: 'Warn only: recent Kubernetes sets the projected token\'s owner for the container user, and the cluster version is not read.',
  // Skip / error only.
  EKS_POD_IDENTITY_NODE_ROLE: 'Skip only: the node role\'s policies are not read (no IAM read of the node role), so it is stated, never judged.',
  CLUSTER_UNREACHABLE: 'Error only (could not check): kubectl failing says nothing about STS; the world in worlds-web-identity asserts it is reported as error with root null (exit 3).',
  // Produced by single-purpose tools only; the diagnosis does not gather these facts.
  CLOUDTRAIL_STS_FAILURES: 'Tool-only: find_sts_failures reads CloudTrail; diagnose_rejection predicts STS\'s answer instead of reading past events.',
  CLOUDTRAIL_NO_EVENTS: 'Tool-only: find_sts_failures; the diagnosis does not read CloudTrail.',
  STS_PROBE: 'Tool-only: probe_assume_role (opt-in live AssumeRoleWithWebIdentity); the diagnosis never calls STS.',
  STS_ERROR_EXPLAINED: 'Tool-only: explain_sts_error classifies an error message the user pastes; the diagnosis takes no error text.',
  JWKS_SETS_DIFFER: 'Tool-only: compare_jwks; the diagnosis keeps only JWKS_PUBLIC_CLUSTER_DRIFT from the cluster/public comparison.',
};
