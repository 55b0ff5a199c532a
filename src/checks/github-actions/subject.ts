/**
 * GITHUB_SUB_FORM_MISMATCH: when the trust policy's `:sub` conditions do not match a GitHub
 * Actions token, say why in GitHub's terms — the job's context (environment → pull_request →
 * ref precedence), a customization template, the immutable `OWNER@ID/REPO@ID` form, case, a
 * `*` under StringEquals, an unescaped `:` — and give the narrowest condition matching this
 * token. The shared trust engine decides; this only explains its sub verdicts.
 */
import { describeContext, escapeSubValue, IMMUTABLE_SUB_SINCE, parseGithubSub, type ParsedSub } from '../../presets/github-actions.js';
import { fail, pass, skip, type Finding } from '../finding.js';
import type { TrustEvaluation } from '../trust/evaluate.js';

interface PolicySub {
  statement: number;
  operator: string;
  value: string;
}

function policySubs(ev: TrustEvaluation): { subs: PolicySub[]; matched: boolean } {
  const reached = ev.statements.filter((s) => s.effect === 'Allow' && s.principal.result === true && s.action.result === true);
  const conds = reached.flatMap((s) => s.conditions.filter((c) => /:sub$/i.test(c.key)).map((c) => ({ s, c })));
  return {
    subs: conds.flatMap(({ s, c }) => c.policy_values.map((value) => ({ statement: s.index, operator: c.operator, value }))),
    matched: conds.length > 0 && conds.some(({ c }) => c.result === true),
  };
}

/** Why one policy value does not match the token's sub, in GitHub's terms. */
function reason(tokenSub: string, token: ParsedSub, p: PolicySub): string {
  const want = parseGithubSub(p.value);
  const like = /Like/i.test(p.operator);
  if (!like && p.value.includes('*')) return `"${p.value}" uses * under ${p.operator}, where it is a literal star; use StringLike`;
  if (p.value.toLowerCase() === tokenSub.toLowerCase()) return `"${p.value}" differs only in case; IAM compares owner and repository names case-sensitively (StringEquals), write them as the token has them`;
  if (!token.standard) return `this repository uses a custom sub template (include_claim_keys), so its sub is "${tokenSub}", not the default repo:OWNER/REPO:… form "${p.value}" expects`;
  if (token.immutable && want.standard && !want.immutable) return `this repository uses the immutable sub form (repositories created, renamed or transferred on GitHub.com from ${IMMUTABLE_SUB_SINCE}): "${tokenSub}" carries owner and repository IDs, and a names-based value such as "${p.value}" no longer matches`;
  if (want.standard && want.owner && token.owner && (want.owner !== token.owner || want.repo !== token.repo) && !want.owner.includes('*') && !(want.repo ?? '').includes('*')) {
    return `"${p.value}" names repository ${want.owner}/${want.repo}; this token is from ${token.owner}/${token.repo}`;
  }
  if (want.standard && want.context && token.context && want.context.kind !== token.context.kind && want.context.kind !== 'other') {
    const expects = want.context.kind === 'environment' ? `an environment (${want.context.environment})` : want.context.kind === 'pull_request' ? 'a pull_request event' : `a ref (${want.context.ref})`;
    const why = token.context.kind === 'environment' ? ' (a job that references an environment always gets the environment form, whatever its branch)' : '';
    return `this job runs in ${describeContext(token)}${why}, so its sub is "${tokenSub}"; your policy expects ${expects}`;
  }
  if (token.context?.kind === 'environment' && p.value.includes(`environment:${token.context.environment.replace(/%3A/g, ':')}`) && token.context.environment.includes('%3A')) {
    return `the environment name contains ":", which GitHub writes as %3A in the sub ("${escapeSubValue(token.context.environment)}")`;
  }
  return `this job runs in ${describeContext(token)}, so its sub is "${tokenSub}"; the policy value "${p.value}" is different`;
}

export function checkGithubSub(claims: Record<string, unknown>, ev: TrustEvaluation | undefined, providerUrl: string): Finding {
  const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
  if (!ev || !sub) return skip('GITHUB_SUB_FORM_MISMATCH', { title: ev ? 'The token has no sub' : 'The trust policy was not evaluated' });
  const { subs, matched } = policySubs(ev);
  const narrow = `"StringEquals": {"${providerUrl}:sub": ${JSON.stringify(sub)}}`;
  const token = parseGithubSub(sub);
  if (!subs.length) return skip('GITHUB_SUB_FORM_MISMATCH', { title: 'The trust policy has no :sub condition for this provider', evidence: { sub } });
  if (matched || ev.decision === 'allow') return pass('GITHUB_SUB_FORM_MISMATCH', { title: `The policy's :sub condition matches this job (${describeContext(token)})`, evidence: { sub } });
  const reasons = subs.map((p) => `statement ${p.statement} ${p.operator} "${p.value}": ${reason(sub, token, p)}`);
  return fail('GITHUB_SUB_FORM_MISMATCH', {
    title: `This job's sub is "${sub}" (${describeContext(token)}); the trust policy expects something else`,
    detail: `${reasons.join('; ')}. STS answers "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity".`,
    evidence: { sub, immutable: token.immutable, standard_template: token.standard, context: token.context?.kind ?? 'custom', policy_values: subs.map((p) => ({ statement: p.statement, operator: p.operator, value: p.value })) },
    fix: `Narrowest condition matching this token: ${narrow}${token.immutable ? ' (or condition on repository_id, which IAM evaluates for GitHub)' : ''}; use StringLike only for deliberate wildcards, e.g. "repo:${token.owner ?? 'OWNER'}${token.ownerId ? `@${token.ownerId}` : ''}/${token.repo ?? 'REPO'}${token.repoId ? `@${token.repoId}` : ''}:*".`,
  });
}
