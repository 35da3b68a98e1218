/**
 * Masks secrets (tokens, TOTP secrets, OTP codes, recovery codes) in every
 * string the suite writes. Secrets are registered as they become known.
 */
import type { Failure } from '../checks/types';

const MARK = '(redacted)';

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  add(...values: Array<string | undefined | null>): void {
    for (const value of values) {
      // Very short values (a 1-3 char code) would mask unrelated text; real secrets are longer.
      if (!value || value.length < 4 || value.length > 4096 || this.secrets.has(value)) continue;
      this.secrets.add(value);
      const encoded = encodeURIComponent(value);
      if (encoded !== value) this.secrets.add(encoded);
      this.pattern = null;
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  /** `mock-app-2fa-…(redacted)` keeps a prefix only of long tokens so reports stay readable. */
  static mask(secret: string): string {
    return secret.length >= 16 ? `${secret.slice(0, 3)}…${MARK}` : `…${MARK}`;
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    if (!this.pattern) {
      const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      // Alphanumeric boundaries: a 6-digit OTP must not mask the middle of a timestamp.
      this.pattern = new RegExp(`(?<![A-Za-z0-9])(?:${alternatives.join('|')})(?![A-Za-z0-9])`, 'g');
    }
    return text.replace(this.pattern, (secret) => Redactor.mask(secret));
  }

  redactFailure(f: Failure): Failure {
    return {
      ...f,
      location: this.redact(f.location),
      expected: this.redact(f.expected),
      actual: this.redact(f.actual),
      ...(f.more ? { more: f.more.map((m) => this.redact(m)) } : {}),
    };
  }
}
