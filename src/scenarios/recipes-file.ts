/**
 * Reads recipe layers (the file beside the contract, then SCENARIO_OVERRIDES),
 * checks each against contracts/recipes.schema.json and the merged result
 * against the contract. Every problem names file:line:column and, for a near
 * miss, the name that was probably meant.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Pair } from 'yaml';
import { pointerTokens, readablePath } from '../contract/json-pointer';
import type { ContractPlan, OperationSpec, ParameterLocation } from '../contract/model';
import { compileValidators } from '../contract/validators';
import { ConfigError } from '../settings/config';
import { suggestion } from '../settings/suggest';
import schema from '../../contracts/recipes.schema.json';
import {
  INVALID_CREDENTIAL,
  NO_CREDENTIAL,
  isExpression,
  type Candidate,
  type FlowDef,
  type Inputs,
  type RecipeDef,
  type Recipes,
  type RecipesDocument,
  type StepDef,
} from './types';

type Path = Array<string | number>;

/** One parsed file, able to say where any of its nodes is. */
export interface Layer {
  file: string;
  doc: RecipesDocument;
  /** `file:line:col` of the node at `path` (of its key when `key`), or of the nearest existing parent. */
  at(path: Path, key?: boolean): string;
}

function display(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

export function readLayer(file: string, text = readFileSync(file, 'utf8')): Layer {
  const lines = new LineCounter();
  const yaml: Document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${display(file)}:${line}:${col}`;
  };
  if (yaml.errors.length) throw new ConfigError(yaml.errors.map((e) => `${pos(e.pos[0])}: ${e.message.split('\n')[0]}`));
  const at = (path: Path, key = false): string => {
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      if (key && depth === path.length && depth > 0) {
        const parent = yaml.getIn(prefix.slice(0, -1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(path[depth - 1]));
          const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
          if (range) return pos(range[0]);
        }
        continue;
      }
      const node = depth === 0 ? yaml.contents : yaml.getIn(prefix, true);
      const range = (node as { range?: [number, number, number] } | null)?.range;
      if (range) return pos(range[0]);
    }
    return display(file);
  };
  const doc = (yaml.toJS() ?? {}) as RecipesDocument;
  const problems = schemaProblems(doc, at);
  if (problems.length) throw new ConfigError(problems);
  return { file, doc, at };
}

let validateSchema: ReturnType<Ajv['compile']> | null = null;

function pathOf(instancePath: string): Path {
  return pointerTokens(instancePath);
}

/** JSON Schema errors as one sentence each, at the offending node, without the noise of every oneOf branch. */
function schemaProblems(doc: unknown, at: Layer['at']): string[] {
  validateSchema ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(schema);
  if (validateSchema(doc)) return [];
  const errors = validateSchema.errors ?? [];
  const composite = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const inComposite = (e: ErrorObject) => composite.some((p) => e.keyword !== 'oneOf' && (e.instancePath === p || e.instancePath.startsWith(`${p}/`)));
  const out = new Set<string>();
  for (const e of errors) {
    if (inComposite(e) || e.keyword === 'if') continue;
    // A key that breaks propertyNames comes twice: the sub-schema's own error, then propertyNames naming the key.
    if (e.propertyName !== undefined && e.keyword !== 'propertyNames') continue;
    const path = pathOf(e.instancePath);
    const field = path.length ? `"${path.join('.')}"` : 'the file';
    const params = e.params as { additionalProperty?: string; missingProperty?: string; propertyName?: string; allowedValues?: unknown[] };
    if (e.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      out.add(`${at([...path, params.additionalProperty], true)}: unknown field "${params.additionalProperty}" in ${field}${suggestion(params.additionalProperty, allowed)}`);
    } else if (e.keyword === 'required') {
      out.add(`${at(path)}: ${field} needs "${params.missingProperty}"`);
    } else if (e.keyword === 'propertyNames' || params.propertyName !== undefined) {
      const name = params.propertyName ?? e.propertyName ?? '';
      out.add(`${at([...path, name], true)}: ${badKey(name, path)}`);
    } else if (e.keyword === 'oneOf') {
      if (path.at(-1) === 'expect' || path.at(-2) === 'expect') out.add(`${at(path)}: ${JSON.stringify(e.data)} is not a status code: write it as documented (404, 4XX or default), or a list of them`);
      else out.add(`${at(path)}: ${field} is not a value: give a literal, or one of {$generate: name}, {$saved: name}, {$fresh: true}, {$example: true}, {$identity: NAME}, {$template: [...]}, {$sent: /body/...}${expressionHint(e.data)}`);
    } else if (e.keyword === 'enum' && params.allowedValues) {
      out.add(`${at(path)}: ${field} must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}${typeof e.data === 'string' ? suggestion(e.data, params.allowedValues.map(String)) : ''}`);
    } else {
      out.add(`${at(path)}: ${field} ${e.message ?? 'is invalid'}`);
    }
  }
  return [...out];
}

/** Why a key is refused; a recipe key whose status part is not a status code says so. */
function badKey(name: string, path: Path): string {
  const status = name.slice(name.lastIndexOf(' ') + 1);
  if (path[0] === 'recipes' && name.includes(' ') && !/^([1-5][0-9][0-9]|[1-5]XX|default)$/.test(status)) {
    const fix = status.replace(/[oO]/g, '0').replace(/[lI]/g, '1').replace(/x/g, 'X');
    const hint = /^([1-5][0-9][0-9]|[1-5]XX)$/.test(fix) && fix !== status ? ` (did you mean "${fix}"?)` : '';
    return `"${status}" is not a status code${hint}: recipes are keyed "<operationId> <status>" with the status as documented: 404, 4XX or default`;
  }
  return `"${name}" is not a valid key here (${describeKey(path)})`;
}

function describeKey(path: Path): string {
  switch (path[0]) {
    case 'recipes':
      return 'recipes are keyed "<operationId> <status>" with the status as documented: 404, 4XX or default';
    case 'identities':
      return 'identities are environment variable names: A-Z, 0-9 and _';
    default:
      return 'lower-case letters, digits and dashes';
  }
}

const EXPRESSION_KEYS = ['$generate', '$saved', '$fresh', '$example', '$identity', '$template', '$sent'];

function expressionHint(data: unknown): string {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return '';
  const key = Object.keys(data).find((k) => k.startsWith('$') && !EXPRESSION_KEYS.includes(k));
  return key ? `; "${key}"${suggestion(key, EXPRESSION_KEYS)}` : '';
}

/** Whether a value holds an expression anywhere (then it is known only at run time). */
function containsExpression(node: unknown): boolean {
  if (isExpression(node)) return true;
  if (Array.isArray(node)) return node.some(containsExpression);
  if (node && typeof node === 'object') return Object.values(node).some(containsExpression);
  return false;
}

/** Layers merged: later layers add entries or override fields of earlier ones. */
function merge(layers: Layer[]): { doc: RecipesDocument; definedIn: (path: Path) => Layer } {
  const doc: Required<Omit<RecipesDocument, 'version'>> = { identities: {}, generators: {}, secrets: {}, defaults: {}, recipes: {}, flows: {}, operations: {} };
  for (const { doc: d } of layers) {
    Object.assign(doc.identities, d.identities);
    Object.assign(doc.generators, d.generators);
    Object.assign(doc.defaults, d.defaults);
    for (const list of ['headers', 'parameters', 'bodies', 'names', 'exempt'] as const) {
      if (d.secrets?.[list]) doc.secrets[list] = [...new Set([...(doc.secrets[list] ?? []), ...d.secrets[list]!])];
    }
    for (const [key, recipe] of Object.entries(d.recipes ?? {})) doc.recipes[key] = { ...doc.recipes[key], ...recipe };
    for (const [id, flow] of Object.entries(d.flows ?? {})) doc.flows[id] = { ...doc.flows[id], ...flow };
    for (const [id, options] of Object.entries(d.operations ?? {})) doc.operations[id] = { ...doc.operations[id], ...options };
  }
  const definedIn = (path: Path): Layer => {
    for (let i = layers.length - 1; i >= 0; i--) {
      let node: unknown = layers[i]!.doc;
      for (const token of path) node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[token] : undefined;
      if (node !== undefined) return layers[i]!;
    }
    return layers[0]!;
  };
  return { doc, definedIn };
}

export function operationKeyOf(key: string): { operation: string; status: string } {
  const space = key.lastIndexOf(' ');
  return { operation: key.slice(0, space), status: key.slice(space + 1) };
}

/** Problems the schema cannot see: names that must exist in the contract or elsewhere in the recipes. */
class SemanticCheck {
  readonly problems: string[] = [];
  private readonly operations: Map<string, OperationSpec>;
  private readonly schemes: Set<string>;

  constructor(
    private readonly doc: RecipesDocument,
    private readonly plan: ContractPlan,
    private readonly definedIn: (path: Path) => Layer,
  ) {
    this.operations = new Map(plan.operations.map((o) => [o.operationId, o]));
    this.schemes = new Set(plan.operations.flatMap((o) => o.security.flat().map((s) => s.name)));
  }

  private report(path: Path, message: string, key = false): void {
    this.problems.push(`${this.definedIn(path).at(path, key)}: ${message}`);
  }

  private identities(): string[] {
    return Object.keys(this.doc.identities ?? {});
  }

  run(): void {
    for (const [name, identity] of Object.entries(this.doc.identities ?? {})) {
      if (identity.scheme !== undefined && !this.schemes.has(identity.scheme)) {
        this.report(['identities', name, 'scheme'], `security scheme "${identity.scheme}" is not used by the contract${suggestion(identity.scheme, [...this.schemes])}`);
      }
    }
    for (const [name, generator] of Object.entries(this.doc.generators ?? {})) {
      this.identity(['generators', name, 'rfc6238', 'secret'], generator.rfc6238.secret, false);
    }
    if (this.doc.defaults?.as !== undefined) this.credential(['defaults', 'as'], this.doc.defaults.as);
    for (const [key, recipe] of Object.entries(this.doc.recipes ?? {})) this.recipe(key, recipe);
    for (const [id, flow] of Object.entries(this.doc.flows ?? {})) this.flow(id, flow);
    for (const id of Object.keys(this.doc.operations ?? {})) this.operation(['operations', id], id, true);
  }

  /** `refuse` compares two identities: the caller and the owner of the resource. */
  private refusal(path: Path, caller: string | undefined, owner: string | undefined): void {
    if (owner !== undefined) this.credential([...path, 'owner'], owner);
    const who = caller ?? this.doc.defaults?.as;
    const whose = owner ?? this.doc.defaults?.as;
    if (who !== undefined && who === whose) this.report([...path, 'refuse'], `"refuse" needs a caller other than the owner: both are ${who}; give "as" (the other identity) or "owner"`);
  }

  private operation(path: Path, name: string, key = false): OperationSpec | null {
    const op = this.operations.get(name);
    if (!op) this.report(path, `unknown operation "${name}"${suggestion(name, [...this.operations.keys()])}`, key);
    return op ?? null;
  }

  private identity(path: Path, name: string, credential: boolean): void {
    const known = this.identities();
    if (!known.includes(name)) {
      this.report(path, `unknown identity "${name}"${suggestion(name, credential ? [...known, NO_CREDENTIAL, INVALID_CREDENTIAL] : known)}; declare it under identities`);
    }
  }

  private credential(path: Path, name: string): void {
    if (name !== NO_CREDENTIAL && name !== INVALID_CREDENTIAL) this.identity(path, name, true);
  }

  private recipe(key: string, recipe: RecipeDef): void {
    const path = ['recipes', key];
    const { operation, status } = operationKeyOf(key);
    const op = this.operation(path, operation, true);
    if (!op) return;
    const documented = op.responses.map((r) => r.status);
    if (!documented.includes(status)) {
      this.report(path, `${status} is not a documented response of ${operation} (documented: ${documented.join(', ')})${suggestion(status, documented).replace(/ \(known:.*\)$/, '')}`, true);
      return;
    }
    if (recipe.skip === undefined && recipe.flow === undefined && !recipe.summary) this.report(path, `${key} needs a "summary" (or "skip" with the reason it cannot run)`);
    this.inputs(path, op, recipe, false);
    (recipe.candidates ?? []).forEach((c: Candidate, i) => this.inputs([...path, 'candidates', i], op, { ...c, invalid: c.invalid ?? recipe.invalid }, false));
    if (recipe.flow !== undefined && !this.doc.flows?.[recipe.flow]) {
      this.report([...path, 'flow'], `unknown flow "${recipe.flow}"${suggestion(recipe.flow, Object.keys(this.doc.flows ?? {}))}`);
    }
    if (recipe.retry) {
      if (!this.doc.generators?.[recipe.retry.of]) this.report([...path, 'retry', 'of'], `unknown generator "${recipe.retry.of}"${suggestion(recipe.retry.of, Object.keys(this.doc.generators ?? {}))}`);
    }
    if (recipe.refuse !== undefined) this.refusal(path, recipe.as, recipe.owner);
    else if (recipe.owner !== undefined) this.report([...path, 'owner'], '"owner" says whose resource another identity is refused: it goes with "refuse"');
  }

  private flow(id: string, flow: FlowDef): void {
    const path = ['flows', id];
    if (flow.skip === undefined && !flow.summary) this.report(path, `flow ${id} needs a "summary" (or "skip" with the reason it cannot run)`);
    if (flow.as !== undefined) this.credential([...path, 'as'], flow.as);
    if (flow.skip === undefined && !flow.steps?.length) this.report(path, `flow ${id} needs "steps"`);
    const saved = new Set<string>();
    const ids = new Set<string>();
    (flow.steps ?? []).forEach((step: StepDef, i) => {
      const at: Path = [...path, 'steps', i];
      if (ids.has(step.id)) this.report([...at, 'id'], `step id "${step.id}" is used twice in flow ${id}`);
      ids.add(step.id);
      const op = this.operation([...at, 'call'], step.call);
      const known = (name: string, where: Path) => {
        if (!saved.has(name)) this.report(where, `"${name}" is not saved by an earlier step of flow ${id}${suggestion(name, [...saved])}`);
      };
      if (step.if?.empty !== undefined) known(step.if.empty, [...at, 'if', 'empty']);
      if (step.if?.notEmpty !== undefined) known(step.if.notEmpty, [...at, 'if', 'notEmpty']);
      if (step.fresh) known(step.fresh.notIn, [...at, 'fresh', 'notIn']);
      if (step.same?.as !== undefined) known(step.same.as, [...at, 'same', 'as']);
      if (step.same && (step.same.as === undefined) === (step.same.value === undefined)) this.report([...at, 'same'], '"same" compares with one thing: give "as" (a saved value) or "value" (a literal, {$saved} or {$sent}), not both');
      for (const kind of ['same', 'contains', 'excludes'] as const) {
        const value = step[kind]?.value;
        if (value !== undefined) this.value([...at, kind, 'value'], value, true, saved, true);
      }
      if (step.refuse !== undefined) this.refusal(at, step.as ?? flow.as, step.owner);
      else if (step.owner !== undefined) this.report([...at, 'owner'], '"owner" says whose resource another identity is refused: it goes with "refuse"');
      if (op) {
        this.inputs(at, op, step, true, saved);
        const documented = op.responses.map((r) => r.status);
        for (const s of step.expect === undefined ? [] : Array.isArray(step.expect) ? step.expect : [step.expect]) {
          if (!documented.includes(String(s))) this.report([...at, 'expect'], `${s} is not a documented response of ${op.operationId} (documented: ${documented.join(', ')})`);
        }
      }
      for (const name of Object.keys(step.save ?? {})) saved.add(name);
    });
  }

  /** Literal inputs, checked against the contract once every name is known to exist. */
  private readonly literals: Array<{ path: Path; op: OperationSpec; in: ParameterLocation | 'body'; name: string; value: unknown }> = [];

  private inputs(path: Path, op: OperationSpec, inputs: Inputs, inFlow: boolean, saved?: Set<string>): void {
    if (inputs.as !== undefined) this.credential([...path, 'as'], inputs.as);
    if (!inputs.invalid) this.collectLiterals(path, op, inputs);
    const where = { path: 'path', query: 'query', headers: 'header', cookies: 'cookie' } as const;
    for (const [field, location] of Object.entries(where) as Array<[keyof typeof where, (typeof where)[keyof typeof where]]>) {
      const names = op.parameters.filter((p) => p.in === location).map((p) => p.name);
      for (const [name, value] of Object.entries(inputs[field] ?? {})) {
        // RFC 9110 §5.1: header names are case-insensitive.
        const found = location === 'header' ? names.some((n) => n.toLowerCase() === name.toLowerCase()) : names.includes(name);
        if (!found && location !== 'header') this.report([...path, field, name], `${op.operationId} has no ${location} parameter "${name}"${suggestion(name, names)}`, true);
        this.value([...path, field, name], value, inFlow, saved);
      }
    }
    if (inputs.body !== undefined) {
      if (!op.requestBody) this.report([...path, 'body'], `${op.operationId} documents no request body`, true);
      this.walkBody([...path, 'body'], inputs.body, inFlow, saved);
    }
  }

  private collectLiterals(path: Path, op: OperationSpec, inputs: Inputs): void {
    const where = { path: 'path', query: 'query', headers: 'header', cookies: 'cookie' } as const;
    for (const [field, location] of Object.entries(where) as Array<[keyof typeof where, ParameterLocation]>) {
      for (const [name, value] of Object.entries(inputs[field] ?? {})) {
        const p = op.parameters.find((x) => x.in === location && (location === 'header' ? x.name.toLowerCase() === name.toLowerCase() : x.name === name));
        if (p && !containsExpression(value)) this.literals.push({ path: [...path, field, name], op, in: location, name: p.name, value });
      }
    }
    if (inputs.body !== undefined && op.requestBody && !containsExpression(inputs.body)) this.literals.push({ path: [...path, 'body'], op, in: 'body', name: '', value: inputs.body });
  }

  /** A literal request input that breaks the contract would be found only at run time, as a skip: say where it is now. */
  checkLiterals(): void {
    if (this.literals.length === 0) return;
    const validators = compileValidators(this.plan, new Set(this.literals.map((l) => l.op.operationId)));
    for (const l of this.literals) {
      if (l.in === 'body') {
        const media = l.op.requestBody?.content.find((c) => /^application\/(.+\+)?json\b/i.test(c.mediaType)) ?? l.op.requestBody?.content[0];
        const validate = media ? validators.requestBody(l.op.operationId, media.mediaType) : undefined;
        if (validate && !validate(l.value)) {
          const e = validate.errors?.[0];
          this.report(l.path, `this body breaks the contract's request schema of ${l.op.operationId} (${readablePath(e?.instancePath ?? '')}: ${e?.message ?? 'invalid'}); fix it, or mark the recipe invalid: true if that is the point`);
        }
        continue;
      }
      const validate = validators.parameter(l.op.operationId, l.in, l.name);
      // Parameters travel as text (OpenAPI 3.0 §4.7.12.4): a YAML number is judged as the text it is sent as.
      const value = typeof l.value === 'number' || typeof l.value === 'boolean' ? String(l.value) : l.value;
      if (validate && !validate(value)) {
        this.report(l.path, `${JSON.stringify(l.value)} breaks the schema of ${l.in} parameter ${l.name} of ${l.op.operationId} (${validate.errors?.[0]?.message ?? 'invalid'}); fix it, or mark the recipe invalid: true if that is the point`);
      }
    }
  }

  private walkBody(path: Path, node: unknown, inFlow: boolean, saved?: Set<string>): void {
    if (isExpression(node)) return this.value(path, node, inFlow, saved);
    if (Array.isArray(node)) node.forEach((item, i) => this.walkBody([...path, i], item, inFlow, saved));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) this.walkBody([...path, k], v, inFlow, saved);
  }

  private value(path: Path, value: unknown, inFlow: boolean, saved?: Set<string>, assertion = false): void {
    if (!isExpression(value)) return;
    const expr = value as Record<string, unknown>;
    const unknownKey = Object.keys(expr).find((k) => k.startsWith('$') && !EXPRESSION_KEYS.includes(k));
    if (unknownKey) return this.report(path, `unknown expression "${unknownKey}"${suggestion(unknownKey, EXPRESSION_KEYS)}`);
    if (Array.isArray(expr.$template)) expr.$template.forEach((part, i) => this.value([...path, '$template', i], part, inFlow, saved));
    if (typeof expr.$sent === 'string') {
      if (!assertion) this.report(path, '{$sent} is the value a step sent: it is only available in a step\'s same, contains or excludes');
      else if (!/^\/(body|path|query|headers|cookies)(\/|$)/.test(expr.$sent)) this.report(path, `{$sent: ${expr.$sent}}: the pointer starts at /body, /path, /query, /headers or /cookies (e.g. /body/title)`);
    }
    const fresh = expr.$fresh as { pattern?: unknown } | undefined;
    if (fresh && typeof fresh === 'object' && typeof fresh.pattern === 'string') {
      try {
        new RegExp(fresh.pattern, 'u');
      } catch (error) {
        this.report(path, `{$fresh: {pattern}}: not a regular expression (${(error as Error).message})`);
      }
    }
    if (typeof expr.$generate === 'string' && !this.doc.generators?.[expr.$generate]) {
      this.report(path, `unknown generator "${expr.$generate}"${suggestion(expr.$generate, Object.keys(this.doc.generators ?? {}))}`);
    }
    if (typeof expr.$identity === 'string') this.identity(path, expr.$identity, false);
    if (typeof expr.$saved === 'string') {
      if (!inFlow) this.report(path, '{$saved} is only available in flow steps (it reads what an earlier step saved)');
      else if (!saved?.has(expr.$saved)) this.report(path, `"${expr.$saved}" is not saved by an earlier step${suggestion(expr.$saved, [...(saved ?? [])])}`);
    }
  }
}

export interface RecipeSources {
  /** The recipes file beside the contract (null: only recipes derived from the contract). */
  recipesFile: string | null;
  overridesFile: string | null;
}

/** Reads and checks every layer; throws one ConfigError listing every problem with its position. */
export function loadRecipeLayers(sources: RecipeSources, plan: ContractPlan): Omit<Recipes, 'recipes' | 'flows'> & { doc: RecipesDocument; definedIn: (path: Path) => Layer } {
  const layers: Layer[] = [];
  const problems: string[] = [];
  for (const file of [sources.recipesFile, sources.overridesFile]) {
    if (!file) continue;
    try {
      layers.push(readLayer(file));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  if (layers.length === 0) {
    return { files: [], identities: {}, generators: {}, secrets: { headers: [], parameters: [], bodies: [], names: [], exempt: [] }, defaultAs: null, operations: {}, doc: {}, definedIn: () => ({ file: '', doc: {}, at: () => '' }) };
  }
  const { doc, definedIn } = merge(layers);
  const check = new SemanticCheck(doc, plan, definedIn);
  check.run();
  if (check.problems.length) throw new ConfigError(check.problems);
  check.checkLiterals();
  if (check.problems.length) throw new ConfigError(check.problems);
  return {
    files: layers.map((l) => l.file),
    identities: doc.identities ?? {},
    generators: doc.generators ?? {},
    secrets: { headers: doc.secrets?.headers ?? [], parameters: doc.secrets?.parameters ?? [], bodies: doc.secrets?.bodies ?? [], names: doc.secrets?.names ?? [], exempt: doc.secrets?.exempt ?? [] },
    defaultAs: doc.defaults?.as ?? null,
    operations: doc.operations ?? {},
    doc,
    definedIn,
  };
}
