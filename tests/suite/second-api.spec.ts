/**
 * The suite is generic: proven here on a second, different API (a notes
 * service, tests/fixtures/notes) with a request body, query parameters,
 * optional authentication, a `4XX` range, a required response header, an
 * operation without operationId and a `oneOf` body. The server runs in this
 * process; the suite runs in a child process and is judged by its coverage matrix.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { CoverageCell } from '../../src/report/coverage';
import { ROOT } from '../helpers';
import { NOTES_KEY, SEEDED_NOTE_ID, startNotesServer, type BrokenVariant, type RecordedRequest } from '../fixtures/notes/server';
import { runSuite, type SuiteRun } from './run-suite';

const CONTRACT = resolve(ROOT, 'tests/fixtures/notes/notes.openapi.yaml');
const DELETE = 'DELETE /notes/{noteId}';

/** Every cell of the notes contract and its outcome against the conforming server. */
const CONFORMING: Record<string, CoverageCell['outcome']> = {
  'listNotes 200': 'passed',
  'listNotes 4XX': 'passed',
  'createNote 201': 'passed',
  'createNote 400': 'passed',
  'createNote 401': 'passed',
  'getNote 200': 'passed',
  'getNote 401': 'passed',
  'getNote 404': 'passed',
  // A recipe cannot delete a note it did not create: the flow provokes and checks this response.
  [`${DELETE} 204`]: 'passed',
  [`${DELETE} 401`]: 'passed',
  [`${DELETE} 404`]: 'passed',
  'getAttachment 200': 'passed',
  'getAttachment 401': 'passed',
  'getAttachment 404': 'passed',
  'flow note-lifecycle': 'passed',
};

interface Judged {
  run: SuiteRun;
  requests: RecordedRequest[];
}

/** Runs the suite against a fresh notes server (conforming, or broken in one way). Reports go when the worker exits (KEEP_SUITE_REPORTS=1 keeps them). */
async function judge(broken?: BrokenVariant, args: string[] = ['--no-report'], env: Record<string, string> = {}): Promise<Judged> {
  const server = await startNotesServer(broken ? { broken } : {});
  try {
    const run = await runSuite({ env: { CONTRACT, TARGET: 'mock', BASE_URL: server.baseURL, NOTES_API_KEY: NOTES_KEY, ALLOW_WRITES: '1', ...env }, args });
    expect(run.coverage, run.output.slice(-3000)).not.toBeNull();
    return { run, requests: server.requests };
  } finally {
    await server.close();
  }
}

function outcomes(run: SuiteRun): Record<string, CoverageCell['outcome']> {
  return Object.fromEntries(run.coverage!.cells.map((c) => [c.key, c.outcome]));
}

/** The check that failed a cell: the second line of its first failure is `[check] ...`. */
function failedCheck(run: SuiteRun, key: string): string | undefined {
  return /^\[(\w+)\]/.exec(run.cell(key)?.failures[0]?.[1] ?? '')?.[1];
}

/**
 * The run fails exactly these cells, each by its check; every other cell keeps its conforming outcome,
 * except the DELETE's 204 when the flow that provokes it stopped before its DELETE (`flowStopped`): skipped, not blamed.
 */
function expectCaught(run: SuiteRun, failed: Record<string, string>, flowStopped = false, folded: Record<string, string> = {}): void {
  expect(run.code, run.output.slice(-3000)).toBe(1);
  expect(Object.fromEntries(Object.keys(failed).map((key) => [key, failedCheck(run, key)]))).toEqual(failed);
  const skipped = flowStopped ? { [`${DELETE} 204`]: 'skipped' as const } : {};
  // One defect, one failure: a flow meeting the defect a response cell counts is skipped, naming that cell.
  const foldedOutcomes = Object.fromEntries(Object.keys(folded).map((key) => [key, 'skipped']));
  expect(outcomes(run)).toEqual({ ...CONFORMING, ...skipped, ...foldedOutcomes, ...Object.fromEntries(Object.keys(failed).map((key) => [key, 'failed'])) });
  for (const [key, cell] of Object.entries(folded)) expect(run.cell(key)?.reason).toContain(`met the defect already counted in ${cell} [${failed[cell]}], so the flow could not go on`);
  if (flowStopped) expect(run.cell(`${DELETE} 204`)?.reason).toMatch(/^flow note-lifecycle did not reach DELETE \/notes\/\{noteId\}: it failed before/);
}

/** Requests of the cells, not the preflight's probes of made-up paths. */
const api = (r: RecordedRequest) => !r.path.includes('contract-suite');

test('the conforming notes server passes end to end, every cell as expected', async () => {
  const { run, requests } = await judge(undefined, []);
  try {
    expect(run.code, run.output.slice(-3000)).toBe(0);
    expect(outcomes(run)).toEqual(CONFORMING);
    expect(run.keys('failed')).toEqual([]);
    // Only a flow can delete a note it created: the DELETE's 204 is judged by the flow's exchange.
    expect(run.cell(`${DELETE} 204`)?.provokedBy).toBe('flow note-lifecycle, step delete');

    // The 401s and the 404s of the GETs by uuid come from the contract, not from the recipes file.
    const verdicts = (JSON.parse(readFileSync(join(run.reportsDir, 'results.json'), 'utf8')) as { verdicts: Array<{ key: string; origin?: string }> }).verdicts;
    const origin = (key: string) => verdicts.find((v) => v.key === key)?.origin ?? '';
    for (const key of ['createNote 401', 'getNote 401', `${DELETE} 401`, 'getAttachment 401', 'getNote 404', 'getAttachment 404']) {
      expect(origin(key), key).toMatch(/^derived from the contract/);
      expect(run.cell(key)?.outcome, key).toBe('passed');
    }
    for (const key of ['createNote 401', 'getNote 401', `${DELETE} 401`, 'getAttachment 401']) expect(run.cell(key)?.provokedBy, key).toBe('no credential');
    expect(origin(`${DELETE} 404`)).toMatch(/notes\.recipes\.yaml$/);

    // What each cell judged: the required Location header, the oneOf body, the flow's expectations.
    const held = (key: string) => run.cell(key)?.checks.filter((c) => c.passed).map((c) => c.check) ?? [];
    expect(held('createNote 201')).toContain('response_headers_conformance');
    expect(held('getAttachment 200')).toContain('response_schema_conformance');
    expect(held('createNote 400')).toContain('negative_data_rejection');
    expect(held('flow note-lifecycle')).toEqual(expect.arrayContaining(['saved_values_match', 'no_body_conformance', 'negative_data_rejection']));

    const sent = requests.filter(api);
    const seen = (method: string, path: string, query: string, auth: RecordedRequest['auth']) =>
      sent.filter((r) => r.method === method && r.path === `/api${path}` && r.query === query && r.auth === auth).map((r) => r.status);
    // A JSON request body: the valid note, and every invalid candidate (send: all).
    const posted = sent.filter((r) => r.method === 'POST' && r.auth === 'valid');
    expect(posted.filter((r) => r.status === 201).map((r) => JSON.parse(r.body ?? 'null') as { title?: string })).toEqual([
      expect.objectContaining({ title: expect.stringMatching(/^suite-/), tags: ['suite', 'contract'], priority: 3 }),
      expect.objectContaining({ title: expect.stringMatching(/^suite-/), tags: ['lifecycle'] }),
    ]);
    expect(posted.filter((r) => r.status === 400).map((r) => r.body)).toHaveLength(5);
    // Query parameters, and optional authentication both ways (the preflight's anonymous GET has no query).
    expect(seen('GET', '/notes', 'limit=10', 'none')).toEqual([200]);
    expect(seen('GET', '/notes', 'limit=10&tag=welcome', 'valid')).toEqual([200]);
    expect(seen('GET', '/notes', 'limit=1000', 'valid')).toEqual([400]);
    // The operation without operationId: refused without a valid key, 404 for a fresh id, 204 in the flow.
    expect(seen('DELETE', `/notes/${SEEDED_NOTE_ID}`, '', 'none')).toEqual([401]);
    expect(seen('DELETE', `/notes/${SEEDED_NOTE_ID}`, '', 'invalid')).toEqual([401]);
    expect(sent.filter((r) => r.method === 'DELETE' && r.auth === 'valid').map((r) => r.status).sort()).toEqual([204, 404]);
    // The seeded note is read by its contract example id, and survives the run.
    expect(seen('GET', `/notes/${SEEDED_NOTE_ID}`, '', 'valid')).toEqual([200]);
    expect(seen('GET', `/notes/${SEEDED_NOTE_ID}/attachment`, '', 'valid')).toEqual([200]);
  } finally {
    rmSync(run.reportsDir, { recursive: true, force: true });
  }
});

/** Each broken variant, the cells it must fail, the check that must catch it there, and what the failure must name. */
const CAUGHT: Array<{ variant: BrokenVariant; title: string; failed: Record<string, string>; flowStopped?: boolean; folded?: Record<string, string>; names?: (run: SuiteRun) => void }> = [
  {
    variant: 'no-location-header',
    title: 'a 201 without its required Location header fails createNote 201 once: the flow it stops is skipped, naming that cell',
    failed: { 'createNote 201': 'response_headers_conformance' },
    folded: { 'flow note-lifecycle': 'createNote 201' },
    flowStopped: true,
    names: (run) => expect(run.cell('flow note-lifecycle')?.reason).toContain('step create'),
  },
  {
    variant: 'location-not-a-uri',
    title: 'a Location that is not a URI reference fails the header schema',
    failed: { 'createNote 201': 'response_headers_conformance' },
    folded: { 'flow note-lifecycle': 'createNote 201' },
    flowStopped: true,
    names: (run) => expect(run.cell('createNote 201')?.failures[0]?.[1]).toMatch(/^\[response_headers_conformance\] header Location: expected a string in the uri-reference format, got "/),
  },
  {
    variant: 'list-not-json',
    title: 'a note list served as text/plain fails the documented media type',
    failed: { 'listNotes 200': 'content_type_conformance' },
    names: (run) => expect(run.cell('listNotes 200')?.failures[0]?.[1]).toContain('text/plain'),
  },
  {
    variant: 'attachment-matches-no-branch',
    title: 'an attachment matching neither oneOf branch fails the schema, naming what each branch missed',
    failed: { 'getAttachment 200': 'response_schema_conformance' },
    names: (run) => {
      const lines = run.cell('getAttachment 200')?.failures[0] ?? [];
      expect(lines[1]).toMatch(/^\[response_schema_conformance\] body: expected exactly one of 2 alternatives \(oneOf\)/);
      expect(lines.slice(2)).toEqual([expect.stringMatching(/^ {2}alternative 1: body\.kind: /), expect.stringMatching(/^ {2}alternative 2: body\.url: /)]);
    },
  },
  {
    variant: 'deleted-still-readable',
    title: 'a note still readable after its 204 DELETE fails the flow rejection',
    failed: { 'flow note-lifecycle': 'negative_data_rejection' },
    names: (run) => expect(run.cell('flow note-lifecycle')?.failures[0]?.[0]).toContain('step read-deleted'),
  },
  {
    variant: 'auth-ignored-on-create',
    title: 'a note created without a key fails the derived createNote 401',
    failed: { 'createNote 401': 'auth_required' },
    names: (run) => expect(run.cell('createNote 401')?.failures[0]?.[0]).toContain('no credential'),
  },
  {
    variant: 'priority-clamped',
    title: 'an out-of-range priority accepted (the third invalid body) fails createNote 400',
    failed: { 'createNote 400': 'negative_data_rejection' },
    names: (run) => expect(run.cell('createNote 400')?.failures[0]?.[0]).toContain('priority out of range'),
  },
  {
    variant: 'limit-ignored',
    title: 'a limit above 100 served fails the 4XX range recipe',
    failed: { 'listNotes 4XX': 'negative_data_rejection' },
  },
  {
    variant: 'unknown-note-500',
    title: 'an undocumented 500 for an unknown id fails the derived getNote 404, and the flow meeting it again is skipped',
    failed: { 'getNote 404': 'status_code_conformance' },
    folded: { 'flow note-lifecycle': 'getNote 404' },
  },
  {
    variant: 'read-returns-another-note',
    title: 'a read that answers with another note fails the flow same-value expectation',
    failed: { 'flow note-lifecycle': 'saved_values_match' },
    flowStopped: true,
    names: (run) => expect(run.cell('flow note-lifecycle')?.failures[0]?.[0]).toContain('step read '),
  },
  {
    variant: 'delete-204-announces-content',
    title: 'a 204 DELETE with a Content-Length fails that response once, not again in the flow (RFC 9110 §8.6)',
    // The DELETE's 204 is judged by the flow's exchange; the defect counts once, in that response.
    failed: { [`${DELETE} 204`]: 'no_body_conformance' },
    folded: { 'flow note-lifecycle': `${DELETE} 204` },
    names: (run) => expect(run.cell('flow note-lifecycle')?.reason).toContain('step delete'),
  },
];

for (const { variant, title, failed, flowStopped, folded, names } of CAUGHT) {
  test(`broken ${variant}: ${title}, no other cell raises an alarm`, async () => {
    const { run } = await judge(variant);
    expectCaught(run, failed, flowStopped, folded);
    names?.(run);
    rmSync(run.reportsDir, { recursive: true, force: true });
  });
}

test('miss: refusing anonymous reads of an optional-auth operation ({} security) passed, because another candidate provoked the 200', async () => {
  const { run, requests } = await judge('anonymous-list-refused');
  // The server refuses the anonymous reader the contract allows (OpenAPI 3.0 §4.7.10)...
  expect(requests.filter((r) => r.method === 'GET' && r.path === '/api/notes' && r.query === 'limit=10' && r.auth === 'none').map((r) => r.status)).toEqual([401]);
  // ...and that is the failure, though a documented 4XX and the key holder's 200 came too.
  expectCaught(run, { 'listNotes 200': 'anonymous_access' });
  expect(run.cell('listNotes 200')?.failures[0]?.[0]).toBe('listNotes 200 (anonymous reader): 401 arrived');
  rmSync(run.reportsDir, { recursive: true, force: true });
});

test('miss: a created note that cannot be read back skipped the flow; a required status (require:) fails it', async () => {
  const { run } = await judge('created-note-unreadable');
  expect(run.code, run.output.slice(-3000)).toBe(1);
  expect(failedCheck(run, 'flow note-lifecycle')).toBe('required_status');
  expect(run.cell('flow note-lifecycle')?.failures[0]?.[1]).toBe('[required_status] status: expected 200, because a created note can be read back (RFC 9110 §15.3.2), got 404');
  // The flow stopped before its DELETE: that response is skipped, saying why, not blamed.
  expect(run.cell(`${DELETE} 204`)).toMatchObject({ outcome: 'skipped', reason: 'flow note-lifecycle did not reach DELETE /notes/{noteId}: it failed before (read)' });
  rmSync(run.reportsDir, { recursive: true, force: true });
});

test('miss: a recipe whose request broke the contract was blamed on the last recipes file; the reason names the recipe and the file that defines it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'overrides-'));
  const overrides = join(dir, 'overrides.yaml');
  writeFileSync(overrides, 'recipes:\n  createNote 201: { body: { title: 5 } }\n');
  const { run, requests } = await judge(undefined, ['--no-report', '--grep', 'createNote 201'], { SCENARIO_OVERRIDES: overrides });
  expect(run.cell('createNote 201')?.outcome).toBe('skipped');
  expect(run.cell('createNote 201')?.reason).toMatch(/^not sent: the recipe's request breaks the contract \(body\.title: .*\); fix "createNote 201" in .*overrides\.yaml, or mark the input invalid: true if that is the point$/);
  // Nothing that breaks the contract went out.
  expect(requests.filter((r) => r.method === 'POST' && !r.path.includes('contract-suite'))).toEqual([]);
  rmSync(run.reportsDir, { recursive: true, force: true });
});

test('miss: selecting only a response a flow provokes (the DELETE 204) left the flow\'s other operations unvalidated, so a broken create passed', async () => {
  const grep = ['--no-report', '--grep', 'DELETE /notes/\\{noteId\\} 204'];
  const conforming = (await judge(undefined, grep)).run;
  expect(conforming.code, conforming.output.slice(-3000)).toBe(0);
  expect(conforming.cell(`${DELETE} 204`)).toMatchObject({ outcome: 'passed', provokedBy: 'flow note-lifecycle, step delete' });
  // The create step's Location breaks its header schema: validated, so the flow never reaches its DELETE.
  const { run } = await judge('location-not-a-uri', grep);
  expect(run.cell(`${DELETE} 204`)).toMatchObject({ outcome: 'skipped', reason: 'flow note-lifecycle did not reach DELETE /notes/{noteId}: it failed before (create)' });
  rmSync(conforming.reportsDir, { recursive: true, force: true });
  rmSync(run.reportsDir, { recursive: true, force: true });
});
