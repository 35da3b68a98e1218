/** Writes an extra Allure result (the coverage matrix) straight into allure-results. */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
