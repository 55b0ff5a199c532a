/**
 * Parses the bridge's slog JSON lines into known fields only and groups them by event.
 * Nothing of a line survives but the fields listed in BRIDGE_LOG_FIELDS, each validated
 * (short identifiers, numbers, host names); `msg`, `error` and unknown fields are dropped,
 * so a raw line (and whatever secret it held) never reaches the output.
 */
import { BRIDGE_LOG_FIELDS } from '../../presets/bridge.js';

export interface BridgeEvent {
  /** ISO 8601, when the line had a parseable `time`. */
  time?: string | undefined;
  event: string;
  fields: Record<string, string | number | string[]>;
}

export interface ParsedLog {
  events: BridgeEvent[];
  lines: number;
  /** Non-empty lines that were not slog JSON with an `event`. */
  unparsed: number;
}

/** Identifiers only (`jwks_prime_failure`, `NeedsLogin`, `ERROR`): no `-`, `.`, `/`, so no key or token fits. */
const WORD = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;
const HOST = /^(?=.{1,253}$)[A-Za-z0-9*]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

function pick(rec: Record<string, unknown>): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {};
  for (const k of BRIDGE_LOG_FIELDS.words) {
    const v = rec[k];
    if (typeof v === 'string' && WORD.test(v)) out[k] = v;
  }
  for (const k of BRIDGE_LOG_FIELDS.numbers) {
    const v = rec[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  for (const k of BRIDGE_LOG_FIELDS.hosts) {
    const v = rec[k];
    if (typeof v === 'string' && HOST.test(v)) out[k] = v;
  }
  for (const k of BRIDGE_LOG_FIELDS.hostLists) {
    const v = rec[k];
    const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
    const hosts = list.filter((h): h is string => typeof h === 'string' && HOST.test(h.trim())).map((h) => h.trim());
    if (hosts.length) out[k] = hosts.slice(0, 20);
  }
  return out;
}

/** One line → an event, or undefined. Accepts a leading RFC 3339 timestamp (`kubectl logs --timestamps`). */
export function parseLine(line: string): BridgeEvent | undefined {
  const start = line.indexOf('{');
  if (start < 0) return undefined;
  let rec: unknown;
  try {
    rec = JSON.parse(line.slice(start));
  } catch {
    return undefined;
  }
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return undefined;
  const r = rec as Record<string, unknown>;
  if (typeof r.event !== 'string' || !WORD.test(r.event)) return undefined;
  const t = typeof r.time === 'string' ? Date.parse(r.time) : NaN;
  const { event: _e, ...fields } = pick(r);
  return { time: Number.isNaN(t) ? undefined : new Date(t).toISOString(), event: r.event, fields };
}

export function parseBridgeLog(text: string): ParsedLog {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const events: BridgeEvent[] = [];
  for (const l of lines) {
    const e = parseLine(l);
    if (e) events.push(e);
  }
  return { events, lines: lines.length, unparsed: lines.length - events.length };
}

export interface EventSummary {
  event: string;
  component?: string | undefined;
  level?: string | undefined;
  count: number;
  first?: string | undefined;
  last?: string | undefined;
  /** Counts by `error_kind` / `state` / `result`, and the `status_code`s seen. */
  error_kinds: Record<string, number>;
  states: Record<string, number>;
  results: Record<string, number>;
  status_codes: number[];
  expected_host?: string | undefined;
  cert_domains?: string[] | undefined;
}

const bump = (m: Record<string, number>, k: unknown) => {
  if (typeof k === 'string') m[k] = (m[k] ?? 0) + 1;
};

/** First/last/count per event, in order of first appearance. */
export function summarizeEvents(events: BridgeEvent[]): EventSummary[] {
  const by = new Map<string, EventSummary>();
  for (const e of events) {
    let s = by.get(e.event);
    if (!s) {
      s = { event: e.event, count: 0, error_kinds: {}, states: {}, results: {}, status_codes: [] };
      by.set(e.event, s);
    }
    s.count++;
    s.component ??= e.fields.component as string | undefined;
    s.level ??= e.fields.level as string | undefined;
    if (e.time) {
      if (!s.first || e.time < s.first) s.first = e.time;
      if (!s.last || e.time > s.last) s.last = e.time;
    }
    bump(s.error_kinds, e.fields.error_kind);
    bump(s.states, e.fields.state);
    bump(s.results, e.fields.result);
    const code = e.fields.status_code;
    if (typeof code === 'number' && !s.status_codes.includes(code)) s.status_codes.push(code);
    if (typeof e.fields.expected_host === 'string') s.expected_host = e.fields.expected_host;
    if (Array.isArray(e.fields.cert_domains)) s.cert_domains = e.fields.cert_domains;
  }
  return [...by.values()];
}
