/** RFC 6238 TOTP through the otpauth library: the current code and one certainly wrong. */
import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;
const DIGITS = 6;

function totp(secret: string): TOTP {
  return new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '').toUpperCase()), digits: DIGITS, period: PERIOD, algorithm: 'SHA1' });
}

export function currentOtp(secret: string, now = Date.now()): string {
  return totp(secret).generate({ timestamp: now });
}

/** A code valid in none of the steps a tolerant server might accept (±5 steps, RFC 6238 §5.2). */
export function wrongOtp(secret: string, now = Date.now()): string {
  const generator = totp(secret);
  const nearby = new Set<string>();
  for (let step = -5; step <= 5; step++) nearby.add(generator.generate({ timestamp: now + step * PERIOD * 1000 }));
  let candidate = (Number(currentOtp(secret, now)) + 500_000) % 1_000_000;
  while (nearby.has(String(candidate).padStart(DIGITS, '0'))) candidate = (candidate + 1) % 1_000_000;
  return String(candidate).padStart(DIGITS, '0');
}
