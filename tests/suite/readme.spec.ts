/**
 * The README's walk through "Testing another API" is run as written: its strict command, against the notes server
 * it names, must end green. A README that drifts from the product fails here.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT } from '../helpers';
import { startNotesServer } from '../fixtures/notes/server';
import { runSuite } from './run-suite';

const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

/** The environment a README command sets: `NAME=value` words before `npm run conformance`. */
function commandEnv(block: string): Record<string, string> {
  const words = block.replace(/\\\n/g, ' ').split(/\s+/);
  const end = words.indexOf('npm');
  return Object.fromEntries(words.slice(0, end).filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
}

test('the README opens with what the tool is for: any OpenAPI 3.0 API, the Metal OTP API as the built-in example', () => {
  const opening = readme.split('\n## ')[0]!;
  expect(opening).toContain('any OpenAPI 3.0 API');
  expect(opening).toContain('built-in example');
  expect(readme).toContain('\n## Testing another API\n');
});

test('miss: the README read as OTP-only; its "Testing another API" walk ends in a green strict run, as written', async () => {
  const section = readme.slice(readme.indexOf('\n## Testing another API\n'), readme.indexOf('\n## ', readme.indexOf('\n## Testing another API\n') + 5));
  const serve = /`node --import tsx tests\/fixtures\/notes\/serve\.ts (\S+)`/.exec(section);
  expect(serve, 'the walk starts the notes server').not.toBeNull();
  const block = /```bash\n([\s\S]*?)```/.exec(section.slice(section.indexOf('**Run strict:**')))?.[1] ?? '';
  const env = commandEnv(block);
  expect(Object.keys(env).sort()).toEqual(['ALLOW_WRITES', 'BASE_URL', 'CONTRACT', 'MAX_REQUESTS', 'NOTES_API_KEY', 'NOTES_API_KEY_2', 'RATE_LIMIT_RPS', 'STRICT_COVERAGE']);
  const server = await startNotesServer({ broken: serve![1] as 'other-users-note-403' });
  try {
    // The server listens where the README's runs it (4020) in a person's shell; here on a free port.
    const run = await runSuite({ env: { ...env, BASE_URL: server.baseURL }, args: ['--no-report'] });
    expect(run.code, run.output.slice(-3000)).toBe(0);
    expect(run.output).toContain('16 documented responses: 16 passed, 0 failed · 3 flows: 3 passed, 0 failed · 10 generated phases: 10 passed, 0 failed');
    expect(section).toContain('16 documented responses, 3 flows and 10 generated phases passed');
  } finally {
    await server.close();
  }
});
