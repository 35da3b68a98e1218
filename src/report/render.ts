/**
 * Exchanges as people read them: the request and response as text (masked),
 * and a curl command that sends the same request, with secrets as environment
 * variables or placeholders that say how to get one.
 */
import type { Exchange } from '../checks/types';
import { parseJsonBody } from '../checks/http';
import type { BuiltRequest, RequestPart, ValueSource } from '../scenarios/request';
import type { SecretPolicy } from '../scenarios/secrets';
import { MASK, decodeJsonEscapes, type Redactor } from './redact';

const MAX_SHOWN_BODY = 64 * 1024;

function bodyText(body: Buffer, policy: SecretPolicy, contentType = ''): string {
  const json = parseJsonBody(body);
  if (json !== undefined) {
    const text = JSON.stringify(policy.mask(json), null, 2);
    return text.length > MAX_SHOWN_BODY ? `${text.slice(0, MAX_SHOWN_BODY)}\n… (${text.length - MAX_SHOWN_BODY} more characters not shown)` : text;
  }
  // Not JSON: secret-named members and pairs are still found in the text (a cut-off body, a form, a page's links).
  let text = policy.scanText(decodeJsonEscapes(body.subarray(0, MAX_SHOWN_BODY).toString('utf8'))).shown;
  // No declared location can be found: where secrets travel in bodies, every string and number is masked,
  // keeping the punctuation and property names that show what is wrong (e.g. where the text was cut off).
  // An HTML page (a proxy's error, a login page) is no API body: its words stay readable.
  if (policy.hasBodySecrets() && !/html/i.test(contentType)) text = maskLiterals(text);
  return body.length > MAX_SHOWN_BODY ? `${text}\n… (${body.length - MAX_SHOWN_BODY} more bytes not shown)` : text;
}

/** Masks the values of JSON-like text, even cut off: strings that are not property names, and numbers; the rest stays. */
export function maskLiterals(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const closed = j < text.length;
      const rest = text.slice(j + 1).trimStart();
      // RFC 8259 §4: a string followed by ':' is a member name, not a value.
      out += closed && rest.startsWith(':') ? text.slice(i, j + 1) : `"${MASK}${closed ? '"' : ''}`;
      i = j + 1;
    } else if (/[-\d]/.test(c) && !/[\w.]/.test(text[i - 1] ?? ' ')) {
      const number = /^-?\d[\d.eE+-]*/.exec(text.slice(i))?.[0] ?? c;
      out += MASK;
      i += number.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function headerLine(name: string, value: string, policy: SecretPolicy): string {
  return `${name}: ${policy.maskHeader(name, value)}`;
}

function contentTypeOf(headers: Exchange['request']['headers']): string {
  return headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? '';
}

export function requestText(exchange: Exchange, policy: SecretPolicy, redactor: Redactor): string {
  const { request } = exchange;
  const body = request.body !== undefined ? bodyText(Buffer.from(request.body), policy, contentTypeOf(request.headers)) : '';
  return redactor.redact([`${request.method} ${policy.maskUrl(request.url)}`, ...request.headers.map((h) => headerLine(h.name, h.value, policy)), '', body].join('\n'));
}

export function responseText(exchange: Exchange, policy: SecretPolicy, redactor: Redactor): string {
  if (!exchange.response) return redactor.redact(`no response: ${exchange.error?.kind}: ${exchange.error?.message}`);
  const { status, statusText, headers, body } = exchange.response;
  const note = exchange.note ? [`(${exchange.note})`] : [];
  const contentType = contentTypeOf(headers);
  return redactor.redact([...note, `HTTP ${status} ${statusText}`, ...headers.map((h) => headerLine(h.name, h.value, policy)), '', bodyText(body, policy, contentType)].join('\n'));
}

/** POSIX shell single quotes: everything literal, `'` written as `'\''`. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** How to get a secret value again: a command for generated codes, a placeholder for the rest. */
function reproduce(part: RequestPart): { shell: string } | { placeholder: string } {
  const source: ValueSource = part.source;
  switch (source.kind) {
    case 'identity':
      return { shell: `"$${source.name}"` };
    case 'generated':
      // The recipes say how to get such a value again; otherwise the reader is told where it comes from.
      return source.def.reproduce ? { shell: `"$(${source.def.reproduce})"` } : { placeholder: `<${part.name}: a value of generator ${source.generator}>` };
    case 'saved':
      return { placeholder: `<${part.name}: ${source.item !== undefined ? `item ${source.item} of ` : ''}${source.pointer} from ${source.operationId} (flow step ${source.step})>` };
    default:
      return { placeholder: `<${part.name}: a secret value>` };
  }
}

/** A copy-pasteable curl command for the request; secrets never appear, only variables and placeholders. */
export function curlCommand(built: BuiltRequest, policy: SecretPolicy, redactor: Redactor): string {
  let url = quote(built.url);
  for (const part of built.parts) {
    // A value found secret in an earlier exchange (a saved token in a path segment) is named like a declared one.
    if (!(part.secret || redactor.knows(part.text)) || part.in === 'header' || part.in === 'cookie') continue;
    const how = reproduce(part);
    const encoded = [encodeURIComponent(part.text), part.text];
    const found = encoded.find((form) => url.includes(form));
    if (!found) continue;
    url = url.split(found).join('shell' in how ? `'${how.shell}'` : how.placeholder);
  }
  for (const placement of built.placements) {
    if (placement.in !== 'query' || placement.identity === null) continue;
    url = url.replace(new RegExp(`([?&]${placement.name}=)[^&']*`), `$1'"$${placement.identity}"'`);
  }
  // A query parameter named as a secret but given literally in the recipes has no variable: its value is masked.
  const args = ['curl', '-sS', '-i', '-X', built.method, policy.maskUrl(url)];
  const credentialHeaders = new Set(built.placements.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()));
  for (const h of built.headers) {
    const lower = h.name.toLowerCase();
    if (credentialHeaders.has(lower)) {
      const placement = built.placements.find((p) => p.in === 'header' && p.name.toLowerCase() === lower)!;
      if (placement.identity === null) args.push('-H', quote(`${h.name}: ${h.value}`));
      else if (placement.prefix === 'Basic ') args.push('-u', `"$${placement.identity}"`);
      else args.push('-H', `"${h.name}: ${placement.prefix}$${placement.identity}"`);
    } else if (lower === 'cookie') {
      args.push('-H', built.placements.some((p) => p.in === 'cookie' && p.identity) ? `"Cookie: ${built.placements.filter((p) => p.in === 'cookie' && p.identity).map((p) => `${p.name}=$${p.identity}`).join('; ')}"` : quote(`${h.name}: ${MASK}`));
    } else if (policy.isSecretHeader(h.name) || built.parts.some((p) => p.in === 'header' && p.secret && p.name.toLowerCase() === lower)) {
      args.push('-H', quote(`${h.name}: <${h.name}: a secret value>`));
    } else {
      args.push('-H', quote(`${h.name}: ${h.value}`));
    }
  }
  if (built.body !== undefined) {
    const json = parseJsonBody(Buffer.from(built.body));
    args.push('--data-raw', quote(json === undefined ? policy.scanText(built.body).shown : JSON.stringify(policy.mask(json))));
  }
  // Splicing variables into quoted text leaves empty '' pieces: harmless to the shell, noise to a reader.
  return redactor.redact(args.join(' ')).replace(/(?<=\S)''(?=\s|$)/g, '').replace(/(?<=\s)''(?=\S)/g, '');
}
