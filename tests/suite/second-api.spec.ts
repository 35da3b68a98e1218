/**
 * The suite is generic: proven here on a second, different API (a notes service, tests/fixtures/notes) with
 * a JSON request body, query and header parameters, patterns, optional authentication, two users with private
 * notes, a `4XX` range, a required response header, an operation without operationId and a `oneOf` body. Every
 * variant of its server, broken or legal, is a target of one run with both generated phases on; each broken one
 * must fail exactly the cells it breaks, by the right check, and each legal one nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import type { CoverageCell } from '../../src/report/coverage';
import { ROOT } from '../helpers';
import { BROKEN_VARIANTS, CONFORMING_VARIANTS, NOTES_KEY, NOTES_KEY_2, SEEDED_NOTE_ID, startNotesServer, type BrokenVariant, type NotesServer, type NotesVariant, type RecordedRequest } from '../fixtures/notes/server';
import { runSuite, type SuiteRun } from './run-suite';

const CONTRACT = resolve(ROOT, 'tests/fixtures/notes/notes.openapi.yaml');
const DELETE = 'DELETE /notes/{noteId}';
type Outcome = CoverageCell['outcome'];

/** Every cell of the notes contract and its outcome against the conforming server, with both users. */
const CONFORMING: Record<string, Outcome> = {
  'listNotes 200': 'passed',
  'listNotes 4XX': 'passed',
  'createNote 201': 'passed',
  'createNote 400': 'passed',
  'createNote 401': 'passed',
  'getNote 200': 'passed',
  'getNote 401': 'passed',
  // Another user's private note: this server hides it with 404, which the contract allows as well (RFC 9110 §15.5.5).
  'getNote 403': 'not_provoked',
  'getNote 404': 'passed',
  // A recipe cannot delete a note it did not create: the flow provokes and checks this response.
  [`${DELETE} 204`]: 'passed',
  [`${DELETE} 401`]: 'passed',
  [`${DELETE} 403`]: 'not_provoked',
  [`${DELETE} 404`]: 'passed',
  'getAttachment 200': 'passed',
  'getAttachment 401': 'passed',
  'getAttachment 404': 'passed',
  'flow note-lifecycle': 'passed',
  'flow note-isolation': 'passed',
  'flow tag-filter': 'passed',
  ...Object.fromEntries(['listNotes', 'createNote', 'getNote', DELETE, 'getAttachment'].flatMap((op) => [[`${op} · coverage`, 'passed'], [`${op} · fuzz`, 'passed']])),
};

interface Caught {
  title: string;
  /** The cells it fails, and the check that fails each. */
  failed: Record<string, string>;
  /** Other cells whose outcome follows from the defect (a flow that could not go on, a response it did not reach). */
  follows?: Record<string, Outcome>;
  names?: (cell: (key: string) => CoverageCell | undefined) => void;
}

const lifecycleStopped = { [`${DELETE} 204`]: 'skipped' } as const;
const isolationStopped = { 'getNote 403': 'skipped', [`${DELETE} 403`]: 'skipped', 'flow note-isolation': 'skipped' } as const;

/** Each broken variant: the cells it must fail, by which check, what follows, and what the failure must name. */
const CAUGHT: Record<BrokenVariant, Caught> = {
  'no-location-header': {
    title: 'a 201 without its required Location header fails createNote 201 once: the flows it stops are skipped, naming that cell',
    failed: { 'createNote 201': 'response_headers_conformance' },
    follows: { ...lifecycleStopped, ...isolationStopped, 'flow note-lifecycle': 'skipped' },
    names: (cell) => expect(cell('flow note-lifecycle')?.reason).toBe('step create met the defect already counted in createNote 201 [response_headers_conformance], so the flow could not go on'),
  },
  'location-not-a-uri': {
    title: 'a Location that is not a URI reference fails the header schema',
    failed: { 'createNote 201': 'response_headers_conformance' },
    follows: { ...lifecycleStopped, ...isolationStopped, 'flow note-lifecycle': 'skipped' },
    names: (cell) => expect(cell('createNote 201')?.failures[0]?.[1]).toMatch(/^\[response_headers_conformance\] header Location: expected a string in the uri-reference format, got "/),
  },
  'list-not-json': {
    title: 'a note list served as text/plain fails the documented media type',
    failed: { 'listNotes 200': 'content_type_conformance' },
    follows: { ...lifecycleStopped, 'flow note-lifecycle': 'skipped', 'flow tag-filter': 'skipped' },
    names: (cell) => expect(cell('listNotes 200')?.failures[0]?.[1]).toContain('text/plain'),
  },
  'attachment-matches-no-branch': {
    title: 'an attachment matching neither oneOf branch fails the schema, naming what each branch missed',
    failed: { 'getAttachment 200': 'response_schema_conformance' },
    names: (cell) => {
      const lines = cell('getAttachment 200')?.failures[0] ?? [];
      expect(lines[1]).toMatch(/^\[response_schema_conformance\] body: expected exactly one of 2 alternatives \(oneOf\)/);
      expect(lines.slice(2)).toEqual([expect.stringMatching(/^ {2}alternative 1: body\.kind: /), expect.stringMatching(/^ {2}alternative 2: body\.url: /)]);
    },
  },
  'deleted-still-readable': {
    title: 'a note still readable after its 204 DELETE fails the flow rejection',
    failed: { 'flow note-lifecycle': 'negative_data_rejection' },
    names: (cell) => expect(cell('flow note-lifecycle')?.failures[0]?.[0]).toContain('step read-deleted'),
  },
  'auth-ignored-on-create': {
    title: 'a note created without a key fails the derived createNote 401',
    failed: { 'createNote 401': 'auth_required' },
    names: (cell) => expect(cell('createNote 401')?.failures[0]?.[0]).toContain('no credential'),
  },
  'priority-clamped': {
    title: 'an out-of-range priority accepted (the third invalid body) fails createNote 400',
    failed: { 'createNote 400': 'negative_data_rejection' },
    names: (cell) => expect(cell('createNote 400')?.failures[0]?.[0]).toContain('priority out of range'),
  },
  'limit-ignored': {
    title: 'a limit above 100 served fails the 4XX range recipe; the coverage phase meets the same defect and does not count it again',
    failed: { 'listNotes 4XX': 'negative_data_rejection' },
  },
  'unknown-note-500': {
    title: 'a 500 for an unknown id fails the derived getNote 404 as a server error, and the flow meeting it again is skipped',
    failed: { 'getNote 404': 'not_a_server_error' },
    follows: { 'flow note-lifecycle': 'skipped' },
  },
  'read-returns-another-note': {
    title: 'a read that answers with another note fails the flow same-value expectation',
    failed: { 'flow note-lifecycle': 'saved_values_match' },
    follows: lifecycleStopped,
    names: (cell) => expect(cell('flow note-lifecycle')?.failures[0]?.[0]).toContain('step read '),
  },
  'delete-204-announces-content': {
    title: 'a 204 DELETE with a Content-Length fails the flow that sent it, once (RFC 9110 §8.6); the DELETE 204 cell names that flow',
    failed: { 'flow note-lifecycle': 'no_body_conformance' },
    follows: { [`${DELETE} 204`]: 'skipped', 'flow note-isolation': 'skipped' },
    names: (cell) => {
      expect(cell(`${DELETE} 204`)?.reason).toBe('judged in flow note-lifecycle, whose step delete failed [no_body_conformance]: the failure is counted on the flow');
      expect(cell('flow note-isolation')?.reason).toBe('step owner-deletes met the defect already counted in flow note-lifecycle [no_body_conformance], so the flow could not go on');
    },
  },
  'anonymous-list-refused': {
    title: 'refusing anonymous reads of an optional-auth operation ({} security) fails, though another candidate provoked the 200',
    failed: { 'listNotes 200': 'anonymous_access' },
    names: (cell) => expect(cell('listNotes 200')?.failures[0]?.[0]).toBe('listNotes 200 (anonymous reader): 401 arrived'),
  },
  'created-note-unreadable': {
    title: 'a created note that cannot be read back fails the flow that requires it; the flows and responses it stops are skipped, saying why',
    failed: { 'flow note-lifecycle': 'required_status' },
    follows: { ...lifecycleStopped, ...isolationStopped },
    names: (cell) => {
      expect(cell('flow note-lifecycle')?.failures[0]?.[1]).toBe('[required_status] status: expected 200, because a created note can be read back (RFC 9110 §15.3.2), got 404');
      expect(cell(`${DELETE} 204`)?.reason).toBe('flow note-lifecycle did not reach step delete: it failed before (step read)');
    },
  },
  'title-long-500': {
    title: 'a 500 to a title over 100 characters is found by the coverage phase (maxLength), with the input that made it',
    failed: { 'createNote · coverage': 'not_a_server_error' },
    names: (cell) => expect(cell('createNote · coverage')?.failures[0]?.join('\n')).toMatch(/body member title: 200 characters \(maxLength\)[\s\S]*input \(coverage phase, FUZZ_SEED=-?\d+\): header X-Client-Version: "2\.4\.1"; body: \{"title":"x{100}/),
  },
  'non-ascii-tag-500': {
    title: 'a 500 to a non-ASCII tag is found by the coverage phase',
    failed: { 'listNotes · coverage': 'not_a_server_error' },
    names: (cell) => expect(cell('listNotes · coverage')?.failures[0]?.[0]).toBe('listNotes · coverage, query tag: accented letters (expecting a documented response): 500 arrived'),
  },
  'put-note-succeeds': {
    title: 'an undocumented PUT that succeeds fails unsupported_method on the first operation of its path',
    failed: { 'getNote · coverage': 'unsupported_method' },
    names: (cell) => expect(cell('getNote · coverage')?.failures[0]?.[1]).toBe('[unsupported_method] status: expected a refusal of PUT, which the contract does not document for this path (it documents GET and DELETE): 405 with Allow, 404 or another client error, got 200: it was accepted'),
  },
  '405-without-allow': {
    title: 'a 405 without Allow fails unsupported_method on every path (RFC 9110 §15.5.6)',
    failed: { 'listNotes · coverage': 'unsupported_method', 'getNote · coverage': 'unsupported_method', 'getAttachment · coverage': 'unsupported_method' },
  },
  'client-version-optional': {
    title: 'a note created without its required header fails missing_required_parameter',
    failed: { 'createNote · coverage': 'missing_required_parameter' },
    names: (cell) => expect(cell('createNote · coverage')?.failures[0]?.[0]).toBe('createNote · coverage, header X-Client-Version left out (required) (expecting 400 or 401): 201 arrived'),
  },
  'slug-pattern-ignored': {
    title: 'a slug breaking its pattern accepted fails negative_data_rejection; what it stored, shown later, is that defect\'s consequence',
    failed: { 'createNote · coverage': 'negative_data_rejection' },
    names: (cell) => expect(cell('createNote · coverage')?.failures[0]?.[1]).toMatch(/because the request breaks the contract \(body\.slug: must match pattern/),
  },
  'limit-zero-accepted': {
    title: 'limit=0 (minimum − 1) served fails negative_data_rejection in the coverage phase',
    failed: { 'listNotes · coverage': 'negative_data_rejection' },
    names: (cell) => expect(cell('listNotes · coverage')?.failures[0]?.[0]).toBe('listNotes · coverage, query limit: minimum − 1 (expecting 4XX): 200 arrived'),
  },
  'notes-readable-by-anyone': {
    title: "another user reading a private note fails cross_identity_access, naming both users (OWASP API1:2023)",
    failed: { 'flow note-isolation': 'cross_identity_access' },
    follows: { 'getNote 403': 'skipped', [`${DELETE} 403`]: 'skipped' },
    names: (cell) => expect(cell('flow note-isolation')?.failures[0]?.[1]).toBe("[cross_identity_access] status: expected a refusal (a documented client error: 401, 403 or 404): the resource is NOTES_API_KEY's and NOTES_API_KEY_2 asked for it, because another user's private note is not theirs to read, got 200: it was accepted"),
  },
  'notes-deletable-by-anyone': {
    title: "another user deleting a private note fails cross_identity_access",
    failed: { 'flow note-isolation': 'cross_identity_access' },
    follows: { [`${DELETE} 403`]: 'skipped' },
    names: (cell) => expect(cell('flow note-isolation')?.failures[0]?.[0]).toContain('step other-deletes'),
  },
  'list-omits-created': {
    title: 'a list that leaves out the note just created fails list_contains',
    failed: { 'flow note-lifecycle': 'list_contains' },
    follows: lifecycleStopped,
  },
  'list-keeps-deleted': {
    title: 'a list that still shows a deleted note fails list_excludes',
    failed: { 'flow note-lifecycle': 'list_excludes' },
  },
  'tag-filter-ignored': {
    title: 'a tag filter that lists every note fails list_empty',
    failed: { 'flow tag-filter': 'list_empty' },
  },
  'title-not-echoed': {
    title: 'a created note whose title is not the one sent fails saved_values_match against $sent',
    failed: { 'flow note-lifecycle': 'saved_values_match' },
    follows: lifecycleStopped,
    names: (cell) => expect(cell('flow note-lifecycle')?.failures[0]?.[1]).toMatch(/^\[saved_values_match\] body\.title: expected a string \(".*"\), the value sent at \/body\/title, because/),
  },
  'slow-list': {
    title: 'a list slower than its budget in the recipes fails max_response_time, naming the time measured',
    failed: { 'listNotes 200': 'max_response_time' },
    follows: { ...lifecycleStopped, 'flow note-lifecycle': 'skipped', 'flow tag-filter': 'skipped' },
    names: (cell) => expect(cell('listNotes 200')?.failures[0]?.[1]).toMatch(/^\[max_response_time\] response time: expected an answer within 1000 ms \(maxResponseTimeMs of listNotes in the recipes\), got an answer after \d+ ms$/),
  },
};

/** Legal variants and what they change: only outcomes a server may legitimately cause. */
const LEGAL: Record<(typeof CONFORMING_VARIANTS)[number], Record<string, Outcome>> = {
  'other-users-note-403': { 'getNote 403': 'passed', [`${DELETE} 403`]: 'passed' },
  'list-oldest-first': {},
  'extra-note-fields': {},
  'proxy-414': {},
  'proxy-413': {},
  'proxy-431': {},
  'rate-limited': {},
  'undocumented-method-404': {},
  'slow-100ms': {},
};

interface Target {
  name: string;
  variant: NotesVariant | null;
  server: NotesServer;
}

function failedCheck(cell: CoverageCell | undefined): string | undefined {
  return /^\[(\w+)\]/.exec(cell?.failures[0]?.[1] ?? '')?.[1];
}

/** Requests of the cells, not the preflight's probes of made-up paths. */
const api = (r: RecordedRequest) => !r.path.includes('contract-suite');

test('every notes variant in one run, both generated phases on: each broken one fails exactly what it breaks, by its check; the conforming server and every legal variant raise no alarm', async () => {
  test.setTimeout(600_000);
  const targets: Target[] = [];
  try {
    for (const variant of [null, ...BROKEN_VARIANTS, ...CONFORMING_VARIANTS] as Array<NotesVariant | null>) {
      targets.push({ name: variant ?? 'conforming', variant, server: await startNotesServer(variant ? { broken: variant } : {}) });
    }
    const run = await runSuite({
      env: { CONTRACT, TARGET: 'mock', TARGETS: JSON.stringify(targets.map((t) => ({ name: t.name, baseURL: t.server.baseURL }))), WORKERS: '2', NOTES_API_KEY: NOTES_KEY, NOTES_API_KEY_2: NOTES_KEY_2, ALLOW_WRITES: '1' },
      args: ['--no-report'],
      timeoutMs: 560_000,
    });
    expect(run.coverage, run.output.slice(-3000)).not.toBeNull();
    expect(run.code).toBe(1); // the broken variants fail the run, as they must
    const outcomes = (target: string) => Object.fromEntries(run.coverage!.cells.filter((c) => c.target === target).map((c) => [c.key, c.outcome]));
    for (const t of targets) {
      const cell = (key: string) => run.cell(key, t.name);
      await test.step(t.variant === null ? 'the conforming server' : `${(BROKEN_VARIANTS as readonly string[]).includes(t.variant) ? 'broken' : 'legal'} ${t.variant}`, () => {
        if (t.variant === null || !(t.variant in CAUGHT)) {
          const legal = t.variant === null ? {} : LEGAL[t.variant as keyof typeof LEGAL];
          expect.soft(outcomes(t.name), `${t.name}: ${run.coverage!.cells.filter((c) => c.target === t.name && c.outcome === 'failed').map((c) => c.failures[0]?.join(' / ')).join('\n')}`).toEqual({ ...CONFORMING, ...legal });
          return;
        }
        const caught = CAUGHT[t.variant as BrokenVariant];
        expect.soft(Object.fromEntries(Object.keys(caught.failed).map((key) => [key, failedCheck(cell(key))])), `${t.name}: ${caught.title}`).toEqual(caught.failed);
        const failed = Object.fromEntries(Object.keys(caught.failed).map((key) => [key, 'failed']));
        expect.soft(outcomes(t.name), `${t.name}: no other cell raises an alarm`).toEqual({ ...CONFORMING, ...caught.follows, ...failed });
        for (const [key, outcome] of Object.entries(caught.follows ?? {})) {
          if (outcome === 'skipped') expect.soft(cell(key)?.reason, `${t.name}: ${key} says why`).toMatch(/^(step \S+ met the defect already counted in |flow \S+ did not reach |judged in flow |needs |step \S+: )/);
        }
        caught.names?.(cell);
      });
    }

    // What the conforming server received: the shapes the recipes and the generated phases send.
    const sent = targets[0]!.server.requests.filter(api);
    const seen = (method: string, path: string, query: string, auth: RecordedRequest['auth']) => sent.filter((r) => r.method === method && r.path === `/api${path}` && r.query === query && r.auth === auth).map((r) => r.status);
    expect(seen('GET', '/notes', 'limit=10', 'none')).toEqual([200]);
    expect(seen('GET', '/notes', 'limit=10&tag=welcome', 'valid')).toEqual([200]);
    expect(seen('GET', '/notes', 'limit=1000', 'valid')).toContain(400);
    expect(seen('DELETE', `/notes/${SEEDED_NOTE_ID}`, '', 'none')).toEqual([401]);
    // The second user asked for the first user's note, and was refused.
    expect(sent.filter((r) => r.user === 2 && r.status === 404).length).toBeGreaterThanOrEqual(2);
    // Generated: boundaries of limit, undocumented methods on every path, a required header left out.
    expect(seen('GET', '/notes', 'limit=0', 'valid')).toEqual([400]);
    // (The preflight's anonymous OPTIONS probes aside: the generated requests carry the defaults' key.)
    const undocumented = sent.filter((r) => r.undocumentedMethod && r.auth === 'valid');
    expect(undocumented.map((r) => r.status).every((s) => s === 405)).toBe(true);
    expect(new Set(undocumented.map((r) => r.undocumentedMethod))).toEqual(new Set(['PUT', 'PATCH', 'POST', 'DELETE']));
    // The 401s and the 404s of the GETs by uuid come from the contract, not from the recipes file.
    const verdicts = (JSON.parse(readFileSync(join(run.reportsDir, 'results.json'), 'utf8')) as { verdicts: Array<{ key: string; target: string; origin?: string; exchanges: Array<{ label: string; status: number | null }> }> }).verdicts;
    const exchange = (key: string, label: string) => verdicts.find((v) => v.key === key && v.target === 'conforming')?.exchanges.find((e) => e.label === label)?.status;
    expect(exchange('createNote · coverage', 'header X-Client-Version left out (required)')).toBe(400);
    expect(exchange('createNote · coverage', 'body member slug: breaking the pattern')).toBe(400);
    for (const key of ['createNote 401', 'getNote 401', `${DELETE} 401`, 'getAttachment 401', 'getNote 404', 'getAttachment 404']) {
      expect(verdicts.find((v) => v.key === key && v.target === 'conforming')?.origin, key).toMatch(/^derived from the contract/);
    }
  } finally {
    await Promise.all(targets.map((t) => t.server.close()));
  }
});

/** Runs the suite against one fresh notes server. */
async function judge(broken: NotesVariant | undefined, args: string[] = ['--no-report'], env: Record<string, string> = {}): Promise<{ run: SuiteRun; requests: RecordedRequest[] }> {
  const server = await startNotesServer(broken ? { broken } : {});
  try {
    const run = await runSuite({ env: { CONTRACT, TARGET: 'mock', BASE_URL: server.baseURL, NOTES_API_KEY: NOTES_KEY, ALLOW_WRITES: '1', ...env }, args });
    expect(run.coverage, run.output.slice(-3000)).not.toBeNull();
    return { run, requests: server.requests };
  } finally {
    await server.close();
  }
}

test('without the second user, the isolation flow and the responses it provokes are skipped, naming the identity to set', async () => {
  const { run } = await judge(undefined, ['--no-report', '--grep', 'isolation|403']);
  expect(run.code, run.output.slice(-3000)).toBe(0);
  expect(run.cell('flow note-isolation')?.reason).toMatch(/^needs NOTES_API_KEY_2 \(API key of a second notes user/);
  expect(run.cell('getNote 403')?.reason).toMatch(/^flow note-isolation did not reach step other-reads: needs NOTES_API_KEY_2/);
});

test('miss: a recipe whose request broke the contract was blamed on the last recipes file; a literal one is named at load, with file:line:col, and nothing is sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'overrides-'));
  const overrides = join(dir, 'overrides.yaml');
  writeFileSync(overrides, 'recipes:\n  createNote 201: { body: { title: 5, slug: a-slug } }\n');
  const server = await startNotesServer();
  try {
    const run = await runSuite({ env: { CONTRACT, TARGET: 'mock', BASE_URL: server.baseURL, NOTES_API_KEY: NOTES_KEY, ALLOW_WRITES: '1', SCENARIO_OVERRIDES: overrides }, args: ['--no-report'] });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/overrides\.yaml:2:27: this body breaks the contract's request schema of createNote \(body\.title: must be string\); fix it, or mark the recipe invalid: true if that is the point/);
    expect(server.requests.filter(api)).toEqual([]);
  } finally {
    await server.close();
  }
  // A body with expressions is known only at run time: it is checked then, and not sent, naming the recipe and its file.
  writeFileSync(overrides, 'recipes:\n  createNote 201: { body: { title: { $fresh: integer }, slug: { $fresh: true } } }\n');
  const { run, requests } = await judge(undefined, ['--no-report', '--grep', 'createNote 201'], { SCENARIO_OVERRIDES: overrides });
  expect(run.cell('createNote 201')?.reason).toMatch(/^not sent: the recipe's request breaks the contract \(body\.title: .*\); fix "createNote 201" in .*overrides\.yaml, or mark the input invalid: true if that is the point$/);
  expect(requests.filter((r) => r.method === 'POST' && api(r))).toEqual([]);
});

test('miss: selecting only a response a flow provokes (the DELETE 204) left the flow\'s other operations unvalidated, so a broken create passed', async () => {
  const grep = ['--no-report', '--grep', 'DELETE /notes/\\{noteId\\} 204'];
  const conforming = (await judge(undefined, grep)).run;
  expect(conforming.code, conforming.output.slice(-3000)).toBe(0);
  expect(conforming.cell(`${DELETE} 204`)).toMatchObject({ outcome: 'passed', provokedBy: 'flow note-lifecycle, step delete' });
  // The create step's Location breaks its header schema: validated, so the flow never reaches its DELETE.
  const { run } = await judge('location-not-a-uri', grep);
  expect(run.cell(`${DELETE} 204`)).toMatchObject({ outcome: 'skipped', reason: 'flow note-lifecycle did not reach step delete: it failed before (step create)' });
});

test('miss: a cell provoked in a flow that stopped before its step said "not provoked, got 200"; it is skipped, "did not reach", and the flow\'s failing step is counted on the flow', async () => {
  // The lifecycle stops at its list step: its DELETE step is never reached, though its create step called the API.
  const { run } = await judge('list-omits-created', ['--no-report', '--grep', 'lifecycle|DELETE /notes/\\{noteId\\} 204']);
  expect(run.cell(`${DELETE} 204`)).toMatchObject({ outcome: 'skipped', reason: 'flow note-lifecycle did not reach step delete: it failed before (step listed)' });
  expect(run.cell('flow note-lifecycle')?.outcome).toBe('failed');
});
