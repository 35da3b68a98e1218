/**
 * Where secrets travel, from the recipes' `secrets` section and the contract's
 * security schemes: header names, parameter names, body locations (RFC 6901
 * pointers with `*` for every item). Reports mask what is found there.
 */
import type { Exchange } from '../checks/types';
import { parseJsonBody } from '../checks/http';
import { pointerTokens } from '../contract/json-pointer';
import type { ContractPlan } from '../contract/model';
import type { Recipes } from './types';

export class SecretPolicy {
  private readonly headers: Set<string>;
  private readonly parameters: Set<string>;
  private readonly pointers: string[][];
  /** Member names the declared locations go through (`recovery_codes` of `/recovery_codes/*`). */
  private readonly names: Set<string>;

  constructor(recipes: Pick<Recipes, 'secrets'>, plan: Pick<ContractPlan, 'operations'>) {
    const schemes = plan.operations.flatMap((o) => o.security.flat());
    // RFC 9110 §11.6.2 Authorization and RFC 6265 Cookie carry credentials whatever the contract says.
    this.headers = new Set(['authorization', 'proxy-authorization', 'cookie', ...recipes.secrets.headers.map((h) => h.toLowerCase())]);
    for (const s of schemes) if (s.type === 'apiKey' && s.in === 'header' && s.paramName) this.headers.add(s.paramName.toLowerCase());
    this.parameters = new Set(recipes.secrets.parameters);
    for (const s of schemes) if (s.type === 'apiKey' && s.in !== 'header' && s.paramName) this.parameters.add(s.paramName);
    this.pointers = recipes.secrets.bodies.map(pointerTokens);
    this.names = new Set(this.pointers.flat().filter((t) => t !== '*'));
  }

  hasBodySecrets(): boolean {
    return this.pointers.length > 0;
  }

  isSecretHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }

  isSecretParameter(name: string): boolean {
    return this.parameters.has(name);
  }

  /** Holds a secret or contains one: a value at or above a declared location is shown by type only. */
  isSecretPointer(pointer: string): boolean {
    const tokens = pointerTokens(pointer);
    return this.pointers.some((declared) => tokens.length <= declared.length && tokens.every((t, i) => declared[i] === '*' || declared[i] === t));
  }

  /**
   * Whether the value at `tokens` holds secrets: it stands at a declared location; it is a scalar above one
   * (a list sent as one joined string); it is a member named like a declared location somewhere else (the
   * data was wrapped or moved); or the whole document has a shape the declared locations cannot be in.
   */
  private holdsSecrets(node: unknown, tokens: string[], root: unknown): boolean {
    if (this.pointers.length === 0) return false;
    if (this.pointers.some((d) => d.length === tokens.length && d.every((t, i) => t === '*' || t === tokens[i]))) return true;
    const scalar = node === null || typeof node !== 'object';
    if (scalar && tokens.length > 0 && this.isSecretPointer(`/${tokens.join('/')}`)) return true;
    const last = tokens.at(-1);
    if (last !== undefined && this.names.has(last) && !this.isSecretPointer(`/${tokens.join('/')}`)) return true;
    const objectRoot = root !== null && typeof root === 'object' && !Array.isArray(root);
    return tokens.length === 0 && !objectRoot && this.pointers.some((d) => d[0] !== '*');
  }

  /** Every secret value of a JSON document, as text (strings and numbers; a joined string also in its parts). */
  collect(document: unknown): string[] {
    const out: string[] = [];
    const all = (node: unknown): void => {
      if (typeof node === 'string' || typeof node === 'number') out.push(String(node), ...String(node).split(/[\s,;|]+/).filter((p) => p.length > 0 && p !== String(node)));
      else if (node && typeof node === 'object') for (const v of Object.values(node)) all(v);
    };
    const walk = (node: unknown, tokens: string[]): void => {
      if (this.holdsSecrets(node, tokens, document)) return all(node);
      if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...tokens, k]);
    };
    walk(document, []);
    return out;
  }

  /** Every secret value an exchange carries, in its request and its response: the engine adds them to the redactor. */
  collectExchange(exchange: Exchange): string[] {
    const out: string[] = [];
    if (exchange.request.body !== undefined) out.push(...this.collect(parseJsonBody(Buffer.from(exchange.request.body))));
    if (exchange.response) out.push(...this.collect(parseJsonBody(exchange.response.body)));
    return out;
  }

  /** A copy of the document with every secret value replaced by a placeholder naming its type; names and structure stay. */
  mask(document: unknown): unknown {
    const all = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(all);
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, all(v)]));
      return placeholder(node);
    };
    const walk = (node: unknown, tokens: string[]): unknown => {
      if (this.holdsSecrets(node, tokens, document)) return all(node);
      if (Array.isArray(node)) return node.map((v, i) => walk(v, [...tokens, String(i)]));
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...tokens, k])]));
      return node;
    };
    return this.pointers.length ? walk(document, []) : document;
  }
}

/** The text that stands in for a masked value: its JSON type, never its content. */
export function placeholder(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `‹masked ${type}›`;
}
