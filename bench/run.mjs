#!/usr/bin/env node
/**
 * `npm run bench`: one run, one world, ratios printed as a table. Prints, never asserts.
 *
 *   node bench/run.mjs [--baseline <dir with an older build's dist/>] [--quick]
 *
 * (1) seed flow vs diagnose · (2) cold start vs server-filesystem · (3) context size ·
 * (4) log paths vs grep -c · (5) fetch reuse · (6) memory.
 * Needs moto_server (python), aws-cli, jq, curl, openssl; see BENCHMARKS.md.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fmtMs, fmtN, median, ratio, ROOT, table, exists } from './helpers.mjs';
import { benchLogPaths, albLines } from './logs.mjs';
import { startServer } from './mcp.mjs';
import { buildWorld, motoEnv } from './world.mjs';

const argv = process.argv.slice(2);
const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const QUICK = argv.includes('--quick');
const BASE = opt('--baseline');
const CLI = join(ROOT, 'dist/cli.js');
const BASE_CLI = BASE ? join(BASE, 'cli.js') : undefined;
const FS_SERVER = join(ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const log = (s) => process.stderr.write(`bench: ${s}\n`);
const rows = [['#', 'figure', 'jwt-triage', 'measured against', 'ratio']];
const extra = [];

/** Runs a command without blocking the event loop (the loopback issuer lives in this process). */
function timed(cmd, args, env, input) {
  return new Promise((resolve) => {
    const s = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.stdin.end(input ?? '');
    child.on('close', (status) => resolve({ ms: performance.now() - s, stdout, stderr, status }));
  });
}

/** Peak RSS (MB) and wall time of a command, through /usr/bin/time. */
async function peak(cmd, args, env) {
  const r = await timed('/usr/bin/time', ['-f', '%M', cmd, ...args], env);
  const kb = Number((r.stderr.trim().split('\n').pop() ?? '').trim());
  return { ms: r.ms, mb: kb / 1024, stdout: r.stdout };
}

/**
 * What a diagnosis checked: its sections are rows `{label, status, line}` (status skip = not
 * checked: no API key given, no log group…), and `findings` lists only fail/warn/error, so the
 * count is of sections with a verdict. An older output shape (findings inside sections) is
 * counted as distinct finding codes with a verdict.
 */
const countChecks = (out) => {
  const sections = out?.sections;
  if (Array.isArray(sections) && sections.every((r) => typeof r?.status === 'string' && !Array.isArray(r.findings))) {
    const checked = sections.filter((r) => r.status !== 'skip').length;
    const found = Array.isArray(out.findings) ? out.findings.length : 0;
    return `${checked} of ${sections.length} sections checked, ${found} finding${found === 1 ? '' : 's'}`;
  }
  const seen = new Set();
  const walk = (v) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      if (typeof v.code === 'string' && typeof v.status === 'string' && v.status !== 'skip') seen.add(v.code);
      Object.values(v).forEach(walk);
    }
  };
  walk(out);
  return `${seen.size} checks`;
};

async function main() {
  const started = performance.now();
  log('building the world (moto, loopback issuer, OpenCode Stack)…');
  const w = await buildWorld();
  const env = { ...process.env, ...motoEnv(w.moto.endpoint), NODE_EXTRA_CA_CERTS: w.srv.caCertPath, CURL_CA_BUNDLE: w.srv.caCertPath, NO_COLOR: '1' };
  try {
    // (1) seed flow vs diagnose, interleaved.
    log('(1) seed flow vs diagnose…');
    const runs = QUICK ? 1 : 3;
    const seed = [];
    const ours = [];
    let seedChecks = '';
    let ourChecks = '?';
    let ourRoot = '';
    for (let i = 0; i < runs; i++) {
      const s = await timed('bash', [join(ROOT, 'bench/seed-flow.sh')], { ...env, TOKEN: w.token, ENV: 'dev' });
      seed.push(s.ms);
      const ok = s.stdout.split('\n').filter((l) => l.startsWith('CHECK ok')).length;
      const all = s.stdout.split('\n').filter((l) => l.startsWith('CHECK ')).length;
      seedChecks = `${ok} of ${all} steps answered`;
      const d = await timed('node', [CLI, 'diagnose', '--token-file', w.tokenFile, '--preset', 'opencode', '--env', 'dev', '--json'], env);
      ours.push(d.ms);
      try {
        const j = JSON.parse(d.stdout);
        ourChecks = countChecks(j);
        ourRoot = j.root_cause?.code ?? j.output?.root_cause?.code ?? '';
      } catch {
        ourChecks = '? (no JSON)';
      }
    }
    rows.push(['1', `full triage: seed skill flow (bash+aws+jq+curl) vs diagnose --json --preset opencode, median of ${runs}`, fmtMs(median(ours)), `seed flow ${fmtMs(median(seed))}`, `${ratio(median(seed), median(ours))} faster`]);
    rows.push(['1', 'checks performed', `${ourChecks} (root cause ${ourRoot || '?'})`, `seed: ${seedChecks}`, '—']);

    // (2) cold start, interleaved.
    log('(2) cold start…');
    const cold = { ours: [], fs: [], base: [] };
    const rssInit = { ours: [], fs: [], base: [] };
    const servers = [
      ['ours', 'node', [CLI, 'serve'], 'decode_token', { token_file: w.tokenFile }],
      ['fs', 'node', [FS_SERVER, w.dir], 'read_text_file', { path: w.tokenFile }],
      ...(BASE_CLI ? [['base', 'node', [BASE_CLI, 'serve'], 'decode_token', { token_file: w.tokenFile }]] : []),
    ];
    for (let i = 0; i < (QUICK ? 3 : 11); i++) {
      for (const [k, cmd, args, tool, input] of servers) {
        const s = startServer(cmd, args, env);
        await s.initialize();
        if (i > 0) rssInit[k].push(s.rss());
        await s.call(tool, input);
        if (i > 0) cold[k].push(performance.now() - s.started); // run 0 warms the page cache
        await s.close();
      }
    }
    rows.push(['2', 'MCP spawn → initialize → first decode_token result (median, interleaved)', fmtMs(median(cold.ours)), `server-filesystem ${fmtMs(median(cold.fs))} (read_text_file)`, ratio(median(cold.ours), median(cold.fs))]);
    if (BASE_CLI) extra.push(`cold start before (baseline build): ${fmtMs(median(cold.base))}`);

    // CLI start-up (same interleaving).
    const cli = { help: [], decode: [], node: [], bhelp: [], bdecode: [] };
    for (let i = 0; i < (QUICK ? 3 : 11); i++) {
      cli.node.push((await timed('node', ['-e', '0'], env)).ms);
      cli.help.push((await timed('node', [CLI, '--help'], env)).ms);
      cli.decode.push((await timed('node', [CLI, 'decode', '--token-file', w.tokenFile], env)).ms);
      if (BASE_CLI) {
        cli.bhelp.push((await timed('node', [BASE_CLI, '--help'], env)).ms);
        cli.bdecode.push((await timed('node', [BASE_CLI, 'decode', '--token-file', w.tokenFile], env)).ms);
      }
    }
    rows.push(['2', 'jwt-triage --help / decode --token-file F', `${fmtMs(median(cli.help))} / ${fmtMs(median(cli.decode))}`, `node -e 0 ${fmtMs(median(cli.node))}`, `${ratio(median(cli.help), median(cli.node))} / ${ratio(median(cli.decode), median(cli.node))}`]);
    if (BASE_CLI) extra.push(`--help / decode before (baseline build): ${fmtMs(median(cli.bhelp))} / ${fmtMs(median(cli.bdecode))}`);
    // Files loaded by a server answering initialize (stdin then closes: a normal exit).
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } }) + '\n';
    const files = (args) => {
      const r = spawnSync('node', ['--import', join(ROOT, 'bench/count-files.mjs'), ...args], { env, encoding: 'utf8', input: init });
      return /files loaded: (\d+), ([\d.]+) MB/.exec(r.stderr)?.slice(1) ?? ['?', '?'];
    };
    const [oursFiles, oursMb] = files([CLI, 'serve']);
    const [helpFiles, helpMb] = files([CLI, '--help']);
    const [fsFiles, fsMb] = files([FS_SERVER, w.dir]);
    rows.push(['2', 'files loaded: server through initialize (CLI --help)', `${oursFiles} files, ${oursMb} MB (--help: ${helpFiles}, ${helpMb} MB)`, `server-filesystem ${fsFiles} files, ${fsMb} MB`, ratio(Number(oursMb), Number(fsMb)) + ' bytes']);

    // (3) context.
    log('(3) context…');
    {
      const s = startServer('node', [CLI, 'serve'], env);
      await s.initialize();
      const list = await s.list();
      const chars = JSON.stringify(list.msg.result.tools).length;
      const d = await s.call('diagnose_rejection', { token_file: w.tokenFile, preset: 'opencode', env: 'dev' });
      const sc = JSON.stringify(d.msg.result.structuredContent ?? {}).length;
      const tc = (d.msg.result.content ?? []).map((c) => c.text ?? '').join('').length;
      await s.close();
      const f = startServer('node', [FS_SERVER, w.dir], env);
      await f.initialize();
      const fl = await f.list();
      const fsChars = JSON.stringify(fl.msg.result.tools).length;
      await f.close();
      // --toolsets all: a build without the flag exits at once (a usage error), so its default lists everything.
      let all;
      try {
        const a = startServer('node', [CLI, 'serve', '--toolsets', 'all'], env);
        await a.initialize();
        const al = await a.list();
        all = { n: al.msg.result.tools.length, chars: JSON.stringify(al.msg.result.tools).length };
        await a.close();
      } catch {
        all = undefined;
      }
      const n = list.msg.result.tools.length;
      const which = !all ? 'default = all (no --toolsets)' : all.n > n ? 'default toolset' : 'default = all';
      rows.push(['3', `tools/list characters (${n} tools, ${which})`, fmtN(chars), `server-filesystem ${fmtN(fsChars)} (${fl.msg.result.tools.length} tools)`, ratio(chars, fsChars)]);
      if (all && all.n > n) rows.push(['3', `tools/list characters, --toolsets all (${all.n} tools)`, fmtN(all.chars), `server-filesystem ${fmtN(fsChars)}`, ratio(all.chars, fsChars)]);
      rows.push(['3', 'one diagnosis over MCP (typical failure): structuredContent + text chars', `${fmtN(sc + tc)} (${fmtN(sc)} + ${fmtN(tc)})`, 'target ≤ 4,000', ratio(sc + tc, 4000)]);
    }

    // (4) log paths.
    log('(4) log paths…');
    const n = QUICK ? 30_000 : 100_000;
    for (const [path, rate, grep] of await benchLogPaths(join(ROOT, 'dist'), w.data.albLine, n)) {
      rows.push(['4', `${path}: lines/s (${fmtN(n)} lines)`, fmtN(rate), `grep -c ${fmtN(grep)}/s`, `${ratio(grep, rate)} slower than grep`]);
    }
    if (BASE) {
      for (const [path, rate] of await benchLogPaths(BASE, w.data.albLine, n)) extra.push(`${path} before (baseline build): ${fmtN(rate)} lines/s`);
    }

    // (5) fetch reuse and (6) memory in one server per build.
    log('(5) fetch reuse, (6) memory…');
    const reuse = async (cli) => {
      const s = startServer('node', [cli, 'serve'], env);
      await s.initialize();
      const rssInit = s.rss();
      w.srv.hits.length = 0;
      const hs0 = w.srv.handshakes();
      let rssDiag;
      for (let i = 0; i < 20; i++) {
        await s.call('check_jwks', { issuer: w.issuer, token_file: w.tokenFile });
        await s.call('diagnose_rejection', { token_file: w.tokenFile, preset: 'opencode', env: 'dev' });
        rssDiag ??= s.rss();
      }
      const disc = w.srv.hits.filter((h) => h.endsWith('openid-configuration')).length;
      const jwks = w.srv.hits.filter((h) => h.endsWith('jwks.json')).length;
      const hs = w.srv.handshakes() - hs0;
      for (let i = 0; i < 2000; i++) {
        const k = i % 4;
        if (k === 0) await s.call('decode_token', { token_file: w.tokenFile });
        else if (k === 1) await s.call('check_token_time', { token_file: w.tokenFile });
        else if (k === 2) await s.call('check_jwks', { issuer: w.issuer, token_file: w.tokenFile });
        else await s.call('compare_claims', { token_file: w.tokenFile, expected_audience: 'x' });
      }
      const rss2000 = s.rss();
      await s.close();
      return { disc, jwks, hs, rssInit, rssDiag, rss2000 };
    };
    const r = await reuse(CLI);
    rows.push(['5', '20 check_jwks + 20 diagnoses, one issuer, one server: discovery + JWKS fetches, TLS handshakes', `${r.disc} + ${r.jwks} fetches, ${r.hs} handshakes`, 'target 1 + 1 per cache window, one connection', '—']);
    let b;
    if (BASE_CLI) {
      b = await reuse(BASE_CLI);
      extra.push(`fetch reuse before (baseline build): ${b.disc} + ${b.jwks} fetches, ${b.hs} handshakes`);
      extra.push(`RSS before (baseline build): ${b.rssInit.toFixed(0)} / ${b.rssDiag.toFixed(0)} / ${b.rss2000.toFixed(0)} MB`);
    }
    rows.push(['6', 'server RSS after initialize / after a diagnosis / after 2,000 calls', `${r.rssInit.toFixed(0)} / ${r.rssDiag.toFixed(0)} / ${r.rss2000.toFixed(0)} MB`, `server-filesystem after initialize ${median(rssInit.fs).toFixed(0)} MB`, ratio(r.rssInit, median(rssInit.fs))]);

    // (6) access-log memory at 1×, 10×, 100× data.
    log('(6) access-log memory (seeding S3 in moto)…');
    const sizes = QUICK ? [['1×', 10, 1000], ['10×', 100, 1000]] : [['1×', 10, 1000], ['10×', 100, 1000], ['100×', 100, 10_000]];
    const mem = [];
    for (const [label, objects, lines] of sizes) {
      const e = `logs${label.replace('×', 'x')}`;
      const now = Date.now();
      const all = albLines(objects * lines, w.data.albLine);
      const files = [];
      for (let o = 0; o < objects; o++) {
        const end = new Date(now - (o + 1) * 20_000);
        // Each file's lines fall inside the hour before `end`.
        const chunk = all.slice(o * lines, (o + 1) * lines).map((l, i) => l.replace(/^h2 \S+/, `h2 ${new Date(end.getTime() - 5_000 - (i % 1000)).toISOString().replace('Z', '641Z')}`));
        files.push({ end, lines: chunk });
      }
      const bytes = files.reduce((a, f) => a + f.lines.reduce((x, l) => x + l.length + 1, 0), 0);
      await w.data.seedAccessLogs(w.moto.endpoint, { env: e, files });
      const p = await peak('node', [CLI, 'access-logs', '--env', e, '--since', '2h', '--json'], env);
      let counted = '?';
      try {
        counted = JSON.parse(p.stdout).counts?.requests ?? JSON.parse(p.stdout).output?.counts?.requests;
      } catch {
        /* shown as ? */
      }
      mem.push({ label, objects, lines, bytes, ...p, counted });
      if (BASE_CLI) {
        const q = await peak('node', [BASE_CLI, 'access-logs', '--env', e, '--since', '2h', '--json'], env);
        extra.push(`access logs ${label} before (baseline build): ${fmtMs(q.ms)}, peak RSS ${q.mb.toFixed(0)} MB`);
      }
    }
    for (const m of mem) {
      rows.push(['6', `access logs ${m.label}: ${m.objects} objects × ${fmtN(m.lines)} lines (${(m.bytes / 1048576).toFixed(0)} MiB text), ${m.counted} requests counted`, `${fmtMs(m.ms)}, peak RSS ${m.mb.toFixed(0)} MB`, `1×: ${fmtMs(mem[0].ms)}, ${mem[0].mb.toFixed(0)} MB`, `time ${ratio(m.ms, mem[0].ms)}, memory ${ratio(m.mb, mem[0].mb)}`]);
    }
  } finally {
    await w.srv.close();
    await w.moto.stop();
  }
  const cpu = cpus();
  console.log(`jwt-triage bench — ${new Date().toISOString()} — ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GB, Node ${process.version}, total ${fmtMs(performance.now() - started)}\n`);
  console.log(table(rows));
  if (extra.length) console.log('\n' + extra.map((x) => `- ${x}`).join('\n'));
}

if (!exists(CLI)) {
  console.error('dist/cli.js is missing: run `npm run build` (npm run bench does it first).');
  process.exit(2);
}
for (const tool of ['aws', 'jq', 'curl', 'openssl']) {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
  } catch {
    console.error(`bench: ${tool} is not on PATH; the seed flow needs it.`);
  }
}
await main();
