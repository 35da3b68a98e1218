import { failure } from './http';
import type { Check } from './types';

/** An OTP that is certainly wrong (outside every valid time step) is never accepted. */
export const wrong_otp_rejected: Check = (ctx, { response }) => {
  if (!response || !ctx.intent.wrongOtp || response.status < 200 || response.status >= 300) return null;
  return failure(
    { check: 'wrong_otp_rejected', kind: 'behaviour', location: 'status', expected: 'a 4xx rejection of a wrong OTP', actual: `${response.status}: the wrong OTP was accepted` },
    ctx.operation,
    response,
  );
};
