/**
 * The fuzz phase's inputs: fast-check arbitraries built from the operation's schemas, mostly valid values
 * with a share of invalid ones, so a run covers both; fast-check shrinks a failing input to a small one.
 * The contract's validators, not this module, decide which generated requests break the contract.
 */
import type * as FastCheck from 'fast-check';
import type { ContractPlan, JsonSchema, OperationSpec, ParameterLocation } from '../contract/model';
import { deref, lengthBounds, mainType, multipleOf, numericBounds, objectShape, typesOf } from '../contract/schema-walk';
import { FIELD, jsonRequestMedia, type GeneratedInputs } from './types';

type Fc = typeof FastCheck;
type Arb = FastCheck.Arbitrary<unknown>;
type Where = ParameterLocation | 'body';
type Definitions = Record<string, JsonSchema>;

/** Generated strings stay below this many characters unless the schema asks for more: long enough to cross the limits servers get wrong. */
const MAX_FUZZ_LENGTH = 120;
const MAX_ITEMS = 4;
const MAX_DEPTH = 4;

/** RFC 9110 §5.5 field-vchar and space: what a header value may hold. */
function headerUnit(fc: Fc): FastCheck.Arbitrary<string> {
  return fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
}

function text(fc: Fc, where: Where, min = 0, max = MAX_FUZZ_LENGTH): FastCheck.Arbitrary<string> {
  const maxLength = Math.max(min, Math.min(max, MAX_FUZZ_LENGTH));
  // size: 'max' spreads lengths over the whole range; fast-check's default keeps strings short (STACK-NOTES).
  if (where === 'header') return fc.string({ unit: headerUnit(fc), minLength: min, maxLength, size: 'max' }).map((s) => s.trim());
  return fc.oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength, size: 'max' }),
    fc.string({ unit: 'grapheme', minLength: min, maxLength, size: 'max' }),
  );
}

function formatted(fc: Fc, format: string): FastCheck.Arbitrary<string> | null {
  switch (format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
    case 'url':
      return fc.webUrl();
    case 'hostname':
      return fc.domain();
    case 'ipv4':
      return fc.ipV4();
    case 'ipv6':
      return fc.ipV6();
    default:
      return null;
  }
}

/** An arbitrary of values valid for the schema (for the keywords generation understands; the validator has the last word). */
export function validArbitrary(fc: Fc, raw: JsonSchema | null, definitions: Definitions, where: Where, depth = 0): Arb {
  const schema = deref(raw, definitions);
  if (Array.isArray(schema.enum) && schema.enum.length) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key] as JsonSchema[] | undefined;
    if (branches?.length) return fc.oneof(...branches.map((b) => validArbitrary(fc, b, definitions, where, depth + 1)));
  }
  const types = typesOf(schema);
  const type = mainType(schema);
  const nullable = types.includes('null') && where === 'body';
  let arb: Arb;
  switch (type) {
    case 'integer':
    case 'number': {
      const integer = type === 'integer';
      const { lo, hi } = numericBounds(schema, integer ? 1 : 0);
      const m = multipleOf(schema);
      if (integer) {
        const min = Math.max(Number.isFinite(lo) ? Math.ceil(lo) : -(2 ** 31), Number.MIN_SAFE_INTEGER);
        const max = Math.min(Number.isFinite(hi) ? Math.floor(hi) : 2 ** 31, Number.MAX_SAFE_INTEGER);
        arb = m && Number.isInteger(m) ? fc.integer({ min: Math.ceil(min / m), max: Math.floor(max / m) }).map((k) => k * m) : fc.integer({ min, max });
      } else {
        arb = fc.double({ min: Number.isFinite(lo) ? lo : -1e9, max: Number.isFinite(hi) ? hi : 1e9, noNaN: true, noDefaultInfinity: true });
      }
      if (where !== 'body') arb = arb.map((n) => String(n));
      break;
    }
    case 'boolean':
      arb = where === 'body' ? fc.boolean() : fc.boolean().map(String);
      break;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = Math.max(min, Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : MAX_ITEMS, MAX_ITEMS));
      arb = depth > MAX_DEPTH ? fc.constant([]) : fc.array(validArbitrary(fc, (schema.items as JsonSchema | undefined) ?? {}, definitions, where, depth + 1), { minLength: min, maxLength: max });
      break;
    }
    case 'object': {
      if (depth > MAX_DEPTH) {
        arb = fc.constant({});
        break;
      }
      const shape = objectShape(schema, definitions);
      const model = Object.fromEntries(Object.entries(shape.properties).map(([name, sub]) => [name, validArbitrary(fc, sub, definitions, where, depth + 1)]));
      arb = fc.record(model, { requiredKeys: shape.required.filter((r) => r in model) });
      break;
    }
    case 'string':
    case undefined: {
      const { min, max } = lengthBounds(schema);
      const fromFormat = typeof schema.format === 'string' ? formatted(fc, schema.format) : null;
      if (typeof schema.pattern === 'string') {
        let re: RegExp | null;
        try {
          re = new RegExp(schema.pattern, 'u');
        } catch {
          re = null;
        }
        arb = re ? fc.stringMatching(re).filter((s) => [...s].length >= min && [...s].length <= max) : text(fc, where, min, max);
      } else arb = fromFormat ?? (where === 'body' && type === undefined && types.length === 0 ? fc.jsonValue() : text(fc, where, min, max));
      break;
    }
    default:
      arb = fc.constant(null);
  }
  return nullable ? fc.option(arb, { nil: null, freq: 8 }) : arb;
}

/** Values of any kind: most break the schema, and the validator tells which. */
function invalidArbitrary(fc: Fc, where: Where): Arb {
  if (where === 'body') return fc.jsonValue({ maxDepth: 2 });
  if (where === 'header') return fc.string({ unit: headerUnit(fc), maxLength: MAX_FUZZ_LENGTH, size: 'max' }).map((s) => s.trim());
  return fc.string({ unit: 'grapheme', maxLength: MAX_FUZZ_LENGTH, size: 'max' });
}

/** Mostly valid, sometimes anything: a run holds both kinds of request. */
function mixed(fc: Fc, raw: JsonSchema | null, definitions: Definitions, where: Where): Arb {
  return fc.oneof({ weight: 4, arbitrary: validArbitrary(fc, raw, definitions, where) }, { weight: 1, arbitrary: invalidArbitrary(fc, where) });
}

const notDotSegment = (v: unknown) => !['', '.', '..'].includes(typeof v === 'string' ? v : String(v));

/** The arbitrary of an operation's whole input: every parameter, and a JSON body when it takes one. */
export function requestArbitrary(fc: Fc, op: OperationSpec, plan: Pick<ContractPlan, 'requestSchemas'>): FastCheck.Arbitrary<GeneratedInputs> {
  const definitions = plan.requestSchemas;
  const groups: Record<keyof Omit<GeneratedInputs, 'body'>, Record<string, Arb>> = { path: {}, query: {}, headers: {}, cookies: {} };
  const required: Record<keyof Omit<GeneratedInputs, 'body'>, string[]> = { path: [], query: [], headers: [], cookies: [] };
  for (const p of op.parameters) {
    const field = FIELD[p.in];
    // A path value of "", "." or ".." names another resource (RFC 3986 §5.2.4): never generated.
    groups[field][p.name] = p.in === 'path' ? mixed(fc, p.schema, definitions, p.in).filter(notDotSegment) : mixed(fc, p.schema, definitions, p.in);
    if (p.required) required[field].push(p.name);
  }
  const record = (field: keyof typeof groups) => fc.record(groups[field], { requiredKeys: required[field] });
  const media = jsonRequestMedia(op);
  const body: Arb = media ? mixed(fc, media.schema, definitions, 'body') : fc.constant(undefined);
  return fc.record({ path: record('path'), query: record('query'), headers: record('headers'), cookies: record('cookies'), body }).map((inputs) => {
    const out = inputs as GeneratedInputs;
    if (out.body === undefined) delete out.body;
    return out;
  });
}
