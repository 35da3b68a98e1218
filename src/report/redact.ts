/**
 * Masks secrets in every string the suite writes. Structure first (values at
 * declared locations are replaced by their type when a body is re-rendered, see
 * SecretPolicy.mask); then this textual pass over the rendered text for every
 * secret value known so far (identities, generated codes, values found at
 * secret locations), in its plain and percent-encoded forms.
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
      // Both percent-encodings a URL may carry: the request's own (RFC 3986 §2.1) and encodeURIComponent's.
      for (const encoded of [encodeStrict(value), encodeURIComponent(value)]) if (encoded !== value) this.secrets.add(encoded);
      this.pattern = null;
    }
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

/** `\u0061` -> `a`: text that is not valid JSON is shown decoded, so escaped secrets are found and masked. */
export function decodeJsonEscapes(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
