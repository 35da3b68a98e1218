import { documentedResponse, provokes } from '../contract/responses';
import { failure } from './http';
import type { Check } from './types';

/** A step the recipe marks `require:` gets the status it expects, not merely another documented one. */
export const required_status: Check = (ctx, exchange) => {
  const { response } = exchange;
  const required = ctx.expect.require;
  // An undocumented status is status_code_conformance's to report.
  if (!response || !required || !documentedResponse(ctx.operation, response.status)) return null;
  if (required.statuses.some((key) => provokes(ctx.operation, response.status, key))) return null;
  return failure('required_status', 'behaviour', ctx.operation, exchange, { part: 'status' }, { kind: 'required-status', statuses: required.statuses, because: required.because }, { kind: 'status', status: response.status });
};
