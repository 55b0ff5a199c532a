/**
 * A web-identity trust policy judged for one token, in one call: the IAM evaluation for
 * sts:AssumeRoleWithWebIdentity (request context from presets/condition-keys.ts), the session
 * tags rule, and the lint warnings. The decision STS acts on is `decision`: a token carrying
 * session tags also needs sts:TagSession.
 *
 * Session tags: IAM User Guide, "Passing session tags in AWS STS" → "Passing session tags using
 * AssumeRoleWithWebIdentity": the IdP puts tags in the `https://aws.amazon.com/tags` claim, and
 * the role's trust policy must also allow `sts:TagSession`.
 */
import { fail, pass, skip, type Finding } from '../finding.js';
import { webIdentityRequest } from './context.js';
import { evaluateTrust, type TrustDecision, type TrustEvaluation } from './evaluate.js';
import { trustFindings } from './findings.js';
import { isUnsupportedKey, lintTrust } from './lint.js';
import type { TrustStatement } from './policy.js';

export const SESSION_TAGS_CLAIM = 'https://aws.amazon.com/tags';
export const TAG_SESSION_ACTION = 'sts:TagSession';

export interface WebIdentityTrustInput {
  providerArn: string;
  providerUrl: string;
  claims: Record<string, unknown>;
  role?: { name?: string | undefined; tags?: Record<string, string> | undefined } | undefined;
}

export interface WebIdentityTrust {
  ev: TrustEvaluation;
  /** What STS acts on: the AssumeRoleWithWebIdentity decision, denied when tags need sts:TagSession and it is not allowed. */
  decision: TrustDecision;
  findings: Finding[];
}

function tagSessionFinding(statements: readonly TrustStatement[], input: WebIdentityTrustInput, assume: TrustEvaluation): { finding: Finding; denied: boolean } {
  if (input.claims[SESSION_TAGS_CLAIM] === undefined) return { finding: skip('TRUST_TAG_SESSION_MISSING', { title: 'The token carries no session tags' }), denied: false };
  const req = webIdentityRequest(input.providerArn, input.providerUrl, input.claims);
  const tag = evaluateTrust(statements, { ...req, action: TAG_SESSION_ACTION });
  if (tag.decision === 'allow' || assume.decision !== 'allow') {
    return { finding: tag.decision === 'allow' ? pass('TRUST_TAG_SESSION_MISSING', { title: 'The token carries session tags and the trust policy allows sts:TagSession' }) : skip('TRUST_TAG_SESSION_MISSING', { title: 'Session tags not judged: the trust policy already denies AssumeRoleWithWebIdentity' }), denied: false };
  }
  return {
    denied: true,
    finding: fail('TRUST_TAG_SESSION_MISSING', {
      title: `The token carries session tags (${SESSION_TAGS_CLAIM}) but the trust policy does not allow ${TAG_SESSION_ACTION}`,
      detail: `AssumeRoleWithWebIdentity with session tags needs both sts:AssumeRoleWithWebIdentity and sts:TagSession in the role's trust policy (IAM User Guide, "Passing session tags in AWS STS"); without it STS answers AccessDenied. sts:TagSession decision: ${tag.decision}.`,
      evidence: { tag_session_decision: tag.decision },
      fix: `Add "${TAG_SESSION_ACTION}" to the Action list of the statement that allows sts:AssumeRoleWithWebIdentity for this provider (or stop the IdP from adding the ${SESSION_TAGS_CLAIM} claim).`,
    }),
  };
}

export function judgeWebIdentityTrust(statements: readonly TrustStatement[], input: WebIdentityTrustInput): WebIdentityTrust {
  const ev = evaluateTrust(statements, webIdentityRequest(input.providerArn, input.providerUrl, input.claims));
  const subject = { providerArn: input.providerArn, providerUrl: input.providerUrl };
  const unsupported = (key: string) => isUnsupportedKey({ key }, input.providerUrl);
  const tags = tagSessionFinding(statements, input, ev);
  const findings = [...trustFindings(ev, subject, unsupported), ...lintTrust(ev, { providerUrl: input.providerUrl, claims: input.claims, role: input.role }), tags.finding];
  return { ev, decision: tags.denied ? 'implicit_deny' : ev.decision, findings };
}
