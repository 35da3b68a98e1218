/**
 * Where secrets travel. Two sources: declarations (the recipes' `secrets`
 * section and the contract's security schemes: header names, parameter names,
 * body locations as RFC 6901 pointers with `*` for every item) and names (a
 * header, cookie, query parameter or JSON member whose name marks a secret,
 * documented or not). Reports mask what is found in either, in requests and
 * responses alike; every value found is handed to the textual redactor too.
 */
import type { Exchange, Header } from '../checks/types';
import { parseJsonBody } from '../checks/http';
import { pointerTokens } from '../contract/json-pointer';
import type { ContractPlan } from '../contract/model';
import { MASK, decodeJsonEscapes } from '../report/redact';
import type { Recipes } from './types';

/**
 * Headers that carry credentials whatever they hold: RFC 9110 §11.6.2 Authorization, §11.7.2 Proxy-Authorization,
 * RFC 6265 §5.4 Cookie and §4.1 Set-Cookie. Compared exactly; `exempt` cannot lift them.
 */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** Parts of a name that mark a secret wherever they stand in it (as Schemathesis masks by default). */
const SECRET_TERMS = ['token', 'secret', 'password', 'passwd', 'session', 'api-key', 'apikey', 'auth', 'otp'];

/**
 * Names that contain a term and carry no secret; the recipes' `names` still win over these.
 * - RFC 9110 §11.6.1 WWW-Authenticate and §11.7.1 Proxy-Authenticate: a challenge names a scheme and a realm, no
 *   credential, and it is what a reader of a 401 needs.
 * - RFC 6749 §5.1 token_type and RFC 7009 §2.1 token_type_hint: the kind of token (`Bearer`); fed to the textual
 *   redactor, `Bearer` would blank the scheme of every Authorization header in every reproduction.
 */
const NOT_SECRET = new Set(['www-authenticate', 'proxy-authenticate', 'token-type', 'token-type-hint']);

/**
 * Response and request headers whose value is a URL (RFC 9110 §10.2.2 Location, §8.7 Content-Location, §10.1.3
 * Referer; RFC 8288 Link; the Refresh header of HTML §7.11.1): a secret travels in their query or fragment.
 */
const URL_HEADERS = new Set(['location', 'content-location', 'link', 'refresh', 'referer']);

/** How deep JSON held in a string is opened (JSON in a string in JSON in a string ...): past this it stays text. */
const MAX_EMBEDDED_DEPTH = 4;

/**
 * Query, fragment and form pairs (RFC 3986 §3.4 and §3.5, WHATWG URL application/x-www-form-urlencoded): a pair
 * starts the text or follows `?`, `&` or `#`; its value ends where a URL ends in running text or a header.
 */
const PAIR = /(^|[?&#])([^=&#?/\s<>"';,]+)=([^&#\s<>"']*)/g;

/**
 * A member name and its value in JSON-like text, even cut off (RFC 8259 §4: a string before `:` is a name). Strings
 * are matched as unrolled loops (`[^"\\]*(?:\\.[^"\\]*)*`): an alternation inside `*` overflows V8's stack on a 10 MB body.
 */
const NAMED_LITERAL = /"([^"\\]*(?:\\.[^"\\]*)*)"(\s*:\s*)("[^"\\]*(?:\\.[^"\\]*)*"?|-?\d[\d.eE+-]*)/g;

/** `X-Api_Key.v2` -> `xapikeyv2`: RFC 9110 §5.1 field names are case-insensitive; `-`, `_` and `.` read alike. */
function squash(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, '');
}

/** `X-Api_Key` -> `x-api-key`: one form for exact comparisons (exempt names, credential headers). */
function normal(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, '-');
}

/** `smsOTPCode_v2` -> ['sms', 'otp', 'code', 'v2']: the words of a name, split at separators and case changes. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s\-_.]+/)
    .filter((w) => w.length > 0);
}

/**
 * Whether a name contains a built-in term. Two terms are narrowed, knowingly, to keep ordinary names readable:
 * - `otp` only as the start or end of a word (`otp`, `otpauth`, `totp`, `hotp`, `smsOtp`, `X-OTP-Code`), not inside
 *   one: `footprint`, `isNotPublic` or `dotPath` hold no one-time password.
 * - `auth` not as `author` (`author`, `authority`, `coauthor`), which names people and hosts (RFC 3986 §3.2);
 *   `authorization` and `authorisation` still match.
 */
function hasTerm(name: string, term: string): boolean {
  if (term === 'otp') return words(name).some((w) => /^t?otp|otp$/.test(w));
  if (term === 'auth') return /auth(?!or(?!i[sz]))/.test(squash(name));
  return squash(name).includes(squash(term));
}

/** RFC 3986 §2.1 percent-decoding (and `+` as space, for form pairs); text that is not valid encoding stays as it is. */
function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A cookie value and, when it is an RFC 6265 §4.1.1 quoted value, the value inside the quotes. */
function cookieValueForms(value: string): string[] {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? [value, value.slice(1, -1)] : [value];
}

/** Strings that hold JSON: an object or an array (RFC 8259 §2); a bare scalar in a string is plain text. */
function embeddedJson(text: string): unknown {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON string's content from its literal (quotes and escapes), or the literal itself when it is cut off. */
function literalText(literal: string): string {
  if (!literal.startsWith('"')) return literal;
  try {
    return JSON.parse(literal.endsWith('"') && literal.length > 1 ? literal : `${literal}"`) as string;
  } catch {
    return literal.slice(1);
  }
}

/** Text as reports show it, and the secret values found in it. */
export interface Scanned<T = string> {
  shown: T;
  found: string[];
}

export class SecretPolicy {
  private readonly headers: Set<string>;
  private readonly parameters: Set<string>;
  private readonly pointers: string[][];
  /** Member names the declared locations go through (`recovery_codes` of `/recovery_codes/*`). */
  private readonly declaredNames: Set<string>;
  /** The recipes' `names`, squashed: contained-in matching, like the built-in terms. */
  private readonly extraNames: string[];
  /** The recipes' `exempt`, normalised: exact names. */
  private readonly exempt: Set<string>;

  constructor(recipes: Pick<Recipes, 'secrets'>, plan: Pick<ContractPlan, 'operations'>) {
    const schemes = plan.operations.flatMap((o) => o.security.flat());
    this.headers = new Set(recipes.secrets.headers.map((h) => h.toLowerCase()));
    for (const s of schemes) if (s.type === 'apiKey' && s.in === 'header' && s.paramName) this.headers.add(s.paramName.toLowerCase());
    this.parameters = new Set(recipes.secrets.parameters);
    for (const s of schemes) if (s.type === 'apiKey' && s.in !== 'header' && s.paramName) this.parameters.add(s.paramName);
    this.pointers = recipes.secrets.bodies.map(pointerTokens);
    this.declaredNames = new Set(this.pointers.flat().filter((t) => t !== '*'));
    this.extraNames = recipes.secrets.names.map(squash).filter((n) => n.length > 0);
    this.exempt = new Set(recipes.secrets.exempt.map(normal));
  }

  hasBodySecrets(): boolean {
    return this.pointers.length > 0;
  }

  /**
   * The one name rule, for headers, cookies, query parameters and JSON members alike (case-insensitive, `-` `_` `.`
   * alike), the recipes before the built-ins: a credential header always; then the recipes' `exempt` (not secret) and
   * `names` (secret when contained); then the built-in list of names that are no secret; then the built-in terms.
   */
  isSecretName(name: string): boolean {
    const exact = normal(name);
    if (CREDENTIAL_HEADERS.has(exact)) return true;
    if (this.exempt.has(exact)) return false;
    if (this.extraNames.some((n) => squash(name).includes(n))) return true;
    if (NOT_SECRET.has(exact)) return false;
    return SECRET_TERMS.some((t) => hasTerm(name, t));
  }

  /** Declared, a security scheme's, or named as a secret (RFC 9110 §5.1: header names are case-insensitive). */
  isSecretHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase()) || this.isSecretName(name);
  }

  /** Declared (case-sensitive, as path and query names are, RFC 3986 §6.2.2.1), a security scheme's, or named as a secret. */
  isSecretParameter(name: string): boolean {
    return this.parameters.has(name) || this.isSecretName(name);
  }

  /** Holds or contains a secret: a value at or above a declared location, or at or inside a member named as a secret. */
  isSecretPointer(pointer: string): boolean {
    return this.isDeclaredPointer(pointer) || pointerTokens(pointer).some((t) => this.isSecretName(t));
  }

  private isDeclaredPointer(pointer: string): boolean {
    const tokens = pointerTokens(pointer);
    return this.pointers.some((declared) => tokens.length <= declared.length && tokens.every((t, i) => declared[i] === '*' || declared[i] === t));
  }

  /**
   * Whether the value at `tokens` holds secrets: its member is named as a secret; it stands at a declared location;
   * it is a scalar above one (a list sent as one joined string); it is a member named like a declared location
   * somewhere else (the data was wrapped or moved); or the whole document has a shape the declared locations cannot be in.
   */
  private holdsSecrets(node: unknown, tokens: string[], root: unknown): boolean {
    const last = tokens.at(-1);
    if (last !== undefined && this.isSecretName(last)) return true;
    if (this.pointers.length === 0) return false;
    if (this.pointers.some((d) => d.length === tokens.length && d.every((t, i) => t === '*' || t === tokens[i]))) return true;
    const pointer = `/${tokens.join('/')}`;
    const scalar = node === null || typeof node !== 'object';
    if (scalar && tokens.length > 0 && this.isDeclaredPointer(pointer)) return true;
    if (last !== undefined && this.declaredNames.has(last) && !this.isDeclaredPointer(pointer)) return true;
    const objectRoot = root !== null && typeof root === 'object' && !Array.isArray(root);
    return tokens.length === 0 && !objectRoot && this.pointers.some((d) => d[0] !== '*');
  }

  /**
   * One walk for masking and collecting, so what is shown masked is exactly what the redactor learns. Strings that
   * hold JSON are opened and walked on from where they stand; other strings have their query pairs masked by name.
   */
  private scan(document: unknown): Scanned<unknown> {
    const found: string[] = [];
    const hide = (node: unknown, joined: boolean): unknown => {
      if (Array.isArray(node)) return node.map((v) => hide(v, joined));
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, hide(v, joined)]));
      if (typeof node === 'string' || typeof node === 'number') {
        const text = String(node);
        // A declared list sent as one string also gives its parts; a value found by name is one value, not words.
        found.push(text, ...(joined ? text.split(/[\s,;|]+/).filter((p) => p.length > 0 && p !== text) : []));
      }
      return placeholder(node);
    };
    const walk = (node: unknown, tokens: string[], root: unknown, depth: number): unknown => {
      if (this.holdsSecrets(node, tokens, root)) return hide(node, !this.isSecretName(tokens.at(-1) ?? ''));
      if (Array.isArray(node)) return node.map((v, i) => walk(v, [...tokens, String(i)], root, depth));
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...tokens, k], root, depth)]));
      if (typeof node !== 'string') return node;
      const inner = depth < MAX_EMBEDDED_DEPTH ? embeddedJson(node) : undefined;
      if (inner === undefined) {
        const pairs = this.scanPairs(node);
        found.push(...pairs.found);
        return pairs.shown;
      }
      const masked = walk(inner, tokens, inner, depth + 1);
      // Re-serialised only when something inside was masked: an untouched string keeps its own spacing.
      return JSON.stringify(masked) === JSON.stringify(inner) ? node : JSON.stringify(masked);
    };
    return { shown: walk(document, [], document, 0), found };
  }

  /** Every secret value of a JSON document, as text (strings and numbers; a declared joined string also in its parts). */
  collect(document: unknown): string[] {
    return this.scan(document).found;
  }

  /** A copy of the document with every secret value replaced by a placeholder naming its type; names and structure stay. */
  mask(document: unknown): unknown {
    return this.scan(document).shown;
  }

  /** Query, fragment or form pairs in text whose name marks a secret: the value is masked, the name stays. */
  private scanPairs(text: string): Scanned {
    if (!text.includes('=')) return { shown: text, found: [] };
    const found: string[] = [];
    const shown = text.replace(PAIR, (pair, lead: string, name: string, value: string) => {
      if (value.length === 0 || !this.isSecretParameter(decodeComponent(name))) return pair;
      found.push(value, decodeComponent(value));
      return `${lead}${name}=${MASK}`;
    });
    return { shown, found };
  }

  /** A URL as reports show it: the values of secret-named query and fragment parameters masked. */
  maskUrl(url: string): string {
    return this.scanPairs(url).shown;
  }

  /**
   * A header value as reports show it, and the secrets in it. Set-Cookie (RFC 6265 §4.1.1) and Cookie (§4.2.1)
   * keep cookie names and attributes and mask every value (the header is a credential), but for cookies the
   * recipes exempt; when the text is no list of pairs, all of it is masked. Other secret headers are masked in
   * full; URL-valued headers have their secret-named parameters masked.
   */
  scanHeader(name: string, value: string): Scanned {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') return this.scanSetCookie(value);
    if (lower === 'cookie') return this.scanCookie(value);
    if (this.isSecretHeader(name)) return { shown: MASK, found: [value.trim(), ...credentialsOf(lower, value)] };
    if (URL_HEADERS.has(lower)) return this.scanPairs(value);
    return { shown: value, found: [] };
  }

  maskHeader(name: string, value: string): string {
    return this.scanHeader(name, value).shown;
  }

  /** Each line of a Set-Cookie value: some clients join several with a newline, a few proxies with a comma. */
  private scanSetCookie(value: string): Scanned {
    // RFC 6265 §3 forbids folding, but it happens; a comma starts a new cookie only before `name=` (Expires has commas).
    const parts = value.split(/(\r?\n|,(?=\s*[^;,=\s]+=))/);
    const found: string[] = [];
    const shown = parts
      .map((part, i) => {
        if (i % 2 === 1) return part;
        const semi = part.indexOf(';');
        const pair = semi < 0 ? part : part.slice(0, semi);
        const eq = pair.indexOf('=');
        if (eq < 0) {
          if (pair.trim()) found.push(part.trim());
          return pair.trim() ? MASK : part;
        }
        const cookie = this.cookieValue(pair.slice(0, eq), pair.slice(eq + 1));
        found.push(...cookie.found);
        return `${pair.slice(0, eq + 1)}${cookie.shown}${semi < 0 ? '' : part.slice(semi)}`;
      })
      .join('');
    return { shown, found };
  }

  private scanCookie(value: string): Scanned {
    const pairs = value.split(';');
    // Not a list of name=value pairs: nothing tells a name from a value, so all of it is masked.
    if (pairs.some((p) => !p.includes('='))) return { shown: MASK, found: [value.trim()] };
    const found: string[] = [];
    const shown = pairs
      .map((p) => {
        const eq = p.indexOf('=');
        const cookie = this.cookieValue(p.slice(0, eq), p.slice(eq + 1));
        found.push(...cookie.found);
        return `${p.slice(0, eq + 1)}${cookie.shown}`;
      })
      .join(';');
    return { shown, found };
  }

  /** One cookie's value: masked unless the recipes exempt its name; an empty value (a deletion) has nothing to hide. */
  private cookieValue(name: string, raw: string): Scanned {
    const value = raw.trim();
    if (value.length === 0 || this.exempt.has(normal(name.trim()))) return { shown: raw, found: [] };
    return { shown: `${raw.startsWith(' ') ? ' ' : ''}${MASK}`, found: cookieValueForms(value) };
  }

  /**
   * Text that is not JSON (cut off, HTML, a form): the values after secret-named members (`"access_token": "…"`)
   * and of secret-named pairs (`token=…`, a link's `?session=…`) are masked.
   */
  scanText(text: string): Scanned {
    const found: string[] = [];
    const named = text.replace(NAMED_LITERAL, (match, name: string, colon: string, literal: string) => {
      if (!this.isSecretName(literalText(`"${name}"`))) return match;
      found.push(literalText(literal));
      return `"${name}"${colon}${literal.startsWith('"') ? `"${MASK}${literal.length > 1 && literal.endsWith('"') ? '"' : ''}` : MASK}`;
    });
    const pairs = this.scanPairs(named);
    return { shown: pairs.shown, found: [...found, ...pairs.found] };
  }

  /** A body's secrets: a JSON document walked; other text read as `scanText` reads it. */
  private bodySecrets(body: Buffer): string[] {
    const json = parseJsonBody(body);
    return json !== undefined ? this.collect(json) : this.scanText(decodeJsonEscapes(body.toString('utf8'))).found;
  }

  private headerSecrets(headers: Header[]): string[] {
    return headers.flatMap((h) => this.scanHeader(h.name, h.value).found);
  }

  /**
   * Every secret value an exchange carries, in its request and its response: headers by name, cookie values, query
   * values by name (the request URL, URL-valued headers), body members by name and by declared location. The
   * engine adds them to the redactor, so each is masked wherever else it appears.
   */
  collectExchange(exchange: Exchange): string[] {
    const { request, response } = exchange;
    const out = [...this.headerSecrets(request.headers), ...this.scanPairs(request.url).found];
    if (request.body !== undefined) out.push(...this.bodySecrets(Buffer.from(request.body)));
    if (response) out.push(...this.headerSecrets(response.headers), ...this.bodySecrets(response.body));
    return [...new Set(out.filter((v) => v.length > 0))];
  }
}

/** RFC 9110 §11.4: `credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`; the part after the scheme alone is secret too. */
function credentialsOf(lowerName: string, value: string): string[] {
  if (lowerName !== 'authorization' && lowerName !== 'proxy-authorization') return [];
  const match = /^\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+ +(\S.*?)\s*$/.exec(value);
  return match ? [match[1]!] : [];
}

/** The text that stands in for a masked value: its JSON type, never its content. */
export function placeholder(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `‹masked ${type}›`;
}
