/**
 * Judges the bridge's settings (a container's env, as plain facts) against internal/config:
 * required settings present, ISSUER_URL https and host-only, host = <TS_HOSTNAME>.<tailnet>.ts.net,
 * TS_TAG starts with `tag:`, removed settings absent, unknown bridge-looking names flagged,
 * secrets from a Secret (a literal value is a warn; the value itself is never shown).
 * One BRIDGE_CONFIG_INVALID finding per broken rule, with the rule in the evidence.
 */
import { BRIDGE_OPTIONAL, BRIDGE_PREFIXES, BRIDGE_REMOVED, BRIDGE_REQUIRED, isSecretSetting } from '../../presets/bridge.js';
import { fail, pass, warn, type Finding } from '../finding.js';

/** One setting as seen in the Deployment (or given): where its value comes from. */
export interface SettingFact {
  name: string;
  from: 'value' | 'secretKeyRef' | 'configMapKeyRef' | 'fieldRef' | 'resourceFieldRef' | 'other';
  /** Literal value; callers pass it for non-secret settings only. */
  value?: string | undefined;
}

export interface BridgeConfigFacts {
  settings: SettingFact[];
  /** envFrom sources (`secret:<name>`): settings may hide there, unseen. */
  envFrom: string[];
}

const KNOWN = new Set<string>([...BRIDGE_REQUIRED, ...BRIDGE_OPTIONAL]);
const REMOVED = new Set<string>(BRIDGE_REMOVED);

const bad = (rule: string, title: string, detail: string, fix: string, evidence: Record<string, unknown> = {}) =>
  fail('BRIDGE_CONFIG_INVALID', { title, detail, evidence: { rule, ...evidence }, fix });

/** Why ISSUER_URL breaks the bridge's rules (its own validateIssuerURL), or undefined. */
export function issuerUrlProblem(raw: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'is not a valid URL';
  }
  if (u.protocol !== 'https:') return `uses ${u.protocol.replace(':', '')}; it must be https`;
  if (u.username || u.password) return 'contains userinfo';
  // WHATWG URL drops a default port (":443"); the bridge (Go's url.Port) still rejects it.
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d*)/i.exec(raw)?.[1];
  if (port !== undefined) return `contains an explicit port (${port || 'empty'})`;
  if (/^https:\/\/[^/?#]+\/\s*$/.test(raw)) return 'ends with "/" (the bridge rejects any path, even "/"; tokens would carry a different iss)';
  if (u.pathname !== '/' ) return `contains a path (${u.pathname})`;
  if (u.search) return 'contains a query string';
  if (u.hash || raw.includes('#')) return 'contains a fragment';
  return undefined;
}

function literal(byName: Map<string, SettingFact>, name: string): string | undefined {
  const s = byName.get(name);
  return s?.from === 'value' ? s.value : undefined;
}

export function checkBridgeConfig(f: BridgeConfigFacts): Finding[] {
  const byName = new Map(f.settings.map((s) => [s.name, s]));
  const out: Finding[] = [];
  for (const name of BRIDGE_REQUIRED) {
    const s = byName.get(name);
    if (s && !(s.from === 'value' && (s.value ?? '') === '')) continue;
    const hidden = f.envFrom.length > 0;
    const mk = hidden ? warn : fail;
    out.push(mk('BRIDGE_CONFIG_INVALID', {
      title: `${name} is ${s ? 'empty' : 'not set'}${hidden ? ' in env (it may come from envFrom)' : ''}`,
      detail: `${name} is required; without it the bridge stops at startup without printing why.${hidden ? ` envFrom: ${f.envFrom.join(', ')} (not read).` : ''}`,
      evidence: { rule: 'required', setting: name, env_from: f.envFrom },
      fix: isSecretSetting(name) ? `Set ${name} from a Secret: env: [{name: ${name}, valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}}].` : `Set ${name} in the Deployment's env (kubectl -n <ns> set env deployment/<name> ${name}=<value>).`,
    }));
  }
  const issuer = literal(byName, 'ISSUER_URL');
  const problem = issuer === undefined || issuer === '' ? undefined : issuerUrlProblem(issuer);
  if (problem) {
    out.push(bad('issuer_url_host_only', `ISSUER_URL ${problem}`, `ISSUER_URL "${issuer}" ${problem}. The bridge only accepts https://<host> with no port, path, query, fragment or userinfo.`, 'Set ISSUER_URL=https://<TS_HOSTNAME>.<tailnet>.ts.net (nothing after the host), and the API server\'s --service-account-issuer to the same string.', { issuer_url: issuer }));
  }
  const hostname = literal(byName, 'TS_HOSTNAME');
  if (issuer && !problem && hostname) {
    const host = new URL(issuer).hostname;
    const m = /^([^.]+)\.([^.]+)\.ts\.net$/.exec(host);
    if (!m || m[1] !== hostname.toLowerCase()) {
      out.push(bad('issuer_host_is_ts_hostname', `ISSUER_URL's host ${host} is not ${hostname}.<tailnet>.ts.net`, `The bridge's certificate is for <TS_HOSTNAME>.<tailnet>.ts.net; with host ${host} it stops with issuer_host_mismatch.`, `Set ISSUER_URL=https://${hostname}.<tailnet>.ts.net (or TS_HOSTNAME=${m ? m[1] : '<first label of the issuer host>'}).`, { issuer_host: host, ts_hostname: hostname }));
    }
  }
  const tag = literal(byName, 'TS_TAG');
  if (tag && !tag.startsWith('tag:')) {
    out.push(bad('ts_tag_prefix', `TS_TAG "${tag}" does not start with "tag:"`, 'The bridge requires a tag of the form tag:<name>; it stops at startup otherwise.', `Set TS_TAG=tag:${tag.replace(/^tag/, '')}.`, { ts_tag: tag }));
  }
  for (const s of f.settings.filter((x) => REMOVED.has(x.name))) {
    out.push(bad('removed_setting', `${s.name} is a removed setting`, `The bridge refuses to start when ${s.name} is set ("no longer configurable"), without printing why.`, `Remove ${s.name} from the Deployment's env.`, { setting: s.name }));
  }
  const unknown = f.settings.filter((s) => !KNOWN.has(s.name) && !REMOVED.has(s.name) && BRIDGE_PREFIXES.test(s.name));
  for (const s of unknown) {
    out.push(warn('BRIDGE_CONFIG_INVALID', { title: `${s.name} is not a setting the bridge reads (a typo?)`, detail: `The bridge ignores ${s.name}. Known settings: ${[...KNOWN].join(', ')}.`, evidence: { rule: 'unknown_setting', setting: s.name }, fix: `Rename or remove ${s.name}.` }));
  }
  for (const s of f.settings.filter((x) => isSecretSetting(x.name) && x.from === 'value' && (x.value ?? '') !== '')) {
    out.push(warn('BRIDGE_CONFIG_INVALID', { title: `${s.name} is a literal value in the Deployment`, detail: 'Anyone who can read the Deployment can read it. (Its value was not read or shown.)', evidence: { rule: 'secret_from_secret', setting: s.name }, fix: `Move ${s.name} into a Secret and reference it with valueFrom.secretKeyRef.` }));
  }
  if (/^(1|true|yes|on)$/i.test(literal(byName, 'SOURCE_IP_ALLOWLIST_ENABLED')?.trim() ?? '') && !byName.has('SOURCE_IP_ALLOWLIST_CIDRS')) {
    out.push(bad('allowlist_cidrs', 'SOURCE_IP_ALLOWLIST_ENABLED is on without SOURCE_IP_ALLOWLIST_CIDRS', 'The bridge stops at startup in this case.', 'Set SOURCE_IP_ALLOWLIST_CIDRS (comma-separated CIDRs) or turn the allowlist off.'));
  }
  if (out.length === 0) out.push(pass('BRIDGE_CONFIG_INVALID', { title: 'The bridge settings follow its rules', evidence: { settings: f.settings.map((s) => s.name) } }));
  return out;
}
