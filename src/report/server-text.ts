/**
 * What the server said about a refusal, in its own words (`key already exists`), masked: the first thing a
 * person needs when a response was not the one aimed at. Read from the JSON members APIs name their
 * messages with (RFC 9457 `detail`/`title`, and the usual `message`, `error`, `errors`), or an HTML title.
 */
import { headerValues, jsonMediaType, parseJsonBody } from '../checks/http';
import type { ResponseRecord } from '../checks/types';
import type { Redactor } from './redact';

const MESSAGE_MEMBERS = ['detail', 'message', 'error_description', 'error', 'errors', 'title', 'reason', 'description'];
const MAX_SHOWN = 160;

function messageIn(node: unknown, isSecret: (pointer: string) => boolean, pointer: string, depth: number): string | null {
  // The document holds secrets somewhere when any location is declared: only the member read is judged.
  if (depth > 3 || (pointer !== '' && isSecret(pointer))) return null;
  if (typeof node === 'string') return node.trim() || null;
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) {
      const found = messageIn(item, isSecret, `${pointer}/${i}`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    for (const name of MESSAGE_MEMBERS) {
      if (!(name in record)) continue;
      const found = messageIn(record[name], isSecret, `${pointer}/${name}`, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** The server's message, masked and cut short; null when it gave none this can read. */
export function serverText(response: ResponseRecord | null, isSecret: (pointer: string) => boolean, redactor: Redactor): string | null {
  if (!response || response.body.length === 0) return null;
  let text: string | null = null;
  if (jsonMediaType(response)) text = messageIn(parseJsonBody(response.body), isSecret, '', 0);
  else if (/html/i.test(headerValues(response, 'content-type')[0] ?? '')) text = /<title>([^<]*)<\/title>/i.exec(response.body.subarray(0, 16_384).toString('utf8'))?.[1]?.trim() ?? null;
  if (!text) return null;
  const oneLine = text.replace(/\s+/g, ' ');
  const cut = oneLine.length > MAX_SHOWN ? `${oneLine.slice(0, MAX_SHOWN)}…` : oneLine;
  return redactor.redact(cut);
}
