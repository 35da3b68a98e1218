/**
 * Time-based one-time codes (RFC 6238) over node:crypto. The mock computes the
 * same codes with the otpauth library: two independent implementations, so a
 * bug in either shows up as a failed run instead of agreeing with itself.
 * Checked against the test vectors of RFC 6238 Appendix B.
 */
import { createHmac } from 'node:crypto';

export type Rfc6238Algorithm = 'SHA1' | 'SHA256' | 'SHA512';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32, case-insensitive, padding and spaces ignored. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new Error(`"${char}" is not a base32 character (RFC 4648: A-Z, 2-7)`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 4226 §5.3 (HOTP): HMAC of the 8-byte counter, dynamic truncation, modulo 10^digits. */
export function counterCode(key: Buffer, counter: number, digits: number, algorithm: Rfc6238Algorithm): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm.toLowerCase(), key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 §4: the code of time step T = floor(unix time / period). */
export function codeAt(secret: string, timestampMs: number, digits = 6, periodSeconds = 30, algorithm: Rfc6238Algorithm = 'SHA1'): string {
  return counterCode(base32Decode(secret), Math.floor(timestampMs / 1000 / periodSeconds), digits, algorithm);
}
