#!/usr/bin/env node
/**
 * `jwt-triage` — the MCP server (no arguments, or `serve`) and every tool as a command.
 *
 * Exit codes: 0 all checks pass · 1 a failure found · 2 usage error · 3 could not check.
 * This file is the only place that calls process.exit.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeFields, parseToolArgs, type FieldInfo } from './cli/args.js';
import { colorEnabled, paint } from './cli/color.js';
import { baseRedactor } from './redact.js';
import { UsageError } from './sources/errors.js';
import type { AnyTool } from './tools/define.js';
import { parseToolsets, TOOLSET_CHOICES } from './tools/define.js';
import { allTools, loadTool } from './cli/tool-loader.js';
import { runTool } from './tools/run.js';
import { VERSION } from './version.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, cannotCheck: 3 } as const;

/** `main` returns SERVE_ENDED + code when an MCP session ended: the entry exits at once (in-flight work was aborted). */
const SERVE_ENDED = 1000;

export class ExitError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  /** stdin is a terminal (a person, not an MCP client, started the server). */
  stdinIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (t) => void process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => void process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  isTTY: Boolean(process.stdout.isTTY),
  stdinIsTTY: Boolean(process.stdin.isTTY),
  env: process.env,
};

const SERVE_HELP = [
  'jwt-triage serve [--toolsets <list>] [--read-only] [--allow-http-loopback]',
  '',
  'Runs the MCP server on stdio (also what a bare `jwt-triage` does).',
  `  --toolsets <list>  families to list besides the default tools, comma-separated: ${TOOLSET_CHOICES.filter((t) => t !== 'default').join(', ')}`,
  '                     (env JWT_TRIAGE_TOOLSETS; default: the diagnosis and the tools its playbooks use first)',
  '  --read-only        list only read-only tools (drops probe_assume_role); wins over everything (env JWT_TRIAGE_READ_ONLY=1)',
  '  --allow-http-loopback  allow plain http:// to 127.0.0.1/localhost issuers (local testing)',
].join('\n');

/** `serve` flags; the flag wins over JWT_TRIAGE_TOOLSETS, and --read-only over everything. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): { readOnly: boolean; toolsets: ReturnType<typeof parseToolsets>; http: { allowHttpLoopback: boolean } } {
  let toolsets: string | undefined = env.JWT_TRIAGE_TOOLSETS;
  let readOnly = env.JWT_TRIAGE_READ_ONLY === '1';
  let allowHttpLoopback = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--read-only') readOnly = true;
    else if (a === '--allow-http-loopback') allowHttpLoopback = true;
    else if (a === '--toolsets' && argv[i + 1] !== undefined) toolsets = argv[++i];
    else if (a.startsWith('--toolsets=')) toolsets = a.slice('--toolsets='.length);
    else throw new UsageError(`Unknown flag for serve: ${a}.`, 'Use --toolsets <list>, --read-only or --allow-http-loopback (see `jwt-triage serve --help`).');
  }
  return { readOnly, toolsets: parseToolsets(toolsets), http: { allowHttpLoopback } };
}

function mainHelp(tools: readonly AnyTool[]): string {
  const width = Math.max(...tools.map((t) => t.cli.command.length), 12);
  const rows = tools.map((t) => `  ${t.cli.command.padEnd(width)}  ${t.cli.summary}`);
  return [
    `jwt-triage ${VERSION} — why is this request rejected? JWT, JWKS, OIDC discovery, AWS ALB and STS checks.`,
    '',
    'Usage:',
    '  jwt-triage                 run the MCP server on stdio (same as `jwt-triage serve`)',
    '  jwt-triage <command> [flags]',
    '',
    'Commands:',
    `  ${'serve'.padEnd(width)}  run the MCP server on stdio (--toolsets adds tool families; --read-only drops the opt-in STS probe)`,
    `  ${'demo'.padEnd(width)}  diagnose a built-in broken example (no AWS, loopback only)`,
    `  ${'tools'.padEnd(width)}  list the MCP tools with their CLI commands`,
    `  ${'snapshot'.padEnd(width)}  diagnose and print every gathered fact, redacted (replay: diagnose --from <file>)`,
    ...rows,
    '',
    'Global flags: --json (machine output, no colour)  --no-color  --allow-http-loopback  --timeout <ms>  -h, --help  --version',
    'Tokens: pass --token-file <path> or --token-env <VAR> so the token never appears in your shell history.',
    'Exit codes: 0 all pass · 1 a failure found · 2 usage error · 3 could not check',
    '',
    'Run `jwt-triage <command> --help` for a command\'s flags and examples.',
  ].join('\n');
}

function flagLine(f: FieldInfo): string {
  const arg = f.kind === 'boolean' ? '' : f.kind === 'enum' ? ` <${f.choices?.join('|')}>` : f.kind === 'number' ? ' <n>' : f.kind === 'object' ? ' <json>' : f.kind === 'array' ? ' <v,…>' : ' <value>';
  const def = f.defaultValue !== undefined ? ` (default ${JSON.stringify(f.defaultValue)})` : '';
  const req = f.required ? ' (required)' : '';
  return `  --${f.flag}${arg}\n      ${f.description}${def}${req}`;
}

function commandHelp(tool: AnyTool): string {
  const fields = describeFields(tool.input);
  const pos = tool.cli.positional ? ` [${tool.cli.positional.replace(/_/g, '-')}]` : '';
  return [
    `jwt-triage ${tool.cli.command}${pos} [flags] — ${tool.title}`,
    '',
    tool.description,
    '',
    `MCP tool: ${tool.name}${tool.type === 'probe' ? ' (NOT read-only: makes one live call; needs --confirm)' : ' (read-only)'}`,
    '',
    'Flags:',
    ...fields.map(flagLine),
    '  --json  --no-color  --allow-http-loopback  --timeout <ms>  -h, --help',
    ...(tool.cli.examples?.length ? ['', 'Examples:', ...tool.cli.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}

/** `snapshot` prints only the snapshot of a diagnosis (`diagnose --from` replays it). */
type Mode = 'normal' | 'snapshot';

async function runCommand(tool: AnyTool, argv: string[], io: Io, mode: Mode = 'normal'): Promise<number> {
  const fields = describeFields(tool.input);
  const { input, globals } = parseToolArgs(argv, fields, tool.cli.command, tool.cli.positional);
  if (globals.help) {
    io.out(mode === 'snapshot' ? SNAPSHOT_HELP : commandHelp(tool));
    return EXIT.ok;
  }
  if (mode === 'snapshot') {
    if (input.from !== undefined) throw new UsageError('snapshot takes a live diagnosis\'s flags, not --from.', 'Run `jwt-triage diagnose --from <file>` to replay a snapshot.');
    input.snapshot = true;
  }
  const color = colorEnabled({ json: globals.json, noColor: globals.noColor, isTTY: io.isTTY, env: io.env });
  const showProgress = !globals.json && Boolean(process.stderr.isTTY);
  const result = await runTool(tool, input, {
    http: { allowHttpLoopback: globals.allowHttpLoopback, ...(globals.timeoutMs ? { timeoutMs: globals.timeoutMs } : {}) },
    progress: (p, total, message) => {
      if (showProgress) io.err(`… ${message ?? ''} (${p}${total ? `/${total}` : ''})`);
    },
  });
  // Messages name the tool's arguments (role_arn); on the command line they are flags (--role-arn).
  const names = new Set(fields.map((f) => f.key));
  const flagify = (text: string) => text.replace(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g, (m) => (names.has(m) ? `--${m.replace(/_/g, '-')}` : m));
  if (!result.ok) {
    if (globals.json) io.out(JSON.stringify({ error: { kind: result.kind, message: result.message } }, null, 2));
    else io.err(`jwt-triage ${tool.cli.command}: ${flagify(result.message)}`);
    return result.kind === 'usage' ? EXIT.usage : EXIT.cannotCheck;
  }
  if (mode === 'snapshot') {
    // The snapshot is the output: taking it succeeded, whatever the diagnosis found (the summary goes to stderr).
    io.out(JSON.stringify(result.output.snapshot, null, 2));
    io.err(`jwt-triage snapshot: ${String(result.output.summary)} Replay with: jwt-triage diagnose --from <file>`);
    return EXIT.ok;
  }
  io.out(globals.json ? JSON.stringify(result.output, null, 2) : paint(flagify(result.text), color));
  return result.verdict === 'pass' ? EXIT.ok : result.verdict === 'fail' ? EXIT.failure : EXIT.cannotCheck;
}

const SNAPSHOT_HELP = [
  'jwt-triage snapshot <the flags of diagnose> > world.json',
  '',
  'Runs the diagnosis and prints every fact it gathered (SSM values, listener rules, discovery, JWKS, IAM provider and',
  'role, cluster and bridge facts, the token\'s decoded header and claims with its fingerprint) as one JSON object,',
  'redacted: no token, API key, secret or credential. `jwt-triage diagnose --from world.json` gives the same findings',
  'offline, with no network, AWS or cluster — hand the file to a colleague or an issue tracker instead of credentials.',
].join('\n');

/** Runs the CLI; returns the exit code. Throws only ExitError. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'serve') {
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(SERVE_HELP);
        return EXIT.ok;
      }
      const opts = parseServeArgs(rest, io.env);
      // A person who typed `jwt-triage` in a terminal learns what is happening; stdout stays the protocol.
      if (command === undefined && io.stdinIsTTY) io.err('MCP server on stdio; see `jwt-triage --help`');
      const { serveStdio } = await import('./server.js');
      // Resolves when the session ends (stdin closed, oversized message, stdout gone).
      const code = await serveStdio(opts);
      return SERVE_ENDED + code;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      const tool = rest[0] ? await loadTool(rest[0]) : undefined;
      io.out(tool ? commandHelp(tool) : mainHelp(await allTools()));
      return EXIT.ok;
    }
    if (command === '--version' || command === 'version') {
      io.out(VERSION);
      return EXIT.ok;
    }
    if (command === 'snapshot') return await runCommand((await loadTool('diagnose_rejection'))!, rest, io, 'snapshot');
    if (command === 'tools') {
      for (const t of await allTools()) io.out(`${t.name.padEnd(28)} ${t.cli.command.padEnd(20)} ${(t.type === 'readOnly' ? 'read-only' : 'probe (opt-in)').padEnd(15)} ${t.toolsets.join(',').padEnd(22)} ${t.title}`);
      return EXIT.ok;
    }
    if (command === 'demo') {
      // The demo (jose key generation, a loopback issuer) loads only when it runs.
      const { runDemo, DEMO_SCENARIOS } = await import('./cli/demo.js');
      if (rest.includes('--help') || rest.includes('-h')) {
        io.out(`jwt-triage demo [--scenario <${Object.keys(DEMO_SCENARIOS).join('|')}>] [--json] [--no-color]\n\nStarts a local issuer on 127.0.0.1 with a generated key, mints a token with a realistic fault,\nruns the checks and prints the diagnosis. Needs no AWS account and no network beyond loopback.`);
        return EXIT.ok;
      }
      return await runDemo(rest, io);
    }
    // Only the module that holds this command is loaded (src/cli/tool-loader.ts).
    const tool = await loadTool(command);
    if (!tool) throw new UsageError(`Unknown command "${command}".`, 'Run `jwt-triage --help` for the list.');
    return await runCommand(tool, rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(baseRedactor.text(`jwt-triage: ${e.message}${e.fix ? `\n${e.fix}` : ''}`));
      return EXIT.usage;
    }
    if (e instanceof ExitError) {
      io.err(baseRedactor.text(e.message));
      return e.code;
    }
    io.err(baseRedactor.text(`jwt-triage: internal error: ${(e as Error)?.message ?? String(e)}`));
    return EXIT.cannotCheck;
  }
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * Runs the CLI as a process: exit code, EPIPE on stdout. The bin (src/cli/bin.ts, bundled to
 * dist/cli.js) calls this after its fast paths; running this file directly does too.
 */
export function runProcess(argv: string[]): void {
  // A reader that goes away (`jwt-triage tools | head -1`, an MCP client closing our stdout) is
  // a clean exit with one line, not an EPIPE stack trace.
  if (argv[0] !== undefined && argv[0] !== 'serve') {
    // (The MCP server handles its own stdout: src/server.ts.)
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') return;
      process.stderr.write('jwt-triage: stdout was closed by the reader (EPIPE); exiting.\n');
      process.exit(EXIT.ok);
    });
  }
  main(argv).then((code) => {
    if (code >= SERVE_ENDED) process.exit(code - SERVE_ENDED);
    process.exitCode = code;
  });
}

if (isEntryPoint()) runProcess(process.argv.slice(2));
