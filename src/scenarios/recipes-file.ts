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
import { pointerTokens } from '../contract/json-pointer';
import type { ContractPlan, OperationSpec } from '../contract/model';
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
    const path = pathOf(e.instancePath);
    const field = path.length ? `"${path.join('.')}"` : 'the file';
    const params = e.params as { additionalProperty?: string; missingProperty?: string; propertyName?: string; allowedValues?: unknown[] };
    if (e.keyword === 'additionalProperties' && params.additionalProperty !== undefined) {
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      out.add(`${at([...path, params.additionalProperty], true)}: unknown field "${params.additionalProperty}" in ${field}${suggestion(params.additionalProperty, allowed)}`);
    } else if (e.keyword === 'required') {
      out.add(`${at(path)}: ${field} needs "${params.missingProperty}"`);
    } else if (e.keyword === 'propertyNames' || params.propertyName !== undefined) {
      const name = params.propertyName ?? '';
      out.add(`${at([...path, name], true)}: "${name}" is not a valid key here (${describeKey(path)})`);
    } else if (e.keyword === 'oneOf') {
      out.add(`${at(path)}: ${field} is not a value: give a literal, or one of {$generate: name}, {$saved: name}, {$fresh: true}, {$example: true}, {$identity: NAME}${expressionHint(e.data)}`);
    } else if (e.keyword === 'enum' && params.allowedValues) {
      out.add(`${at(path)}: ${field} must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}${typeof e.data === 'string' ? suggestion(e.data, params.allowedValues.map(String)) : ''}`);
    } else {
      out.add(`${at(path)}: ${field} ${e.message ?? 'is invalid'}`);
    }
  }
  return [...out];
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

const EXPRESSION_KEYS = ['$generate', '$saved', '$fresh', '$example', '$identity'];

function expressionHint(data: unknown): string {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return '';
  const key = Object.keys(data).find((k) => k.startsWith('$') && !EXPRESSION_KEYS.includes(k));
  return key ? `; "${key}"${suggestion(key, EXPRESSION_KEYS)}` : '';
}

/** Layers merged: later layers add entries or override fields of earlier ones. */
function merge(layers: Layer[]): { doc: RecipesDocument; definedIn: (path: Path) => Layer } {
  const doc: Required<Omit<RecipesDocument, 'version'>> = { identities: {}, generators: {}, secrets: {}, defaults: {}, recipes: {}, flows: {} };
  for (const { doc: d } of layers) {
    Object.assign(doc.identities, d.identities);
    Object.assign(doc.generators, d.generators);
    Object.assign(doc.defaults, d.defaults);
    for (const list of ['headers', 'parameters', 'bodies', 'names', 'exempt'] as const) {
      if (d.secrets?.[list]) doc.secrets[list] = [...new Set([...(doc.secrets[list] ?? []), ...d.secrets[list]!])];
    }
    for (const [key, recipe] of Object.entries(d.recipes ?? {})) doc.recipes[key] = { ...doc.recipes[key], ...recipe };
    for (const [id, flow] of Object.entries(d.flows ?? {})) doc.flows[id] = { ...doc.flows[id], ...flow };
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
    plan: ContractPlan,
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
    (recipe.candidates ?? []).forEach((c: Candidate, i) => this.inputs([...path, 'candidates', i], op, c, false));
    if (recipe.flow !== undefined && !this.doc.flows?.[recipe.flow]) {
      this.report([...path, 'flow'], `unknown flow "${recipe.flow}"${suggestion(recipe.flow, Object.keys(this.doc.flows ?? {}))}`);
    }
    if (recipe.retry) {
      if (!this.doc.generators?.[recipe.retry.of]) this.report([...path, 'retry', 'of'], `unknown generator "${recipe.retry.of}"${suggestion(recipe.retry.of, Object.keys(this.doc.generators ?? {}))}`);
    }
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
      if (step.same) known(step.same.as, [...at, 'same', 'as']);
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

  private inputs(path: Path, op: OperationSpec, inputs: Inputs, inFlow: boolean, saved?: Set<string>): void {
    if (inputs.as !== undefined) this.credential([...path, 'as'], inputs.as);
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

  private walkBody(path: Path, node: unknown, inFlow: boolean, saved?: Set<string>): void {
    if (isExpression(node)) return this.value(path, node, inFlow, saved);
    if (Array.isArray(node)) node.forEach((item, i) => this.walkBody([...path, i], item, inFlow, saved));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) this.walkBody([...path, k], v, inFlow, saved);
  }

  private value(path: Path, value: unknown, inFlow: boolean, saved?: Set<string>): void {
    if (!isExpression(value)) return;
    const expr = value as Record<string, unknown>;
    const unknownKey = Object.keys(expr).find((k) => k.startsWith('$') && !EXPRESSION_KEYS.includes(k));
    if (unknownKey) return this.report(path, `unknown expression "${unknownKey}"${suggestion(unknownKey, EXPRESSION_KEYS)}`);
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
    return { files: [], identities: {}, generators: {}, secrets: { headers: [], parameters: [], bodies: [], names: [], exempt: [] }, defaultAs: null, doc: {}, definedIn: () => ({ file: '', doc: {}, at: () => '' }) };
  }
  const { doc, definedIn } = merge(layers);
  const check = new SemanticCheck(doc, plan, definedIn);
  check.run();
  if (check.problems.length) throw new ConfigError(check.problems);
  return {
    files: layers.map((l) => l.file),
    identities: doc.identities ?? {},
    generators: doc.generators ?? {},
    secrets: { headers: doc.secrets?.headers ?? [], parameters: doc.secrets?.parameters ?? [], bodies: doc.secrets?.bodies ?? [], names: doc.secrets?.names ?? [], exempt: doc.secrets?.exempt ?? [] },
    defaultAs: doc.defaults?.as ?? null,
    doc,
    definedIn,
  };
}
