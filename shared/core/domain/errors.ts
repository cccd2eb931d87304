/**
 * Domain errors. Each carries what the edge needs to map it once to RFC 9457 problem+json;
 * nothing below the edge knows about HTTP.
 */
export type FieldErrors = Record<string, string[]>;

export abstract class DomainError extends Error {
  abstract readonly kind:
    | 'invalid'
    | 'forbidden'
    | 'not-found'
    | 'conflict'
    | 'precondition-failed'
    | 'gone'
    | 'unprocessable'
    | 'unauthenticated'
    | 'rate-limited'
    | 'unavailable'
    | 'upstream';
  abstract readonly title: string;
  readonly fields?: FieldErrors;
  constructor(message: string, fields?: FieldErrors) {
    super(message);
    this.name = new.target.name;
    if (fields) this.fields = fields;
  }
}

/** Input that breaks a rule about its shape or values; `fields` names each bad field. */
export class ValidationError extends DomainError {
  readonly kind = 'invalid';
  readonly title = 'Your request is not valid';
  constructor(message: string, fields: FieldErrors) {
    super(message, fields);
  }
}

/** The caller may not do this (e.g. not an eligible sponsor, a Wyss request). */
export class NotAllowedError extends DomainError {
  readonly kind = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
  readonly title = 'Not found';
}

/** The guest is not in a state that allows this, or someone else changed it first. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  readonly title = 'Conflict with the current state of the record';
}

/** Well-formed, but a business rule refuses it (e.g. an end date past the HSR end date). */
export class RuleViolation extends DomainError {
  readonly kind = 'unprocessable';
  readonly title = 'The request breaks an account rule';
}

/** Someone else changed the guest between this read and this write (the write was conditional on the version read). */
export class StaleWriteError extends ConflictError {}

/** The caller made the change conditional on a version (If-Match) and the guest (lab, O2 account) is no longer at it. */
export class PreconditionFailedError extends DomainError {
  readonly kind = 'precondition-failed';
  readonly title = 'It changed since you read it';
}

/** What was asked for existed but can no longer be used (e.g. an expired or locked activation code). */
export class GoneError extends DomainError {
  readonly kind = 'gone';
  readonly title = 'No longer available';
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
  readonly title = 'Authentication required';
}

/** Too many attempts from one source in a window; `retryAfterSeconds` says when the window ends. */
export class RateLimitedError extends DomainError {
  readonly kind = 'rate-limited';
  readonly title = 'Too many requests';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * The account directory (the AccountDirectory port: the HMS identity store, over SCIM 2.0) failed
 * or refused a call. Every SCIM error becomes one of the classes below at the adapter, each either
 * transient (retrying later can succeed: an outage, throttling, a credential HMS IT must renew) or
 * permanent (this request can never succeed as it is). Transient failures never count toward a
 * guest's FAILED status (docs/design.md §5); a permanent one ends the lifecycle at once.
 */
export abstract class AccountDirectoryError extends DomainError {
  abstract readonly transient: boolean;
  /** The SCIM status and scimType, when the directory answered. */
  readonly status?: number | undefined;
  readonly scimType?: string | undefined;
  constructor(message: string, detail: { status?: number | undefined; scimType?: string | undefined } = {}) {
    super(message);
    if (detail.status !== undefined) this.status = detail.status;
    if (detail.scimType !== undefined) this.scimType = detail.scimType;
  }
}

/** Transient: the directory did not answer, answered 5xx, timed out, or refused our credentials (401/403: HMS IT renews the token; nothing about the guest is wrong). */
export class DirectoryUnavailableError extends AccountDirectoryError {
  readonly kind = 'unavailable';
  readonly title: string = 'The HMS account directory is not available';
  readonly transient = true;
  /** When to try again, if the directory said (Retry-After). */
  readonly retryAfterSeconds: number;
  constructor(message: string, detail: { status?: number | undefined; scimType?: string | undefined; retryAfterSeconds?: number | undefined } = {}) {
    super(message, detail);
    this.retryAfterSeconds = detail.retryAfterSeconds ?? 60;
  }
}

/** Transient: the directory throttled us (429), with its Retry-After. */
export class DirectoryThrottledError extends DirectoryUnavailableError {
  override readonly title = 'The HMS account directory asked us to slow down';
}

/** Permanent: a uniqueness conflict (409 `uniqueness`), e.g. the userName is taken by another user. */
export class DirectoryConflictError extends AccountDirectoryError {
  readonly kind = 'upstream';
  readonly title = 'The HMS account directory holds a conflicting account';
  readonly transient = false;
}

/** Permanent: the user or group is not in the directory (404). */
export class DirectoryNotFoundError extends AccountDirectoryError {
  readonly kind = 'upstream';
  readonly title = 'Not found in the HMS account directory';
  readonly transient = false;
}

/** Permanent: the directory refused the request as it is (400 invalidValue, invalidSyntax, mutability, ...; any other 4xx). */
export class DirectoryRejectedError extends AccountDirectoryError {
  readonly kind = 'upstream';
  readonly title = 'The HMS account directory refused the change';
  readonly transient = false;
}

/** The names the directory errors are known by (Step Functions' `Error` of a task that threw one), by class. */
export const DIRECTORY_ERRORS = {
  transient: ['DirectoryUnavailableError', 'DirectoryThrottledError'],
  permanent: ['DirectoryConflictError', 'DirectoryNotFoundError', 'DirectoryRejectedError'],
} as const;

/**
 * Every send-rate slot of the next seconds is taken (shared/adapters/send-rate.ts): SES would refuse
 * the message. Transient: the task's Step Functions retrier for it waits and tries again
 * (workflows/core.ts SEND_RATE_RETRY), and it never counts toward FAILED.
 */
export class SendRateBusyError extends DomainError {
  readonly kind = 'unavailable';
  readonly title = 'Email is being sent at the highest rate SES allows';
}

/** The name Step Functions knows it by (the `Error` of a task that threw it). */
export const SEND_RATE_BUSY = 'SendRateBusyError';
