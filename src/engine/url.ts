/**
 * Request URLs are built by appending, never by URL resolution: resolving
 * `/user/otp/x` against `http://h/metal/v1` would drop the `/metal/v1` prefix.
 */
export function buildUrl(baseURL: string, pathTemplate: string, params: Record<string, string>): string {
  const path = pathTemplate.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for path parameter {${name}} of ${pathTemplate}`);
    // RFC 6570 §3.2.2 simple expansion: every reserved character is percent-encoded (RFC 3986 §2.1),
    // including the sub-delims encodeURIComponent leaves; a `.`/`..` segment is encoded so no URL parser
    // removes it as a dot-segment (RFC 3986 §5.2.4).
    const encoded = encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    return /^\.{1,2}$/.test(encoded) ? encoded.replace(/\./g, '%2E') : encoded;
  });
  return `${baseURL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
