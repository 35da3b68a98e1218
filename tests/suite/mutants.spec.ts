/**
 * The verdict is proven: the real suite runs against every mutant (each must
 * be killed by its rule, naming its operation) and every conforming variant
 * (each must pass: no false alarm). Writes reports/mutation-score.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer, MUTANTS, type MockServer } from '../../src/mock';
import { reportPaths } from '../../src/report/paths';
import { runSuite } from './run-suite';

test('mutants are all killed and conforming variants raise no alarm', async () => {
  test.setTimeout(300_000);
  const servers: Array<{ name: string; mock: MockServer; baseURL: string }> = [];
  try {
    for (const m of MUTANTS) {
      const mock = createMockServer({ mutant: m.name });
      servers.push({ name: m.name, mock, baseURL: await mock.listen(0) });
    }
    const run = await runSuite({
      env: { TARGET: 'mock', TARGETS: JSON.stringify(servers.map(({ name, baseURL }) => ({ name, baseURL }))), REQUEST_TIMEOUT_MS: '1500', WORKERS: '2' },
      timeoutMs: 280_000,
    });
    expect(run.coverage, run.output.slice(-3000)).not.toBeNull();
    const cells = run.coverage!.cells;
    const rows: string[] = ['| variant | kind | target | expected rule | verdict | failing checks |', '|---|---|---|---|---|---|'];
    const misses: string[] = [];
    let killed = 0;
    let falseAlarms = 0;
    const mutants = MUTANTS.filter((m) => m.kind === 'mutant');
    const conforming = MUTANTS.filter((m) => m.kind === 'conforming');
    for (const m of MUTANTS) {
      const mine = cells.filter((c) => c.target === m.name);
      const failing = mine.filter((c) => c.outcome === 'failed');
      const lines = failing.flatMap((c) => c.failures);
      const checks = [...new Set(failing.flatMap((c) => c.checks))].join(', ') || '-';
      if (m.kind === 'mutant') {
        const byRule = lines.some((l) => l.startsWith(`[${m.rule}] ${m.operationId ?? ''}`));
        if (byRule) killed++;
        else misses.push(`${m.name}: expected [${m.rule}] on ${m.operationId}; got ${lines.slice(0, 3).join(' / ') || 'no failure'}`);
        rows.push(`| ${m.name} | mutant | ${m.operationId ?? '*'} ${m.status ?? ''} | ${m.rule} | ${byRule ? 'killed' : 'SURVIVED'} | ${checks} |`);
      } else {
        const clean = failing.length === 0 && mine.every((c) => c.outcome === 'passed');
        if (!clean) {
          falseAlarms++;
          misses.push(`${m.name}: conforming variant raised ${lines.slice(0, 3).join(' / ') || mine.filter((c) => c.outcome !== 'passed').map((c) => `${c.operationId} ${c.status} ${c.outcome}`).join(', ')}`);
        }
        rows.push(`| ${m.name} | conforming | all | - | ${clean ? 'passed' : 'FALSE ALARM'} | ${checks} |`);
      }
    }
    const score = `mutants killed ${killed}/${mutants.length}, false alarms ${falseAlarms}/${conforming.length}`;
    const paths = reportPaths();
    mkdirSync(paths.root, { recursive: true });
    writeFileSync(resolve(paths.root, 'mutation-score.md'), `# Mutation score\n\n${score}\n\n${rows.join('\n')}\n`);
    console.log(`${rows.join('\n')}\n${score} (suite run ${(run.durationMs / 1000).toFixed(1)} s)`);
    test.info().annotations.push({ type: 'score', description: score });
    expect(mutants.length).toBeGreaterThanOrEqual(25);
    expect(conforming.length).toBeGreaterThanOrEqual(6);
    expect(misses, misses.join('\n')).toEqual([]);
    expect(run.code).not.toBe(0); // the mutants failed the run, as they must
  } finally {
    await Promise.all(servers.map((s) => s.mock.close()));
  }
});
