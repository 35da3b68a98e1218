/**
 * Standalone entry: `node --import tsx src/mock/cli.ts [--list]`.
 * Env: MOCK_PORT (default 4010), MOCK_HOST (default 127.0.0.1), MOCK_PROFILE (default `default`), MOCK_MUTANT.
 * Exit codes: 0 on --list and on SIGINT/SIGTERM, 2 on bad configuration, 1 if listening fails.
 */
import { describeMutants } from './mutants';
import { PROFILES } from './profiles';
import { createMockServer, type MockServer } from './server';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Aligned columns; the last one is not padded: descriptions are long free text. */
function formatTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const last = columns.length - 1;
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === last ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
  const rule = widths.map((w, i) => '-'.repeat(i === last ? (columns[i] ?? '').length : w));
  return [line(columns), line(rule), ...rows.map(line)].join('\n');
}

function mutantTable(): string {
  const columns = ['name', 'kind', 'operationId', 'status', 'received', 'rule', 'profiles', 'description'];
  const rows = describeMutants().map((m) => [
    m.name,
    m.kind,
    m.operationId ?? '-',
    m.status?.toString() ?? '-',
    m.received?.toString() ?? '-',
    m.rule ?? '-',
    m.profiles.length === PROFILES.length ? 'all' : m.profiles.join(','),
    m.description,
  ]);
  return formatTable(columns, rows);
}

function profileTable(): string {
  const columns = ['profile', 'malformedOtp', 'rejectedOtp', 'totpSingleUse', 'mainUserCodesSpent', 'description'];
  const rows = PROFILES.map(({ name, description, switches: s }) => [
    name,
    String(s.malformedOtpStatus),
    String(s.rejectedOtpStatus),
    String(s.totpSingleUse),
    String(s.mainUserCodesSpent),
    description,
  ]);
  return formatTable(columns, rows);
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4010;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) fail(`Invalid MOCK_PORT "${raw}": expected an integer from 0 to 65535`, 2);
  return port;
}

function listenFailure(host: string, port: number, err: unknown): string {
  const where = `Mock OTP API could not listen on ${host}:${port}`;
  if ((err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE') {
    return `${where}: the port is in use. Set MOCK_PORT to a free port (MOCK_PORT=0 picks any free port).`;
  }
  return `${where}: ${err instanceof Error ? err.message : String(err)}`;
}

/** e.g. ` (profile: strict, mutant: x)`; nothing for the default, unmutated mock. */
function variantSuffix(profile: string | undefined, mutant: string | undefined): string {
  const parts = [
    ...(profile !== undefined && profile !== 'default' ? [`profile: ${profile}`] : []),
    ...(mutant !== undefined ? [`mutant: ${mutant}`] : []),
  ];
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

async function main(): Promise<void> {
  if (process.argv.slice(2).includes('--list')) {
    process.stdout.write(`${mutantTable()}\n\n${profileTable()}\n`);
    return;
  }
  const port = parsePort(process.env.MOCK_PORT);
  const host = process.env.MOCK_HOST || '127.0.0.1';
  const profileName = process.env.MOCK_PROFILE || undefined;
  const mutantName = process.env.MOCK_MUTANT || undefined;
  let mock: MockServer;
  try {
    mock = createMockServer({
      host,
      ...(profileName !== undefined && { profile: profileName }),
      ...(mutantName !== undefined && { mutant: mutantName }),
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), 2);
  }
  let url: string;
  try {
    url = await mock.listen(port);
  } catch (err) {
    fail(listenFailure(host, port, err), 1);
  }
  process.stdout.write(`Mock OTP API listening on ${url}${variantSuffix(profileName, mutantName)}\n`);
  const stop = (): void => {
    mock.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 1));
