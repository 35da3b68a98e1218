/** Every sentence the suite prints about a verdict comes from here. */
import { readablePath } from '../contract/json-pointer';
import type { Actual, Expected, Failure, Location, SchemaFinding, TransportErrorKind, ValueOrigin, ValueShape } from '../checks/types';
import type { Diagnosis } from '../settings/preflight';
import type { Outcome } from './verdict';

/** The label of a recipe's only input: not worth repeating. */
export const SINGLE_INPUT_LABEL = 'the recipe';

const TYPE_NAMES: Record<ValueShape['type'], string> = {
  null: 'null',
  boolean: 'a boolean',
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  array: 'an array',
  object: 'an object',
  absent: 'nothing',
};

/** `/items/3/name` -> `body.items[3].name`. */
export const bodyPath = (pointer: string): string => readablePath(pointer);

export function where(location: Location): string {
  switch (location.part) {
    case 'status':
      return 'status';
    case 'header':
      return `header ${location.name}`;
    case 'body':
      return bodyPath(location.pointer);
    case 'connection':
      return 'connection';
    case 'time':
      return 'response time';
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Where compared values come from: `the value saved as "id" by step create (as NOTES_API_KEY)`. */
export function originText(origin: ValueOrigin, count: number): string {
  const values = count === 1 ? 'the value' : `the ${count} values`;
  switch (origin.kind) {
    case 'saved':
      return `${values} saved as "${origin.name}" by step ${origin.step}${origin.identity ? ` (as ${origin.identity})` : ''}`;
    case 'sent':
      return `${values} sent at ${origin.pointer}`;
    case 'literal':
      return count === 1 ? 'the given value' : `the ${count} given values`;
  }
}

/** `a number (42)`, or `a number (value masked)`: the type is always named. */
export function valueText(shape: ValueShape): string {
  if (shape.type === 'absent') return 'nothing';
  return `${TYPE_NAMES[shape.type]} (${shape.preview ?? 'value masked'})`;
}

function list(items: string[], last = 'or'): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

function typeWords(type: unknown): string {
  const types = (Array.isArray(type) ? type : [type]).map((t) => TYPE_NAMES[String(t) as ValueShape['type']] ?? String(t));
  return list(types);
}

/** What a JSON Schema keyword asked for, in words. */
export function schemaExpectation(f: SchemaFinding): string {
  const p = f.params;
  switch (f.keyword) {
    case 'type':
      return typeWords(p.type);
    case 'required':
      return `property "${String(p.missingProperty)}" (the schema requires it)`;
    case 'additionalProperties':
      return `no property "${String(p.additionalProperty)}" (the schema allows no others)`;
    case 'enum':
      return `one of ${list(((p.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)))}`;
    case 'const':
      return `exactly ${JSON.stringify(p.allowedValue)}`;
    case 'format':
      return `a string in the ${String(p.format)} format`;
    case 'pattern':
      return `a string matching /${String(p.pattern)}/`;
    case 'minLength':
      return `at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `at most ${String(p.limit)} characters`;
    case 'minItems':
      return `at least ${String(p.limit)} items`;
    case 'maxItems':
      return `at most ${String(p.limit)} items`;
    case 'uniqueItems':
      return 'no repeated items';
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `a number ${String(p.comparison)} ${String(p.limit)}`;
    case 'multipleOf':
      return `a multiple of ${String(p.multipleOf)}`;
    case 'oneOf':
      return `exactly one of ${f.alternatives?.length ?? 'its'} alternatives (oneOf) to match`;
    case 'anyOf':
      return `at least one of ${f.alternatives?.length ?? 'its'} alternatives (anyOf) to match`;
    case 'not':
      return 'a value the excluded schema (not) does not match';
    default:
      return `a value that ${f.message}`;
  }
}

function compositeActual(f: SchemaFinding): string {
  const passing = f.params.passingSchemas;
  if (Array.isArray(passing)) return `${valueText(f.value)} that matches alternatives ${list(passing.map((i) => String(Number(i) + 1)), 'and')}`;
  return `${valueText(f.value)} that matches none`;
}

const NO_CONTENT_RULE: Record<string, string> = {
  informational: 'a 1xx response never carries any',
  '204': 'a 204 response never carries any',
  '304': 'a 304 response never carries any',
  HEAD: 'a response to HEAD never carries any',
};

export function expectedText(e: Expected): string {
  switch (e.kind) {
    case 'documented-status':
      return `a documented status (${list(e.statuses)})`;
    case 'media-type':
      return `a documented media type (${list(e.ranges)})`;
    case 'no-content':
      return `no content (${NO_CONTENT_RULE[e.because]}, RFC 9110 §6.4.1)`;
    case 'json':
      return 'a JSON document (RFC 8259)';
    case 'schema':
      return schemaExpectation(e.finding);
    case 'header-present':
      return 'the header (documented as required)';
    case 'header-schema':
      return schemaExpectation(e.finding);
    case 'anonymous-access':
      return 'an answer without a credential: the operation allows anonymous access (its security has an empty alternative, OpenAPI 3.0 §4.7.10)';
    case 'required-status':
      return `${list(e.statuses)}, because ${e.because}`;
    case 'rejection':
      return `a rejection (a documented client error${e.statuses.length ? `: ${list(e.statuses)}` : ''}), because ${e.because}`;
    case 'authentication-required':
      return `a refusal: the request carried ${e.credential === 'missing' ? 'no credential' : 'a credential the server cannot know'}`;
    case 'fresh-values':
      return `a non-empty list of new values, because ${e.because}`;
    case 'same-values':
      return e.expected.length === 1 && e.origin.kind !== 'literal' && e.expected[0]!.preview !== undefined
        ? `${valueText(e.expected[0]!)}, ${originText(e.origin, 1)}, because ${e.because}`
        : `the same ${e.expected.length === 1 ? 'value as' : `${e.expected.length} items as`} ${originText(e.origin, e.expected.length)}${e.expected.length === 1 ? '' : ', in any order'}, because ${e.because}`;
    case 'response':
      return 'an HTTP response';
    case 'not-server-error':
      return `no server error (a 5xx says the server failed, RFC 9110 §15.6)${e.aimedAt.length ? `; the request aims at ${list(e.aimedAt)}` : ''}`;
    case 'unsupported-method':
      return `a refusal of ${e.method}, which the contract does not document for this path (it documents ${list(e.documented, 'and')}): 405 with Allow, 404 or another client error`;
    case 'allow-header':
      return `the header (RFC 9110 §15.5.6: a 405 lists the methods the resource supports), on the 405 to ${e.method}`;
    case 'missing-refused':
      return `a client error${e.statuses.length ? ` (${list(e.statuses)})` : ''}: the required ${e.in === 'body' ? (e.name === '' ? 'request body' : `body member ${e.name}`) : `${e.in} parameter ${e.name}`} was left out`;
    case 'response-time':
      return `an answer within ${e.ms} ms (${e.from})`;
    case 'list-contains':
      return `items that include ${originText(e.origin, e.count)}, because ${e.because}`;
    case 'list-excludes':
      return `items that hold none of ${originText(e.origin, e.count)}${e.caller ? `, shown to ${e.caller}` : ''}, because ${e.because}`;
    case 'list-empty':
      return `no items, because ${e.because}`;
    case 'cross-identity-refusal':
      return `a refusal (a documented client error${e.statuses.length ? `: ${list(e.statuses)}` : ''}): the resource is ${e.owner}'s and ${e.caller} asked for it, because ${e.because}`;
  }
}

const TRANSPORT_WORDS: Record<TransportErrorKind, string> = {
  timeout: 'no answer in time',
  connection_refused: 'connection refused',
  connection_reset: 'connection reset',
  dns: 'host name not found',
  tls: 'TLS failure',
  protocol: 'a malformed HTTP message',
  budget: 'not sent',
  other: 'transport failure',
};

export function actualText(a: Actual, expected?: Expected): string {
  switch (a.kind) {
    case 'status':
      return a.status >= 200 && a.status < 300 && expected && ['rejection', 'authentication-required', 'unsupported-method', 'missing-refused', 'cross-identity-refusal'].includes(expected.kind) ? `${a.status}: it was accepted` : String(a.status);
    case 'value':
      return expected?.kind === 'schema' && (expected.finding.keyword === 'oneOf' || expected.finding.keyword === 'anyOf') ? compositeActual(expected.finding) : valueText(a.value);
    case 'text':
      return JSON.stringify(a.text);
    case 'missing':
      return 'none';
    case 'content':
      return a.header ? `${a.header}${a.bytes ? `: ${a.bytes}` : ''}, announcing content` : `${a.bytes} bytes of content`;
    case 'unparsable':
      return a.reason === 'empty body' ? 'an empty body' : `text that is not JSON: ${a.reason}`;
    case 'empty-list':
      return 'an empty list';
    case 'reused':
      return `${a.kept} of ${a.of} values repeated from before`;
    case 'different':
      if (expected?.kind === 'same-values' && expected.expected.length === 1 && a.got.length === 1) return valueText(a.got[0]!);
      return `${plural(a.got.length, 'item')}: ${a.missing} of those expected missing and ${plural(a.extra, 'other')}`;
    case 'duration':
      return `an answer after ${a.ms} ms`;
    case 'items':
      if (expected?.kind === 'list-contains') return `${plural(a.count, 'item')}${a.count === 0 ? '' : a.matched === 0 ? `, ${expected.count === 1 ? 'not that one' : 'none of those'}` : `, only ${a.matched} of those`}`;
      if (expected?.kind === 'list-excludes') return `${plural(a.count, 'item')}, ${a.matched === expected.count && expected.count > 1 ? 'all' : a.matched} of them ${expected.count === 1 ? 'that value' : 'those values'}`;
      return plural(a.count, 'item');
    case 'transport':
      return `${TRANSPORT_WORDS[a.error]} (${a.message})`;
  }
}

/** `location: expected X, got Y`. */
export function findingText(f: Pick<Failure, 'location' | 'expected' | 'actual'>): string {
  return `${where(f.location)}: expected ${expectedText(f.expected)}, got ${actualText(f.actual, f.expected)}`;
}

/** `[check] location: expected X, got Y`, then further findings, alternatives and folded consequences. */
export function failureLines(f: Failure): string[] {
  const lines = [`[${f.check}] ${findingText(f)}`];
  if (f.expected.kind === 'schema') {
    f.expected.finding.alternatives?.forEach((alt, i) => {
      lines.push(`  alternative ${i + 1}: ${alt.length ? alt.map((a) => `${bodyPath(a.pointer)}: expected ${schemaExpectation(a)}, got ${valueText(a.value)}`).join('; ') : 'matches'}`);
    });
  }
  lines.push(...groupedMore(f.more ?? []));
  for (const also of f.also ?? []) lines.push(`  the same response also broke ${also.check}: ${findingText(also)}`);
  if (f.input) {
    const { phase, seed, shown, shrunk } = f.input;
    lines.push(`  ${phase === 'fuzz' && shrunk ? 'shrunk input' : 'input'} (${phase} phase, FUZZ_SEED=${seed}): ${shown.join('; ')}`);
    if (shrunk) lines.push(`  found as: ${shrunk.from.join('; ')} (shrunk in ${shrunk.steps} step${shrunk.steps === 1 ? '' : 's'}, ${shrunk.requests} request${shrunk.requests === 1 ? '' : 's'})`);
  }
  return lines;
}

/** Further findings that say the same thing at several places, said once: `and 2 more places the same (body.a[1] … body.a[3]): ...`. */
function groupedMore(more: NonNullable<Failure['more']>): string[] {
  const groups: Array<{ expected: string; type: string; places: string[]; first: string }> = [];
  for (const m of more) {
    const expected = expectedText(m.expected);
    const type = m.actual.kind === 'value' ? TYPE_NAMES[m.actual.value.type] : actualText(m.actual, m.expected);
    const last = groups.at(-1);
    if (last && last.expected === expected && last.type === type) last.places.push(where(m.location));
    else groups.push({ expected, type, places: [where(m.location)], first: actualText(m.actual, m.expected) });
  }
  return groups.map((g) =>
    g.places.length === 1 ? `  and ${g.places[0]}: expected ${g.expected}, got ${g.first}` : `  and ${g.places.length} more places the same (${g.places[0]} … ${g.places.at(-1)}): expected ${g.expected}, got ${g.type} each`,
  );
}

/** The documented response under test and, separately, what arrived. */
export function failureContext(title: string, f: Failure, kind: 'response' | 'flow' | 'generated' = 'response'): string {
  const arrived = f.received === null ? 'no response arrived' : `${f.received} arrived`;
  if (kind === 'flow') return `${title}, step ${f.step ?? '?'} (${f.operationId}, expecting ${f.underTest ?? 'a documented response'}): ${arrived}`;
  if (kind === 'generated') return `${title}, ${f.step ?? 'a generated request'} (expecting ${f.underTest ?? 'a documented response'}): ${arrived}`;
  return `${title}${f.step && f.step !== SINGLE_INPUT_LABEL ? ` (${f.step})` : ''}: ${arrived}`;
}

export const CHECK_HELD: Record<string, string> = {
  transport_error: 'an HTTP response arrived',
  status_code_conformance: 'the status is documented',
  auth_required: 'the request without a valid credential was not accepted',
  anonymous_access: 'the request without a credential was not refused with 401',
  required_status: 'the required status arrived',
  negative_data_rejection: 'the invalid input was not accepted',
  content_type_conformance: 'the Content-Type is a documented media type',
  no_body_conformance: 'the response carries no content',
  response_schema_conformance: 'the body matches the documented schema',
  response_headers_conformance: 'the documented headers are present and valid',
  fresh_values: 'the values are new',
  saved_values_match: 'the values equal the expected ones',
  not_a_server_error: 'no server error',
  unsupported_method: 'the undocumented method was refused',
  missing_required_parameter: 'the request lacking a required input was refused',
  max_response_time: 'the answer came within its time budget',
  cross_identity_access: "another identity's request was refused",
  list_contains: 'the list holds the expected values',
  list_excludes: 'the list holds none of the excluded values',
  list_empty: 'the list is empty',
};

export const OUTCOME_WORDS: Record<Outcome, string> = {
  passed: 'passed',
  failed: 'FAILED',
  not_provoked: 'not provoked',
  skipped: 'skipped',
  not_covered: 'not covered',
  filtered: 'filtered',
};

/** ` ("key already exists")`: the server's own words about a refusal, when it gave some. */
const saying = (says: string | undefined) => (says ? ` (${JSON.stringify(says)})` : '');

export function unprovokedReason(key: string, tried: Array<{ label: string; status: number; says?: string }>, untried: string[] = []): string {
  const got = [...new Set(tried.map((t) => t.status))].join(', ');
  // What the server said, once when it said the same to every input.
  const said = [...new Set(tried.map((t) => t.says))];
  const once = said.length === 1 && tried.length > 1;
  const inputs = tried.map((t) => `${t.label} → ${t.status}${once ? '' : saying(t.says)}`).join(', ') + (once && said[0] ? `; the server said ${JSON.stringify(said[0])}` : '');
  return `expected ${key.split(' ').pop()}, got ${got}: documented and conforming, so not a violation (fails only under STRICT_COVERAGE=1); tried: ${inputs}${untried.map((u) => `; ${u}`).join('')}`;
}

export function notCovered(key: string, recipesFile: string | null): string {
  return `no recipe provokes it: add "${key}" to ${recipesFile ?? 'a recipes file beside the contract (<name>.recipes.yaml)'}, or a SCENARIO_OVERRIDES file`;
}

export function needsIdentities(missing: Array<{ name: string; purpose: string }>): string {
  return `needs ${missing.map((m) => `${m.name} (${m.purpose})`).join(', ')}`;
}

export const WRITES_NOT_ALLOWED = 'has side effects on the account: runs only with ALLOW_WRITES=1';

export function unauthenticatedWriteNotAllowed(method: string): string {
  return `sends an unauthenticated ${method}: runs only with ALLOW_WRITES=1, because a server that ignored authentication would act on it`;
}

export function hungTarget(count: number): string {
  return `not run: the target did not answer ${count} requests in a row`;
}

export function budgetSpent(max: number): string {
  return `not run: the request budget of ${max} is spent (MAX_REQUESTS)`;
}

export function requestBreaksContract(problems: string[], fixIn: string): string {
  return `not sent: the recipe's request breaks the contract (${problems.join('; ')}); fix ${fixIn}, or mark the input invalid: true if that is the point`;
}

/** Where to change a recipe: its own file, or (derived from the contract) a recipe of one's own. */
export function recipeToFix(what: string, origin: { file: string } | { derived: string }, files: readonly string[]): string {
  if ('file' in origin) return `${what} in ${origin.file}`;
  return `the contract's examples (${what} is derived: ${origin.derived}), or write ${what} in ${files.at(-1) ?? 'a recipes file beside the contract'}`;
}

export function stepUnmet(step: string, operationId: string, status: number, needed: string, says?: string): string {
  return `step ${step}: ${operationId} answered ${status}${saying(says)}, not ${needed}; documented and conforming, so the flow cannot go on (not a violation)`;
}

export function didNotReach(flow: string, steps: string[], why: string): string {
  return `flow ${flow} did not reach ${steps.length ? `step ${steps.join(', ')}` : 'this operation'}: ${why}`;
}

export function judgedInFlow(flow: string, step: string, check: string): string {
  return `judged in flow ${flow}, whose step ${step} failed [${check}]: the failure is counted on the flow`;
}

export function nothingToGenerate(operationId: string, phase: 'coverage' | 'fuzz'): string {
  return phase === 'fuzz' ? `${operationId} takes no input (no parameter, no request body): nothing to fuzz` : `${operationId} takes no input, and the other methods of its path are probed by the first operation on it: nothing to generate`;
}

export function leftOutCases(count: number, methods: string[]): string {
  return `${count} generated request${count === 1 ? '' : 's'} left out: ${methods.join(', ')} ${methods.length === 1 ? 'is not a safe method' : 'are not safe methods'} (RFC 9110 §9.2.1); ALLOW_WRITES=1 sends them`;
}

export function notSentCases(count: number, why: string): string {
  return `${count ? `${count} generated request${count === 1 ? '' : 's'}` : 'the rest of the generated requests'} not sent: ${why.replace(/^not run: /, '')}`;
}

export function sentWithoutCredential(): string {
  return 'sent without a credential: the recipes give no defaults.as, so a secured operation may refuse every input before looking at it';
}

export function knownDefectsMet(times: number, cell: string, check: string): string {
  return `${times} generated request${times === 1 ? '' : 's'} met the defect already counted in ${cell} [${check}]`;
}

/** `12 requests: 10 judged, 2 refused (414 ×2)`. */
export function generatedSummary(g: { sent: number; judged: number; refused: Array<{ status: number; count: number }>; repeats: number; seed: number; phase: string }): string {
  const refused = g.refused.reduce((n, r) => n + r.count, 0);
  const parts = [`${g.sent} request${g.sent === 1 ? '' : 's'}`];
  if (refused) parts.push(`${g.judged} judged, ${refused} refused (${g.refused.map((r) => `${r.status} ×${r.count}`).join(', ')})`);
  return `${parts.join(': ')}; seed ${g.seed}`;
}

const MAX_SHOWN_TEXT = 60;

/** A generated value as a failure shows it: quoted, cut when long, with its length. */
function shownValue(text: string): string {
  const chars = [...text];
  const quoted = JSON.stringify(chars.length > MAX_SHOWN_TEXT ? `${chars.slice(0, MAX_SHOWN_TEXT).join('')}…` : text);
  return chars.length > MAX_SHOWN_TEXT ? `${quoted} (${chars.length} characters)` : quoted;
}

/** A generated request's input, a line per part: `path otp: ‹masked›`, `query limit: "0"`, `body: {...}`. */
export function generatedInputLines(built: { method: string; parts: Array<{ in: string; name: string; text: string; secret: boolean }> }, body: unknown, redactor: { redact(text: string): string }): string[] {
  const lines = built.parts.map((p) => `${p.in} ${p.name}: ${p.secret ? `‹masked string› (${[...p.text].length} characters)` : redactor.redact(shownValue(p.text))}`);
  if (body !== undefined) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    lines.push(`body: ${redactor.redact(text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text)}`);
  }
  return lines.length ? lines : ['no parameter and no body'];
}

export function defectCountedIn(step: string, check: string, cell: string): string {
  return `step ${step} met the defect already counted in ${cell} [${check}], so the flow could not go on`;
}

export function waitedForPeriod(ms: number, generator: string): string {
  return `waited ${(ms / 1000).toFixed(1)} s for the next time step of ${generator} (RFC 6238 §5.2: a server may accept each code once), then sent a new code`;
}

/** One message per preflight diagnosis, naming the likely fix. */
export function preflightMessage(baseURL: string, d: Diagnosis, servers: string[]): string | null {
  const server = servers[0] ? ` (the contract's server is ${servers[0]})` : '';
  const host = (() => {
    try {
      return new URL(baseURL).host;
    } catch {
      return baseURL;
    }
  })();
  switch (d.kind) {
    case 'ok':
    case 'unknown-paths':
      return null;
    case 'unreachable':
      if (d.code === 'ECONNREFUSED') return `Target ${baseURL} is unreachable: nothing accepts connections at ${host} (ECONNREFUSED). Start the server, or fix BASE_URL. No test was run.`;
      if (d.code === 'ENOTFOUND' || d.code === 'EAI_AGAIN') return `Target ${baseURL} is unreachable: the host name is not found (${d.code}). Fix BASE_URL, or check DNS or a VPN. No test was run.`;
      if (d.code === 'TIMEOUT') return `Target ${baseURL} is unreachable: ${d.message}. Check the host, a VPN or a firewall. No test was run.`;
      return `Target ${baseURL} is unreachable (${d.code}: ${d.message}). No test was run.`;
    case 'tls':
      return `Target ${baseURL}: the TLS handshake failed (${d.code}: ${d.message}). For a private CA set CA_FILE=<ca.pem>; for a self-signed test server INSECURE_TLS=1. No test was run.`;
    case 'redirect':
      return `Target ${baseURL} redirects (${d.status} to ${d.location}) instead of answering the API: set BASE_URL to the API root itself${server}. No test was run.`;
    case 'html':
      return `Target ${baseURL} serves an HTML page${d.title ? ` ("${d.title}")` : ''}, not this API (a login page or a web app?): set BASE_URL to the API root${server}. No test was run.`;
    case 'wrong-base-path':
      return `Target ${baseURL} answers every operation of the contract with 404, as it answers a path that cannot exist: BASE_URL probably lacks the API prefix ${d.serverPath}${server}. Try BASE_URL=${d.suggested}. No test was run.`;
  }
}

export function unknownPathsDiagnosis(baseURL: string): string {
  return `${baseURL} answers every probed operation with 404, as it answers a path that cannot exist: does this server implement the contract's operations?`;
}

/** The first line of a run: what is judged, with what, against what. */
export function runBanner(r: { contractFile: string; contract: { title: string; version: string }; recipes: string; targets: Array<{ name: string; baseURL: string }>; cells: number; phases: string[]; seed: number }): string {
  const rel = (() => {
    const cwd = process.cwd();
    return r.contractFile.startsWith(`${cwd}/`) ? r.contractFile.slice(cwd.length + 1) : r.contractFile;
  })();
  const targets = r.targets.map((t) => `${t.name} (${t.baseURL})`).join(', ');
  const phases = r.phases.length ? `generated phases ${r.phases.join(' + ')}, FUZZ_SEED=${r.seed}` : 'no generated phase (PHASES=none)';
  return `contract ${rel} (${r.contract.title} ${r.contract.version}) · recipes ${r.recipes} · target ${targets} · ${r.cells} cells · ${phases}`;
}

export function noRecipes(beside: string | null, uncovered: number, responses: number): string {
  const where = beside === null ? 'none (RECIPES is empty)' : `none found (looked for ${beside})`;
  return `${where}: ${uncovered} of ${responses} documented response${responses === 1 ? '' : 's'} will be not covered`;
}

export function pacedNotice(rps: number, byDefault: boolean): string {
  return `paced: ${rps} request${rps === 1 ? '' : 's'} per second per target${byDefault ? ' (the default against a server other than the embedded mock)' : ' (RATE_LIMIT_RPS)'}; RATE_LIMIT_RPS=0 lifts it, e.g. for a test server of your own`;
}

export function foreignContract(file: string, operations: string[], own: string): string {
  const shown = operations.length > 4 ? `${operations.slice(0, 4).join(', ')} and ${operations.length - 4} more` : operations.join(', ');
  return `CONTRACT=${file} documents operations the embedded mock does not serve (${shown}): set BASE_URL to the server that implements it (e.g. BASE_URL=https://staging.example/api). Without BASE_URL the suite judges its embedded mock, which serves ${own}.`;
}

export function coverageLostText(lost: Array<{ target: string; key: string; since: string; now: string }>, multiTarget: boolean): string {
  const cells = lost.map((l) => `${multiTarget ? `[${l.target}] ` : ''}${l.key} (now ${l.now === 'gone' ? 'gone from the contract' : OUTCOME_WORDS[l.now as Outcome] ?? l.now})`);
  const shown = cells.length > 12 ? `${cells.slice(0, 12).join(', ')} and ${cells.length - 12} more` : cells.join(', ');
  return `coverage pinned (PIN_COVERAGE=1): ${lost.length} cell${lost.length === 1 ? '' : 's'} passed in the recorded run of ${lost[0]!.since} and lost coverage: ${shown}. Fix the recipes or the target; to accept the drop, delete reports/history/coverage-pin.json`;
}

export function belowFloorText(b: { target: string; passed: number; floor: number }, multiTarget: boolean): string {
  return `${multiTarget ? `[${b.target}] ` : ''}${b.passed} documented responses and flows passed, below the floor MIN_PASSED=${b.floor}`;
}
