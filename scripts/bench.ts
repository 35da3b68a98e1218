/**
 * `npm run bench`: how long the suite takes and how fast the mock answers, as one
 * table of medians with min and max, all measured in this one bench run:
 *   1. passing conformance run (HTML included) against a separately started mock, without the generated phases,
 *      then (1b) with them on at their defaults, and what they add
 *   2. failing run against a server that violates every response (checked: exit 1, every cell failed)
 *   3. BASE_URL without the API prefix (checked: exit 1, the preflight's message, no coverage.json)
 *   4. failing/passing ratio
 *   5. breakdown of the passing run (process starts, config, Playwright's floor, contract load, global setup, Allure HTML)
 *   6. mock throughput and p99 under autocannon, beside a bare node:http handler
 *   7. the upstream Metal contract parsed and compiled, if ../shared/reference has it
 *   8. with `-- --peer dredd`: Dredd 14.1.0 against the same mock, alternating with passing runs, and the ratio
 * Row 1 also gives the peak memory of the passing run (scripts/bench/memory.ts, Linux).
 * Env: BENCH_RUNS (default 5) runs per figure (throughput: always 3 runs of 4 s);
 * BENCH_ONLY=runs,breakdown,throughput,upstream runs a subset (the peer runs whenever asked for).
 * Exit code: 0 whether or not targets are met (the table says), 1 when a measurement
 * itself fails (the reason is printed), 2 for a bad BENCH_RUNS / BENCH_ONLY / argument.
 */
import { cpus, loadavg } from 'node:os';
import { MeasurementError } from './bench/child';
import { measureBreakdown, type Breakdown } from './bench/breakdown';
import { BenchContext } from './bench/context';
import { MEMORY_SAMPLE_MS } from './bench/memory';
import { PEERS, measurePeer, type PeerName, type PeerResult } from './bench/peer';
import { measureRuns, type RunsResult } from './bench/runs';
import { derivedRow, mebibytes, millis, noteRow, percent, perSecond, renderTable, seconds, statRow, times, type Row } from './bench/table';
import { CONNECTIONS, DURATION_S, THROUGHPUT_RUNS, measureThroughput, type Throughput } from './bench/throughput';
import { UPSTREAM_CONTRACT, measureUpstream, type Upstream } from './bench/upstream';

const GROUPS = ['runs', 'breakdown', 'throughput', 'upstream'] as const;
type Group = (typeof GROUPS)[number];

const TARGETS = {
  passingMs: 2000,
  phasesExtraMs: 1500,
  wrongBaseMs: 1500,
  failingRatio: 1.2,
  passingPeakBytes: 180 * 1048576,
  peerRatio: 1.8,
  listRps: 25_000,
  listShareOfBare: 0.6,
};

function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function readRuns(): number {
  const raw = process.env.BENCH_RUNS?.trim();
  if (!raw) return 5;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) usage(`BENCH_RUNS=${raw}: expected a whole number of runs, at least 1`);
  return Number(raw);
}

function readGroups(): Set<Group> {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return new Set(GROUPS);
  const names = raw.split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(GROUPS as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) usage(`BENCH_ONLY=${raw}: expected a comma list of ${GROUPS.join(', ')}`);
  return new Set(names as Group[]);
}

/** `-- --peer dredd`; nothing else is an argument of the bench. */
function readPeer(): PeerName | null {
  const args = process.argv.slice(2);
  if (args.length === 0) return null;
  const value = args[0] === '--peer' ? args[1] : args[0]?.startsWith('--peer=') ? args[0].slice('--peer='.length) : undefined;
  if (value === undefined || args.length > (args[0] === '--peer' ? 2 : 1)) usage(`unknown arguments: ${args.join(' ')} (expected: --peer ${PEERS.join('|')})`);
  if (!(PEERS as readonly string[]).includes(value)) usage(`--peer ${value}: unknown peer (known: ${PEERS.join(', ')})`);
  return value as PeerName;
}

interface Measured {
  peer?: PeerResult;
  runs?: RunsResult;
  breakdown?: Breakdown;
  throughput?: Throughput;
  upstream?: Upstream | null;
}

function breakdownRows(b: Breakdown, runs: RunsResult | undefined): Row[] {
  const sub = { depth: 1 };
  return [
    statRow('Node start (node -e 1)', b.nodeStart, millis, sub),
    statRow('Playwright CLI start (cli.js --version, with the code cache as the run has it)', b.playwrightStart, millis, sub),
    statRow("config + spec as Playwright loads them (cli.js test --list, minus CLI start)", b.config, millis, sub),
    statRow("Playwright's floor: one empty test (runner + worker, no suite code)", b.floor, millis, sub),
    statRow('contract load, cold (plan cache cleared)', b.contractCold, millis, sub),
    statRow('contract load, warm (plan cache hit)', b.contractWarm, millis, sub),
    statRow('global setup: import of specs/global-setup.ts', b.setupImport, millis, sub),
    statRow('global setup: run (warm contract, recipes, plan, preflight)', b.setupRun, millis, sub),
    statRow('Allure HTML: its process started, Allure imported (while the tests run)', b.htmlImport, millis, sub),
    statRow('Allure HTML: generation', b.htmlGenerate, millis, sub),
    ...(runs ? [statRow('cells: sum of their durations in results.json', runs.cells, millis, sub)] : []),
  ];
}

function runRows(m: Measured): Row[] {
  const rows: Row[] = [];
  const r = m.runs;
  if (r) {
    rows.push(statRow('1 Passing run (node scripts/conformance.mjs vs separate mock, HTML incl.)', r.passing, seconds, { target: { text: `≤ ${seconds(TARGETS.passingMs)}`, ok: r.passing.median <= TARGETS.passingMs } }));
    if (r.memory) {
      const peak = r.memory.largest.median;
      rows.push(statRow('peak RSS, largest process of the run (what time -v reports)', r.memory.largest, mebibytes, { depth: 1, target: { text: `≤ ${mebibytes(TARGETS.passingPeakBytes)}`, ok: peak <= TARGETS.passingPeakBytes } }));
      rows.push(statRow(`peak RSS, sum over its process tree (sampled every ${MEMORY_SAMPLE_MS} ms)`, r.memory.tree, mebibytes, { depth: 1 }));
    } else rows.push(noteRow('peak RSS', 'not measured (needs /proc)', 1));
    const extra = r.phased.median - r.passing.median;
    rows.push(statRow(`1b the same run with the generated phases on (PHASES=coverage,fuzz, FUZZ_RUNS default; ${r.generatedRequests} generated requests)`, r.phased, seconds, { depth: 1 }));
    rows.push(derivedRow('what the generated phases add', seconds(extra), { depth: 1, of: '(difference of medians)', target: { text: `≤ ${seconds(TARGETS.phasesExtraMs)}`, ok: extra <= TARGETS.phasesExtraMs } }));
  } else if (m.breakdown) rows.push(noteRow('1 Passing run', 'not measured (BENCH_ONLY)'));
  if (m.breakdown) rows.push(...breakdownRows(m.breakdown, r));
  if (!r) return rows;
  const ratio = r.failing.median / r.passing.median;
  const ratioTarget = { text: `≤ ${TARGETS.failingRatio}× passing`, ok: ratio <= TARGETS.failingRatio };
  rows.push(statRow(`2 Failing run (418 text/plain everywhere; ${r.counts.responses} responses failed, ${r.counts.flows} flows stopped by them)`, r.failing, seconds, { target: ratioTarget }));
  rows.push(statRow('3 Wrong base path (BASE_URL without /metal/v1, stopped by preflight)', r.wrongBase, seconds, { target: { text: `≤ ${seconds(TARGETS.wrongBaseMs)}`, ok: r.wrongBase.median <= TARGETS.wrongBaseMs } }));
  rows.push(derivedRow('4 Ratio failing / passing', times(ratio), { target: { text: `≤ ${TARGETS.failingRatio}`, ok: ratio <= TARGETS.failingRatio } }));
  return rows;
}

function peerRows(p: PeerResult): Row[] {
  const t = p.transactions;
  const ratio = p.suite.median / p.peer.median;
  const examples = p.examplesAdded.length ? ` gives an example to ${p.examplesAdded.join(', ')}` : '';
  return [
    noteRow(`8 Peer: ${p.name} (OpenAPI 3, experimental) vs the same mock, runs alternating`, ''),
    statRow(`${p.name}: ${t.total} transactions (${t.passing} passing, ${t.failing} failing, ${t.errors} errors, ${t.skipped} skipped) of ${p.documented} documented responses`, p.peer, seconds, { depth: 1 }),
    ...(examples ? [noteRow(`its copy of the contract${examples}`, '', 2)] : []),
    ...(p.peerMemory ? [statRow(`${p.name}: peak RSS, largest process`, p.peerMemory, mebibytes, { depth: 2 })] : []),
    statRow('suite: passing run, HTML incl. (alternating with it)', p.suite, seconds, { depth: 1 }),
    ...(p.suiteMemory ? [statRow('suite: peak RSS, largest process', p.suiteMemory, mebibytes, { depth: 2 })] : []),
    derivedRow(`ratio suite / ${p.name}`, times(ratio), { depth: 1, target: { text: `≤ ${TARGETS.peerRatio}`, ok: ratio <= TARGETS.peerRatio } }),
  ];
}

function throughputRows(t: Throughput): Row[] {
  const share = t.list.rps.median / t.bare.rps.median;
  const p99 = (figures: Throughput['bare']) => statRow('p99 latency', figures.p99, millis, { depth: 1 });
  return [
    noteRow(`6 Throughput (autocannon, ${CONNECTIONS} connections, ${THROUGHPUT_RUNS} runs of ${DURATION_S} s)`, ''),
    statRow('bare node:http handler (baseline)', t.bare.rps, perSecond),
    p99(t.bare),
    statRow('mock GET /metal/v1/user/otp/recovery-codes', t.list.rps, perSecond, { target: { text: `≥ ${perSecond(TARGETS.listRps)}`, ok: t.list.rps.median >= TARGETS.listRps } }),
    p99(t.list),
    derivedRow('share of the bare handler', percent(share), { depth: 1, target: { text: `≥ ${percent(TARGETS.listShareOfBare)}`, ok: share >= TARGETS.listShareOfBare } }),
    statRow('mock POST /metal/v1/user/otp/verify/000000', t.verify.rps, perSecond),
    p99(t.verify),
  ];
}

function upstreamRows(u: Upstream | null): Row[] {
  if (!u) return [noteRow('7 Upstream contract load + compile', `skipped: ${UPSTREAM_CONTRACT} not found`)];
  return [
    statRow(`7 Upstream contract: parse + compile (${u.operations} operations, ${u.compiled} validators), fresh process`, u.total, millis),
    statRow('parse (swagger-parser bundle + validate, plan)', u.parse, millis, { depth: 1 }),
    statRow('compile (Ajv, every validator)', u.compile, millis, { depth: 1 }),
  ];
}

function header(runs: number, groups: Set<Group>, peer: PeerName | null): string {
  const cpu = cpus();
  return [
    `machine: ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown model'}), Node ${process.version}, ${process.platform} ${process.arch}, load average ${loadavg()[0]!.toFixed(2)} at start`,
    `figures: medians of ${runs} run${runs === 1 ? '' : 's'} (min–max)${groups.has('throughput') ? `; throughput: medians of ${THROUGHPUT_RUNS} runs of ${DURATION_S} s, ${CONNECTIONS} connections` : ''}`,
    `groups: ${[...groups].join(', ')}${peer ? `, peer ${peer}` : ''}`,
  ].join('\n');
}

async function measure(ctx: BenchContext, groups: Set<Group>, peer: PeerName | null): Promise<Measured> {
  const m: Measured = {};
  // Runs first: the breakdown reuses the allure-results of the last passing run.
  if (groups.has('runs')) m.runs = await measureRuns(ctx);
  if (groups.has('breakdown')) m.breakdown = await measureBreakdown(ctx);
  if (groups.has('throughput')) m.throughput = await measureThroughput(ctx);
  if (groups.has('upstream')) m.upstream = await measureUpstream(ctx);
  if (peer) m.peer = await measurePeer(ctx, peer);
  return m;
}

async function main(): Promise<number> {
  const runs = readRuns();
  const groups = readGroups();
  const peer = readPeer();
  process.stdout.write(`${header(runs, groups, peer)}\n`);
  const ctx = new BenchContext(runs);
  // Ctrl-C must not leave the mock or the bare handler running.
  process.once('SIGINT', () => void ctx.close().finally(() => process.exit(130)));
  try {
    const m = await measure(ctx, groups, peer);
    const rows = [...runRows(m), ...(m.throughput ? throughputRows(m.throughput) : []), ...(m.upstream !== undefined ? upstreamRows(m.upstream) : []), ...(m.peer ? peerRows(m.peer) : [])];
    process.stdout.write(`\n${renderTable(rows)}\n\nload average ${loadavg()[0]!.toFixed(2)} at end\n`);
    return 0;
  } catch (error) {
    const why = error instanceof MeasurementError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`\nbench stopped: a measurement failed, so no table is printed.\n${why}\n`);
    return 1;
  } finally {
    await ctx.close();
  }
}

main().then((code) => process.exit(code));
