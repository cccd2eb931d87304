/**
 * Domain errors. Each carries what the edge needs to map it once to RFC 9457 problem+json;
 * nothing below the edge knows about HTTP.
 */
export type FieldErrors = Record<string, string[]>;

export abstract class DomainError extends Error {
  abstract readonly kind: 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'precondition-failed' | 'gone' | 'unprocessable' | 'unauthenticated' | 'rate-limited';
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
  readonly title = 'Conflict with the current state of the guest';
}

/** Well-formed, but a business rule refuses it (e.g. an end date past the HSR end date). */
export class RuleViolation extends DomainError {
  readonly kind = 'unprocessable';
  readonly title = 'The request breaks a guest account rule';
}

/** Someone else changed the guest between this read and this write (the write was conditional on the version read). */
export class StaleWriteError extends ConflictError {}

/** The caller made the change conditional on a version (If-Match) and the guest is no longer at it. */
export class PreconditionFailedError extends DomainError {
  readonly kind = 'precondition-failed';
  readonly title = 'The guest changed since you read it';
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
