/**
 * Request URLs are built by appending, never by URL resolution: resolving
 * `/user/otp/x` against `http://h/metal/v1` would drop the `/metal/v1` prefix.
 */
export function buildUrl(baseURL: string, pathTemplate: string, params: Record<string, string>): string {
  const path = pathTemplate.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for path parameter {${name}} of ${pathTemplate}`);
    // RFC 6570 §3.2.2 simple expansion: reserved characters are percent-encoded (RFC 3986 §2.1).
    return encodeURIComponent(value);
  });
  return `${baseURL.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
