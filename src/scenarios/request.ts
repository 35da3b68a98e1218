/**
 * Builds the HTTP request a recipe describes: path, query, header and cookie
 * parameters serialised as OpenAPI 3.0 §4.7.12.4 says, the security alternative
 * the credential satisfies, a JSON body; then checks it against the contract,
 * because a suite that sends an invalid request judges nothing.
 */
import type { Header } from '../checks/types';
import { valueAt } from '../checks/http';
import { readablePath } from '../contract/json-pointer';
import type { JsonSchema, OperationSpec, ParameterSpec, SecuritySchemeSpec } from '../contract/model';
import type { CompiledValidators } from '../contract/validators';
import { deref, objectShape, type SchemaNode } from '../contract/schema-walk';
import { example, fillIn, fresh, generate, type Generated } from './values';
import { INVALID_CREDENTIAL, NO_CREDENTIAL, isExpression, type GeneratorDef, type IdentityDef, type Inputs, type ValueExpr } from './types';

/** Where a value came from: reports use it to mask it and to say how to get one again. */
export type ValueSource =
  | { kind: 'literal' }
  | { kind: 'generated-input' }
  | { kind: 'generated'; generator: string; def: GeneratorDef }
  | { kind: 'saved'; name: string; item?: number; step: string; operationId: string; pointer: string }
  | { kind: 'identity'; name: string }
  | { kind: 'fresh' }
  | { kind: 'example' }
  | { kind: 'filled' };

export interface RequestPart {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  /** As serialised on the wire (before percent-encoding). */
  text: string;
  source: ValueSource;
  secret: boolean;
}

export interface CredentialPlacement {
  in: 'header' | 'query' | 'cookie';
  name: string;
  /** The identity whose value was sent; null for the deliberately unknown credential. */
  identity: string | null;
  /** `Bearer `, `Basic `: what precedes the value (RFC 9110 §11.4). */
  prefix: string;
}

export interface BuiltRequest {
  method: string;
  url: string;
  /** The URL with every secret path or query value replaced by a placeholder, whatever its length. */
  maskedUrl: string;
  headers: Header[];
  body?: string;
  pathTemplate: string;
  parts: RequestPart[];
  credential: 'valid' | 'missing' | 'invalid';
  placements: CredentialPlacement[];
  /** Values whose text must be masked wherever it appears. */
  secrets: string[];
  /** Generators whose values went into the request (a retry regenerates them). */
  generators: string[];
  /** Why the request breaks the contract (only when the recipe did not declare it invalid). */
  problems: string[];
}

/** What stands in a masked URL for a secret value, whatever its length (the masked URL is for reading, never sent). */
const MASKED_VALUE = '‹masked›';

/** A value a recipe needs that is not there (yet): the scenario cannot run, which is not the server's fault. */
export class UnmetPrecondition extends Error {}

export interface SavedValue {
  value: unknown;
  step: string;
  operationId: string;
  pointer: string;
  /** The identity the saving step called as (null: none or the unknown credential): what the value belongs to. */
  identity: string | null;
}

export interface RequestContext {
  identities: Record<string, IdentityDef>;
  /** Values of the configured identities. */
  values: Record<string, string>;
  generators: Record<string, GeneratorDef>;
  saved: Map<string, SavedValue>;
  secretParameters: (name: string) => boolean;
  invalidCredential: string;
  validators: CompiledValidators;
  now(): number;
  /** The contract's request schemas, so that `$fresh` in a body follows its member's schema. */
  schemas?: Record<string, JsonSchema>;
}

interface Resolved {
  value: unknown;
  source: ValueSource;
  secret: boolean;
}

function resolveValue(expr: ValueExpr | unknown, ctx: RequestContext, param: ParameterSpec | null, generated: Set<string>, memberSchema?: SchemaNode): Resolved {
  if (!isExpression(expr)) return { value: expr, source: { kind: 'literal' }, secret: false };
  const e = expr as Record<string, unknown>;
  if (typeof e.$generate === 'string') {
    const def = ctx.generators[e.$generate]!;
    const secret = ctx.values[def.rfc6238.secret];
    if (!secret) throw new UnmetPrecondition(`needs ${def.rfc6238.secret}`);
    let out: Generated;
    try {
      out = generate(def, secret, ctx.now());
    } catch (error) {
      throw new UnmetPrecondition((error as Error).message);
    }
    generated.add(e.$generate);
    return { value: out.value, source: { kind: 'generated', generator: e.$generate, def }, secret: out.secret };
  }
  if (typeof e.$saved === 'string') {
    const saved = ctx.saved.get(e.$saved);
    if (!saved) throw new UnmetPrecondition(`"${e.$saved}" was not saved`);
    let value = saved.value;
    if (typeof e.at === 'string') value = valueAt(value, e.at);
    if (typeof e.item === 'number') {
      if (!Array.isArray(value) || value.length <= e.item) {
        throw new UnmetPrecondition(`needs item ${e.item} of "${e.$saved}" (saved by step ${saved.step} from ${saved.pointer}), which has ${Array.isArray(value) ? value.length : 'no'} items`);
      }
      value = value[e.item];
    }
    if (value === undefined) throw new UnmetPrecondition(`needs "${e.$saved}", but the ${saved.operationId} response in step ${saved.step} had nothing at ${saved.pointer}${typeof e.at === 'string' ? e.at : ''} (the schema does not require it)`);
    return { value, source: { kind: 'saved', name: e.$saved, ...(typeof e.item === 'number' ? { item: e.item } : {}), step: saved.step, operationId: saved.operationId, pointer: saved.pointer }, secret: false };
  }
  if (e.$fresh !== undefined) {
    const kind = typeof e.$fresh === 'object' && e.$fresh !== null ? (e.$fresh as { pattern: string }) : String(e.$fresh);
    const schema = param?.schema ? deref(param.schema, ctx.schemas ?? {}) : (memberSchema ?? null);
    try {
      return { value: fresh(kind, schema), source: { kind: 'fresh' }, secret: false };
    } catch (error) {
      throw new UnmetPrecondition((error as Error).message);
    }
  }
  if (Array.isArray(e.$template)) {
    // Parts joined into one string; a secret part makes the whole secret.
    const parts = e.$template.map((part) => resolveValue(part, ctx, null, generated));
    const value = parts.map((p) => scalar(p.value)).join('');
    return { value, source: { kind: 'literal' }, secret: parts.some((p) => p.secret) };
  }
  if (e.$example === true) return { value: param ? example(param) : undefined, source: { kind: 'example' }, secret: false };
  if (typeof e.$identity === 'string') {
    const value = ctx.values[e.$identity];
    if (value === undefined) throw new UnmetPrecondition(`needs ${e.$identity}`);
    return { value, source: { kind: 'identity', name: e.$identity }, secret: true };
  }
  return { value: expr, source: { kind: 'literal' }, secret: false };
}

/** A JSON body with its expressions resolved; `$fresh` follows the schema of the member it stands for. */
function resolveBody(node: unknown, ctx: RequestContext, generated: Set<string>, secrets: string[], schema: SchemaNode): unknown {
  const defs = ctx.schemas ?? {};
  if (isExpression(node)) {
    const r = resolveValue(node, ctx, null, generated, schema);
    if (r.secret && (typeof r.value === 'string' || typeof r.value === 'number')) secrets.push(String(r.value));
    return r.value;
  }
  if (Array.isArray(node)) return node.map((v) => resolveBody(v, ctx, generated, secrets, deref((schema.items as JsonSchema | undefined) ?? {}, defs)));
  if (node && typeof node === 'object') {
    const { properties } = objectShape(schema, defs);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveBody(v, ctx, generated, secrets, deref(properties[k] ?? {}, defs))]));
  }
  return node;
}

const scalar = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** RFC 3986 §2.1: everything but unreserved characters is percent-encoded (encodeURIComponent leaves !'()* alone). */
export function encodeStrict(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** OpenAPI 3.0 §4.7.12.4 style simple / label / matrix for a path value, already percent-encoded. */
function pathText(p: ParameterSpec, value: unknown): string {
  const enc = (v: unknown) => encodeStrict(scalar(v));
  const list = (sep: string): string => {
    if (Array.isArray(value)) return value.map(enc).join(sep);
    if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => (p.explode ? `${enc(k)}=${enc(v)}` : `${enc(k)},${enc(v)}`)).join(p.explode ? sep : ',');
    return enc(value);
  };
  if (p.style === 'label') return `.${list(p.explode ? '.' : ',')}`;
  if (p.style === 'matrix') {
    if (Array.isArray(value) && p.explode) return value.map((v) => `;${encodeStrict(p.name)}=${enc(v)}`).join('');
    return `;${encodeStrict(p.name)}=${list(',')}`;
  }
  return list(',');
}

/**
 * OpenAPI 3.0 §4.7.12.4 style form / spaceDelimited / pipeDelimited / deepObject for a query value, as
 * already-encoded `name=value` pairs: items are encoded one by one and the delimiters stay literal (RFC 6570 §3.2.8).
 */
function queryPairs(p: ParameterSpec, value: unknown): Array<[string, string]> {
  const enc = (v: unknown) => encodeStrict(scalar(v));
  const name = encodeStrict(p.name);
  if (Array.isArray(value)) {
    if (p.style === 'form' && p.explode) return value.map((v) => [name, enc(v)]);
    const sep = p.style === 'spaceDelimited' ? '%20' : p.style === 'pipeDelimited' ? '|' : ',';
    return [[name, value.map(enc).join(sep)]];
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (p.style === 'deepObject') return entries.map(([k, v]) => [`${name}%5B${encodeStrict(k)}%5D`, enc(v)]);
    if (p.explode) return entries.map(([k, v]) => [encodeStrict(k), enc(v)]);
    return [[name, entries.flatMap(([k, v]) => [encodeStrict(k), enc(v)]).join(',')]];
  }
  return [[name, enc(value)]];
}

/** OpenAPI 3.0 §4.7.12.4 style simple for a header value: a list comma-joined; an object as k,v or, exploded, k=v. */
function headerText(value: unknown, explode = false): string {
  if (Array.isArray(value)) return value.map(scalar).join(',');
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => (explode ? `${k}=${scalar(v)}` : `${k},${scalar(v)}`)).join(',');
  return scalar(value);
}

/** The media types the operation documents for its responses: what to accept (RFC 9110 §12.5.1). */
function acceptOf(op: OperationSpec): string {
  const types = [...new Set(op.responses.flatMap((r) => r.content.map((c) => c.mediaType)))];
  return types.length ? types.join(', ') : '*/*';
}

/** Sets a header, replacing one of the same name (RFC 9110 §5.1: names are case-insensitive). */
function setHeader(headers: Header[], name: string, value: string): void {
  const at = headers.findIndex((h) => h.name.toLowerCase() === name.toLowerCase());
  if (at >= 0) headers[at] = { name, value };
  else headers.push({ name, value });
}

/** The security requirement alternative a credential satisfies, and which identity fills each scheme. */
function chooseSecurity(op: OperationSpec, as: string, ctx: RequestContext): Array<{ scheme: SecuritySchemeSpec; identity: string }> | null {
  const fits = (identity: string, scheme: SecuritySchemeSpec) => {
    const declared = ctx.identities[identity]?.scheme;
    return ctx.identities[identity]?.credential !== false && (declared === undefined || declared === scheme.name);
  };
  for (const alternative of op.security) {
    if (alternative.length === 0) continue;
    const filled = alternative.map((scheme) => {
      if (fits(as, scheme)) return { scheme, identity: as };
      const other = Object.keys(ctx.identities).find((name) => ctx.identities[name]!.scheme === scheme.name && ctx.values[name] !== undefined);
      return other ? { scheme, identity: other } : null;
    });
    if (filled.every((f) => f !== null)) return filled as Array<{ scheme: SecuritySchemeSpec; identity: string }>;
  }
  return null;
}

function place(scheme: SecuritySchemeSpec): Omit<CredentialPlacement, 'identity'> | null {
  if (scheme.type === 'apiKey' && scheme.in && scheme.paramName) return { in: scheme.in, name: scheme.paramName, prefix: '' };
  if (scheme.type === 'http' && scheme.scheme === 'basic') return { in: 'header', name: 'Authorization', prefix: 'Basic ' };
  // http bearer, oauth2 and openIdConnect all send a bearer token (RFC 6750 §2.1).
  if (scheme.type === 'http' || scheme.type === 'oauth2' || scheme.type === 'openIdConnect') return { in: 'header', name: 'Authorization', prefix: 'Bearer ' };
  return null;
}

/** How a request is built when it is not a recipe's: generated inputs are literal data, sent as they are. */
export interface BuildOptions {
  /** Values are data, never expressions; nothing is filled in; a required input left out is a problem. */
  literal?: boolean;
  /** A method other than the operation's (a method the contract does not document for the path). */
  method?: string;
}

export function buildRequest(op: OperationSpec, baseURL: string, inputs: Inputs, as: string, ctx: RequestContext, options: BuildOptions = {}): BuiltRequest {
  const generated = new Set<string>();
  const secrets: string[] = [];
  const parts: RequestPart[] = [];
  const problems: string[] = [];
  const given: Record<ParameterSpec['in'], Record<string, ValueExpr> | undefined> = { path: inputs.path, query: inputs.query, header: inputs.headers, cookie: inputs.cookies };
  const values = new Map<ParameterSpec, Resolved>();
  for (const p of op.parameters) {
    const fromRecipe = Object.entries(given[p.in] ?? {}).find(([name]) => (p.in === 'header' ? name.toLowerCase() === p.name.toLowerCase() : name === p.name));
    if (fromRecipe && options.literal) values.set(p, { value: fromRecipe[1], source: { kind: 'generated-input' }, secret: false });
    else if (fromRecipe) values.set(p, resolveValue(fromRecipe[1], ctx, p, generated));
    else if (p.required && options.literal) problems.push(`the required ${p.in} parameter ${p.name} is missing`);
    else if (p.required) values.set(p, { value: fillIn(p), source: { kind: 'filled' }, secret: false });
  }
  let path = op.path;
  let maskedPath = op.path;
  const query: Array<[string, string]> = [];
  const maskedQuery: Array<[string, string]> = [];
  const headers: Header[] = [{ name: 'Accept', value: acceptOf(op) }];
  const cookies: string[] = [];
  for (const [p, r] of values) {
    // A declared secret parameter hides what came from the server, an identity or the generator; the recipes' own literals are public.
    const secret = r.secret || (ctx.secretParameters(p.name) && (r.source.kind === 'saved' || r.source.kind === 'identity' || r.source.kind === 'generated-input'));
    const text = headerText(r.value, p.explode);
    parts.push({ in: p.in, name: p.name, text, source: r.source, secret });
    if (secret) secrets.push(text, ...(Array.isArray(r.value) ? r.value.map(scalar) : []));
    if (p.in === 'path') {
      path = path.split(`{${p.name}}`).join(pathText(p, r.value));
      maskedPath = maskedPath.split(`{${p.name}}`).join(secret ? MASKED_VALUE : pathText(p, r.value));
    } else if (p.in === 'query') {
      const pairs = queryPairs(p, r.value);
      query.push(...pairs);
      maskedQuery.push(...(secret ? pairs.map(([k]): [string, string] => [k, MASKED_VALUE]) : pairs));
    }
    else if (p.in === 'header') setHeader(headers, p.name, text);
    else cookies.push(`${p.name}=${encodeStrict(text)}`);
    // The typed value is judged (text is coerced by the validator), not its serialisation.
    const validate = ctx.validators.parameter(op.operationId, p.in, p.name);
    if (validate && !inputs.invalid && !validate(typeof r.value === 'number' || typeof r.value === 'boolean' ? String(r.value) : r.value)) {
      problems.push(`${p.in} parameter ${p.name}: ${validate.errors?.[0]?.message ?? 'breaks its schema'}`);
    }
  }
  for (const [name, value] of Object.entries(inputs.headers ?? {})) {
    if (op.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === name.toLowerCase())) continue;
    const r = resolveValue(value, ctx, null, generated);
    setHeader(headers, name, headerText(r.value));
    if (r.secret) secrets.push(headerText(r.value));
  }
  const placements: CredentialPlacement[] = [];
  const credential = as === NO_CREDENTIAL ? 'missing' : as === INVALID_CREDENTIAL ? 'invalid' : 'valid';
  if (credential !== 'missing' && op.security.some((alt) => alt.length > 0)) {
    const chosen =
      credential === 'invalid'
        ? (op.security.find((alt) => alt.length > 0) ?? []).map((scheme) => ({ scheme, identity: null as string | null }))
        : chooseSecurity(op, as, ctx);
    if (!chosen) throw new UnmetPrecondition(`${as} satisfies none of the security requirements of ${op.operationId}`);
    for (const { scheme, identity } of chosen) {
      const where = place(scheme);
      if (!where) continue;
      const raw = identity === null ? ctx.invalidCredential : ctx.values[identity];
      if (raw === undefined) throw new UnmetPrecondition(`needs ${identity}`);
      const value = where.prefix === 'Basic ' ? Buffer.from(raw.includes(':') ? raw : `${raw}:`).toString('base64') : raw;
      if (identity !== null) secrets.push(raw, value);
      placements.push({ ...where, identity });
      if (where.in === 'header') setHeader(headers, where.name, `${where.prefix}${value}`);
      else if (where.in === 'query') {
        query.push([encodeStrict(where.name), encodeStrict(value)]);
        maskedQuery.push([encodeStrict(where.name), identity === null ? encodeStrict(value) : MASKED_VALUE]);
      }
      else cookies.push(`${where.name}=${value}`);
    }
  }
  if (cookies.length) headers.push({ name: 'Cookie', value: cookies.join('; ') });
  let body: string | undefined;
  const media = op.requestBody?.content.find((c) => /^application\/(.+\+)?json\b/i.test(c.mediaType)) ?? op.requestBody?.content[0];
  const bodyValue = options.literal
    ? inputs.body
    : inputs.body !== undefined
      ? resolveBody(isExpression(inputs.body) && (inputs.body as { $example?: unknown }).$example === true ? media?.example : inputs.body, ctx, generated, secrets, deref(media?.schema ?? {}, ctx.schemas ?? {}))
      : op.requestBody?.required
        ? media?.example
        : undefined;
  if (bodyValue !== undefined && media) {
    body = typeof bodyValue === 'string' && !/json/i.test(media.mediaType) ? bodyValue : JSON.stringify(bodyValue);
    setHeader(headers, 'Content-Type', media.mediaType.includes('*') ? 'application/json' : media.mediaType);
    const validate = ctx.validators.requestBody(op.operationId, media.mediaType);
    if (validate && !inputs.invalid && !validate(bodyValue)) {
      const e = validate.errors?.[0];
      problems.push(`${readablePath(e?.instancePath ?? '')}: ${e?.message ?? 'breaks its schema'}`);
    }
  } else if (op.requestBody?.required && !inputs.invalid) {
    problems.push('the request body is required: give one in the recipe (body:) or an example in the contract');
  }
  // RFC 3986 §5.2.4: a `.` or `..` segment is removed by every URL parser; another resource would be asked for.
  const dotSegment = path.split('/').find((s) => s === '.' || s === '..');
  if (dotSegment !== undefined) {
    throw new UnmetPrecondition(`a path value makes the segment "${dotSegment}", which URL normalisation removes (RFC 3986 §5.2.4): the request would reach another resource, so it is not sent`);
  }
  const url = (p: string, q: Array<[string, string]>) => {
    const search = q.map(([k, v]) => `${k}=${v}`).join('&');
    return `${baseURL.replace(/\/+$/, '')}/${p.replace(/^\/+/, '')}${search ? `?${search}` : ''}`;
  };
  return {
    method: options.method ?? op.method,
    url: url(path, query),
    maskedUrl: url(maskedPath, maskedQuery),
    headers,
    ...(body !== undefined ? { body } : {}),
    pathTemplate: op.path,
    parts,
    credential,
    placements,
    secrets: secrets.filter((s) => s.length > 0),
    generators: [...generated],
    problems,
  };
}
