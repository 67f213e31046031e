/**
 * One catalogue of error codes (the Fastify lesson): clients and tests switch on `code`,
 * never on message text. `status` is what the HTTP rim answers; messages are safe to show.
 */
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden_role: 403,
  forbidden_scope: 403,
  forbidden_duty: 403,
  separation_of_duties: 403,
  /** Only the author may do this (e.g. change a draft notice). */
  not_author: 403,
  /** A social organisation or property account acting on a supply request not assigned to it. */
  not_assignee: 403,
  not_found: 404,
  conflict_state: 409,
  /** A message to a resident could not be sent (unsubscribed, outside the 48-hour window without a template). */
  undeliverable: 409,
  payload_too_large: 413,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) => new AppError('invalid_input', message, details);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
