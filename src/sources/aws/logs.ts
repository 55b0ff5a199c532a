/** CloudWatch Logs: FilterLogEvents paging and one Logs Insights query, as plain events and rows. */
import type { FilterLogEventsCommandOutput, GetQueryResultsCommandOutput, StartQueryCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-cloudwatch-logs');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-cloudwatch-logs');
const client = (aws: AwsSession) => aws.client('logs', sdk().CloudWatchLogsClient);

export interface LogEventFact {
  timestamp: number;
  message: string;
}

export interface FilterOptions {
  group: string;
  startMs: number;
  endMs: number;
  pattern?: string | undefined;
  maxPages: number;
  maxEvents: number;
  signal?: AbortSignal;
  /** Epoch ms after which no further page is requested (the result says truncated, stoppedBy 'deadline'). */
  deadlineMs?: number | undefined;
  onPage?: (page: number, events: number) => void;
}

/** Pages FilterLogEvents over the window (oldest first) until done or a cap is reached. */
export async function filterLogEvents(aws: AwsSession, o: FilterOptions): Promise<{ events: LogEventFact[]; pages: number; truncated: boolean; stoppedBy?: 'deadline' }> {
  const { FilterLogEventsCommand } = sdk();
  const events: LogEventFact[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    if (o.signal?.aborted) return { events, pages, truncated: true };
    const r = await aws.send<FilterLogEventsCommandOutput>('logs:FilterLogEvents', client(aws),
        new FilterLogEventsCommand({
          logGroupName: o.group,
          startTime: o.startMs,
          endTime: o.endMs,
          ...(o.pattern ? { filterPattern: o.pattern } : {}),
          limit: Math.min(1000, o.maxEvents),
          ...(nextToken ? { nextToken } : {}),
        }));
    pages++;
    for (const e of r.events ?? []) events.push({ timestamp: e.timestamp ?? 0, message: e.message ?? '' });
    o.onPage?.(pages, events.length);
    nextToken = r.nextToken;
    if (nextToken && o.deadlineMs !== undefined && Date.now() >= o.deadlineMs) return { events: events.slice(0, o.maxEvents), pages, truncated: true, stoppedBy: 'deadline' };
  } while (nextToken && pages < o.maxPages && events.length < o.maxEvents);
  return { events: events.slice(0, o.maxEvents), pages, truncated: Boolean(nextToken) };
}

export interface InsightsOptions {
  group: string;
  startMs: number;
  endMs: number;
  query: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onPoll?: (polls: number, status: string) => void;
}

/** Runs one Logs Insights query and polls until it ends or the timeout passes. */
export async function insightsQuery(aws: AwsSession, o: InsightsOptions): Promise<{ status: string; rows: Array<Record<string, string>>; records_scanned?: number | undefined }> {
  const { StartQueryCommand, GetQueryResultsCommand } = sdk();
  const started = await aws.send<StartQueryCommandOutput>('logs:StartQuery', client(aws),
    new StartQueryCommand({ logGroupName: o.group, startTime: Math.floor(o.startMs / 1000), endTime: Math.ceil(o.endMs / 1000), queryString: o.query }));
  const deadline = Date.now() + o.timeoutMs;
  let delay = 200;
  for (let polls = 1; ; polls++) {
    const r = await aws.send<GetQueryResultsCommandOutput>('logs:GetQueryResults', client(aws), new GetQueryResultsCommand({ queryId: started.queryId }));
    const status = r.status ?? 'Unknown';
    o.onPoll?.(polls, status);
    if (!['Scheduled', 'Running'].includes(status) || Date.now() > deadline || o.signal?.aborted) {
      const rows = (r.results ?? []).map((row) => Object.fromEntries(row.filter((c) => c.field).map((c) => [c.field!, c.value ?? ''])));
      const done = ['Scheduled', 'Running'].includes(status) ? 'Timeout' : status;
      return { status: done, rows, records_scanned: r.statistics?.recordsScanned };
    }
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

