/**
 * Forensics for framing errors. When Playwright's HTTP parser rejects a
 * response (e.g. a 204 followed by content: RFC 9112 §6.3 ends such a message
 * at its header section, so the extra bytes are a protocol error), the request
 * is replayed once over a raw socket and the bytes are read as they came.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { RequestRecord, ResponseRecord } from '../checks/types';

const MAX_BYTES = 1024 * 1024;

export interface RawResponse extends ResponseRecord {
  /** Bytes that followed the header section. */
  trailing: Buffer;
}

export function parseRaw(bytes: Buffer): RawResponse | null {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match) return null;
  const headers = lines.map((line) => {
    const colon = line.indexOf(':');
    return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
  });
  const trailing = bytes.subarray(end + 4);
  return { status: Number(match[1]), statusText: match[2] ?? '', headers, body: trailing, trailing };
}

export function rawReplay(record: RequestRecord, timeoutMs: number, rejectUnauthorized: boolean): Promise<RawResponse | null> {
  const url = new URL(record.url);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // IPv6 literals come bracketed (RFC 3986 §3.2.2)
  const head = [
    `${record.method} ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    ...record.headers.map((h) => `${h.name}: ${h.value}`),
    'Content-Length: 0',
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? '' : host, rejectUnauthorized })
      : net.connect({ host, port });
    const finish = () => {
      socket.destroy();
      resolve(parseRaw(Buffer.concat(chunks)));
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write(head));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_BYTES) finish();
    });
    socket.on('end', finish);
    socket.on('error', finish);
  });
}
