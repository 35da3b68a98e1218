/**
 * Standalone entry: `node --import tsx src/mock/cli.ts [--list]`.
 * Env: MOCK_PORT (default 4010), MOCK_HOST (default 127.0.0.1), MOCK_MUTANT.
 * Exit codes: 0 on --list and on SIGINT/SIGTERM, 2 on bad configuration, 1 if listening fails.
 */
import { describeMutants } from './mutants';
import { createMockServer, type MockServer } from './server';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function printCatalogue(): void {
  const columns = ['name', 'kind', 'operationId', 'status', 'rule', 'description'] as const;
  const rows = describeMutants().map((m) => [m.name, m.kind, m.operationId ?? '-', m.status?.toString() ?? '-', m.rule ?? '-', m.description]);
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  // The last column is not padded: descriptions are long and free text.
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ');
  const out = [line(columns), line(widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? columns[i]!.length : w))), ...rows.map(line)];
  process.stdout.write(out.join('\n') + '\n');
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4010;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) fail(`Invalid MOCK_PORT "${raw}": expected an integer from 0 to 65535`, 2);
  return port;
}

async function main(): Promise<void> {
  if (process.argv.slice(2).includes('--list')) {
    printCatalogue();
    return;
  }
  const port = parsePort(process.env.MOCK_PORT);
  const host = process.env.MOCK_HOST || '127.0.0.1';
  const mutantName = process.env.MOCK_MUTANT || undefined;
  let mock: MockServer;
  try {
    mock = createMockServer({ host, ...(mutantName !== undefined && { mutant: mutantName }) });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), 2);
  }
  let url: string;
  try {
    url = await mock.listen(port);
  } catch (err) {
    fail(`Mock OTP API could not listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
  process.stdout.write(`Mock OTP API listening on ${url}${mutantName !== undefined ? ` (mutant: ${mutantName})` : ''}\n`);
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
