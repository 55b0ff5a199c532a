/**
 * MCP resources: the finding-code catalogue and the precedence table, as JSON. Both are data
 * the tools' output refers to (a finding's `code`, the diagnosis's `root_cause`), published once
 * here instead of inside every tool's schema.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { FINDING_CODES, FINDING_DOCS, FINDING_GUIDE } from '../checks/codes.js';
import { PRECEDENCE_NOTE, precedenceTable } from '../diagnose/precedence.js';

export const CODES_URI = 'jwt-triage://codes';
export const PRECEDENCE_URI = 'jwt-triage://precedence';

/** One row per finding code: what it means, which tools detect (and confirm) it, the usual fix. */
export function codeCatalogue() {
  return FINDING_CODES.map((code) => ({ code, meaning: FINDING_DOCS[code], detected_by: FINDING_GUIDE[code].tools, fix: FINDING_GUIDE[code].fix }));
}

export function registerResources(server: McpServer): void {
  server.registerResource(
    'codes',
    CODES_URI,
    {
      title: 'Finding codes',
      description: 'Every finding code the tools return: meaning, the tools that detect it, the usual fix. Codes never change meaning once released.',
      mimeType: 'application/json',
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ codes: codeCatalogue() }, null, 1) }] }),
  );
  server.registerResource(
    'precedence',
    PRECEDENCE_URI,
    {
      title: 'Root-cause precedence',
      description: 'The order in which diagnose_rejection picks one root cause among several failing findings.',
      mimeType: 'application/json',
    },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ note: PRECEDENCE_NOTE, ...precedenceTable() }, null, 1) }] }),
  );
}
