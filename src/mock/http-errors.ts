/**
 * Every constant response of the mock, serialised once at load so the hot path
 * only copies Buffers. Messages are fixed text: they never echo a token, an OTP
 * or a recovery code back to the client.
 */
import type { OtpRejectionStatus } from './profiles';
import { constantJson, errorResponse, type PlannedResponse } from './response';

export const NO_CONTENT: PlannedResponse = Object.freeze({ status: 204 });

// Operation outcomes.
export const UNAUTHORIZED = errorResponse(401, 'Invalid or missing authentication token');
/** Verify's rejections, by the status the profile answers them with (both documented for verify). */
export const OTP_REJECTED: Readonly<Record<OtpRejectionStatus, PlannedResponse>> = Object.freeze({
  400: errorResponse(400, 'Invalid one-time password or recovery code'),
  401: errorResponse(401, 'Invalid one-time password or recovery code'),
});
export const OTP_TOO_LONG: Readonly<Record<OtpRejectionStatus, PlannedResponse>> = Object.freeze({
  400: errorResponse(400, 'One-time password is too long'),
  401: errorResponse(401, 'One-time password is too long'),
});
export const OTP_NO_2FA = errorResponse(400, 'Two-factor authentication is not enabled for this user');
export const CODES_NO_2FA = errorResponse(404, 'Two-factor authentication is not enabled for this user');
export const CODES_PENDING = errorResponse(422, 'Two-factor authentication enrolment is not confirmed yet');
export const SMS_NO_PHONE = errorResponse(400, 'No phone number on file for SMS two-factor authentication');
export const SMS_NOT_ENABLED = errorResponse(422, 'SMS two-factor authentication is not enabled for this user');
export const SMS_GATEWAY_FAILED = errorResponse(500, 'The SMS could not be sent');

// Protocol-level answers.
export const NOT_FOUND = errorResponse(404, 'Not found');
export const BAD_PATH = errorResponse(400, 'Malformed request path');
export const BODY_TOO_LARGE = errorResponse(413, 'Request body is too large', { close: true });
export const INTERNAL_ERROR = errorResponse(500, 'Internal server error');
/** RFC 9110 §15.6.2: the server does not support the functionality the request needs. */
export const NOT_IMPLEMENTED = errorResponse(501, 'Not implemented');

/** 405 must list the methods the resource supports (RFC 9110 §15.5.6). */
export function methodNotAllowed(allow: string): PlannedResponse {
  return errorResponse(405, 'Method not allowed', { headers: [['Allow', allow]] });
}

// Admin endpoints (outside /metal/v1).
export const ADMIN_OK = constantJson(200, { ok: true });

/** JSON bodies for answers written on a raw socket after node's parser gave up. */
export const CLIENT_ERROR_BODIES: Readonly<Record<number, Buffer>> = Object.freeze({
  400: Buffer.from(JSON.stringify({ error: 'Bad request' })),
  408: Buffer.from(JSON.stringify({ error: 'Request timeout' })),
  413: Buffer.from(JSON.stringify({ error: 'Request body is too large' })),
  414: Buffer.from(JSON.stringify({ error: 'URI too long' })),
  431: Buffer.from(JSON.stringify({ error: 'Request header fields too large' })),
});
