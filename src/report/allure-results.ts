/** Writes an extra Allure result (the coverage matrix) straight into allure-results. */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoverageMatrix } from './coverage';

export interface ExtraResult {
  name: string;
  status: 'passed' | 'failed' | 'broken' | 'skipped';
  message?: string;
  labels: Record<string, string>;
  attachments: Array<{ name: string; type: string; extension: string; content: string }>;
}

export function writeAllureResult(dir: string, result: ExtraResult): void {
  mkdirSync(dir, { recursive: true });
  const uuid = randomUUID();
  const now = Date.now();
  const attachments = result.attachments.map((a) => {
    const source = `${randomUUID()}-attachment.${a.extension}`;
    writeFileSync(join(dir, source), a.content);
    return { name: a.name, type: a.type, source };
  });
  const body = {
    uuid,
    historyId: result.name,
    testCaseId: result.name,
    name: result.name,
    fullName: result.name,
    status: result.status,
    statusDetails: result.message ? { message: result.message } : {},
    stage: 'finished',
    start: now,
    stop: now,
    labels: Object.entries(result.labels).map(([name, value]) => ({ name, value })),
    attachments,
    steps: [],
    parameters: [],
    links: [],
  };
  writeFileSync(join(dir, `${uuid}-result.json`), JSON.stringify(body));
}

/** The coverage matrix as its own entry of the report, with the Markdown and JSON attached. */
export function writeCoverageResult(dir: string, matrix: CoverageMatrix, markdown: string, note = ''): void {
  const { passed, failed, skipped, not_covered } = matrix.totals;
  writeAllureResult(dir, {
    name: 'Coverage matrix',
    status: failed > 0 ? 'failed' : skipped + not_covered > 0 ? 'skipped' : 'passed',
    message: `${passed} passed, ${failed} failed, ${skipped} skipped, ${not_covered} not covered${note}`,
    // No `violation` label: this entry summarises; the failing tests themselves carry the categories.
    labels: { parentSuite: 'Coverage', suite: 'Documented responses' },
    attachments: [
      { name: 'coverage.md', type: 'text/markdown', extension: 'md', content: markdown },
      { name: 'coverage.json', type: 'application/json', extension: 'json', content: JSON.stringify(matrix, null, 2) },
    ],
  });
}
