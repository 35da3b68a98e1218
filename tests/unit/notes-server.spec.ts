/**
 * The notes server on the wire (tests/fixtures/notes/server.ts): the conforming
 * server gives every awkward input a status the contract documents, and each
 * variant the suite is judged against behaves as its name says. In-process
 * server, raw node:http requests (exact request-targets, no client-side
 * normalisation); no test measures time: the slow variants' waits are recorded.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { expect, test } from '@playwright/test';
import { parse } from 'yaml';
import { fixture } from '../helpers';
import {
  BROKEN_VARIANTS,
  CONFORMING_VARIANTS,
  NOTES_KEY,
  NOTES_KEY_2,
  SEEDED_NOTE_ID,
  startNotesServer,
  type BrokenVariant,
  type ConformingVariant,
  type NotesServer,
  type NotesServerOptions,
  type NotesVariant,
} from '../fixtures/notes/server';

// ---------------------------------------------------------------- wire helpers

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Call {
  /** The X-Api-Key value; default NOTES_KEY, null for none. */
  key?: string | null;
  headers?: Record<string, string>;
  /** Sent as is when a string, else as JSON. */
  body?: unknown;
}

/** One request with the exact request-target given (under /api), on its own connection. */
function call(server: NotesServer, method: string, target: string, init: Call = {}): Promise<Answer> {
  const base = new URL(server.baseURL);
  const headers: Record<string, string> = { ...init.headers };
  const key = init.key === undefined ? NOTES_KEY : init.key;
  if (key !== null) headers['X-Api-Key'] = key;
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method, path: `${base.pathname}${target}`, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = <T = Record<string, unknown>>(a: Answer): T => JSON.parse(a.text) as T;

/** A valid NewNote, with what the test wants changed. */
const newNote = (overrides: Record<string, unknown> = {}) => ({ title: `note ${randomUUID().slice(0, 8)}`, slug: `note-${randomUUID().slice(0, 8)}`, tags: ['unit'], ...overrides });

/** createNote with the contract's example X-Client-Version unless the test says otherwise. */
function create(server: NotesServer, body: unknown = newNote(), init: Call = {}): Promise<Answer> {
  return call(server, 'POST', '/notes', { ...init, headers: { 'X-Client-Version': '2.4.1', ...init.headers }, body });
}

async function createdId(server: NotesServer, body: unknown = newNote(), init: Call = {}): Promise<string> {
  const answer = await create(server, body, init);
  expect(answer.status, answer.text).toBe(201);
  return json<{ id: string }>(answer).id;
}

const listIds = async (server: NotesServer, query = '', init: Call = {}) => {
  const answer = await call(server, 'GET', `/notes${query}`, init);
  expect(answer.status, answer.text).toBe(200);
  return json<{ notes: Array<{ id: string }> }>(answer).notes.map((n) => n.id);
};

async function withServer(options: NotesServerOptions, run: (server: NotesServer) => Promise<void>): Promise<void> {
  const server = await startNotesServer(options);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------- the contract, as the judge of statuses

const CONTRACT = parse(readFileSync(fixture('notes/notes.openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

const OPERATIONS = {
  listNotes: ['/notes', 'get'],
  createNote: ['/notes', 'post'],
  getNote: ['/notes/{noteId}', 'get'],
  'DELETE /notes/{noteId}': ['/notes/{noteId}', 'delete'],
  getAttachment: ['/notes/{noteId}/attachment', 'get'],
} as const;
type Operation = keyof typeof OPERATIONS;

/** OpenAPI 3.0 §4.7.16: an explicit code, a `4XX` range, or `default`. */
function documents(operation: Operation, status: number): boolean {
  const [path, method] = OPERATIONS[operation];
  const codes = Object.keys(CONTRACT.paths[path]![method]!.responses);
  return codes.includes(String(status)) || codes.includes(`${String(status)[0]}XX`) || codes.includes('default');
}

// ---------------------------------------------------------------- awkward inputs, for every documented operation

const UNKNOWN = randomUUID();
const LONG = 'a'.repeat(4096);
const NON_ASCII = 'é€😀ñ';
const enc = encodeURIComponent;

interface Probe {
  label: string;
  /** The documented operation aimed at; null: an undocumented method on a documented path. */
  operation: Operation | null;
  method: string;
  target: string;
  init?: Call;
}

function probes(): Probe[] {
  const list = (label: string, query: string, init?: Call): Probe => ({ label, operation: 'listNotes', method: 'GET', target: `/notes${query}`, ...(init ? { init } : {}) });
  const post = (label: string, body: unknown, headers: Record<string, string> = { 'X-Client-Version': '2.4.1' }, key?: string | null): Probe => ({
    label,
    operation: 'createNote',
    method: 'POST',
    target: '/notes',
    init: { headers, body, ...(key !== undefined ? { key } : {}) },
  });
  const out: Probe[] = [
    list('no query', ''),
    ...['limit=0', 'limit=1', 'limit=100', 'limit=101', 'limit=-1', 'limit=1.5', 'limit=1e1', 'limit=abc', 'limit=', 'limit', 'limit=1&limit=2', 'limit=%00', 'limit=%zz'].map((q) => list(q, `?${q}`)),
    ...['tag=', 'tag=%00', 'tag=%2F%3F%23%26%3D%25%2B', 'tag=a&tag=b', 'tag=%zz', 'tag=%FF', 'unknown=1', `tag=${enc(NON_ASCII)}`].map((q) => list(q, `?${q}`)),
    list('4 KiB tag', `?tag=${LONG}`),
    list('4 KiB non-ASCII tag', `?tag=${enc('é'.repeat(4096))}`),
    list('valid X-Request-Id', '', { headers: { 'X-Request-Id': randomUUID() } }),
    list('X-Request-Id not a uuid', '', { headers: { 'X-Request-Id': 'not-a-uuid' } }),
    list('empty X-Request-Id', '', { headers: { 'X-Request-Id': '' } }),
    list('4 KiB X-Request-Id', '', { headers: { 'X-Request-Id': LONG } }),
    list('anonymous', '?limit=5', { key: null }),
    list('unknown key', '', { key: 'nope' }),
    list('4 KiB key', '', { key: LONG }),
    list('second user', '', { key: NOTES_KEY_2 }),
    post('valid', newNote()),
    post('without X-Client-Version', newNote(), {}),
    ...['1.2', 'v1.2.3', '1.2.3-beta', '', ' 1.2.3x', LONG].map((v) => post(`X-Client-Version ${JSON.stringify(v.slice(0, 12))}`, newNote(), { 'X-Client-Version': v })),
    post('no Content-Type', JSON.stringify(newNote()), { 'X-Client-Version': '2.4.1', 'Content-Type': '' }),
    post('text/plain', JSON.stringify(newNote()), { 'X-Client-Version': '2.4.1', 'Content-Type': 'text/plain' }),
    post('charset parameter', JSON.stringify(newNote()), { 'X-Client-Version': '2.4.1', 'Content-Type': 'Application/JSON; charset=utf-8' }),
    ...['', 'null', '[]', '"x"', '42', '{', '{"title":', '['.repeat(20000)].map((b) => post(`body ${JSON.stringify(b.slice(0, 10))}`, b)),
    post('no title', { slug: 'a' }),
    post('no slug', { title: 'a' }),
    post('title of 200 characters (emoji: code points)', newNote({ title: '😀'.repeat(200) })),
    post('title of 201 characters', newNote({ title: 'x'.repeat(201) })),
    post('4 KiB title', newNote({ title: LONG })),
    post('non-ASCII and NUL title', newNote({ title: `${NON_ASCII}\u0000` })),
    post('title not a string', newNote({ title: 42 })),
    ...['', 'A', 'a--b', '-a', 'a-', 'a b', 'é', 'a\n', '%2F', 'x'.repeat(61)].map((s) => post(`slug ${JSON.stringify(s.slice(0, 12))}`, newNote({ slug: s }))),
    post('slug of 60 characters', newNote({ slug: 'x'.repeat(60) })),
    post('slug not a string', newNote({ slug: 7 })),
    // Raw JSON: 1e400 parses to Infinity, which no integer is.
    ...['0', '6', '2.5', '"3"', 'true', '1e400'].map((p) => post(`priority ${p}`, `{"title":"p","slug":"p","priority":${p}}`)),
    post('tags not a list', newNote({ tags: 'a' })),
    post('a non-string tag', newNote({ tags: [1] })),
    post('an undocumented member', newNote({ colour: 'red' })),
    post('a body over 64 KiB', newNote({ tags: ['x'.repeat(70_000)] })),
    post('anonymous', newNote(), { 'X-Client-Version': '2.4.1' }, null),
    post('unknown key', newNote(), { 'X-Client-Version': '2.4.1' }, 'nope'),
  ];
  const ids: Array<[string, string]> = [
    ['the seeded id', SEEDED_NOTE_ID],
    ['the seeded id upper-cased', SEEDED_NOTE_ID.toUpperCase()],
    ['an unknown uuid', UNKNOWN],
    ['not a uuid', 'not-a-uuid'],
    ['%2F', '%2F'],
    ['an id with %2F', `${SEEDED_NOTE_ID.slice(0, 8)}%2F${SEEDED_NOTE_ID.slice(9)}`],
    ['%00', '%00'],
    ['the seeded id and %00', `${SEEDED_NOTE_ID}%00`],
    ['%2e%2e', '%2e%2e'],
    ['%2E', '%2E'],
    ['..%2F..%2Fnotes', '..%2F..%2Fnotes'],
    ['malformed %zz', '%zz'],
    ['invalid UTF-8 %FF', '%FF'],
    ['4 KiB', LONG],
    ['non-ASCII', enc(NON_ASCII.repeat(300))],
    ['reserved characters', enc('?#[]@!$&\'()*+,;=')],
  ];
  for (const [label, id] of ids) {
    out.push({ label: `getNote ${label}`, operation: 'getNote', method: 'GET', target: `/notes/${id}` });
    out.push({ label: `getAttachment ${label}`, operation: 'getAttachment', method: 'GET', target: `/notes/${id}/attachment` });
    // The seeded note is public and nobody's to delete: 403 (documented), like an unknown id's 404.
    out.push({ label: `DELETE ${label}`, operation: 'DELETE /notes/{noteId}', method: 'DELETE', target: `/notes/${id}` });
  }
  out.push({ label: 'an id with %2F before attachment', operation: 'getNote', method: 'GET', target: `/notes/${SEEDED_NOTE_ID}%2Fattachment` });
  for (const key of [null, 'nope', NOTES_KEY_2]) {
    for (const operation of ['getNote', 'DELETE /notes/{noteId}', 'getAttachment'] as const) {
      const target = operation === 'getAttachment' ? `/notes/${SEEDED_NOTE_ID}/attachment` : `/notes/${SEEDED_NOTE_ID}`;
      out.push({ label: `${operation} as ${key === null ? 'anonymous' : key === 'nope' ? 'unknown key' : 'second user'}`, operation, method: operation.startsWith('DELETE') ? 'DELETE' : 'GET', target, init: { key } });
    }
  }
  const undocumented: Array<[string, string[]]> = [
    ['/notes', ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE']],
    [`/notes/${SEEDED_NOTE_ID}`, ['PUT', 'PATCH', 'POST', 'OPTIONS', 'TRACE']],
    [`/notes/${SEEDED_NOTE_ID}/attachment`, ['PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS']],
  ];
  const withBody = new Set(['PUT', 'PATCH', 'POST']);
  for (const [target, methods] of undocumented) {
    for (const method of methods) out.push({ label: `on ${target}`, operation: null, method, target, ...(withBody.has(method) ? { init: { body: {} } } : {}) });
  }
  return out;
}

interface Heard extends Probe {
  answer: Answer;
}

async function sweep(server: NotesServer): Promise<Heard[]> {
  const heard: Heard[] = [];
  for (const probe of probes()) heard.push({ ...probe, answer: await call(server, probe.method, probe.target, probe.init) });
  return heard;
}

/** What a probe's answer breaks: an undocumented status, a 405 without Allow, content that is not the documented JSON. */
function problemsOf(heard: Heard[], legalRefusal: (h: Heard) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const h of heard) {
    const { status, headers, text } = h.answer;
    const where = `${h.method} ${h.label}: ${status}`;
    if (legalRefusal(h)) continue;
    if (h.operation === null) {
      // RFC 9110 §15.5.6: a 405 lists the resource's methods.
      if (status !== 405 || !headers.allow) out.push(`${where}, Allow ${String(headers.allow)} (expected 405 with Allow)`);
    } else if (!documents(h.operation, status)) out.push(`${where} is not documented for ${h.operation}`);
    if (status === 204) continue;
    if (headers['content-type'] !== 'application/json') out.push(`${where} came as ${String(headers['content-type'])}`);
    else if (typeof (JSON.parse(text) as unknown) !== 'object') out.push(`${where} is not a JSON object`);
  }
  return out;
}

// ---------------------------------------------------------------- the conforming server

test('conforming server: every awkward input on every documented operation gets a status the contract documents for it, as JSON, never a 5xx', async () => {
  await withServer({}, async (server) => {
    const heard = await sweep(server);
    expect(problemsOf(heard)).toEqual([]);
    expect(heard.filter((h) => h.answer.status >= 500).map((h) => h.label)).toEqual([]);
    // The boundaries land on the right side (JSON Schema §6.2, §6.3: bounds inclusive, lengths in code points).
    const status = (label: string) => heard.find((h) => h.label === label)?.answer.status;
    expect(['limit=1', 'limit=100', 'limit=101', 'limit=0', 'limit=', 'tag=', `tag=${enc(NON_ASCII)}`, 'tag=%00', '4 KiB tag', '4 KiB non-ASCII tag'].map(status)).toEqual([200, 200, 400, 400, 400, 400, 200, 200, 200, 200]);
    expect(['title of 200 characters (emoji: code points)', 'title of 201 characters', 'slug of 60 characters', `slug ${JSON.stringify('x'.repeat(12))}`].map(status)).toEqual([201, 400, 201, 400]);
    expect(['valid X-Request-Id', 'X-Request-Id not a uuid', 'empty X-Request-Id', 'charset parameter', 'an undocumented member'].map(status)).toEqual([200, 400, 400, 201, 201]);
  });
});

test('the sweep has teeth: broken variants whose defect is a status each fail it, on the probes that meet the defect', async () => {
  const found: Record<string, string[]> = {};
  for (const variant of ['title-long-500', 'non-ascii-tag-500', 'put-note-succeeds', '405-without-allow', 'unknown-note-500'] as const) {
    await withServer({ broken: variant }, async (server) => {
      found[variant] = problemsOf(await sweep(server));
    });
  }
  expect(found['title-long-500']).toEqual([
    'POST title of 200 characters (emoji: code points): 500 is not documented for createNote',
    'POST title of 201 characters: 500 is not documented for createNote',
    'POST 4 KiB title: 500 is not documented for createNote',
  ]);
  // %FF is not UTF-8: it decodes to U+FFFD, non-ASCII too (WHATWG URL, application/x-www-form-urlencoded parsing).
  expect(found['non-ascii-tag-500']).toEqual([
    'GET tag=%FF: 500 is not documented for listNotes',
    `GET tag=${enc(NON_ASCII)}: 500 is not documented for listNotes`,
    'GET 4 KiB non-ASCII tag: 500 is not documented for listNotes',
  ]);
  expect(found['put-note-succeeds']).toEqual([`PUT on /notes/${SEEDED_NOTE_ID}: 200, Allow undefined (expected 405 with Allow)`]);
  expect(found['405-without-allow']).toHaveLength(15);
  expect(found['unknown-note-500']?.length).toBeGreaterThan(10);
});

test('conforming server: createNote refuses a missing or pattern-breaking X-Client-Version and slug with 400, and echoes what it keeps', async () => {
  await withServer({}, async (server) => {
    expect((await create(server, newNote(), { headers: { 'X-Client-Version': '' } })).status).toBe(400);
    expect((await call(server, 'POST', '/notes', { body: newNote() })).status).toBe(400);
    expect((await create(server, newNote(), { headers: { 'X-Client-Version': '1.2.3.4' } })).status).toBe(400);
    expect((await create(server, newNote({ slug: 'Buy-Milk' }))).status).toBe(400);
    const sent = newNote({ title: `  ${NON_ASCII} and NUL \u0000 `, slug: 'buy-oat-milk-2', priority: 5 });
    const created = await create(server, sent);
    expect(created.status).toBe(201);
    expect(json(created)).toEqual({ id: expect.any(String), title: sent.title, slug: 'buy-oat-milk-2', tags: ['unit'], priority: 5, created_at: expect.any(String) });
    expect(created.headers.location).toBe(`/api/notes/${json<{ id: string }>(created).id}`);
  });
});

test('conforming server: a created note is private to its creator; the other user gets 404 for read and delete, and the note survives', async () => {
  await withServer({}, async (server) => {
    const id = await createdId(server, newNote({ tags: ['private'] }));
    expect((await call(server, 'GET', `/notes/${id}`, { key: NOTES_KEY_2 })).status).toBe(404);
    expect((await call(server, 'DELETE', `/notes/${id}`, { key: NOTES_KEY_2 })).status).toBe(404);
    expect((await call(server, 'GET', `/notes/${id}/attachment`, { key: NOTES_KEY_2 })).status).toBe(404);
    expect(await listIds(server, '?tag=private', { key: NOTES_KEY_2 })).toEqual([]);
    expect(await listIds(server, '?tag=private', { key: null })).toEqual([]);
    expect(await listIds(server, '?tag=private')).toEqual([id]);
    expect((await call(server, 'GET', `/notes/${id}`)).status).toBe(200);
    // The second user's own notes are theirs alone, the same way round.
    const theirs = await createdId(server, newNote({ tags: ['private'] }), { key: NOTES_KEY_2 });
    expect(await listIds(server, '?tag=private', { key: NOTES_KEY_2 })).toEqual([theirs]);
    expect((await call(server, 'GET', `/notes/${theirs}`)).status).toBe(404);
    expect((await call(server, 'DELETE', `/notes/${id}`)).status).toBe(204);
    expect((await call(server, 'GET', `/notes/${id}`)).status).toBe(404);
  });
});

test('conforming server: the seeded note is public, readable and listed for both users and anonymous readers, and nobody may delete it (403)', async () => {
  await withServer({}, async (server) => {
    for (const key of [NOTES_KEY, NOTES_KEY_2]) {
      expect(json(await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}`, { key }))).toMatchObject({ id: SEEDED_NOTE_ID, slug: 'welcome-to-notes' });
      expect((await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}/attachment`, { key })).status).toBe(200);
      expect((await call(server, 'DELETE', `/notes/${SEEDED_NOTE_ID}`, { key })).status).toBe(403);
    }
    expect(await listIds(server, '?tag=welcome', { key: null })).toEqual([SEEDED_NOTE_ID]);
    expect((await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}`)).status).toBe(200);
  });
});

test('conforming server: lists newest first, filtered by tag, cut at limit; a deleted note leaves the list', async () => {
  await withServer({}, async (server) => {
    const first = await createdId(server, newNote({ tags: ['t'] }));
    const second = await createdId(server, newNote({ tags: ['t'] }));
    expect(await listIds(server, '?tag=t')).toEqual([second, first]);
    expect(await listIds(server, '?limit=1')).toEqual([second]);
    expect(await listIds(server, '?tag=unused')).toEqual([]);
    expect((await call(server, 'DELETE', `/notes/${first}`)).status).toBe(204);
    expect(await listIds(server, '?tag=t')).toEqual([second]);
  });
});

test('conforming server: a percent-encoded slash or NUL stays inside the path value and names no note; ids match case-insensitively', async () => {
  await withServer({}, async (server) => {
    // RFC 3986 §2.2: an encoded "/" is data, not a segment delimiter, so this is not the attachment.
    const encoded = await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}%2Fattachment`);
    expect([encoded.status, json(encoded)]).toEqual([404, { message: 'no such note' }]);
    expect((await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}%00`)).status).toBe(404);
    expect((await call(server, 'GET', `/notes/${SEEDED_NOTE_ID.toUpperCase()}`)).status).toBe(200);
    // The recorded path keeps the bytes as sent.
    expect(server.requests.map((r) => r.path)).toEqual([`/api/notes/${SEEDED_NOTE_ID}%2Fattachment`, `/api/notes/${SEEDED_NOTE_ID}%00`, `/api/notes/${SEEDED_NOTE_ID.toUpperCase()}`]);
  });
});

test('conforming server: an undocumented method gets 405 listing the documented methods (and HEAD) in Allow; HEAD is GET without content', async () => {
  await withServer({}, async (server) => {
    const allow = async (method: string, target: string) => {
      const a = await call(server, method, target);
      return [a.status, a.headers.allow];
    };
    expect(await allow('PUT', `/notes/${SEEDED_NOTE_ID}`)).toEqual([405, 'GET, DELETE, HEAD']);
    expect(await allow('OPTIONS', '/notes')).toEqual([405, 'GET, POST, HEAD']);
    expect(await allow('POST', `/notes/${SEEDED_NOTE_ID}/attachment`)).toEqual([405, 'GET, HEAD']);
    const head = await call(server, 'HEAD', `/notes/${SEEDED_NOTE_ID}`);
    expect([head.status, head.text]).toEqual([200, '']);
  });
});

test('conforming server: records every request with the operation it reached, the user whose key it carried, and the method of undocumented ones', async () => {
  await withServer({}, async (server) => {
    await call(server, 'GET', '/notes?limit=2', { key: NOTES_KEY_2 });
    await call(server, 'PATCH', `/notes/${SEEDED_NOTE_ID}`, { key: null });
    await call(server, 'HEAD', '/notes');
    await call(server, 'GET', '/elsewhere', { key: 'nope' });
    await create(server, { title: 'x', slug: 'x' });
    expect(server.requests).toEqual([
      { method: 'GET', path: '/api/notes', query: 'limit=2', auth: 'valid', user: 2, operation: 'listNotes', status: 200 },
      { method: 'PATCH', path: `/api/notes/${SEEDED_NOTE_ID}`, query: '', auth: 'none', undocumentedMethod: 'PATCH', status: 405 },
      { method: 'HEAD', path: '/api/notes', query: '', auth: 'valid', user: 1, undocumentedMethod: 'HEAD', status: 200 },
      { method: 'GET', path: '/api/elsewhere', query: '', auth: 'invalid', status: 404 },
      { method: 'POST', path: '/api/notes', query: '', auth: 'valid', user: 1, operation: 'createNote', body: '{"title":"x","slug":"x"}', status: 201 },
    ]);
  });
});

// ---------------------------------------------------------------- the variants added for generated inputs and security checks

type NewBroken = Exclude<
  BrokenVariant,
  | 'no-location-header'
  | 'location-not-a-uri'
  | 'list-not-json'
  | 'attachment-matches-no-branch'
  | 'deleted-still-readable'
  | 'auth-ignored-on-create'
  | 'priority-clamped'
  | 'limit-ignored'
  | 'unknown-note-500'
  | 'read-returns-another-note'
  | 'delete-204-announces-content'
  | 'anonymous-list-refused'
  | 'created-note-unreadable'
>;

/** The rate-limited variant's pinned clock. */
let clock = 0;

interface Pin {
  title: string;
  run(server: NotesServer, waits: number[]): Promise<void>;
  options?: Omit<NotesServerOptions, 'broken' | 'sleep'>;
}

/** The HTML page a front proxy answers with. */
function expectProxyPage(answer: Answer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('text/html');
  expect(answer.text).toContain(`<title>${status} `);
  expect(answer.text).toContain('<center>nginx</center>');
}

const BROKEN: Record<NewBroken, Pin> = {
  'title-long-500': {
    title: 'createNote answers 500 to a title of 101 characters, 201 to one of 100',
    async run(server) {
      expect((await create(server, newNote({ title: 'x'.repeat(101) }))).status).toBe(500);
      expect((await create(server, newNote({ title: 'x'.repeat(100) }))).status).toBe(201);
    },
  },
  'non-ascii-tag-500': {
    title: 'listNotes answers 500 to a non-ASCII tag, 200 to an ASCII one',
    async run(server) {
      expect((await call(server, 'GET', `/notes?tag=${enc('café')}`)).status).toBe(500);
      expect((await call(server, 'GET', '/notes?tag=cafe')).status).toBe(200);
    },
  },
  'put-note-succeeds': {
    title: 'an undocumented PUT /notes/{noteId} answers 200 with the note; other undocumented methods still get 405',
    async run(server) {
      const put = await call(server, 'PUT', `/notes/${SEEDED_NOTE_ID}`, { body: { title: 'changed' } });
      expect([put.status, json(put).id]).toEqual([200, SEEDED_NOTE_ID]);
      const patch = await call(server, 'PATCH', `/notes/${SEEDED_NOTE_ID}`);
      expect([patch.status, patch.headers.allow]).toEqual([405, 'GET, DELETE, HEAD']);
      expect(server.requests[0]).toMatchObject({ method: 'PUT', undocumentedMethod: 'PUT', status: 200 });
    },
  },
  '405-without-allow': {
    title: 'a 405 carries no Allow header',
    async run(server) {
      const patch = await call(server, 'PATCH', `/notes/${SEEDED_NOTE_ID}`);
      expect([patch.status, patch.headers.allow]).toEqual([405, undefined]);
    },
  },
  'client-version-optional': {
    title: 'createNote without X-Client-Version creates the note (201); a header breaking the pattern is still refused',
    async run(server) {
      expect((await call(server, 'POST', '/notes', { body: newNote() })).status).toBe(201);
      expect((await create(server, newNote(), { headers: { 'X-Client-Version': 'latest' } })).status).toBe(400);
    },
  },
  'slug-pattern-ignored': {
    title: 'createNote accepts and echoes a slug breaking the pattern (201); a slug over 60 characters is still refused',
    async run(server) {
      const created = await create(server, newNote({ slug: 'Not A Slug!' }));
      expect([created.status, json(created).slug]).toEqual([201, 'Not A Slug!']);
      expect((await create(server, newNote({ slug: 'x'.repeat(61) }))).status).toBe(400);
    },
  },
  'limit-zero-accepted': {
    title: 'listNotes serves limit=0 with an empty list (200); limits above 100 are still refused',
    async run(server) {
      const zero = await call(server, 'GET', '/notes?limit=0');
      expect([zero.status, json(zero)]).toEqual([200, { notes: [] }]);
      expect((await call(server, 'GET', '/notes?limit=101')).status).toBe(400);
    },
  },
  'notes-readable-by-anyone': {
    title: "the other user reads a user's private note (200), and still cannot delete it (404)",
    async run(server) {
      const id = await createdId(server);
      const read = await call(server, 'GET', `/notes/${id}`, { key: NOTES_KEY_2 });
      expect([read.status, json(read).id]).toEqual([200, id]);
      expect((await call(server, 'DELETE', `/notes/${id}`, { key: NOTES_KEY_2 })).status).toBe(404);
    },
  },
  'notes-deletable-by-anyone': {
    title: "the other user cannot read a user's private note (404) but deletes it (204): the owner finds it gone",
    async run(server) {
      const id = await createdId(server);
      expect((await call(server, 'GET', `/notes/${id}`, { key: NOTES_KEY_2 })).status).toBe(404);
      expect((await call(server, 'DELETE', `/notes/${id}`, { key: NOTES_KEY_2 })).status).toBe(204);
      expect((await call(server, 'GET', `/notes/${id}`)).status).toBe(404);
    },
  },
  'list-omits-created': {
    title: 'listNotes lists the seeded note only, though the created note reads back (200)',
    async run(server) {
      const id = await createdId(server, newNote({ tags: ['welcome'] }));
      expect(await listIds(server)).toEqual([SEEDED_NOTE_ID]);
      expect(await listIds(server, '?tag=welcome')).toEqual([SEEDED_NOTE_ID]);
      expect((await call(server, 'GET', `/notes/${id}`)).status).toBe(200);
    },
  },
  'list-keeps-deleted': {
    title: 'listNotes still lists a note deleted with 204, which getNote answers 404',
    async run(server) {
      const id = await createdId(server, newNote({ tags: ['gone'] }));
      expect((await call(server, 'DELETE', `/notes/${id}`)).status).toBe(204);
      expect((await call(server, 'GET', `/notes/${id}`)).status).toBe(404);
      expect(await listIds(server, '?tag=gone')).toEqual([id]);
    },
  },
  'tag-filter-ignored': {
    title: 'listNotes by a tag no note carries lists every note the caller may see',
    async run(server) {
      const id = await createdId(server);
      expect(await listIds(server, '?tag=unused')).toEqual([id, SEEDED_NOTE_ID]);
    },
  },
  'title-not-echoed': {
    title: 'createNote answers, and keeps, the title cut to 10 characters',
    async run(server) {
      const created = await create(server, newNote({ title: 'Buy oat milk and bread' }));
      expect([created.status, json(created).title]).toEqual([201, 'Buy oat mi']);
      expect(json(await call(server, 'GET', `/notes/${json<{ id: string }>(created).id}`)).title).toBe('Buy oat mi');
    },
  },
  'slow-list': {
    title: 'a listNotes 200 waits 1100 ms; its refusals and other operations do not wait',
    async run(server, waits) {
      expect((await call(server, 'GET', '/notes')).status).toBe(200);
      expect(waits).toEqual([1100]);
      expect((await call(server, 'GET', '/notes?limit=0')).status).toBe(400);
      expect((await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}`)).status).toBe(200);
      expect(waits).toEqual([1100]);
    },
  },
};

const CONFORMING: Record<ConformingVariant, Pin> = {
  'other-users-note-403': {
    title: "the other user gets 403 for a user's private note on read and delete, 404 on its attachment (no 403 documented there)",
    async run(server) {
      const id = await createdId(server);
      const read = await call(server, 'GET', `/notes/${id}`, { key: NOTES_KEY_2 });
      expect([read.status, json(read)]).toEqual([403, { message: 'the note belongs to another user' }]);
      expect((await call(server, 'DELETE', `/notes/${id}`, { key: NOTES_KEY_2 })).status).toBe(403);
      expect((await call(server, 'GET', `/notes/${id}/attachment`, { key: NOTES_KEY_2 })).status).toBe(404);
      expect((await call(server, 'GET', `/notes/${UNKNOWN}`, { key: NOTES_KEY_2 })).status).toBe(404);
      expect((await call(server, 'GET', `/notes/${id}`)).status).toBe(200);
    },
  },
  'list-oldest-first': {
    title: 'listNotes lists oldest first',
    async run(server) {
      const first = await createdId(server);
      const second = await createdId(server);
      expect(await listIds(server)).toEqual([SEEDED_NOTE_ID, first, second]);
    },
  },
  'extra-note-fields': {
    title: 'every note, created, read or listed, carries undocumented members beside the documented ones',
    async run(server) {
      const extra = { revision: 1, archived: false, updated_at: expect.any(String) };
      const created = json(await create(server, newNote({ slug: 'with-extras' })));
      expect(created).toMatchObject({ slug: 'with-extras', ...extra });
      expect(json(await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}`))).toMatchObject({ id: SEEDED_NOTE_ID, ...extra });
      expect(json<{ notes: unknown[] }>(await call(server, 'GET', '/notes')).notes).toEqual([expect.objectContaining(extra), expect.objectContaining(extra)]);
    },
  },
  'proxy-414': {
    title: 'a request-target over 2048 bytes gets 414 with an nginx HTML page; one of 2048 bytes gets through',
    async run(server) {
      const query = (total: number) => `/notes?tag=${'a'.repeat(total - '/api/notes?tag='.length)}`;
      expectProxyPage(await call(server, 'GET', query(2049)), 414);
      expect((await call(server, 'GET', query(2048))).status).toBe(200);
    },
  },
  'proxy-413': {
    title: 'a request body over 2 KiB gets 413 with an HTML page; one of 2 KiB gets through',
    async run(server) {
      const body = (size: number) => {
        const text = JSON.stringify(newNote({ tags: [''] }));
        return text.replace('[""]', `["${'t'.repeat(size - text.length)}"]`);
      };
      expectProxyPage(await create(server, body(2049)), 413);
      expect((await create(server, body(2048))).status).toBe(201);
    },
  },
  'proxy-431': {
    title: 'a header section over 4 KiB gets 431 with an HTML page; a small one gets through',
    async run(server) {
      expectProxyPage(await call(server, 'GET', '/notes', { headers: { 'X-Request-Id': 'x'.repeat(4096) } }), 431);
      expect((await call(server, 'GET', '/notes', { headers: { 'X-Request-Id': randomUUID() } })).status).toBe(200);
    },
  },
  'rate-limited': {
    title: 'the 31st request within one second gets 429 with Retry-After: 1; a second later requests are served again',
    options: { now: () => clock },
    async run(server) {
      clock = 1_000_000;
      for (let i = 0; i < 30; i++) expect((await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}`)).status).toBe(200);
      clock += 999;
      const limited = await call(server, 'GET', '/notes');
      expectProxyPage(limited, 429);
      expect(limited.headers['retry-after']).toBe('1');
      clock += 1;
      expect((await call(server, 'GET', '/notes')).status).toBe(200);
    },
  },
  'undocumented-method-404': {
    title: 'an undocumented method gets 404, without Allow',
    async run(server) {
      const put = await call(server, 'PUT', `/notes/${SEEDED_NOTE_ID}`);
      expect([put.status, put.headers.allow, json(put)]).toEqual([404, undefined, { message: 'no such resource' }]);
      expect((await call(server, 'GET', `/notes/${SEEDED_NOTE_ID}`)).status).toBe(200);
    },
  },
  'slow-100ms': {
    title: 'every answer waits 100 ms, whatever its status',
    async run(server, waits) {
      const statuses: number[] = [];
      statuses.push((await call(server, 'GET', '/notes')).status);
      statuses.push((await create(server, newNote())).status);
      statuses.push((await call(server, 'GET', '/notes?limit=0')).status);
      statuses.push((await call(server, 'PATCH', '/notes')).status);
      expect(statuses).toEqual([200, 201, 400, 405]);
      expect(waits).toEqual([100, 100, 100, 100]);
    },
  },
};

test('every variant is listed once, broken or conforming, and every one added since the generated phases is pinned below', () => {
  const all: NotesVariant[] = [...BROKEN_VARIANTS, ...CONFORMING_VARIANTS];
  expect(new Set(all).size).toBe(all.length);
  for (const variant of Object.keys(BROKEN)) expect(BROKEN_VARIANTS).toContain(variant);
  expect(Object.keys(CONFORMING).sort()).toEqual([...CONFORMING_VARIANTS].sort());
});

for (const [variant, pin] of [...Object.entries(BROKEN), ...Object.entries(CONFORMING)] as Array<[NotesVariant, Pin]>) {
  test(`${variant}: ${pin.title}`, async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    await withServer({ broken: variant, sleep, ...pin.options }, (server) => pin.run(server, waits));
  });
}

/** The refusals a conforming variant may add: a front proxy's HTML pages, or 404 for an undocumented method. */
const REFUSALS: Partial<Record<ConformingVariant, (h: Heard) => boolean>> = {
  'proxy-414': (h) => h.answer.status === 414,
  'proxy-413': (h) => h.answer.status === 413,
  'proxy-431': (h) => h.answer.status === 431,
  'rate-limited': (h) => h.answer.status === 429,
  'undocumented-method-404': (h) => h.operation === null && h.answer.status === 404,
};

test('conforming variants: the awkward inputs get a documented status, or a refusal that variant is allowed (a proxy page, a 429, a 404 for an undocumented method)', async () => {
  const found: Record<string, string[]> = {};
  const refused: Record<string, number> = {};
  for (const variant of CONFORMING_VARIANTS) {
    // A clock 10 ms on per reading: 100 requests a second, so the rate limiter refuses some, whatever the machine's speed.
    let t = 0;
    await withServer({ broken: variant, sleep: () => Promise.resolve(), now: () => (t += 10) }, async (server) => {
      const heard = await sweep(server);
      const legal = REFUSALS[variant];
      found[variant] = problemsOf(heard, legal);
      if (legal) refused[variant] = heard.filter(legal).length;
      for (const h of heard.filter((x) => legal?.(x) && x.answer.status !== 404)) expectProxyPage(h.answer, h.answer.status);
    });
  }
  expect(found).toEqual(Object.fromEntries(CONFORMING_VARIANTS.map((v) => [v, []])));
  // Each refusal variant did refuse something in the sweep (the sweep sends long targets, bodies and headers, and bursts).
  for (const count of Object.values(refused)) expect(count).toBeGreaterThan(0);
  expect(Object.keys(refused).sort()).toEqual(Object.keys(REFUSALS).sort());
});
