/**
 * AssumeRoleWithWebIdentity as CloudTrail recorded it: the role, the provider, the subject and
 * audience STS read from the token, and the error — each failure matched to the STS error
 * catalogue (../web-identity/sts-errors.ts) so it points at the check that confirms it.
 *
 * Record shape: CloudTrail User Guide / IAM User Guide, "Logging IAM and AWS STS API calls
 * with AWS CloudTrail" (example AssumeRoleWithWebIdentity entry: userIdentity.type
 * WebIdentityUser, principalId `<provider>:<aud>:<sub>`, userName = sub, identityProvider;
 * requestParameters.roleArn / roleSessionName; responseElements.provider,
 * subjectFromWebIdentityToken, audience on success). The token itself is never logged.
 */
import { fail, pass, warn, type Finding } from '../finding.js';
import { explainStsError } from '../web-identity/sts-errors.js';

export interface StsEventRecord {
  event_id: string;
  time: string | null;
  region: string | null;
  role_arn: string | null;
  role_session_name: string | null;
  provider: string | null;
  subject: string | null;
  audience: string | null;
  error_code: string | null;
  error_message: string | null;
  source_ip: string | null;
  user_agent: string | null;
  /** The catalogue case the error matches (provider_not_found, trust_denied…), null on success. */
  case: string | null;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const s = (v: unknown, max = 300): string | null => (typeof v === 'string' && v !== '' ? v.slice(0, max) : null);
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

/** One CloudTrail record → the facts that matter here (a JWT anywhere in a message is cut out). */
export function stsEventOf(eventId: string, eventTime: string | undefined, record: Obj | undefined): StsEventRecord {
  const r = record ?? {};
  const who = obj(r.userIdentity);
  const req = obj(r.requestParameters);
  const resp = obj(r.responseElements);
  const provider = s(resp.provider) ?? s(who.identityProvider);
  let audience = s(resp.audience);
  let subject = s(resp.subjectFromWebIdentityToken) ?? s(who.userName);
  const principal = s(who.principalId, 1000);
  if (principal && provider && principal.startsWith(`${provider}:`)) {
    // principalId is `<provider>:<aud>:<sub>`; sub may itself hold colons (system:serviceaccount:ns:sa).
    const rest = principal.slice(provider.length + 1);
    const cut = subject && rest.endsWith(`:${subject}`) ? rest.length - subject.length - 1 : rest.indexOf(':');
    if (cut > 0) {
      audience ??= rest.slice(0, cut);
      subject ??= rest.slice(cut + 1);
    }
  }
  const errorCode = s(r.errorCode, 100);
  const errorMessage = s(r.errorMessage, 500)?.replace(JWT, '[token removed]') ?? null;
  const explained = errorCode ? explainStsError(`${errorCode}: ${errorMessage ?? ''}`) : undefined;
  return {
    event_id: eventId,
    time: eventTime ?? s(r.eventTime),
    region: s(r.awsRegion, 40),
    role_arn: s(req.roleArn),
    role_session_name: s(req.roleSessionName, 100),
    provider,
    subject,
    audience,
    error_code: errorCode,
    error_message: errorMessage,
    source_ip: s(r.sourceIPAddress, 60),
    user_agent: s(r.userAgent, 200),
    case: explained ? (explained.known?.id ?? 'unknown') : null,
  };
}

/** Whether an event concerns the role (ARN, or name at the end of the ARN). */
export function forRole(e: StsEventRecord, role: string | undefined): boolean {
  if (!role) return true;
  if (!e.role_arn) return false;
  return role.startsWith('arn:') ? e.role_arn === role : e.role_arn.endsWith(`/${role}`);
}

export const NOT_LOGGED_NOTE =
  'Not every rejection reaches CloudTrail: "Couldn\'t retrieve verification key" failures (STS could not fetch the issuer\'s discovery document or JWKS) are not logged there — test public reachability with check_public_reachability instead. Events are recorded in the region of the STS endpoint that was called (the global endpoint logs to us-east-1), usually within about 5 minutes (not guaranteed), and LookupEvents reaches back 90 days.';

/** CLOUDTRAIL_STS_FAILURES per error case, or CLOUDTRAIL_NO_EVENTS. */
export function checkStsEvents(events: readonly StsEventRecord[], where: { window: string; region: string | null; role?: string | undefined; truncated: boolean }): Finding[] {
  const failures = events.filter((e) => e.error_code);
  const scope = `${where.window}${where.region ? ` in ${where.region}` : ''}${where.role ? ` for ${where.role}` : ''}`;
  if (!events.length) {
    return [warn('CLOUDTRAIL_NO_EVENTS', {
      title: `CloudTrail has no AssumeRoleWithWebIdentity event ${scope}`,
      detail: `No call was recorded. ${NOT_LOGGED_NOTE}`,
      evidence: { window: where.window, region: where.region, role: where.role ?? null },
      fix: 'Check the region (AWS_REGION / region: the STS endpoint the client uses), widen the window, and if the error is "Couldn\'t retrieve verification key", run check_public_reachability.',
    })];
  }
  if (!failures.length) {
    return [pass('CLOUDTRAIL_STS_FAILURES', { title: `${events.length} AssumeRoleWithWebIdentity call(s) ${scope}, none failed`, detail: NOT_LOGGED_NOTE, evidence: { events: events.length, truncated: where.truncated } })];
  }
  const byCase = new Map<string, StsEventRecord[]>();
  for (const e of failures) byCase.set(e.case ?? 'unknown', [...(byCase.get(e.case ?? 'unknown') ?? []), e]);
  return [...byCase.entries()].map(([kase, list]) => {
    const latest = list[0]!;
    const ex = explainStsError(`${latest.error_code}: ${latest.error_message ?? ''}`);
    const subjects = [...new Set(list.map((e) => e.subject).filter(Boolean))].slice(0, 5);
    const roles = [...new Set(list.map((e) => e.role_arn).filter(Boolean))].slice(0, 5);
    return fail('CLOUDTRAIL_STS_FAILURES', {
      title: `${list.length}× ${latest.error_code}${ex.known ? ` (${kase.replace(/_/g, ' ')})` : ''} ${scope}`,
      detail: `Latest ${latest.time ?? '?'}: "${(latest.error_message ?? '').slice(0, 200)}" — role ${latest.role_arn ?? '?'}, provider ${latest.provider ?? '?'}, subject ${latest.subject ?? '?'}, audience ${latest.audience ?? '?'}. ${ex.known ? `${ex.known.meaning} Confirm with: ${ex.known.confirm_with.join(', ') || '—'}.` : 'This message is not in the STS error catalogue.'}`,
      evidence: { case: kase, error_code: latest.error_code, count: list.length, latest: latest.time, roles, subjects, audiences: [...new Set(list.map((e) => e.audience).filter(Boolean))].slice(0, 5), truncated: where.truncated },
      fix: ex.known?.fix ?? 'Run predict_sts_outcome with the same token and role.',
    });
  });
}
