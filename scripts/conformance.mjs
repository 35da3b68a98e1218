// @ts-check
/*
 * `npm run conformance [-- options]`: the conformance run (Playwright), whose
 * reporter also writes the Allure HTML report. Selection applies to documented
 * responses and flows, not to Playwright tests (one per target), so the
 * selection flags are taken here and handed to global setup:
 *   --grep <regex>, -g <regex>   run the cells whose title or tags match (e.g. @findEnsureOtp, @401, "receiveCodes 500")
 *   --grep-invert <regex>        leave those out
 *   --shard <i/n>                run every n-th cell, starting at the i-th
 *   --no-report                  skip the HTML report (shards are merged later with npm run merge)
 *   --list                       print the cells and whether the selection keeps them, then stop
 * Any other option goes to Playwright. Exit code: Playwright's (0 passed, 1 failed).
 * Plain JavaScript (type-checked): it only parses arguments, and Node starts it without a TypeScript loader.
 * Playwright's command line then runs in this same process (a second Node process would only wait for it).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** @type {Record<string, string>} */
const SELECTION = { '--grep': 'CONTRACT_SUITE_GREP', '-g': 'CONTRACT_SUITE_GREP', '--grep-invert': 'CONTRACT_SUITE_GREP_INVERT', '--shard': 'CONTRACT_SUITE_SHARD' };

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, CONTRACT_SUITE_WRAPPED: '1' };
/** @type {string[]} */
const passThrough = [];
let list = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? '';
  const eq = arg.indexOf('=');
  const flag = eq >= 0 ? arg.slice(0, eq) : arg;
  const variable = SELECTION[flag];
  if (variable) {
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) fail(`${flag} needs a value, e.g. ${flag === '--shard' ? '--shard=1/2' : `${flag} @findEnsureOtp`}`);
    env[variable] = value;
  } else if (arg === '--no-report') env.CONTRACT_SUITE_NO_HTML = '1';
  else if (arg === '--list') list = true;
  else if (flag === '--reporter' || flag === '--project') {
    fail(`${flag} is not supported: ${flag === '--reporter' ? 'the suite reporter writes every output (reports/)' : 'targets are BASE_URL or TARGETS, not Playwright projects'}; see README`);
  } else passThrough.push(arg);
}

if (list) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', resolve(root, 'scripts/list-cells.ts')], { stdio: 'inherit', env, cwd: process.cwd() });
  process.exit(run.status ?? 1);
}
// V8 code cache for Playwright's bundles: in this process, and through NODE_OPTIONS in Playwright's workers.
const compileCache = resolve(root, 'scripts/lib/compile-cache.cjs');
const require = createRequire(import.meta.url);
require(compileCache);
// Processes started from here (the worker, the report generator) live a few seconds: a young generation
// of 8 MiB semi-spaces instead of 16 costs them no more GC time and ~14 MiB less memory each (measured).
// Ahead of the user's own NODE_OPTIONS, which win.
env.NODE_OPTIONS = `--require ${JSON.stringify(compileCache)} --max-semi-space-size=8 ${process.env.NODE_OPTIONS ?? ''}`.trim();
// Playwright's own bin, started in this process as `node cli.js test ...` would start it: it reads
// process.argv and exits with its own code. Saves a Node start-up and the memory of an idle parent.
const cli = resolve(root, 'node_modules/@playwright/test/cli.js');
Object.assign(process.env, env);
process.argv = [process.execPath, cli, 'test', '--config', resolve(root, 'playwright.config.ts'), ...passThrough];
require(cli);
