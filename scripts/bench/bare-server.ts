/**
 * Throughput baseline: a bare node:http handler answering every request with a
 * constant JSON body the size of the mock's recovery-codes list (150 bytes), so
 * the comparison isolates what the mock does per request (routing, auth, state).
 * Prints "listening on <url>" like the mock's CLI; stops on SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const codes = Array.from({ length: 10 }, (_, i) => `bench${String(i).padStart(5, '0')}`);
const body = Buffer.from(JSON.stringify({ recovery_codes: codes }));
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`bare node:http handler listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
