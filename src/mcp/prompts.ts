/**
 * MCP prompts: the two playbooks of skills/ (jwt-debug, web-identity-debug) as prompts with
 * arguments. The playbook text is read from the shipped skills/<name>/SKILL.md, so the prompt
 * and the skill never drift; the arguments become the first diagnose_rejection call.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { baseRedactor } from '../redact.js';

/**
 * Where the shipped skills/ folder is, seen from this module: `../skills/` from the bundled
 * dist/cli.js, `../../skills/` from src/mcp/ (tests) or an unbundled dist/mcp/.
 */
const SKILLS = [new URL('../skills/', import.meta.url), new URL('../../skills/', import.meta.url)];

/** A skill's body (frontmatter removed), or undefined when the skills folder is not there. */
export function playbook(skill: string): string | undefined {
  for (const base of SKILLS) {
    try {
      const text = readFileSync(fileURLToPath(new URL(`${skill}/SKILL.md`, base)), 'utf8');
      return text.replace(/^---\n[\s\S]*?\n---\n/, '').trim();
    } catch {
      /* try the next place */
    }
  }
  return undefined;
}

type Args = Record<string, string | undefined>;

/** The prompts this server registers (the skills validator checks names against it). */
export const PROMPT_NAMES = ['debug_401', 'debug_assume_role'] as const;

/** The diagnose_rejection arguments a prompt's arguments stand for (only the ones given). */
export function diagnoseArgs(args: Args, defaults: Args): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...defaults, ...args })) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function text(intro: string, call: Record<string, string>, skill: string): string {
  return baseRedactor.text(body(intro, call, skill));
}

function body(intro: string, call: Record<string, string>, skill: string): string {
  const hasToken = call.token_file !== undefined || call.token_env !== undefined;
  return [
    intro,
    '',
    `Start by calling diagnose_rejection with ${JSON.stringify(call)}.`,
    hasToken
      ? ''
      : 'No token reference was given: ask the user for the path of a file holding the token, or the name of an environment variable the server can read (token_file / token_env). Never ask them to paste a token into the chat.',
    'Then follow this playbook.',
    '',
    playbook(skill) ?? `(The ${skill} playbook is not installed next to the server; use diagnose_rejection's report and fix as the answer.)`,
  ].filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n');
}

const ref = {
  token_file: z.string().optional().describe('Path of a file holding the token (never paste the token itself).'),
  token_env: z.string().optional().describe('Name of an environment variable of the server holding the token.'),
};

export function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    'debug_401',
    {
      title: 'Debug a 401/403 at a JWT-validating ALB',
      description: 'Playbook for a 401 or 403 from an AWS ALB with jwt-validation (the OpenCode Stack or any ALB setup): diagnose first, confirm with one tool, answer with Diagnosis and Fix.',
      argsSchema: {
        preset: z.string().optional().describe('opencode (the OpenCode Stack, default) or generic.'),
        env: z.string().optional().describe('OpenCode environment name (default: ENVIRONMENT, cdk.context.json, dev).'),
        ...ref,
        region: z.string().optional().describe('AWS region.'),
        symptom: z.string().optional().describe('What the user sees, e.g. "401 on /v1/chat/completions".'),
      },
    },
    ({ symptom, ...args }) => ({
      messages: [
        {
          role: 'user',
          content: { type: 'text', text: text(`Find out why this request is rejected by the ALB${symptom ? `: ${symptom}` : ''}.`, diagnoseArgs(args, { preset: 'opencode' }), 'jwt-debug') },
        },
      ],
    }),
  );
  server.registerPrompt(
    'debug_assume_role',
    {
      title: 'Debug a failing AssumeRoleWithWebIdentity',
      description: 'Playbook for STS AssumeRoleWithWebIdentity failures (InvalidIdentityToken, AccessDenied, ExpiredTokenException) with a Kubernetes OIDC bridge, EKS IRSA or any self-hosted issuer.',
      argsSchema: {
        preset: z.string().optional().describe('sts (web identity, default) or generic.'),
        role_arn: z.string().optional().describe('The role being assumed.'),
        ...ref,
        region: z.string().optional().describe('AWS region.'),
        error_text: z.string().optional().describe('The STS error message as printed (a token inside it is never echoed).'),
      },
    },
    ({ error_text, ...args }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: text(
              `Find out why AssumeRoleWithWebIdentity fails.${error_text ? ' The error, to pass to explain_sts_error: ' + JSON.stringify(error_text.slice(0, 2000)) : ''}`,
              diagnoseArgs(args, { preset: 'sts' }),
              'web-identity-debug',
            ),
          },
        },
      ],
    }),
  );
}
