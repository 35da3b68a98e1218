/**
 * Row 8 (`npm run bench -- --peer dredd`): a peer tool against the same mock, runs
 * alternating with passing conformance runs, so both see the same moments of a
 * shared machine. Dredd 14.1.0 is installed on first use into a cache folder
 * (node_modules/.cache/peers/dredd-14.1.0) from the npm registry, never into the
 * project's dependencies; its dependency tree has no install scripts, and
 * --ignore-scripts keeps it so: nothing but registry tarballs is downloaded.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { MeasurementError, ROOT, childEnv, runNode, tail } from './child';
import type { BenchContext } from './context';
import { passingRun } from './runs';
import { resetMock } from './servers';
import { Samples, type Stat } from './stats';

export const PEERS = ['dredd'] as const;
export type PeerName = (typeof PEERS)[number];

const DREDD_VERSION = '14.1.0';
const PEER_DIR = resolve(ROOT, 'node_modules/.cache/peers', `dredd-${DREDD_VERSION}`);
const DREDD_BIN = join(PEER_DIR, 'node_modules/dredd/bin/dredd');
const CONTRACT = resolve(ROOT, 'contracts/metal-otp.openapi.yaml');

export interface PeerResult {
  name: string;
  peer: Stat;
  suite: Stat;
  peerMemory: Stat | null;
  suiteMemory: Stat | null;
  /** Dredd's own count of what it judged in the last run. */
  transactions: { total: number; passing: number; failing: number; errors: number; skipped: number };
  /** Documented responses of the contract (operation × status), for scale. */
  documented: number;
  /** Required path parameters given an example in Dredd's copy of the contract. */
  examplesAdded: string[];
}

function installedVersion(): string | null {
  try {
    return (JSON.parse(readFileSync(join(PEER_DIR, 'node_modules/dredd/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** `npm install --prefix <cache> dredd@14.1.0 --no-save`, with the npm that runs the bench when there is one. */
function install(ctx: BenchContext): Promise<void> {
  mkdirSync(PEER_DIR, { recursive: true });
  const args = ['install', '--prefix', PEER_DIR, `dredd@${DREDD_VERSION}`, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
  const npmCli = process.env.npm_execpath;
  const [command, argv] = npmCli && /npm-cli\.js$/.test(npmCli) ? [process.execPath, [npmCli, ...args]] : ['npm', args];
  ctx.progress(`installing Dredd ${DREDD_VERSION} into ${PEER_DIR} (once; npm registry)`);
  return new Promise((done, fail) => {
    const child = spawn(command, argv, { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('error', (e) => fail(new MeasurementError(`npm could not start to install Dredd: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0 && installedVersion() === DREDD_VERSION) done();
      else fail(new MeasurementError(`npm install dredd@${DREDD_VERSION} into ${PEER_DIR} exited ${code}:\n${output.trim()}`));
    });
  });
}

/**
 * Dredd stops on a required path parameter without an example ("API description processing
 * error"); the suite generates its values instead. Dredd reads a copy of the contract where
 * each such parameter gets one: the schema's default or first enum value, else a placeholder.
 */
function dreddContract(dir: string): { file: string; added: string[]; documented: number } {
  const doc = parseDocument(readFileSync(CONTRACT, 'utf8'));
  const added: string[] = [];
  let documented = 0;
  const paths = doc.get('paths');
  if (isMap(paths)) {
    for (const pathItem of paths.items) {
      if (!isMap(pathItem.value)) continue;
      for (const op of pathItem.value.items) {
        if (!isMap(op.value)) continue;
        const responses = op.value.get('responses');
        if (isMap(responses)) documented += responses.items.length;
        const parameters = op.value.get('parameters');
        if (!isSeq(parameters)) continue;
        for (const p of parameters.items) {
          if (!isMap(p) || p.get('in') !== 'path' || p.has('example') || p.has('examples')) continue;
          const schema = p.get('schema') as YAMLMap | undefined;
          if (isMap(schema) && (schema.has('example') || schema.has('default'))) continue;
          const enums = isMap(schema) ? schema.get('enum') : undefined;
          const value = isSeq(enums) && enums.items.length ? enums.get(0) : isMap(schema) && schema.get('format') === 'uuid' ? '00000000-0000-4000-8000-000000000000' : 'example';
          p.set('example', value);
          added.push(`${String(pathItem.key)} {${String(p.get('name'))}} = ${JSON.stringify(value)}`);
        }
      }
    }
  }
  const file = join(dir, 'contract.dredd.yaml');
  writeFileSync(file, doc.toString());
  return { file, added, documented };
}

const SUMMARY = /complete\S*:?\s+(\d+) passing, (\d+) failing, (\d+) errors?, (\d+) skipped, (\d+) total/;

export async function measurePeer(ctx: BenchContext, name: PeerName): Promise<PeerResult> {
  if (name !== 'dredd') throw new MeasurementError(`unknown peer ${String(name)}`);
  if (installedVersion() !== DREDD_VERSION) await install(ctx);
  const mock = await ctx.mock();
  const { file, added, documented } = dreddContract(ctx.tempDir('dredd'));
  const args = [DREDD_BIN, file, mock.url, '--header', `X-Auth-Token: ${MOCK_IDENTITIES.METAL_AUTH_TOKEN}`];
  const samples = new Samples();
  let transactions: PeerResult['transactions'] | null = null;
  let memory = false;
  // One untimed Dredd run: the first read of its files from disk is not part of its figure (the suite's runs group warmed the suite's).
  await resetMock(mock);
  await runNode(args, childEnv());
  for (let i = 1; i <= ctx.runs; i++) {
    await resetMock(mock);
    const run = await runNode(args, childEnv({ NO_COLOR: '1' }), { memory: true });
    const match = SUMMARY.exec(`${run.stdout}\n${run.stderr}`.replace(/\u001b\[[0-9;]*m/g, ''));
    // Dredd exits 1 when a transaction fails; without its summary line the figure would time something else.
    if (!match || (run.code !== 0 && run.code !== 1)) throw new MeasurementError(`Dredd against ${mock.url} exited ${run.code} without its summary line:\n${tail(run)}`);
    const [passing, failing, errors, skipped, total] = match.slice(1).map(Number) as [number, number, number, number, number];
    if (total === 0) throw new MeasurementError(`Dredd ran no transaction:\n${tail(run)}`);
    transactions = { total, passing, failing, errors, skipped };
    samples.add('peer', run.ms);
    if (run.memory) {
      memory = true;
      samples.add('peerMemory', run.memory.largest);
    }
    const suite = await passingRun(ctx);
    samples.add('suite', suite.run.ms);
    if (suite.run.memory) samples.add('suiteMemory', suite.run.memory.largest);
    ctx.progress(`peer ${i}/${ctx.runs}: Dredd ${(run.ms / 1000).toFixed(2)} s, suite ${(suite.run.ms / 1000).toFixed(2)} s`);
  }
  return {
    name: `Dredd ${DREDD_VERSION}`,
    peer: samples.stat('peer'),
    suite: samples.stat('suite'),
    peerMemory: memory ? samples.stat('peerMemory') : null,
    suiteMemory: memory ? samples.stat('suiteMemory') : null,
    transactions: transactions!,
    documented,
    examplesAdded: added,
  };
}
