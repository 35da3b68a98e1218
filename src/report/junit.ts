/**
 * JUnit XML with one testcase per documented response or flow (filtered cells
 * are not run and not listed), the checks each ran as properties. CI systems
 * count exactly what the console, Allure and the coverage matrix count.
 */
import { GAPS } from './verdict';
import { failsRun, type CoverageCell, type CoverageMatrix } from './coverage';
import { OUTCOME_WORDS } from './wording';

// XML 1.0 §2.2: control characters other than tab, newline and return cannot appear even escaped.
const xml = (s: string) =>
  s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

function testcase(c: CoverageCell, strict: boolean, seconds: number): string {
  const properties = [
    ['outcome', OUTCOME_WORDS[c.outcome]],
    ...(c.provokedBy ? [['provoked_by', c.provokedBy]] : []),
    ...c.checks.map((k) => [`check.${k.check}`, k.passed ? 'passed' : 'failed']),
  ];
  const props = `<properties>${properties.map(([n, v]) => `<property name="${xml(n!)}" value="${xml(v!)}"/>`).join('')}</properties>`;
  let body = '';
  if (c.outcome === 'failed') {
    const text = [...c.failures.map((f) => f.join('\n')), ...c.reproduce.map((r) => `reproduce: ${r}`), ...(c.replay ? [`replay: npm run replay -- ${c.replay}`] : [])].join('\n\n');
    body = `<failure message="${xml(c.failures[0]?.[1] ?? 'failed')}" type="${xml(c.failures[0]?.[1]?.match(/^\[(\w+)\]/)?.[1] ?? 'failure')}">${xml(text)}</failure>`;
  } else if (GAPS.includes(c.outcome)) {
    const message = `${OUTCOME_WORDS[c.outcome]}: ${c.reason ?? ''}`;
    body = failsRun(c, strict) ? `<failure message="${xml(message)}" type="coverage">${xml(message)}</failure>` : `<skipped message="${xml(message)}"/>`;
  }
  const classname = `${c.target}.${c.kind === 'flow' ? 'flows' : c.operationId}`;
  return `    <testcase name="${xml(c.title)}" classname="${xml(classname)}" time="${seconds.toFixed(3)}">${props}${body}</testcase>`;
}

export function renderJunit(m: CoverageMatrix, durations: Map<string, number>): string {
  const run = m.cells.filter((c) => c.outcome !== 'filtered');
  const failuresOf = (cells: CoverageCell[]) => cells.filter((c) => failsRun(c, m.strictCoverage)).length;
  const skippedOf = (cells: CoverageCell[]) => cells.filter((c) => GAPS.includes(c.outcome) && !failsRun(c, m.strictCoverage)).length;
  const seconds = (c: CoverageCell) => (durations.get(`${c.target}\u0000${c.key}`) ?? 0) / 1000;
  const suites = new Map<string, CoverageCell[]>();
  for (const c of run) {
    const name = `${c.target} › ${c.kind === 'flow' ? 'flows' : c.operationId}`;
    suites.set(name, [...(suites.get(name) ?? []), c]);
  }
  const total = run.reduce((s, c) => s + seconds(c), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(`${m.contract.title} ${m.contract.version}`)}" tests="${run.length}" failures="${failuresOf(run)}" skipped="${skippedOf(run)}" errors="0" time="${total.toFixed(3)}">`,
  ];
  for (const [name, cells] of suites) {
    lines.push(`  <testsuite name="${xml(name)}" tests="${cells.length}" failures="${failuresOf(cells)}" skipped="${skippedOf(cells)}" errors="0" time="${cells.reduce((s, c) => s + seconds(c), 0).toFixed(3)}">`);
    for (const c of cells) lines.push(testcase(c, m.strictCoverage, seconds(c)));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
