/** Recipes as data: the file beside the contract, the SCENARIO_OVERRIDES layer, and mistakes named with file:line:col. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { planCells } from '../../src/scenarios/plan';
import { resolveRecipes } from '../../src/scenarios/recipes';
import { ConfigError } from '../../src/settings/config';
import { fixture, loaded, OTP_RECIPES, type Loaded } from '../helpers';

let otp: Loaded;
test.beforeAll(async () => {
  otp = await loaded();
});

function overrides(text: string, name = 'overrides.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'overrides-')), name);
  writeFileSync(file, text);
  return file;
}

function problems(overridesText: string, name?: string): string[] {
  try {
    resolveRecipes({ recipesFile: OTP_RECIPES, overridesFile: overrides(overridesText, name) }, otp.plan);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('the OTP recipes cover all 16 documented responses: 12 from the file, the four 401s derived from the contract', () => {
  const recipes = resolveRecipes({ recipesFile: OTP_RECIPES, overridesFile: null }, otp.plan);
  const keys = Object.keys(recipes.recipes);
  expect(keys).toHaveLength(16);
  const derived = Object.values(recipes.recipes).filter((r) => 'derived' in r.origin).map((r) => r.key);
  expect(derived.sort()).toEqual(['findEnsureOtp 401', 'findRecoveryCodes 401', 'receiveCodes 401', 'regenerateCodes 401']);
  expect(recipes.recipes['regenerateCodes 401']).toMatchObject({ send: 'all', writes: true }); // an unauthenticated POST is still a write
  expect(recipes.recipes['findRecoveryCodes 401']).toMatchObject({ writes: false });
  expect(recipes.flows.map((f) => f.id)).toEqual(['recovery-code-single-use', 'regeneration-rotates-codes']);
  expect(Object.keys(recipes.identities)).toContain('METAL_OTP_SECRET');
  expect(recipes.secrets).toEqual({ headers: [], parameters: ['otp'], bodies: ['/recovery_codes/*'], names: [], exempt: [] });
});

test('without a recipes file, a contract yields only what it implies itself; the rest is not covered', async () => {
  const sem = await loaded(fixture('semantics.openapi.yaml'));
  const recipes = resolveRecipes({ recipesFile: null, overridesFile: null }, sem.plan);
  const cells = planCells(sem.plan, recipes, { tags: [], grep: null, grepInvert: null, shard: null });
  expect(cells.filter((c) => c.kind === 'response' && c.recipe === null).length).toBe(cells.length);
});

test('an override adapts a recipe and skips another, without code changes', () => {
  const file = overrides('recipes:\n  receiveCodes 422: { as: METAL_AUTH_TOKEN }\n  receiveCodes 500: { skip: staging cannot make its SMS gateway fail }\n');
  const recipes = resolveRecipes({ recipesFile: OTP_RECIPES, overridesFile: file }, otp.plan);
  expect(recipes.recipes['receiveCodes 422']).toMatchObject({ as: 'METAL_AUTH_TOKEN', summary: 'a user without SMS 2FA asks for a code by SMS' });
  expect(recipes.recipes['receiveCodes 500']?.skip).toBe('staging cannot make its SMS gateway fail');
  expect(recipes.files).toEqual([OTP_RECIPES, file]);
});

test('miss: a misspelt override key was silently ignored; now it names file, line, column and the near miss', () => {
  const found = problems('recipes:\n  receiveCodes 422: { as: METAL_AUTH_TOKEN }\n  recieveCodes 500: { skip: gateway }\n');
  expect(found).toEqual([expect.stringMatching(/overrides\.yaml:3:3: unknown operation "recieveCodes" \(did you mean "receiveCodes"\?\)$/)]);
});

test('miss: an undocumented status in an override key was silently ignored', () => {
  expect(problems('recipes:\n  receiveCodes 503: { skip: no }\n')).toEqual([expect.stringMatching(/overrides\.yaml:2:3: 503 is not a documented response of receiveCodes \(documented: 204, 400, 401, 422, 500\)/)]);
});

test('unknown fields, identities, generators and expressions are named where they stand, with a suggestion', () => {
  const found = problems(
    [
      'recipes:',
      '  receiveCodes 422:',
      '    colour: red',
      '  receiveCodes 400:',
      '    as: METAL_AUTH_TOKN',
      '  findEnsureOtp 204:',
      '    path: { otp: { $generate: curent-otp } }',
      '  findEnsureOtp 400:',
      '    path: { otp: { $saved: codes } }',
    ].join('\n'),
  );
  expect(found).toContainEqual(expect.stringMatching(/overrides\.yaml:3:5: unknown field "colour" in "recipes\.receiveCodes 422"/));
  expect(problems('recipes:\n  receiveCodes 400:\n    as: METAL_AUTH_TOKN\n')).toEqual([expect.stringMatching(/overrides\.yaml:3:9: unknown identity "METAL_AUTH_TOKN" \(did you mean "METAL_AUTH_TOKEN"\?\)/)]);
  expect(problems('recipes:\n  findEnsureOtp 204:\n    path: { otp: { $generate: curent-otp } }\n')).toEqual([expect.stringMatching(/overrides\.yaml:3:18: unknown generator "curent-otp" \(did you mean "current-otp"\?\)/)]);
  expect(problems('recipes:\n  findEnsureOtp 400:\n    path: { otp: { $saved: codes } }\n')).toEqual([expect.stringMatching(/\{\$saved\} is only available in flow steps/)]);
  expect(problems('recipes:\n  findEnsureOtp 400:\n    path: { otp: { $generte: current-otp } }\n')).toEqual([expect.stringMatching(/overrides\.yaml:3:18: "recipes\.findEnsureOtp 400\.path\.otp" is not a value.*"\$generte" \(did you mean "\$generate"\?\)/)]);
});

test('a parameter the operation does not have is named, with the ones it has', () => {
  expect(problems('recipes:\n  findEnsureOtp 400:\n    path: { code: "1" }\n')).toEqual([expect.stringMatching(/overrides\.yaml:3:13: findEnsureOtp has no path parameter "code" \(known: "otp"\)/)]);
});

test('a flow step that reads a value no earlier step saved is named', () => {
  const found = problems('flows:\n  reuse:\n    summary: s\n    steps:\n      - id: use\n        call: findEnsureOtp\n        path: { otp: { $saved: cods, item: 0 } }\n');
  expect(found).toEqual([expect.stringMatching(/overrides\.yaml:7:\d+: "cods" is not saved by an earlier step/)]);
});

test('syntax errors give line and column, for YAML and for JSON overrides', () => {
  expect(problems('recipes:\n  receiveCodes 422: { as: [\n')[0]).toMatch(/overrides\.yaml:\d+:\d+: /);
  expect(problems('{\n  "recipes": {\n    "receiveCodes 422": { "as": "METAL_AUTH_TOKEN", }\n  }\n}\n', 'overrides.json')).toEqual([]); // a trailing comma is tolerated by YAML's flow syntax
  expect(problems('{\n  "recipes": {\n    "receiveCodes 422" { "as": "METAL_AUTH_TOKEN" }\n  }\n}\n', 'overrides.json')[0]).toMatch(/overrides\.json:3:\d+: /);
});
