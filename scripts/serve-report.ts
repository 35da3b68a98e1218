/**
 * `npm run report:open`: serves the single-file Allure report on 127.0.0.1 only
 * (`allure open` listens on every interface). PORT picks the port (default 4040).
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { reportPaths } from '../src/report/paths';

const index = join(reportPaths().allureReport, 'index.html');
if (!existsSync(index)) {
  process.stderr.write(`No report at ${index}: run \`npm run conformance\` first.\n`);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 4040);
createServer((req, res) => {
  if (req.method !== 'GET' || (req.url !== '/' && req.url !== '/index.html')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  createReadStream(index).pipe(res);
}).listen(port, '127.0.0.1', () => process.stdout.write(`Allure report: http://127.0.0.1:${port}/ (Ctrl+C to stop)\n`));
