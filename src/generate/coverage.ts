/**
 * The coverage phase: a deterministic sequence of requests per operation, from the contract alone.
 * One input varies at a time, the others keep a plain valid value: boundary lengths and numbers, wrong
 * types, broken and matching formats and patterns, empty, long and non-ASCII text, reserved characters,
 * required inputs left out, and every method the contract does not document for the path.
 */
import type { ContractPlan, JsonSchema, OperationSpec, ParameterLocation, ParameterSpec } from '../contract/model';
import { deref, lengthBounds, mainType, multipleOf, numericBounds, objectShape, typesOf, type SchemaNode } from '../contract/schema-walk';
import { brokenFormat, formatSample, fromPattern } from './strings';
import { cellSeed, FIELD, jsonRequestMedia, prng, PROBED_METHODS, type GeneratedCase, type GeneratedInputs, type Omission } from './types';

type Where = ParameterLocation | 'body';

interface Variation {
  label: string;
  value: unknown;
}

type Definitions = Record<string, JsonSchema>;

/** "Several KiB": long enough for a buffer or column too small to show, short enough for any URL limit a proxy enforces (8 KiB). */
export const LONG_STRING_LENGTH = 4096;

const NON_ASCII: Variation[] = [
  { label: 'accented letters', value: 'café-déjà-vu-ñ' },
  { label: 'emoji', value: 'key-🔑-🙂-👍🏽' },
  { label: 'right-to-left text', value: 'שלום-مرحبا' },
  { label: 'combining marks', value: 'e\u0301a\u0308o\u0302' },
];

const RESERVED: Variation[] = [
  // RFC 3986 §2.2 gen-delims and sub-delims, which must reach the server as data, percent-encoded.
  { label: 'reserved characters', value: ":?#[]@!$&'()*+,;=" },
  { label: 'a slash', value: 'a/b' },
  { label: 'percent signs', value: '%41%zz%' },
  { label: 'NUL', value: 'a\u0000b' },
  { label: 'spaces around', value: ' x ' },
  { label: 'quotes and angle brackets', value: `"'<b>x</b>` },
];

/** RFC 9110 §5.5: a field value is visible ASCII, spaces and tabs; anything else cannot be sent in a header. */
const fitsHeader = (text: string) => /^[\t\x20-\x7e]*$/.test(text) && text.trim() === text;

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A valid, plain value: the schema's example, default or first enum value, else one built from its type and bounds. */
export function plainValue(raw: JsonSchema | null, definitions: Definitions, random: () => number, depth = 0): unknown {
  const schema = deref(raw, definitions);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key] as JsonSchema[] | undefined;
    if (branches?.length) return plainValue(branches[0]!, definitions, random, depth + 1);
  }
  switch (mainType(schema)) {
    case 'integer':
    case 'number': {
      const integer = mainType(schema) === 'integer';
      const { lo, hi } = numericBounds(schema, integer ? 1 : 0.01);
      const m = multipleOf(schema) ?? 1;
      let n = Number.isFinite(lo) ? Math.ceil(lo / m) * m : Number.isFinite(hi) ? Math.floor(Math.min(hi, 1) / m) * m : m;
      if (n > hi) n = Math.floor(hi / m) * m;
      return n;
    }
    case 'boolean':
      return true;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      return Array.from({ length: Math.max(1, min) }, () => plainValue((schema.items as JsonSchema | undefined) ?? {}, definitions, random, depth + 1));
    }
    case 'object': {
      if (depth > 6) return {};
      const shape = objectShape(schema, definitions);
      return Object.fromEntries(shape.required.map((name) => [name, plainValue(shape.properties[name] ?? {}, definitions, random, depth + 1)]));
    }
    case 'null':
      return null;
    default:
      return plainString(schema, random);
  }
}

function plainString(schema: SchemaNode, random: () => number): string {
  const { min, max } = lengthBounds(schema);
  if (typeof schema.pattern === 'string') {
    const matching = fromPattern(schema.pattern, random, max);
    if (matching !== null && [...matching].length >= min) return matching;
  }
  const formatted = typeof schema.format === 'string' ? formatSample(schema.format, random) : null;
  if (formatted !== null) return formatted;
  const base = `suite${Math.floor(random() * 1e6)}`;
  return base.padEnd(min, 'x').slice(0, Math.max(min, Math.min(max, base.length)));
}

const repeat = (n: number) => 'x'.repeat(Math.max(0, n));

function stringVariations(schema: SchemaNode, where: Where, random: () => number): Variation[] {
  const out: Variation[] = [];
  const { min, max } = lengthBounds(schema);
  if (where !== 'path') out.push({ label: 'an empty string', value: '' });
  if (min > 1) out.push({ label: `${min - 1} characters (minLength − 1)`, value: repeat(min - 1) });
  if (min > 0) out.push({ label: `${min} characters (minLength)`, value: repeat(min) });
  if (Number.isFinite(max)) {
    out.push({ label: `${max} characters (maxLength)`, value: repeat(max) });
    out.push({ label: `${max + 1} characters (maxLength + 1)`, value: repeat(max + 1) });
  }
  out.push({ label: `${LONG_STRING_LENGTH} characters`, value: repeat(LONG_STRING_LENGTH) });
  out.push(...NON_ASCII, ...RESERVED);
  if (typeof schema.format === 'string') {
    const broken = brokenFormat(schema.format);
    if (broken !== null) out.push({ label: `not a ${schema.format}`, value: broken });
    const sample = formatSample(schema.format, random);
    if (sample !== null) out.push({ label: `a ${schema.format}`, value: sample });
  }
  if (typeof schema.pattern === 'string') {
    const matching = fromPattern(schema.pattern, random, max);
    if (matching !== null) out.push({ label: `matching the pattern`, value: matching });
    let re: RegExp | null = null;
    try {
      re = new RegExp(schema.pattern, 'u');
    } catch {
      re = null;
    }
    const breaking = re && ['!', '-', 'Z', '0', ' ', 'a b', '__'].find((c) => !re.test(c));
    if (breaking) out.push({ label: `breaking the pattern`, value: breaking });
  }
  if (Array.isArray(schema.enum)) {
    for (const value of schema.enum.slice(0, 5)) out.push({ label: `the enum value ${JSON.stringify(value)}`, value });
    out.push({ label: 'a value outside the enum', value: 'suite-not-in-enum' });
  }
  return out;
}

function numberVariations(schema: SchemaNode, integer: boolean): Variation[] {
  const out: Variation[] = [];
  const step = integer ? 1 : 0.5;
  const { lo, hi } = numericBounds(schema, integer ? 1 : 0);
  if (Number.isFinite(lo)) out.push({ label: 'minimum − 1', value: lo - step }, { label: 'minimum', value: lo });
  else out.push({ label: '-1', value: -1 }, { label: '0', value: 0 });
  if (Number.isFinite(hi)) out.push({ label: 'maximum', value: hi }, { label: 'maximum + 1', value: hi + step });
  else out.push({ label: '2^31', value: 2 ** 31 }, { label: '2^53 + 1', value: 2 ** 53 + 1 });
  const m = multipleOf(schema);
  if (m !== undefined) {
    const base = Number.isFinite(lo) ? Math.ceil(lo / m) * m : m;
    out.push({ label: `a multiple of ${m}`, value: base });
    if (!integer || Number.isInteger(m)) out.push({ label: `not a multiple of ${m}`, value: base + (integer ? 1 : m / 2) });
  }
  if (integer) out.push({ label: 'a fraction', value: 1.5 });
  if (Array.isArray(schema.enum)) {
    for (const value of schema.enum.slice(0, 5)) out.push({ label: `the enum value ${JSON.stringify(value)}`, value });
  }
  return out;
}

/** Values of another JSON type than the schema's (in text locations, only text that cannot be read as it). */
function wrongTypes(types: string[], where: Where): Variation[] {
  const nullable = types.includes('null');
  if (where !== 'body') {
    const out: Variation[] = [];
    if (types.some((t) => t === 'integer' || t === 'number')) out.push({ label: 'text where a number is due', value: 'abc' });
    if (types.includes('boolean')) out.push({ label: 'text where a boolean is due', value: 'maybe' });
    return out;
  }
  const all: Array<[string, unknown]> = [
    ['string', 'text'],
    ['number', 1.5],
    ['boolean', true],
    ['array', []],
    ['object', {}],
    ['null', null],
  ];
  return all
    .filter(([type]) => !types.includes(type) && !(type === 'number' && types.includes('integer')) && !(type === 'null' && nullable))
    .map(([type, value]) => ({ label: `${type === 'array' || type === 'object' ? 'an' : 'a'} ${type === 'null' ? 'null' : type} instead`, value }));
}

function variationsOf(raw: JsonSchema | null, definitions: Definitions, where: Where, random: () => number): Variation[] {
  const schema = deref(raw, definitions);
  const types = typesOf(schema);
  const type = mainType(schema);
  const own: Variation[] = [];
  if (type === 'integer' || type === 'number') own.push(...numberVariations(schema, type === 'integer').map((v) => ({ ...v, value: where === 'body' ? v.value : String(v.value) })));
  else if (type === 'boolean') own.push({ label: 'true', value: where === 'body' ? true : 'true' }, { label: 'false', value: where === 'body' ? false : 'false' });
  else if (type === 'array') {
    const item = plainValue((schema.items as JsonSchema | undefined) ?? {}, definitions, random);
    const itemText = where === 'body' ? item : textOf(item);
    own.push({ label: 'an empty list', value: [] }, { label: 'one item', value: [itemText] });
    if (typeof schema.maxItems === 'number') own.push({ label: `${schema.maxItems + 1} items (maxItems + 1)`, value: Array.from({ length: schema.maxItems + 1 }, () => itemText) });
    if (where === 'body') own.push(...wrongTypes(typesOf(deref((schema.items as JsonSchema | undefined) ?? {}, definitions)), 'body').slice(0, 2).map((v) => ({ label: `an item: ${v.label}`, value: [v.value] })));
  } else if (type === 'object') {
    if (where === 'body') own.push({ label: 'an empty object', value: {} });
  } else own.push(...stringVariations(schema, where, random));
  return [...own, ...wrongTypes(types.length ? types : ['string'], where)];
}

/** Keeps the first of each value, and only what the location can carry. */
function usable(variations: Variation[], where: Where): Variation[] {
  const seen = new Set<string>();
  return variations.filter((v) => {
    const text = textOf(v.value);
    if (seen.has(text)) return false;
    seen.add(text);
    if (where === 'header') return Array.isArray(v.value) ? v.value.every((i) => fitsHeader(textOf(i))) : fitsHeader(text);
    return true;
  });
}

/** Whether an operation takes any input a generated request can vary. */
export function takesInput(op: OperationSpec): boolean {
  return op.parameters.length > 0 || jsonRequestMedia(op) !== null;
}

/** The methods a path is documented for, and the ones to try that it is not (only on the first operation of the path). */
export function undocumentedMethods(op: OperationSpec, plan: Pick<ContractPlan, 'operations'>): { documented: string[]; probed: string[] } {
  const onPath = plan.operations.filter((o) => o.path === op.path);
  const documented = onPath.map((o) => o.method);
  if (onPath[0]?.operationId !== op.operationId) return { documented, probed: [] };
  // RFC 9110 §9.3.2: HEAD is GET without content, so a documented GET documents HEAD too.
  const implied = documented.includes('GET') ? [...documented, 'HEAD'] : documented;
  return { documented, probed: PROBED_METHODS.filter((m) => !implied.includes(m)) };
}

export interface CoverageOptions {
  seed: number;
}

export function coverageCases(op: OperationSpec, plan: Pick<ContractPlan, 'operations' | 'requestSchemas'>, options: CoverageOptions): GeneratedCase[] {
  const random = prng(cellSeed(options.seed, 'coverage', op.operationId));
  const definitions = plan.requestSchemas;
  const baseline: GeneratedInputs = { path: {}, query: {}, headers: {}, cookies: {} };
  for (const p of op.parameters) {
    if (!p.required) continue;
    const value = p.example ?? plainValue(p.schema, definitions, random);
    baseline[FIELD[p.in]][p.name] = Array.isArray(value) ? value.map(textOf) : textOf(value);
  }
  const media = jsonRequestMedia(op);
  const bodySchema = media ? deref(media.schema, definitions) : null;
  if (media && op.requestBody?.required) {
    baseline.body = media.example !== undefined ? media.example : plainValue(media.schema, definitions, random);
  }
  const cases: Array<Omit<GeneratedCase, 'index'>> = [{ label: 'every required input valid, nothing else (baseline)', inputs: baseline }];
  const clone = (): GeneratedInputs => structuredClone(baseline);

  for (const p of op.parameters) cases.push(...parameterCases(p, clone, definitions, random));
  if (media && bodySchema) cases.push(...bodyCases(media.schema, bodySchema, Boolean(op.requestBody?.required), baseline.body, clone, definitions, random));
  const { probed } = undocumentedMethods(op, plan);
  for (const method of probed) {
    const inputs = clone();
    delete inputs.body;
    cases.push({ label: `${method}, a method the contract does not document for ${op.path}`, method, inputs });
  }
  return cases.map((c, index) => ({ ...c, index }));
}

function parameterCases(p: ParameterSpec, clone: () => GeneratedInputs, definitions: Definitions, random: () => number): Array<Omit<GeneratedCase, 'index'>> {
  const out: Array<Omit<GeneratedCase, 'index'>> = [];
  const field = FIELD[p.in];
  for (const v of usable(variationsOf(p.schema, definitions, p.in, random), p.in)) {
    const inputs = clone();
    inputs[field][p.name] = v.value;
    out.push({ label: `${p.in} ${p.name}: ${v.label}`, inputs, ...(p.in === 'path' && textOf(v.value).includes('/') ? { slashInPath: true } : {}) });
  }
  // A path parameter cannot be left out: the path would name another resource (OpenAPI 3.0 §4.7.12.1).
  if (p.required && p.in !== 'path') {
    const inputs = clone();
    delete inputs[field][p.name];
    out.push({ label: `${p.in} ${p.name} left out (required)`, inputs, omit: { in: p.in, name: p.name } });
  }
  return out;
}

function bodyCases(raw: JsonSchema | null, schema: SchemaNode, required: boolean, baseBody: unknown, clone: () => GeneratedInputs, definitions: Definitions, random: () => number): Array<Omit<GeneratedCase, 'index'>> {
  const out: Array<Omit<GeneratedCase, 'index'>> = [];
  const withBody = (body: unknown) => ({ ...clone(), body });
  if (required) {
    const inputs = clone();
    delete inputs.body;
    out.push({ label: 'the body left out (required)', inputs, omit: { in: 'body', name: '' } satisfies Omission });
  }
  if (mainType(schema) !== 'object') {
    for (const v of usable(variationsOf(raw, definitions, 'body', random), 'body')) out.push({ label: `body: ${v.label}`, inputs: withBody(v.value) });
    return out;
  }
  for (const v of wrongTypes(typesOf(schema), 'body')) out.push({ label: `body: ${v.label} of an object`, inputs: withBody(v.value) });
  out.push({ label: 'body: an empty object', inputs: withBody({}) });
  const base = baseBody !== null && typeof baseBody === 'object' && !Array.isArray(baseBody) ? (baseBody as Record<string, unknown>) : (plainValue(raw, definitions, random) as Record<string, unknown>);
  const shape = objectShape(schema, definitions);
  for (const [name, sub] of Object.entries(shape.properties)) {
    for (const v of usable(variationsOf(sub, definitions, 'body', random), 'body')) out.push({ label: `body member ${name}: ${v.label}`, inputs: withBody({ ...base, [name]: v.value }) });
    if (shape.required.includes(name)) {
      const { [name]: _left, ...rest } = base;
      out.push({ label: `body member ${name} left out (required)`, inputs: withBody(rest), omit: { in: 'body', name } });
    }
  }
  if (shape.closed) out.push({ label: 'body: a member the schema does not allow', inputs: withBody({ ...base, suite_unexpected_member: 1 }) });
  return out;
}
