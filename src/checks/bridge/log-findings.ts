/**
 * Judges the bridge's log events (summaries from ./log-parse.ts) per the failure table in
 * context.md: BRIDGE_JWKS_PRIME_FAILED, BRIDGE_TAILSCALE_LOGIN, BRIDGE_FUNNEL_NOT_PERMITTED
 * (repeated public_listener_failure), BRIDGE_ISSUER_HOST_MISMATCH, and a startup stop with
 * no logged cause (config errors are not printed → BRIDGE_CONFIG_INVALID, check the config).
 * A failure followed by the matching success event is reported as recovered (warn).
 */
import { BRIDGE_FAILURE_EVENTS, FUNNEL_REPEAT_THRESHOLD, NEXT_CONFIG_STEP, type BridgeFailureCode } from '../../presets/bridge.js';
import { fail, pass, skip, warn, type Finding } from '../finding.js';
import type { EventSummary } from './log-parse.js';

/** Success events that mean a failure class recovered afterwards. */
const RECOVERY: Record<BridgeFailureCode, string[]> = {
  BRIDGE_JWKS_PRIME_FAILED: ['jwks_prime_success', 'jwks_refresh_success'],
  BRIDGE_TAILSCALE_LOGIN: ['auth_key_mint_success'],
  BRIDGE_FUNNEL_NOT_PERMITTED: [],
  BRIDGE_ISSUER_HOST_MISMATCH: ['issuer_host_verified'],
};

const CODES: BridgeFailureCode[] = ['BRIDGE_JWKS_PRIME_FAILED', 'BRIDGE_TAILSCALE_LOGIN', 'BRIDGE_FUNNEL_NOT_PERMITTED', 'BRIDGE_ISSUER_HOST_MISMATCH'];

const kinds = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${k} ×${n}`).join(', ');

function describe(s: EventSummary): string {
  const parts = [`${s.event} ×${s.count}`];
  if (Object.keys(s.error_kinds).length) parts.push(`error_kind ${kinds(s.error_kinds)}`);
  if (s.status_codes.length) parts.push(`status_code ${s.status_codes.join(', ')}`);
  if (s.first) parts.push(s.first === s.last ? `at ${s.first}` : `${s.first} → ${s.last}`);
  return parts.join(', ');
}

/** Events of a failure class; `NeedsLogin` state changes count as Tailscale login failures. */
function failuresOf(code: BridgeFailureCode, byEvent: Map<string, EventSummary>): EventSummary[] {
  const out = [...byEvent.values()].filter((s) => BRIDGE_FAILURE_EVENTS[s.event]?.code === code);
  const needs = byEvent.get('tsnet_state_change');
  if (code === 'BRIDGE_TAILSCALE_LOGIN' && needs?.states.NeedsLogin) out.push({ ...needs, count: needs.states.NeedsLogin, event: 'tsnet_state_change(NeedsLogin)' });
  return out;
}

function judge(code: BridgeFailureCode, byEvent: Map<string, EventSummary>): Finding {
  const seen = failuresOf(code, byEvent);
  const rule = Object.values(BRIDGE_FAILURE_EVENTS).find((r) => r.code === code)!;
  const total = seen.reduce((n, s) => n + s.count, 0);
  if (total === 0) return pass(code, { title: `No ${code.replace('BRIDGE_', '').toLowerCase().replace(/_/g, ' ')} events in the logs` });
  const evidence: Record<string, unknown> = { events: seen.map((s) => ({ event: s.event, count: s.count, first: s.first, last: s.last, error_kinds: s.error_kinds, status_codes: s.status_codes })) };
  const mismatch = byEvent.get('issuer_host_mismatch');
  if (code === 'BRIDGE_ISSUER_HOST_MISMATCH' && mismatch) Object.assign(evidence, { expected_host: mismatch.expected_host, cert_domains: mismatch.cert_domains ?? [] });
  const detail = seen.map(describe).join('; ') + '.';
  const lastFailure = seen.map((s) => s.last ?? '').sort().pop() ?? '';
  const recovered = RECOVERY[code].map((e) => byEvent.get(e)?.last ?? '').find((t) => t !== '' && t > lastFailure);
  if (recovered) return warn(code, { title: `Earlier, ${rule.what}; it recovered at ${recovered}`, detail, evidence, fix: rule.fix });
  if (code === 'BRIDGE_FUNNEL_NOT_PERMITTED' && total < FUNNEL_REPEAT_THRESHOLD) {
    return warn(code, { title: `The public listener failed ${total} time(s) (not yet repeating)`, detail, evidence, fix: rule.fix });
  }
  const title = code === 'BRIDGE_ISSUER_HOST_MISMATCH' && mismatch?.expected_host
    ? `The certificate domains (${(mismatch.cert_domains ?? []).join(', ') || 'none'}) do not include the issuer host ${mismatch.expected_host}`
    : `The bridge logged that ${rule.what}`;
  return fail(code, { title, detail, evidence, fix: rule.fix });
}

/** A `process_stop` with `startup_failed` that no logged failure explains: a config error (not printed). */
function startupStop(byEvent: Map<string, EventSummary>, explained: boolean): Finding | undefined {
  const stop = byEvent.get('process_stop');
  const n = (stop?.error_kinds.startup_failed ?? 0) + (stop?.results.startup_failed ?? 0);
  if (!stop || n === 0) return undefined;
  const evidence = { event: 'process_stop', count: n, first: stop.first, last: stop.last };
  if (explained) return skip('BRIDGE_CONFIG_INVALID', { title: 'The bridge stopped at startup after a logged failure (see above)', evidence });
  return fail('BRIDGE_CONFIG_INVALID', {
    title: 'The bridge stopped at startup without logging why: most likely a configuration error',
    detail: `process_stop with error_kind startup_failed ×${n} and no jwks_prime_failure, Tailscale or issuer-host failure before it. The bridge does NOT print configuration errors, so the logs cannot say more.`,
    evidence,
    fix: `Check the Deployment's settings next: ${NEXT_CONFIG_STEP}.`,
  });
}

export function checkBridgeLogs(summaries: EventSummary[], parsed: { lines: number; unparsed: number }): Finding[] {
  if (summaries.length === 0) {
    const why = parsed.lines === 0 ? 'No log lines were read (wrong pod, or nothing in the --since window).' : `${parsed.lines} line(s) read, none is slog JSON with an "event" (LOG_FORMAT=text?).`;
    return CODES.map((code) => skip(code, { title: 'No bridge log events to judge', detail: why, fix: 'Widen since/tail, check the pod or selector, and keep LOG_FORMAT=json (the default).' }));
  }
  const byEvent = new Map(summaries.map((s) => [s.event, s]));
  const findings = CODES.map((code) => judge(code, byEvent));
  const stop = startupStop(byEvent, findings.some((f) => f.status === 'fail'));
  return stop ? [...findings, stop] : findings;
}
