/**
 * Masks secrets in every string the suite writes. Structure first (values at
 * declared locations or under secret names are replaced by their type when a
 * body is re-rendered, see SecretPolicy.mask); then this textual pass over the
 * rendered text for every secret value known so far (identities, generated
 * codes, values found by SecretPolicy.collectExchange), in its plain, percent-
 * encoded and JSON-escaped forms.
 */
import type { Failure } from '../checks/types';
import { encodeStrict } from '../scenarios/request';

export const MASK = '‹masked›';

/** Values shorter than this are masked only where they stand at a declared location: as free text they would hit ordinary words. */
const MIN_TEXTUAL = 3;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  add(...values: Array<string | undefined | null>): void {
    for (const value of values) {
      if (!value || value.length < MIN_TEXTUAL || value.length > 4096 || this.secrets.has(value)) continue;
      this.secrets.add(value);
      for (const encoded of encodings(value)) if (encoded !== value) this.secrets.add(encoded);
      this.pattern = null;
    }
  }

  /** Whether a value is known as a secret (found in an earlier exchange, say), so a reproduction names where it comes from. */
  knows(value: string): boolean {
    return this.secrets.has(value);
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    if (!this.pattern) {
      const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      // Alphanumeric boundaries: a 6-digit code must not mask the middle of a timestamp.
      this.pattern = new RegExp(`(?<![A-Za-z0-9])(?:${alternatives.join('|')})(?![A-Za-z0-9])`, 'g');
    }
    return text.replace(this.pattern, MASK);
  }

  /** A failure with every string in it masked (values inside are already type-only where declared secret). */
  redactFailure(f: Failure): Failure {
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.redact(node);
      if (Array.isArray(node)) return node.map(walk);
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
      return node;
    };
    return walk(f) as Failure;
  }
}

/**
 * The forms a value takes in the texts the suite writes: both percent-encodings a URL may carry (the request's own,
 * RFC 3986 §2.1, and encodeURIComponent's), a form's (WHATWG URL: space as `+`), and a JSON string's content
 * (RFC 8259 §7: `"` and `\\` escaped), as a re-rendered body shows a value with a quote in it.
 */
function encodings(value: string): string[] {
  return [encodeStrict(value), encodeURIComponent(value), new URLSearchParams([['', value]]).toString().slice(1), JSON.stringify(value).slice(1, -1)];
}

/** `\u0061` -> `a`: text that is not valid JSON is shown decoded, so escaped secrets are found and masked. */
export function decodeJsonEscapes(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
