/**
 * `npm run report:open [-- --port N]`: serves the single-file Allure report on
 * 127.0.0.1 only (`allure open` listens on every interface). The port: --port,
 * else PORT, else 4040.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { reportPaths } from '../src/report/paths';
import { oneFileServer } from './lib/one-file-server';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const flag = args.findIndex((a) => a === '--port' || a.startsWith('--port='));
const rawPort = flag >= 0 ? (args[flag]!.includes('=') ? args[flag]!.split('=')[1] : args[flag + 1]) : process.env.PORT;
const port = rawPort === undefined ? 4040 : Number(rawPort);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${rawPort}: expected a whole number from 0 to 65535`);
const index = join(reportPaths().allureReport, 'index.html');
if (!existsSync(index)) fail(`No report at ${relative(process.cwd(), index)}: run \`npm run conformance\` first.`);

const server = oneFileServer(index);
server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') fail(`Port ${port} on 127.0.0.1 is in use: choose another with --port N (or PORT=N), e.g. npm run report:open -- --port 4041`);
  fail(`Cannot serve the report on 127.0.0.1:${port}: ${error.message}`);
});
server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address() as { port: number };
  process.stdout.write(`Allure report: http://127.0.0.1:${bound}/ (Ctrl+C to stop)\n`);
});
