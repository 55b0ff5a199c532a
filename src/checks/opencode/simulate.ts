/**
 * Which listener rule answers a request, under ALB semantics, and what the caller gets.
 *  - rules by ascending numeric priority, the default rule last; the first match wins;
 *  - all conditions of a rule must match; several values in one condition are OR-ed;
 *  - path-pattern: `*` and `?` wildcards, case-sensitive, on the path without the query;
 *  - http-header / host-header / query-string values: wildcards, case-insensitive;
 *  - jwt-validation answers 401 when the token is missing or bad, else the next action runs.
 */
import { fail, pass, warn, type Finding } from '../finding.js';
import { regexTest, wildcardMatch } from './pattern.js';
import { byPriority, priorityLabel, type ActionFact, type ConditionFact, type RuleFact } from './facts.js';

export interface SimRequest {
  method: string;
  /** Path, optionally with `?query`. */
  path: string;
  /** Header name (any case) → value. Authorization and X-API-Key values are placeholders, never secrets. */
  headers: Record<string, string>;
}

/** What is known about the Bearer token: judged valid, judged invalid (with reasons), or not judged. */
export type TokenJudgement = { state: 'valid' } | { state: 'invalid'; reasons: string[] } | { state: 'unknown' };

export type Match = boolean | 'unknown';

export interface RuleEvaluation {
  priority: number | 'default';
  matched: Match;
  why: string;
  /** Set when a pattern of the rule was invalid or could not be evaluated. */
  patternProblem?: string;
}

export type OutcomeAction = 'forward' | 'fixed-response' | 'jwt-401' | 'jwt-depends' | 'redirect' | 'authenticate' | 'none';

export interface Outcome {
  priority: number | 'default' | null;
  action: OutcomeAction;
  /** HTTP status the ALB answers itself; null when the target decides (forward) or it depends on the token. */
  status: number | null;
  why: string;
}

export { wildcardMatch } from './pattern.js';

function headerOf(req: SimRequest, name: string): string | undefined {
  const k = Object.keys(req.headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : req.headers[k];
}

/** A header value as it may be shown: never an Authorization credential or a whole API key. */
export function shownValue(name: string, value: string): string {
  const n = name.toLowerCase();
  if (n === 'authorization') return `${value.split(/\s+/)[0] ?? ''} …`;
  if (n === 'x-api-key') return `${value.slice(0, 10)}…`;
  return value;
}

/**
 * Whether any value of the condition matches: wildcards by the linear matcher, regex values by
 * the non-backtracking engine under a step budget (./pattern.ts). A regex that is invalid,
 * unsupported or over budget makes the condition 'unknown' with the reason, never a hang or a throw.
 */
function anyMatch(c: ConditionFact, value: string, ci: boolean): { matched: Match; problem?: string } {
  if (c.values.some((p) => wildcardMatch(p, value, ci))) return { matched: true };
  let problem: string | undefined;
  for (const r of c.regexValues ?? []) {
    const res = regexTest(r, value, ci);
    if (res.ok) {
      if (res.matched) return { matched: true };
      continue;
    }
    problem ??=
      res.reason === 'invalid' ? `regex ~/${r}/ is invalid (${res.detail})`
        : res.reason === 'budget' ? `regex ~/${r}/ could not be evaluated within its step budget (${res.detail})`
          : `regex ~/${r}/ could not be evaluated (${res.detail})`;
  }
  return problem ? { matched: 'unknown', problem } : { matched: false };
}

const said = (m: Match) => (m === true ? 'matches' : m === false ? 'does not match' : 'cannot be matched against');

export function matchCondition(c: ConditionFact, req: SimRequest): { matched: Match; why: string; patternProblem?: string } {
  const [pathOnly = '', query = ''] = req.path.split('?', 2);
  const list = c.values.join(' | ');
  switch (c.field) {
    case 'path-pattern': {
      const { matched: m, problem } = anyMatch(c, pathOnly, false);
      return { matched: m, ...(problem ? { patternProblem: problem } : {}), why: problem ?? `path ${pathOnly} ${said(m)} ${list}` };
    }
    case 'http-header': {
      const name = c.header ?? '';
      const v = headerOf(req, name);
      if (v === undefined) return { matched: false, why: `no ${name} header (needs ${list})` };
      const { matched: m, problem } = anyMatch(c, v, true);
      return { matched: m, ...(problem ? { patternProblem: problem } : {}), why: problem ?? `${name} ${shownValue(name, v)} ${said(m)} ${list}` };
    }
    case 'host-header': {
      const v = headerOf(req, 'host');
      if (v === undefined) return { matched: 'unknown', why: `host-header ${list}: no Host given` };
      const { matched: m, problem } = anyMatch(c, v, true);
      return { matched: m, ...(problem ? { patternProblem: problem } : {}), why: problem ?? `Host ${v} ${said(m)} ${list}` };
    }
    case 'http-request-method': {
      const m = c.values.includes(req.method);
      return { matched: m, why: `method ${req.method} ${m ? 'is' : 'is not'} one of ${list}` };
    }
    case 'query-string': {
      const pairs = [...new URLSearchParams(query).entries()];
      const m = c.values.some((kv) => {
        const eq = kv.indexOf('=');
        const [k, v] = eq < 0 ? [undefined, kv] : [kv.slice(0, eq), kv.slice(eq + 1)];
        return pairs.some(([pk, pv]) => (k === undefined || k === '' || wildcardMatch(k, pk, true)) && wildcardMatch(v, pv, true));
      });
      return { matched: m, why: `query ${m ? 'matches' : 'does not match'} ${list}` };
    }
    default:
      return { matched: 'unknown', why: `${c.field} conditions cannot be simulated` };
  }
}

export function evaluateRule(rule: RuleFact, req: SimRequest): RuleEvaluation {
  if (rule.priority === 'default') return { priority: 'default', matched: true, why: 'the default rule matches every request no other rule took' };
  const results = rule.conditions.map((c) => matchCondition(c, req));
  const failed = results.find((r) => r.matched === false);
  if (failed) return { priority: rule.priority, matched: false, why: failed.why };
  const unknown = results.find((r) => r.matched === 'unknown');
  if (unknown) return { priority: rule.priority, matched: 'unknown', why: unknown.why, ...(unknown.patternProblem ? { patternProblem: unknown.patternProblem } : {}) };
  return { priority: rule.priority, matched: true, why: results.map((r) => r.why).join(' AND ') || 'no conditions' };
}

/** Runs the rule's actions in Order. */
export function outcomeOf(rule: RuleFact, token: TokenJudgement): Outcome {
  const p = rule.priority;
  for (const a of rule.actions) {
    const o = actionOutcome(p, a, token);
    if (o) return o;
  }
  return { priority: p, action: 'none', status: null, why: `${priorityLabel(p)} has no terminal action` };
}

function actionOutcome(p: number | 'default', a: ActionFact, token: TokenJudgement): Outcome | undefined {
  const label = priorityLabel(p);
  switch (a.type) {
    case 'jwt-validation':
      if (token.state === 'invalid') return { priority: p, action: 'jwt-401', status: 401, why: `${label}'s jwt-validation rejects the token: ${token.reasons.join('; ')}` };
      if (token.state === 'unknown') return { priority: p, action: 'jwt-depends', status: null, why: `${label}'s jwt-validation forwards only a valid JWT (RS256 signature by a served key, iss, exp, aud) and answers 401 otherwise` };
      return undefined;
    case 'forward':
      return { priority: p, action: 'forward', status: null, why: `${label} forwards to the target group` };
    case 'fixed-response':
      return { priority: p, action: 'fixed-response', status: Number(a.fixedResponse?.statusCode ?? 0) || null, why: `${label} answers fixed-response ${a.fixedResponse?.statusCode ?? '?'}${a.fixedResponse?.messageBody ? ` "${a.fixedResponse.messageBody}"` : ''}` };
    case 'redirect':
      return { priority: p, action: 'redirect', status: a.redirect?.statusCode === 'HTTP_301' ? 301 : 302, why: `${label} redirects` };
    case 'authenticate-oidc':
    case 'authenticate-cognito': {
      const deny = a.authenticate?.onUnauthenticatedRequest === 'deny';
      return { priority: p, action: 'authenticate', status: deny ? 401 : 302, why: `${label} requires a browser login session (${deny ? '401 without one' : '302 to the identity provider'})` };
    }
    default:
      return undefined;
  }
}

export interface Simulation {
  evaluations: RuleEvaluation[];
  outcome: Outcome;
  findings: Finding[];
}

export function simulateRequest(rules: readonly RuleFact[], req: SimRequest, token: TokenJudgement): Simulation {
  const evaluations: RuleEvaluation[] = [];
  let winner: RuleFact | undefined;
  for (const rule of byPriority(rules)) {
    const ev = evaluateRule(rule, req);
    evaluations.push(ev);
    if (ev.matched === true) {
      winner = rule;
      break;
    }
  }
  if (!winner) {
    const outcome: Outcome = { priority: null, action: 'none', status: 404, why: 'No rule matched and the listener returned no default rule' };
    return { evaluations, outcome, findings: [fail('ALB_REQUEST_REJECTED', { title: 'No rule matches', detail: outcome.why }), ...patternFindings(evaluations)] };
  }
  const outcome = outcomeOf(winner, token);
  return { evaluations, outcome, findings: [...explain(req, evaluations, outcome), ...patternFindings(evaluations)] };
}

/** One ALB_PATTERN_UNEVALUATED per rule whose pattern was invalid or not evaluated (assumed not to match). */
function patternFindings(evaluations: RuleEvaluation[]): Finding[] {
  return evaluations
    .filter((e) => e.patternProblem)
    .map((e) => warn('ALB_PATTERN_UNEVALUATED', {
      title: `${priorityLabel(e.priority)}: a pattern could not be evaluated; the rule is assumed not to match`,
      detail: `${e.patternProblem}. jwt-triage matches regex conditions without backtracking and under a step budget, so a pattern it cannot run is reported instead of blocking.`,
      evidence: { rule: e.priority },
      fix: 'Check the rule\'s regex in describe_listener_rules; simplify it (no back-references or look-around), or test the request against the live ALB.',
    }));
}

function explain(req: SimRequest, evaluations: RuleEvaluation[], o: Outcome): Finding[] {
  const bearer = /^bearer/i.test(headerOf(req, 'authorization') ?? '');
  const key = headerOf(req, 'x-api-key');
  const line = `${req.method} ${req.path.split('?')[0]}`;
  const misses = evaluations.filter((e) => e.matched !== true).map((e) => `${priorityLabel(e.priority)}: ${e.why}${e.matched === 'unknown' ? ' (assumed not to match)' : ''}`);
  const evidence = { rule: o.priority, action: o.action, status: o.status, skipped: misses };
  const shadow: Finding[] = [];
  const jwtRule = o.action === 'jwt-401' || o.action === 'jwt-depends' || (bearer && o.priority !== 'default' && o.priority !== null);
  if (bearer && key !== undefined && jwtRule) {
    shadow.push(warn('API_KEY_SHADOWED_BY_BEARER', {
      title: `Bearer and X-API-Key together: ${priorityLabel(o.priority ?? 'default')} (JWT) wins over rule 10 (API key)`,
      detail: 'The ALB takes the first matching rule, and the Bearer rules come first: the API key is never looked at. An expired or invalid JWT gives 401 even with a valid key.',
      evidence: { rule: o.priority },
      fix: 'Send only one credential: drop the Authorization header to use the API key, or refresh the JWT (`opencode-auth login`).',
    }));
  }
  if (o.status !== null && o.status >= 400) {
    let why = o.why + '.';
    if (o.priority === 'default') {
      if (!bearer && key === undefined) why = `No Authorization Bearer header and no X-API-Key header, so no rule matches; ${o.why} (403, not 401: the default action answers, not JWT validation).`;
      else if (key !== undefined && !bearer) why = `X-API-Key ${shownValue('x-api-key', key)} is not matched by rule 10 (oc_*), so ${o.why}. Keys created by the router start with oc_.`;
      else why = `No rule matched, so ${o.why}.`;
    } else if (o.action === 'jwt-401' && key !== undefined) {
      why = `Bearer and X-API-Key together: ${priorityLabel(o.priority ?? 'default')} wins; ${o.why}, so the caller gets 401 even with a valid key.`;
    }
    return [fail('ALB_REQUEST_REJECTED', {
      title: `${line} → ${o.status} from ${o.priority === null ? 'the listener' : priorityLabel(o.priority)}`,
      detail: why,
      evidence,
      fix: fixFor(o, bearer, key),
    }), ...shadow];
  }
  if (o.action === 'jwt-depends') {
    return [warn('ALB_REQUEST_REJECTED', {
      title: `${line} → ${priorityLabel(o.priority ?? 'default')}: forwarded if the JWT is valid, else 401`,
      detail: `${o.why}.`,
      evidence,
      fix: 'Pass the token (token_file or token_env) to judge it the way the ALB does.',
    }), ...shadow];
  }
  return [pass('ALB_REQUEST_REJECTED', {
    title: `${line} → ${o.action === 'forward' ? 'forwarded' : o.action} by ${priorityLabel(o.priority ?? 'default')}`,
    detail: `${o.why}.${o.priority === 10 ? ' The router then checks the key itself (401 invalid/revoked/expired_api_key): use check_api_key.' : ''}`,
    evidence,
  }), ...shadow];
}

function fixFor(o: Outcome, bearer: boolean, key: string | undefined): string {
  if (o.action === 'jwt-401') return 'Get a fresh ID token (`opencode-auth login`) and send it in the Authorization header as Bearer; check_alb_jwt_config shows what the ALB expects.';
  if (o.priority === 'default' && key !== undefined && !bearer) return 'Send a key created by the router (it starts with oc_), or authenticate with `opencode-auth login` and send the ID token in the Authorization header as Bearer.';
  if (o.priority === 'default') return 'Send the ID token (opencode-auth login) in the Authorization header as Bearer, or a router-created key (oc_…) in the X-API-Key header.';
  return 'See the rule in describe_listener_rules.';
}
