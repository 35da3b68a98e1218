/** Validators kept as standalone code: a warm worker reads back exactly what a cold one compiles. */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { cachedValidators, compileValidators } from '../../src/contract/validators';
import { fixture, loaded, ROOT } from '../helpers';

const CACHE = resolve(ROOT, 'node_modules/.cache/contract-suite');

test('a read-back validator judges as a compiled one, errors included; a damaged entry compiles afresh', async () => {
  const notes = await loaded(fixture('notes/notes.openapi.yaml'));
  const ops = new Set(['createNote', 'getAttachment']);
  const fresh = compileValidators(notes.plan, ops);
  const ours = () => readdirSync(CACHE).filter((f) => f.startsWith('validators-'));
  for (const f of ours()) rmSync(join(CACHE, f), { force: true });
  const cold = cachedValidators(notes.plan, ops);
  const written = ours();
  expect(written.length).toBeGreaterThan(1);
  const warm = cachedValidators(notes.plan, ops);
  const bad = { title: '', slug: 'Not A Slug', tags: [1] };
  for (const v of [fresh, cold, warm]) {
    const validate = v.requestBody('createNote', 'application/json')!;
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.keyword])).toEqual(fresh.requestBody('createNote', 'application/json')!.errors?.map((e) => [e.instancePath, e.keyword]));
    // A oneOf body keeps the parent schema its wording needs (which alternative an error belongs to).
    const attachment = v.body('getAttachment', '200', 'application/json')!;
    expect(attachment({ kind: 'link' })).toBe(false);
    expect(attachment.errors?.some((e) => e.keyword === 'oneOf' && e.parentSchema !== undefined)).toBe(true);
    expect(v.compiled).toBe(fresh.compiled);
  }
  for (const f of written.filter((f) => f.endsWith('.cjs'))) {
    writeFileSync(join(CACHE, f), 'module.exports = {};');
    delete require.cache[join(CACHE, f)];
  }
  const repaired = cachedValidators(notes.plan, ops).requestBody('createNote', 'application/json')!;
  expect(repaired(bad)).toBe(false);
  expect(repaired.errors?.length).toBe(fresh.requestBody('createNote', 'application/json')!.errors?.length);
});
