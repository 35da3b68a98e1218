/** An HTTP server for the single-file Allure report: `/` and `/index.html` serve it, anything else is 404 (from file:// the report only shows a spinner). */
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';

export function oneFileServer(file: string): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/' && req.url !== '/index.html')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    createReadStream(file).pipe(res);
  });
}
