/**
 * What STS saw: CloudTrail's AssumeRoleWithWebIdentity events in a window (LookupEvents, paged,
 * under a deadline), reduced to facts and matched to the STS error catalogue.
 */
import { checkStsEvents, forRole, stsEventOf, type StsEventRecord } from '../checks/cloudtrail/sts-events.js';
import type { Finding } from '../checks/finding.js';
import { awsFailure } from '../checks/source-failure.js';
import { awsSession } from '../sources/aws/client.js';
import { lookupEvents } from '../sources/aws/cloudtrail.js';
import { SourceError, UsageError } from '../sources/errors.js';

export interface StsFailuresInput {
  role?: string | undefined;
  since?: string | undefined;
  start?: Date | undefined;
  end?: Date | undefined;
  now: Date;
  maxPages?: number | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface StsFailuresResult {
  findings: Finding[];
  events: StsEventRecord[];
  window: { start: string; end: string };
  region: string | null;
  pages: number;
  truncated: boolean;
}

const UNIT: Record<string, number> = { m: 60, h: 3600, d: 86400 };
const MAX_BACK_S = 90 * 86400;

/** The window: `since` (30m, 6h, 7d; default 24h) before `end` (default now), or start…end. At most 90 days (LookupEvents' reach). */
export function windowOf(i: { since?: string | undefined; start?: Date | undefined; end?: Date | undefined; now: Date }): { start: Date; end: Date } {
  const end = i.end ?? i.now;
  let start = i.start;
  if (!start) {
    const m = /^(\d+)\s*([mhd])$/.exec((i.since ?? '24h').trim());
    if (!m) throw new UsageError(`since "${i.since}" is not a duration.`, 'Use minutes, hours or days: 30m, 6h, 7d.');
    start = new Date(end.getTime() - Number(m[1]) * UNIT[m[2]!]! * 1000);
  }
  if (start.getTime() >= end.getTime()) throw new UsageError('The window is empty (start is not before end).', 'Pass a start before end, or a positive since.');
  if ((i.now.getTime() - start.getTime()) / 1000 > MAX_BACK_S + 86400) throw new UsageError('LookupEvents reaches back 90 days only.', 'Use a window within the last 90 days (e.g. since=7d).');
  return { start, end };
}

export async function gatherStsFailures(input: StsFailuresInput): Promise<StsFailuresResult> {
  const { start, end } = windowOf(input);
  const window = { start: start.toISOString(), end: end.toISOString() };
  const aws = awsSession({ region: input.region, profile: input.profile, signal: input.signal });
  try {
    const r = await lookupEvents(aws, { eventName: 'AssumeRoleWithWebIdentity', start, end, maxPages: input.maxPages ?? 10, deadline: Date.now() + 30000 });
    const events = r.events.map((e) => stsEventOf(e.eventId, e.eventTime, e.record)).filter((e) => forRole(e, input.role));
    const label = `${window.start} … ${window.end}`;
    return { findings: checkStsEvents(events, { window: label, region: r.region ?? null, role: input.role, truncated: r.truncated }), events, window, region: r.region ?? null, pages: r.pages, truncated: r.truncated };
  } catch (e) {
    if (!(e instanceof SourceError) || e.code !== 'SOURCE_AWS') throw e;
    return { findings: [awsFailure(e, { profile: input.profile })], events: [], window, region: (await aws.region()) ?? null, pages: 0, truncated: false };
  }
}
