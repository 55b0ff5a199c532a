/**
 * CloudTrail Event history (cloudtrail:LookupEvents): the management events of one name in a
 * time window, newest first, paged under a page cap and a deadline. Each event's
 * `CloudTrailEvent` JSON is parsed here; nothing is judged. LookupEvents covers the last
 * 90 days of the session's region only, and AWS throttles it to 2 requests per second per
 * account and region (CloudTrail API reference, LookupEvents).
 */
import type { LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-cloudtrail');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-cloudtrail');
const client = (aws: AwsSession) => aws.client('cloudtrail', sdk().CloudTrailClient);
const PAGE_PAUSE_MS = 500;

export interface TrailEvent {
  eventId: string;
  eventName: string;
  eventTime?: string | undefined;
  /** The parsed CloudTrailEvent record (undefined when it is not JSON). */
  record?: Record<string, unknown> | undefined;
}

export interface LookupResult {
  events: TrailEvent[];
  pages: number;
  /** True when the page cap or the deadline stopped the listing before the end. */
  truncated: boolean;
  region?: string | undefined;
}

export interface LookupOptions {
  eventName: string;
  start: Date;
  end: Date;
  maxPages?: number;
  /** Stop paging (keeping what was read) once this instant (epoch ms) has passed. */
  deadline?: number;
}

export async function lookupEvents(aws: AwsSession, q: LookupOptions): Promise<LookupResult> {
  const { LookupEventsCommand } = sdk();
  const events: TrailEvent[] = [];
  let token: string | undefined;
  let pages = 0;
  const maxPages = q.maxPages ?? 10;
  do {
    if (q.deadline !== undefined && Date.now() > q.deadline) break;
    const out = await aws.send<LookupEventsCommandOutput>('cloudtrail:LookupEvents', client(aws), new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: q.eventName }],
      StartTime: q.start,
      EndTime: q.end,
      MaxResults: 50,
      NextToken: token,
    }));
    pages++;
    for (const e of out.Events ?? []) {
      let record: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(e.CloudTrailEvent ?? '');
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) record = parsed as Record<string, unknown>;
      } catch {
        record = undefined;
      }
      events.push({ eventId: e.EventId ?? '', eventName: e.EventName ?? q.eventName, eventTime: e.EventTime?.toISOString(), record });
    }
    token = out.NextToken;
    // LookupEvents allows 2 requests per second per account and region: pace the pages.
    if (token && pages < maxPages) {
      try {
        await sleep(PAGE_PAUSE_MS, undefined, aws.options.signal ? { signal: aws.options.signal } : undefined);
      } catch {
        break; // cancelled: keep what was read
      }
    }
  } while (token && pages < maxPages);
  return { events, pages, truncated: Boolean(token), region: await aws.region() };
}
