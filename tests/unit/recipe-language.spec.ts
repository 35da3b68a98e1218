/** The recipe language's newer words: list assertions, values built from parts or a pattern, what was sent, refusals across identities, and the checks made as the recipes load. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { sentValue } from '../../src/engine/runner';
import { resolveRecipes } from '../../src/scenarios/recipes';
import { buildRequest, type RequestContext } from '../../src/scenarios/request';
import { fresh } from '../../src/scenarios/values';
import { ConfigError } from '../../src/settings/config';
import { fixture, loaded, OTP_RECIPES, type Loaded } from '../helpers';

let otp: Loaded;
let notes: Loaded;
test.beforeAll(async () => {
  otp = await loaded();
  notes = await loaded(fixture('notes/notes.openapi.yaml'));
});

const NOTES_RECIPES = fixture('notes/notes.recipes.yaml');

function layer(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'recipes-')), 'overrides.yaml');
  writeFileSync(file, text);
  return file;
}

function problems(base: string, plan: Loaded, text: string): string[] {
  try {
    resolveRecipes({ recipesFile: base, overridesFile: layer(text) }, plan.plan);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const context = (l: Loaded, saved = new Map()): RequestContext => ({
  identities: { NOTES_API_KEY: { purpose: 'k', scheme: 'api_key' } },
  values: { NOTES_API_KEY: 'key-1' },
  generators: {},
  saved,
  secretParameters: () => false,
  invalidCredential: 'x',
  validators: l.validators,
  now: () => 0,
  schemas: l.plan.requestSchemas,
});

const op = (l: Loaded, id: string) => l.plan.operations.find((o) => o.operationId === id)!;

test('the notes recipes load, with list assertions, refusals, $template, $sent and a pattern-generated value', () => {
  const recipes = resolveRecipes({ recipesFile: NOTES_RECIPES, overridesFile: null }, notes.plan);
  const lifecycle = recipes.flows.find((f) => f.id === 'note-lifecycle')!;
  expect(lifecycle.steps.find((s) => s.id === 'listed')?.contains).toMatchObject({ at: '/notes/*/id' });
  expect(lifecycle.steps.find((s) => s.id === 'unlisted')?.excludes).toMatchObject({ at: '/notes/*/id' });
  expect(recipes.flows.find((f) => f.id === 'note-isolation')?.steps.filter((s) => s.refuse).map((s) => s.id)).toEqual(['other-reads', 'other-deletes']);
  expect(recipes.operations).toEqual({ listNotes: { maxResponseTimeMs: 1000 } });
});

test('$fresh follows a body member\'s schema (pattern and maxLength), or an explicit pattern; $template joins its parts', () => {
  const built = buildRequest(op(notes, 'createNote'), 'http://h', { body: { title: { $template: ['note ', { $fresh: 'string' }, ' #', 7] }, slug: { $fresh: true } } }, 'NOTES_API_KEY', context(notes));
  const body = JSON.parse(built.body!) as { title: string; slug: string };
  expect(body.title).toMatch(/^note suite-[0-9a-f]{12} #7$/);
  expect(body.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  expect(body.slug.length).toBeLessThanOrEqual(60);
  expect(built.problems).toEqual([]);
  for (let i = 0; i < 50; i++) expect(fresh({ pattern: '^unused-[a-z0-9]{24}$' })).toMatch(/^unused-[a-z0-9]{24}$/);
  expect(fresh({ pattern: '^[A-Z]{2}$' })).not.toBe(fresh({ pattern: '^[A-Z]{20}$' }));
});

test('$sent reads what a step sent: a body member, a path value, a query value, a header (case-insensitive)', () => {
  const built = buildRequest(op(notes, 'createNote'), 'http://h', { headers: { 'X-Client-Version': '1.2.3' }, body: { title: 'Milk', slug: 'milk' } }, 'NOTES_API_KEY', context(notes));
  expect(sentValue(built, '/body/title')).toBe('Milk');
  expect(sentValue(built, '/body')).toEqual({ title: 'Milk', slug: 'milk' });
  expect(sentValue(built, '/headers/x-client-version')).toBe('1.2.3');
  const get = buildRequest(op(notes, 'listNotes'), 'http://h', { query: { limit: 5 } }, 'NOTES_API_KEY', context(notes));
  expect(sentValue(get, '/query/limit')).toBe('5');
});

test('miss: a literal request body that breaks the contract was found only at run time, as a skip; it is named at load with file:line:col', () => {
  const found = problems(NOTES_RECIPES, notes, 'recipes:\n  createNote 201:\n    body: { title: 5, slug: ok }\n');
  expect(found).toEqual([expect.stringMatching(/overrides\.yaml:3:11: this body breaks the contract's request schema of createNote \(body\.title: must be string\); fix it, or mark the recipe invalid: true if that is the point$/)]);
  expect(problems(NOTES_RECIPES, notes, 'recipes:\n  listNotes 200:\n    query: { limit: 1000 }\n')).toEqual([expect.stringMatching(/overrides\.yaml:3:21: 1000 breaks the schema of query parameter limit of listNotes \(must be <= 100\)/)]);
  // Declared invalid on purpose, or known only at run time: not judged at load.
  expect(problems(NOTES_RECIPES, notes, 'recipes:\n  listNotes 4XX:\n    invalid: true\n    query: { limit: 1000 }\n')).toEqual([]);
  expect(problems(NOTES_RECIPES, notes, 'recipes:\n  createNote 201:\n    body: { title: { $fresh: string }, slug: { $fresh: true } }\n')).toEqual([]);
});

test('miss: "4O3" (letter O) as a status got a message about values; it is named as no status code, with the likely one', () => {
  expect(problems(OTP_RECIPES, otp, 'recipes:\n  findEnsureOtp 4O0: { skip: x }\n')).toEqual([expect.stringMatching(/overrides\.yaml:2:3: "4O0" is not a status code \(did you mean "400"\?\): recipes are keyed "<operationId> <status>"/)]);
  const step = 'flows:\n  f:\n    summary: s\n    steps:\n      - id: a\n        call: findRecoveryCodes\n        expect: 2O0\n';
  expect(problems(OTP_RECIPES, otp, step)).toEqual([expect.stringMatching(/overrides\.yaml:7:17: "2O0" is not a status code: write it as documented \(404, 4XX or default\), or a list of them/)]);
});

test('mistakes in the newer words are named where they stand', () => {
  const flow = (step: string) => `flows:\n  f:\n    summary: s\n    steps:\n      - id: a\n        call: findRecoveryCodes\n        save: { mine: /recovery_codes }\n      - id: b\n        call: findRecoveryCodes\n${step}`;
  expect(problems(OTP_RECIPES, otp, flow('        same: { at: /recovery_codes, as: mine, value: [], because: x }\n'))).toEqual([expect.stringMatching(/"same" compares with one thing/)]);
  expect(problems(OTP_RECIPES, otp, flow('        excludes: { at: /recovery_codes, value: { $saved: mne }, because: x }\n'))).toEqual([expect.stringMatching(/"mne" is not saved by an earlier step \(did you mean "mine"\?\)/)]);
  expect(problems(OTP_RECIPES, otp, flow('        refuse: not theirs\n'))).toEqual([expect.stringMatching(/"refuse" needs a caller other than the owner: both are METAL_AUTH_TOKEN/)]);
  expect(problems(OTP_RECIPES, otp, 'recipes:\n  findEnsureOtp 400:\n    path: { otp: { $sent: /path/otp } }\n')).toEqual([expect.stringMatching(/\{\$sent\} is the value a step sent: it is only available in a step's same, contains or excludes/)]);
  expect(problems(OTP_RECIPES, otp, flow('        contains: { at: /recovery_codes, value: { $fresh: { pattern: "([" } }, because: x }\n'))).toEqual([expect.stringMatching(/not a regular expression/)]);
  expect(problems(OTP_RECIPES, otp, 'operations:\n  findRecoveryCode: { maxResponseTimeMs: 10 }\n')).toEqual([expect.stringMatching(/overrides\.yaml:2:3: unknown operation "findRecoveryCode" \(did you mean "findRecoveryCodes"\?\)/)]);
});
