/**
 * The ALB's jwt-validation config (rules 3 and 5) against SSM — the CDK caches its SSM
 * lookups in cdk.context.json, so the ALB can hold stale values — and against a token.
 */
import { fail, pass, skip, type Finding } from '../finding.js';
import { describeDifference } from '../token/difference.js';
import type { JwtValidationFact, RuleFact } from './facts.js';

export interface SsmJwtValues {
  issuer?: string | undefined;
  jwksUrl?: string | undefined;
  cliClientId?: string | undefined;
}

export interface JwtRuleConfig {
  priority: number;
  /** Whether the listener has a rule at this priority at all. */
  ruleFound: boolean;
  config?: JwtValidationFact | undefined;
}

export function jwtConfigsOf(rules: readonly RuleFact[], priorities: readonly number[]): JwtRuleConfig[] {
  return priorities.map((priority) => {
    const rule = rules.find((r) => r.priority === priority);
    return { priority, ruleFound: Boolean(rule), config: rule?.actions.find((a) => a.type === 'jwt-validation')?.jwtValidation };
  });
}

/** The aud additional claim: its values and format. */
export function audClaimOf(config: JwtValidationFact): { values: string[]; format: string } | undefined {
  const c = config.additionalClaims.find((x) => x.name === 'aud');
  return c ? { values: c.values, format: c.format } : undefined;
}

interface Drift {
  field: string;
  alb: unknown;
  ssm: unknown;
  difference: string;
}

function drifts(config: JwtValidationFact, ssm: SsmJwtValues): Drift[] {
  const out: Drift[] = [];
  const cmp = (field: string, alb: string, want: string | undefined) => {
    if (want === undefined) return;
    const d = describeDifference(alb, want);
    if (d) out.push({ field, alb, ssm: want, difference: d.text.replace(/\bactual\b/g, 'ALB').replace(/\bexpected\b/g, 'SSM') });
  };
  cmp('Issuer', config.issuer, ssm.issuer);
  cmp('JwksEndpoint', config.jwksEndpoint, ssm.jwksUrl);
  const aud = audClaimOf(config);
  if (ssm.cliClientId !== undefined) {
    if (!aud) out.push({ field: 'aud', alb: null, ssm: ssm.cliClientId, difference: 'the ALB checks no aud claim at all' });
    else if (!aud.values.includes(ssm.cliClientId)) {
      const d = aud.values.length === 1 ? describeDifference(aud.values[0]!, ssm.cliClientId) : undefined;
      out.push({ field: 'aud', alb: [...aud.values], ssm: ssm.cliClientId, difference: d ? d.text.replace(/\bactual\b/g, 'ALB').replace(/\bexpected\b/g, 'SSM') : 'the ALB\'s aud values do not include the CLI client id' });
    }
  }
  return out;
}

/** One finding per jwt rule: ALB_JWT_CONFIG_MISMATCH (fail) when it differs from SSM, else pass. */
export function checkAlbJwtConfig(configs: readonly JwtRuleConfig[], ssm: SsmJwtValues, refreshFix: string): Finding[] {
  if (ssm.issuer === undefined && ssm.jwksUrl === undefined && ssm.cliClientId === undefined) {
    return [skip('ALB_JWT_CONFIG_MISMATCH', { title: 'Not compared with SSM: the oidc/* parameters could not be read' })];
  }
  return configs.map(({ priority, ruleFound, config }) => {
    if (!config) {
      return fail('ALB_JWT_CONFIG_MISMATCH', {
        title: ruleFound ? `Rule ${priority} has no jwt-validation action` : `Rule ${priority} is missing, so is its jwt-validation`,
        detail: ruleFound
          ? `Bearer requests matching rule ${priority} are not validated by the ALB.`
          : `Without rule ${priority}, Bearer requests fall through to later rules (or the 403 default).`,
        evidence: { priority, rule_found: ruleFound },
        fix: 'Redeploy the API stack (./scripts/deploy.sh api) to restore the rule and its jwt-validation action.',
      });
    }
    const d = drifts(config, ssm);
    if (d.length === 0) {
      return pass('ALB_JWT_CONFIG_MISMATCH', { title: `Rule ${priority}'s jwt-validation matches SSM (issuer, JWKS endpoint, aud)`, evidence: { priority } });
    }
    return fail('ALB_JWT_CONFIG_MISMATCH', {
      title: `Rule ${priority}'s jwt-validation differs from SSM: ${d.map((x) => x.field).join(', ')}`,
      detail: `${d.map((x) => `${x.field}: ${x.difference}`).join('; ')}. The ALB holds stale values: the CDK read these from SSM at synth time and cached them in cdk.context.json. Tokens from the current identity provider get 401 until the API stack is redeployed.`,
      evidence: { priority, differences: d },
      fix: refreshFix,
    });
  });
}

/**
 * When the token agrees with SSM but not with the ALB, the ALB is stale, not the token:
 * returns a sentence to add to the token finding, or undefined.
 */
export function staleNote(tokenValue: unknown, albValue: string | undefined, ssmValue: string | undefined): string | undefined {
  if (albValue === undefined || ssmValue === undefined || albValue === ssmValue) return undefined;
  const values = Array.isArray(tokenValue) ? tokenValue : [tokenValue];
  return values.includes(ssmValue) ? ' The token agrees with SSM: the ALB holds a stale value (see ALB_JWT_CONFIG_MISMATCH).' : undefined;
}

/**
 * Documented limits of jwt-validation AdditionalClaims (ELB user guide, "Verify JWTs using an
 * Application Load Balancer"): at most 10 claims, at most 10 values per claim, each value at
 * most 256 characters, and a `space-separated-values` claim's values may not contain spaces
 * (the token's value is split on spaces). ALB_JWT_CLAIM_LIMIT per rule.
 */
export const ALB_CLAIM_LIMITS = { claims: 10, valuesPerClaim: 10, valueChars: 256 } as const;

/**
 * What the ELB documentation does not say, and this tool therefore assumes — quoted in
 * findings that depend on it, so a reader knows it is not AWS's word.
 */
export const ALB_ASSUMPTIONS = {
  wwwAuthenticate: 'Assumption (not documented by AWS): the 401 carries a WWW-Authenticate: Bearer header naming the failure.',
  clockSkew: 'Assumption (not documented by AWS): the ALB allows little or no clock skew on exp/nbf/iat; this tool uses 60 s.',
  jwksUnreachable: 'Assumption (not documented by AWS): when the ALB cannot fetch the JWKS it rejects the token (401) rather than letting it through; a cached JWKS may be used for a while.',
} as const;

/**
 * Claims no token can satisfy: a space-separated-values claim whose every listed value holds a space
 * (the ALB compares single space-separated items, which never contain one). A token then gets 401 at
 * this rule whatever it carries.
 */
export function unmatchableClaims(config: JwtValidationFact): string[] {
  return config.additionalClaims
    .filter((c) => c.format === 'space-separated-values' && c.values.length > 0 && c.values.every((v) => /\s/.test(v)))
    .map((c) => `claim ${c.name} can never match (space-separated-values, every value holds a space)`);
}

export function checkAlbClaimLimits(configs: readonly JwtRuleConfig[]): Finding[] {
  return configs.filter((c) => c.config).map(({ priority, config }) => {
    const problems: string[] = [];
    const claims = config!.additionalClaims;
    if (claims.length > ALB_CLAIM_LIMITS.claims) problems.push(`${claims.length} additional claims (at most ${ALB_CLAIM_LIMITS.claims})`);
    for (const c of claims) {
      if (c.values.length > ALB_CLAIM_LIMITS.valuesPerClaim) problems.push(`claim ${c.name} has ${c.values.length} values (at most ${ALB_CLAIM_LIMITS.valuesPerClaim})`);
      const long = c.values.filter((v) => v.length > ALB_CLAIM_LIMITS.valueChars);
      if (long.length) problems.push(`claim ${c.name} has ${long.length} value(s) over ${ALB_CLAIM_LIMITS.valueChars} characters`);
      if (c.format === 'space-separated-values') {
        const spaced = c.values.filter((v) => /\s/.test(v));
        if (spaced.length) problems.push(`claim ${c.name} (space-separated-values) has value(s) containing spaces: ${spaced.map((v) => JSON.stringify(v.slice(0, 40))).join(', ')} — they can never equal one space-separated item`);
      }
    }
    if (!problems.length) return pass('ALB_JWT_CLAIM_LIMIT', { title: `Rule ${priority}'s additional claims are within the ALB limits`, evidence: { priority, claims: claims.length } });
    return fail('ALB_JWT_CLAIM_LIMIT', {
      title: `Rule ${priority}'s jwt-validation additional claims break an ALB limit`,
      detail: `${problems.join('; ')}. Limits from the ELB user guide: ≤ ${ALB_CLAIM_LIMITS.claims} claims, ≤ ${ALB_CLAIM_LIMITS.valuesPerClaim} values per claim, each ≤ ${ALB_CLAIM_LIMITS.valueChars} characters; space-separated-values values without spaces.`,
      evidence: { priority, problems },
      fix: 'Fix the AdditionalClaims of the jwt-validation action (aws elbv2 modify-rule), e.g. one value per scope for space-separated-values.',
    });
  });
}
