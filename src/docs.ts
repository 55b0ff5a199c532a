/**
 * The README's generated sections, from the code itself: finding codes, tools, and the
 * minimal IAM policy. `npm run docs` writes them; a test fails when the README drifts.
 */
import { FINDING_DOCS } from './checks/codes.js';
import { PRECEDENCE } from './diagnose/rank.js';
import { AWS_ACTIONS } from './sources/aws/client.js';
import { ALL_TOOLS } from './tools/index.js';

export function codesTable(): string {
  const rows = Object.entries(FINDING_DOCS).map(([code, doc]) => `| \`${code}\` | ${doc.replace(/\|/g, '\\|')} |`);
  return ['| code | meaning |', '|---|---|', ...rows].join('\n');
}

export function toolsTable(): string {
  const rows = ALL_TOOLS.map((t) => {
    const kind = t.type === 'readOnly' ? (t.network ? 'read-only, network' : 'read-only, offline') : '**opt-in probe**';
    return `| \`${t.name}\` | \`jwt-triage ${t.cli.command}\` | ${kind} | ${t.cli.summary.replace(/\|/g, '\\|')} |`;
  });
  return ['| MCP tool | CLI | kind | what it answers |', '|---|---|---|---|', ...rows].join('\n');
}

export function iamPolicy(): string {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'JwtTriageReadOnly', Effect: 'Allow', Action: [...AWS_ACTIONS].sort(), Resource: '*' }],
  };
  return '```json\n' + JSON.stringify(policy, null, 2) + '\n```';
}

export function precedenceTable(): string {
  const rows = PRECEDENCE.map((p) => `| \`${p.cause}\` | ${p.explains.map((e) => `\`${e}\``).join(', ')} | ${p.why.replace(/\|/g, '\\|')} |`);
  return ['| root cause | explains (listed as "also", never the root) | why |', '|---|---|---|', ...rows].join('\n');
}

export function generatedSections(): Record<string, string> {
  return { codes: codesTable(), tools: toolsTable(), iam: iamPolicy(), precedence: precedenceTable() };
}
