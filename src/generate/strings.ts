/** Strings for generated inputs: from a regular expression (randexp), of a known format, or breaking one. */
import RandExp from 'randexp';

/** A string matching `pattern` (ECMA-262, as Ajv reads OpenAPI `pattern`), or null when none could be made. */
export function fromPattern(pattern: string, random: () => number, maxLength = Infinity): string | null {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch {
    return null;
  }
  // Fewer repetitions of `*` and `+` each time a value comes out longer than maxLength.
  for (const repeat of [12, 12, 6, 6, 3, 3, 1, 1, 0]) {
    try {
      const gen = new RandExp(pattern);
      // randexp's own randomness is Math.random; a seeded one makes the phase reproducible.
      gen.randInt = (from: number, to: number) => from + Math.floor(random() * (to - from + 1));
      gen.max = repeat;
      const value = gen.gen();
      if (re.test(value) && [...value].length <= maxLength) return value;
    } catch {
      return null;
    }
  }
  return null;
}

const hex = (random: () => number, n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

/** A valid value of a format (JSON Schema §7.3 / OpenAPI 3.0 §4.4), or null for a format not known here. */
export function formatSample(format: string, random: () => number): string | null {
  switch (format) {
    case 'uuid':
      // RFC 9562 §5.4: version 4, variant 10.
      return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${'89ab'[Math.floor(random() * 4)]}${hex(random, 3)}-${hex(random, 12)}`;
    case 'date-time':
      return new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 1e11)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    case 'date':
      return new Date(Date.UTC(2020, 0, 1) + Math.floor(random() * 1e11)).toISOString().slice(0, 10);
    case 'time':
      return '12:34:56Z';
    case 'email':
      return `suite-${hex(random, 6)}@example.com`;
    case 'hostname':
      return `suite-${hex(random, 6)}.example.com`;
    case 'ipv4':
      return `192.0.2.${1 + Math.floor(random() * 254)}`;
    case 'ipv6':
      return `2001:db8::${hex(random, 4)}`;
    case 'uri':
    case 'url':
      return `https://example.com/suite/${hex(random, 8)}`;
    case 'uri-reference':
      return `/suite/${hex(random, 8)}`;
    case 'byte':
      return Buffer.from(hex(random, 12)).toString('base64');
    default:
      return null;
  }
}

/** A string that breaks a format, for the formats whose breakage a validator sees; null otherwise. */
export function brokenFormat(format: string): string | null {
  const broken: Record<string, string> = {
    uuid: 'not-a-uuid',
    'date-time': '2024-13-45T25:61:00Z',
    date: '2024-02-30',
    time: '25:61:00',
    email: 'not-an-email',
    hostname: '-not_a-host-',
    ipv4: '999.1.1.1',
    ipv6: '::gggg',
    uri: 'not a uri',
    url: 'not a url',
    'uri-reference': '\\\\not a reference',
    byte: '*** not base64 ***',
  };
  return broken[format] ?? null;
}
