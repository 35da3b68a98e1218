/**
 * Finds secrets in a tree of outputs, including where reports hide text:
 * base64 payloads (Allure's single-file HTML, data: URLs) and zip archives
 * (Playwright's HTML report data, blob reports, traces).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import AdmZip from 'adm-zip';

export interface Hit {
  where: string;
  secret: string;
}

const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;

function matcher(secrets: string[]): RegExp {
  const variants = new Set<string>(secrets);
  const alternatives = [...variants].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![A-Za-z0-9])(?:${alternatives.join('|')})(?![A-Za-z0-9])`, 'g');
}

function isZip(buf: Buffer): boolean {
  return buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

function scanBuffer(buf: Buffer, where: string, re: RegExp, hits: Hit[], depth: number): void {
  if (depth > 4) return;
  if (isZip(buf)) {
    for (const entry of new AdmZip(buf).getEntries()) {
      if (!entry.isDirectory) scanBuffer(entry.getData(), `${where}!${entry.entryName}`, re, hits, depth + 1);
    }
    return;
  }
  const raw = buf.toString('utf8');
  // A secret may hide behind JSON escapes (\u0061bc) or percent-encoding (a%2Fb): the scan reads through both,
  // on its own terms, not with the redactor's code.
  const unescaped = raw.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const decoded = unescaped.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
  const seen = new Set<string>();
  for (const text of [raw, unescaped, decoded]) {
    for (const m of text.matchAll(re)) {
      const key = `${m.index}:${m[0]}`;
      if (!seen.has(key)) hits.push({ where, secret: m[0] });
      seen.add(key);
    }
  }
  const text = raw;
  for (const m of text.matchAll(BASE64_RUN)) {
    const decoded = Buffer.from(m[0], 'base64');
    if (isZip(decoded) || /^[\t\n\r\x20-\x7e]*$/.test(decoded.subarray(0, 64).toString('latin1'))) {
      scanBuffer(decoded, `${where} (base64 at ${m.index})`, re, hits, depth + 1);
    }
  }
}

export function scanText(text: string, secrets: string[], where = 'text'): Hit[] {
  const hits: Hit[] = [];
  scanBuffer(Buffer.from(text), where, matcher(secrets), hits, 0);
  return hits;
}

export function scanTree(dir: string, secrets: string[]): { hits: Hit[]; files: number; bytes: number } {
  const re = matcher(secrets);
  const hits: Hit[] = [];
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else {
        files++;
        bytes += st.size;
        scanBuffer(readFileSync(p), p, re, hits, 0);
      }
    }
  };
  walk(dir);
  return { hits, files, bytes };
}
