/** Which documented response a status falls under, by OpenAPI 3.0 §4.7.16 precedence. */
import type { OperationSpec, ResponseSpec } from './model';

/** An explicit code wins over a range (`4XX`), which wins over `default`. */
export function documentedResponse(op: OperationSpec, status: number): ResponseSpec | null {
  const exact = op.responses.find((r) => r.status === String(status));
  if (exact) return exact;
  const range = op.responses.find((r) => r.status === `${String(status)[0]}XX`);
  return range ?? op.responses.find((r) => r.status === 'default') ?? null;
}

/**
 * Does a received status provoke the documented response keyed `key`? Only if
 * it falls under that very response: a `4XX` key is not provoked by a 404 the
 * contract documents on its own, and `default` only by statuses listed nowhere else.
 */
export function provokes(op: OperationSpec, status: number, key: string): boolean {
  return documentedResponse(op, status)?.status === key;
}

/** Statuses a client-error (4xx) answer of this operation may carry, as documented keys. */
export function documentedClientErrors(op: OperationSpec): string[] {
  return op.responses.map((r) => r.status).filter((s) => /^4(\d\d|XX)$/.test(s));
}

/** Whether the status is a documented client error of the operation (explicitly, by `4XX` or by `default`). */
export function isDocumentedRejection(op: OperationSpec, status: number): boolean {
  return status >= 400 && status < 500 && documentedResponse(op, status) !== null;
}
