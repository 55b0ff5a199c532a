/**
 * The plain shapes the OpenCode checks take: listener rules and SSM parameters as facts,
 * not SDK types. `src/sources/aws/elbv2.ts` and `ssm.ts` produce them from AWS; `rulesFromSpec` from the preset.
 */
import type { RuleSpec } from '../../presets/opencode.js';

export interface ConditionFact {
  /** path-pattern, http-header, host-header, http-request-method, query-string, source-ip… */
  field: string;
  /** For http-header: the header name. */
  header?: string;
  /** Wildcard values (`*`, `?`); query-string values as `key=value`. OR-ed. */
  values: string[];
  /** Regex values (newer ALB conditions), OR-ed with `values`. */
  regexValues?: string[];
}

export interface JwtValidationFact {
  jwksEndpoint: string;
  issuer: string;
  additionalClaims: Array<{ name: string; format: string; values: string[] }>;
}

export interface ActionFact {
  type: string;
  order?: number;
  targetGroupArns?: string[];
  fixedResponse?: { statusCode: string; contentType?: string; messageBody?: string };
  jwtValidation?: JwtValidationFact;
  redirect?: { statusCode: string; protocol?: string; host?: string; port?: string; path?: string };
  /** authenticate-oidc / authenticate-cognito, without any client secret. */
  authenticate?: { issuer?: string; clientId?: string; userPoolClientId?: string; onUnauthenticatedRequest?: string; authorizationEndpoint?: string; tokenEndpoint?: string; userInfoEndpoint?: string; scope?: string };
}

export interface RuleFact {
  /** A number, or 'default' for the listener's default rule. */
  priority: number | 'default';
  arn?: string;
  /** The preset's name for the rule (preset chain only). */
  name?: string;
  conditions: ConditionFact[];
  /** Sorted by `Order`. */
  actions: ActionFact[];
}

export interface SsmParameterFact {
  name: string;
  type: string;
  /** Absent for SecureString: never requested decrypted, never kept. */
  value?: string;
  version?: number;
  lastModified?: string;
}

/** The preset chain as rule facts (for `offline` simulation and comparisons). */
export function rulesFromSpec(specs: readonly RuleSpec[]): RuleFact[] {
  return specs.map((s) => ({
    priority: s.priority,
    name: s.name,
    conditions: s.conditions.map((c) => (c.field === 'http-header' ? { field: c.field, header: c.header, values: [...c.values] } : { field: c.field, values: [...c.values] })),
    actions: s.actions.map((type, i) => {
      const a: ActionFact = { type, order: i + 1 };
      if (type === 'fixed-response' && s.fixedResponse) a.fixedResponse = { ...s.fixedResponse, contentType: 'text/plain' };
      return a;
    }),
  }));
}

/** Rules in evaluation order: ascending numeric priority, the default rule last. */
export function byPriority(rules: readonly RuleFact[]): RuleFact[] {
  const rank = (r: RuleFact) => (r.priority === 'default' ? Number.POSITIVE_INFINITY : r.priority);
  return [...rules].sort((a, b) => rank(a) - rank(b));
}

export const priorityLabel = (p: number | 'default') => (p === 'default' ? 'the default rule' : `rule ${p}`);
