/** What a person sees in the terminal: a line per cell as it finishes, then one summary. */
import { relative } from 'node:path';
import { failing, failsRun, gateProblems, totalsLine, type CoverageCell, type CoverageMatrix } from './coverage';
import type { reportPaths } from './paths';
import type { CellVerdict } from './verdict';
import { failureLines, generatedSummary, OUTCOME_WORDS } from './wording';

const MARK: Record<CellVerdict['outcome'], string> = { passed: '✓', failed: '✗', not_provoked: '○', skipped: '–', not_covered: '·', filtered: ' ' };

/** One line per finished cell: what it is and, unless it passed, why. */
export function progressLine(v: CellVerdict, multiTarget: boolean): string {
  const who = multiTarget ? `[${v.target}] ` : '';
  if (v.outcome === 'passed') return `  ${MARK.passed} ${who}${v.title}${v.provokedBy ? ` (provoked by: ${v.provokedBy})` : v.generated ? ` (${generatedSummary(v.generated)})` : ''}`;
  if (v.outcome === 'failed') return `  ${MARK.failed} ${who}${v.title}: ${v.failures.map((f) => failureLines(f)[0]).join('; ')}`;
  return `  ${MARK[v.outcome]} ${who}${v.title} ${OUTCOME_WORDS[v.outcome]}: ${v.reason ?? ''}`;
}

const SHORT: Record<CoverageCell['outcome'], string> = { passed: 'pass', failed: 'FAIL', not_provoked: 'n/p', skipped: 'skip', not_covered: 'none', filtered: '' };

function grid(m: CoverageMatrix, target: string): string[] {
  const cells = m.cells.filter((c) => c.target === target && c.kind === 'response' && c.outcome !== 'filtered');
  if (cells.length === 0) return [];
  const statuses = [...new Set(cells.map((c) => c.status!))].sort();
  const ops = [...new Set(cells.map((c) => c.operationId!))];
  const width = Math.max(9, ...ops.map((o) => o.length));
  const out = [`${'operation'.padEnd(width)}  ${statuses.map((s) => s.padStart(7)).join(' ')}`];
  for (const op of ops) {
    const row = statuses.map((s) => (SHORT[cells.find((c) => c.operationId === op && c.status === s)?.outcome ?? 'filtered'] || '·').padStart(7));
    out.push(`${op.padEnd(width)}  ${row.join(' ')}`);
  }
  return out;
}

export function summaryText(m: CoverageMatrix, paths: ReturnType<typeof reportPaths>, html: string | null): string {
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const out: string[] = ['', `== ${m.contract.title} ${m.contract.version} (sha256 ${m.contract.sha256.slice(0, 12)}) ==`];
  for (const t of m.targets) {
    out.push(`target ${t.name}: ${t.baseURL}`, ...grid(m, t.name));
    const flows = m.cells.filter((c) => c.target === t.name && c.kind === 'flow' && c.outcome !== 'filtered');
    if (flows.length) out.push(`flows: ${flows.map((f) => `${f.key.replace(/^flow /, '')} ${SHORT[f.outcome]}`).join(', ')}`);
    const generated = m.cells.filter((c) => c.target === t.name && c.kind === 'generated' && c.outcome !== 'filtered');
    if (generated.length) out.push(`generated: ${generated.map((g) => `${g.key} ${SHORT[g.outcome]}`).join(', ')}`);
  }
  out.push('', totalsLine(m.totals));
  for (const d of m.diagnoses) out.push(`!! ${d}`);
  const gate = gateProblems(m);
  for (const g of gate) out.push('', `✗ ${g}`);
  const bad = failing(m);
  for (const c of bad.slice(0, 12)) {
    const who = m.targets.length > 1 ? `[${c.target}] ` : '';
    if (c.outcome === 'failed') {
      for (const [i, f] of c.failures.entries()) {
        out.push('', `✗ ${who}${f[0]}`, ...f.slice(1).map((l) => `  ${l}`));
        if (c.reproduce[i]) out.push(`  reproduce: ${c.reproduce[i]}`);
      }
      if (c.replay) out.push(`  replay: npm run replay -- ${c.replay}`);
    } else out.push('', `✗ ${who}${c.title} ${OUTCOME_WORDS[c.outcome]} (fails under STRICT_COVERAGE=1): ${c.reason ?? ''}`);
  }
  if (bad.length > 12) out.push('', `… ${bad.length - 12} more in ${rel(paths.coverageMd)}`);
  // Generated phases are listed once per target above; their skips are no gap in the contract's coverage.
  const gaps = m.cells.filter((c) => c.kind !== 'generated' && !failsRun(c, m.strictCoverage) && (c.outcome === 'not_provoked' || c.outcome === 'skipped' || c.outcome === 'not_covered'));
  if (gaps.length) {
    out.push('');
    for (const c of gaps.slice(0, 8)) out.push(`${MARK[c.outcome]} ${m.targets.length > 1 ? `[${c.target}] ` : ''}${c.title} ${OUTCOME_WORDS[c.outcome]}: ${c.reason ?? ''}`);
    if (gaps.length > 8) out.push(`… ${gaps.length - 8} more in ${rel(paths.coverageMd)}`);
  }
  out.push('', `reports: ${html ? `${rel(html)} (open it in a browser, or npm run report:open), ` : ''}${rel(paths.coverageMd)}, ${rel(paths.junit)}`);
  const why = [bad.length ? `${bad.length} of the cells above fail the run` : '', gate.length ? 'the coverage gate above fails it' : ''].filter(Boolean).join('; ');
  out.push(why ? `verdict: FAILED (${why})` : 'verdict: passed');
  return out.join('\n');
}

