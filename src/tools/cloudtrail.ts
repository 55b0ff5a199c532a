/** What STS saw: failed AssumeRoleWithWebIdentity calls in CloudTrail, each explained. */
import { z } from 'zod';
import { NOT_LOGGED_NOTE } from '../checks/cloudtrail/sts-events.js';
import { gatherStsFailures } from '../gather/sts-cloudtrail.js';
import { defineTool, nowInput, parseNow, regionInputShape, resultOf, resultSchema } from './define.js';

const eventShape = z.object({
  event_id: z.string(), time: z.string().nullable(), region: z.string().nullable(), role_arn: z.string().nullable(), role_session_name: z.string().nullable(),
  provider: z.string().nullable(), subject: z.string().nullable(), audience: z.string().nullable(), error_code: z.string().nullable(), error_message: z.string().nullable(),
  source_ip: z.string().nullable(), user_agent: z.string().nullable(), case: z.string().nullable().describe('The STS error case (explain_sts_error), null on success.'),
});

const findStsFailures = defineTool({
  name: 'find_sts_failures',
  toolsets: ['web-identity'],
  title: 'Find what STS saw: AssumeRoleWithWebIdentity in CloudTrail',
  description:
    'What did STS see? Reads CloudTrail event history (LookupEvents) for AssumeRoleWithWebIdentity in a window (default 24 h, up to 90 days), optionally for one role: each call\'s role, provider, subject and audience as recorded, error code and message, explained. "Couldn\'t retrieve verification key" failures are not logged there.',
  input: () => z.object({
    role: z.string().optional().describe('Only events for this role (ARN, or role name).'),
    since: z.string().optional().describe('How far back from now (or from end): 30m, 6h, 7d. Default 24h.'),
    start: z.string().optional().describe('Window start (ISO 8601), instead of since.'),
    end: z.string().optional().describe('Window end (ISO 8601; default now).'),
    max_pages: z.number().int().min(1).max(50).default(10).describe('LookupEvents pages to read (50 events each; AWS allows 2 requests/s).'),
    ...regionInputShape,
    now: nowInput,
  }),
  output: () => resultSchema({
    window: z.object({ start: z.string(), end: z.string() }),
    region: z.string().nullable(),
    events: z.array(eventShape).describe('Newest first, at most 50.'),
    events_total: z.number(),
    failures: z.number(),
    truncated: z.boolean().describe('More events exist than were read (page cap or deadline).'),
    note: z.string(),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'sts-failures', summary: 'AssumeRoleWithWebIdentity calls as CloudTrail recorded them, failures explained', examples: ['jwt-triage sts-failures --role uploader --since 6h', 'jwt-triage sts-failures --region eu-west-1 --start 2026-11-30T08:00:00Z --end 2026-11-30T09:00:00Z'] },
  async handle(input, ctx) {
    const now = parseNow(input.now, ctx.now);
    const date = (v: string | undefined) => (v === undefined ? undefined : parseNow(v, now));
    const r = await gatherStsFailures({ role: input.role, since: input.since, start: date(input.start), end: date(input.end), now, maxPages: input.max_pages, region: input.region, profile: input.profile, signal: ctx.signal });
    const failures = r.events.filter((e) => e.error_code).length;
    return { ...resultOf(r.findings, `No failed AssumeRoleWithWebIdentity call in CloudTrail for the window (${r.events.length} call(s)).`), window: r.window, region: r.region, events: r.events.slice(0, 50), events_total: r.events.length, failures, truncated: r.truncated, note: NOT_LOGGED_NOTE };
  },
  text: (o) => [`${o.window.start} … ${o.window.end}${o.region ? ` in ${o.region}` : ''}: ${o.events_total} call(s), ${o.failures} failed${o.truncated ? ' (more not read)' : ''}`, ...o.events.filter((e) => e.error_code).slice(0, 10).map((e) => `  ${e.time ?? '?'} ${e.error_code} [${e.case}] role ${e.role_arn ?? '?'} sub ${e.subject ?? '?'} aud ${e.audience ?? '?'}`), `note: ${o.note}`],
});

export default [findStsFailures];
