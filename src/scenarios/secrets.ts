/**
 * Where secrets travel, from the recipes' `secrets` section and the contract's
 * security schemes: header names, parameter names, body locations (RFC 6901
 * pointers with `*` for every item). Reports mask what is found there.
 */
import { pointerTokens } from '../contract/json-pointer';
import type { ContractPlan } from '../contract/model';
import type { Recipes } from './types';

export class SecretPolicy {
  private readonly headers: Set<string>;
  private readonly parameters: Set<string>;
  private readonly pointers: string[][];

  constructor(recipes: Pick<Recipes, 'secrets'>, plan: Pick<ContractPlan, 'operations'>) {
    const schemes = plan.operations.flatMap((o) => o.security.flat());
    // RFC 9110 §11.6.2 Authorization and RFC 6265 Cookie carry credentials whatever the contract says.
    this.headers = new Set(['authorization', 'proxy-authorization', 'cookie', ...recipes.secrets.headers.map((h) => h.toLowerCase())]);
    for (const s of schemes) if (s.type === 'apiKey' && s.in === 'header' && s.paramName) this.headers.add(s.paramName.toLowerCase());
    this.parameters = new Set(recipes.secrets.parameters);
    for (const s of schemes) if (s.type === 'apiKey' && s.in !== 'header' && s.paramName) this.parameters.add(s.paramName);
    this.pointers = recipes.secrets.bodies.map(pointerTokens);
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

  /** Every value found at a declared location of a JSON document (strings and numbers, as text). */
  collect(document: unknown): string[] {
    const out: string[] = [];
    const walk = (node: unknown, rest: string[], depth = 0): void => {
      // A scalar above the declared location holds what should have been there: collect it whole.
      if (rest.length > 0 && depth > 0 && (typeof node === 'string' || typeof node === 'number')) {
        out.push(String(node), ...String(node).split(/[\s,;|]+/).filter((p) => p.length > 0));
        return;
      }
      if (rest.length === 0) {
        if (typeof node === 'string' || typeof node === 'number') out.push(String(node));
        else if (node && typeof node === 'object') for (const v of Object.values(node)) walk(v, []);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      const [head, ...tail] = rest as [string, ...string[]];
      const children = head === '*' ? Object.values(node) : [(node as Record<string, unknown>)[head]];
      for (const child of children) if (child !== undefined) walk(child, tail, depth + 1);
    };
    for (const declared of this.pointers) walk(document, declared);
    return out;
  }

  /** A copy of the document with every value at a declared location replaced by a placeholder naming its type. */
  mask(document: unknown): unknown {
    const maskAt = (node: unknown, tokens: string[]): unknown => {
      if (this.pointers.some((d) => d.length === tokens.length && d.every((t, i) => t === '*' || t === tokens[i]))) return placeholder(node);
      // A scalar where the declared location expects more (a list sent as one joined string): it holds the secrets.
      if ((node === null || typeof node !== 'object') && tokens.length > 0 && this.isSecretPointer(`/${tokens.join('/')}`)) return placeholder(node);
      if (Array.isArray(node)) return node.map((v, i) => maskAt(v, [...tokens, String(i)]));
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, maskAt(v, [...tokens, k])]));
      return node;
    };
    return this.pointers.length ? maskAt(document, []) : document;
  }
}

/** The text that stands in for a masked value: its JSON type, never its content. */
export function placeholder(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `‹masked ${type}›`;
}
