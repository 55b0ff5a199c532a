/**
 * The playbook: which sections run for a preset, in parallel under one deadline, ranked
 * into one root cause with the precedence in ./rank.ts.
 *
 * - generic: the token against the inputs and its issuer's keys.
 * - opencode: expectations from the ALB's live rule-5 config; ALB config vs SSM, the rule chain,
 *   SSM completeness, which rule answers this request, the API key.
 * - web-identity (alias sts): the token against STS, public discovery/JWKS as AWS fetches them,
 *   the IAM provider, the role's trust, the cluster and the bridge, and STS's predicted answer.
 */
import { skip, type Finding } from '../checks/finding.js';
import type { Consumer } from '../checks/jwks/consumer.js';
import { inspectToken, type TokenFacts } from '../checks/token/inspect.js';
import { classifyToken } from '../checks/token/kind.js';
import { checkTokenLength } from '../checks/web-identity/token.js';
import { describeTokenTime } from '../checks/token/time.js';
import { once, type GatherContext } from '../gather/context.js';
import { judgementOf, opencodePrelude, opencodeTasks } from './opencode.js';
import { rank } from './rank.js';
import { deadlineFinding, runSections, type SectionTask } from './run-sections.js';
import { keySection, tokenSections } from './token.js';
import type { DiagnoseInput, DiagnosisResult, Expectations, Section } from './types.js';
import { stsAnswer, webIdentityExpectations, webIdentityTasks } from './web-identity.js';

function tokenSummary(t: TokenFacts, now: Date): DiagnosisResult['token'] {
  return {
    fingerprint: t.fingerprint,
    form: t.form,
    alg: typeof t.header.alg === 'string' ? t.header.alg : undefined,
    kid: t.header.kid,
    kind: classifyToken(t.header, t.claims).kind,
    iss: typeof t.claims.iss === 'string' ? t.claims.iss : undefined,
    status_text: describeTokenTime(t.claims, now).status_text,
  };
}

export async function diagnose(input: DiagnoseInput, ctx: GatherContext): Promise<DiagnosisResult> {
  const preset = input.preset === 'sts' ? 'web-identity' : input.preset;
  // One signal for every source of this diagnosis: the caller's cancellation, or the deadline.
  const abort = new AbortController();
  const onAbort = () => abort.abort(ctx.signal.reason);
  if (ctx.signal.aborted) abort.abort(ctx.signal.reason);
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  const started = Date.now();
  const g: GatherContext = { ...ctx, signal: abort.signal };
  const remaining = () => Math.max(0, input.deadlineMs - (Date.now() - started));
  try {
    // The token's facts (never the raw value) are a recorded fact like any other: replay has them, not the token.
    const inspected = input.token
      ? await once(g, 'token-facts', async (): Promise<{ facts?: TokenFacts; malformed?: Finding; length: number }> => {
          const i = inspectToken(input.token!.raw);
          return { ...(i.ok ? { facts: i.token } : { malformed: i.finding }), length: input.token!.raw.length };
        })
      : undefined;
    const t = inspected?.facts;
    // STS checks the WebIdentityToken's length (4..20,000) before it parses anything: a 3-character
    // value is its ValidationError, whatever else is wrong with it.
    const lengthFirst = preset === 'web-identity' || preset === 'github-actions' ? [checkTokenLength(inspected?.length ?? 0)] : [];
    const malformed: Section[] = inspected?.malformed ? [{ label: 'Token', findings: [...lengthFirst, inspected.malformed] }] : [];
    const consumer: Consumer = input.consumer ?? (preset === 'opencode' ? 'alb' : preset === 'web-identity' || preset === 'github-actions' ? 'sts' : 'generic');
    const tasks: SectionTask[] = [];
    let expected: Expectations;
    let local: Section[] = [];
    const late: Section[] = [];
    const lateLabels: string[] = [];
    const keysTask = (label: string, opts: { issuer?: string | undefined; jwksUrl?: string | undefined }): SectionTask => ({
      label,
      run: () => (input.offline ? Promise.resolve({ findings: [skip('CHECK_NOT_RUN', { title: `${label}: not fetched (offline)` })] }) : keySection(g, input.token!.raw, t!, expected, consumer, opts)),
    });

    if (preset === 'opencode') {
      // The prelude (SSM + the live config) decides the expectations; it counts against the deadline.
      const pre = await withDeadline(opencodePrelude(g, input), remaining(), abort);
      expected = pre?.expected ?? { ...input.expected, kind: input.expected.kind ?? 'id', from: 'the inputs (AWS did not answer in time)' };
      if (t) local = tokenSections(t, expected, consumer, ctx.now, input.skewSeconds);
      const jwks = t && pre?.jwksUrl ? keysTask('JWKS endpoint', { issuer: input.issuer ?? expected.iss, jwksUrl: pre.jwksUrl }) : t ? keysTask('JWKS endpoint', { issuer: input.issuer ?? expected.iss, jwksUrl: input.jwksUrl }) : undefined;
      let keysDone: Promise<Omit<Section, 'label'>> | undefined;
      if (jwks) {
        const run = jwks.run;
        jwks.run = () => (keysDone ??= run());
        tasks.push(jwks);
      }
      const verdict = async () => {
        if (!t) return { state: 'invalid' as const, reasons: [malformed[0]?.findings[0]?.title ?? 'the token is not a JWT'] };
        const k = keysDone ? await keysDone : undefined;
        return judgementOf([...local, ...(k ? [{ label: 'JWKS endpoint', ...k }] : [])], Boolean(k && !k.findings.some((f) => f.status === 'error' || f.status === 'skip')));
      };
      if (pre) tasks.push(...opencodeTasks(g, input, pre, verdict));
      else {
        lateLabels.push('ALB config');
        late.push({ label: 'ALB config', findings: [deadlineFinding('ALB config (SSM and the live rule 5)', input.deadlineMs)] });
      }
    } else if (preset === 'web-identity' || preset === 'github-actions') {
      expected = webIdentityExpectations(input, ctx.env);
      if (t) {
        local = tokenSections(t, expected, consumer, ctx.now, input.skewSeconds);
        // STS checks the WebIdentityToken's length (4..20,000) before anything else.
        local[0]!.findings.unshift(checkTokenLength(inspected!.length));
        tasks.push(...webIdentityTasks(g, input, input.token!.raw, t, expected));
      }
    } else {
      expected = { ...input.expected, from: 'the inputs' };
      if (t) {
        local = tokenSections(t, expected, consumer, ctx.now, input.skewSeconds);
        if (t.form !== 'JWE') tasks.push(keysTask('Keys', { issuer: input.issuer, jwksUrl: input.jwksUrl }));
      }
    }

    const ran = await runSections(tasks, {
      deadlineMs: remaining(),
      abort,
      progress: (done, total, message) => ctx.progress(done, total + 1, message),
    });
    const sections = [...malformed, ...local, ...late, ...ran.sections];
    const timedOut = [...lateLabels, ...ran.timedOut];
    if ((preset === 'web-identity' || preset === 'github-actions') && t) {
      const answer = input.offline || timedOut.length ? { findings: [skip('CHECK_NOT_RUN', { title: input.offline ? 'STS answer: not predicted (offline)' : 'STS answer: not predicted (sections timed out)' })] } : await stsAnswer(g, input, input.token!.raw, t, ctx.now);
      sections.push({ label: 'STS answer', ...answer });
    }
    ctx.progress(tasks.length + 1, tasks.length + 1, 'ranking findings');
    const findings: Finding[] = sections.flatMap((s) => s.findings);
    return { input, preset, ...(t ? { token: tokenSummary(t, ctx.now), tokenFacts: t } : {}), expected: expected!, consumer, sections, findings, ranked: rank(findings), timedOut };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** The value, or undefined when the deadline passes first (the signal is then aborted). */
async function withDeadline<T>(p: Promise<T>, ms: number, abort: AbortController): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      abort.abort(new Error('diagnosis deadline'));
      resolve(undefined);
    }, ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
