/** RFC 6901 JSON Pointer helpers for internal `#/...` references. */

/** RFC 6901 §4: `~1` -> `/` first, then `~0` -> `~`. */
export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/a/0` (an Ajv instancePath) -> ['a', '0']. */
export function pointerTokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken);
}

/** `/a~1b/0` -> `body["a/b"][0]`: a JSON Pointer (RFC 6901) as a reader writes a path. */
export function readablePath(pointer: string, root = 'body'): string {
  let out = root;
  for (const token of pointerTokens(pointer)) {
    // `*` stands for every item in the suite's list assertions; as a reader writes it.
    if (/^\d+$/.test(token) || token === '*') out += `[${token}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(token)) out += `.${token}`;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

export function decodePointer(ref: string): string[] {
  if (!ref.startsWith('#/')) throw new Error(`not an internal reference: ${ref}`);
  // The fragment is also percent-encoded (RFC 3986 §3.5).
  return ref
    .slice(2)
    .split('/')
    .map((token) => unescapeToken(decodeURIComponent(token)));
}

export function resolvePointer(doc: unknown, ref: string): unknown {
  let node: unknown = doc;
  for (const token of decodePointer(ref)) {
    if (node === null || typeof node !== 'object' || !(token in node)) {
      throw new Error(`unresolvable reference ${ref}`);
    }
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}
