/** A field-level validation problem, reported to the client as `{ path, message }`. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** Base class of every error Vigil raises on purpose. */
export class VigilError extends Error {
  override readonly name: string = 'VigilError';
}

/**
 * An error caused by what the client sent. It maps to an RFC 9457 problem with a 4xx status;
 * `problemType` is the last segment of the problem's `type` URI.
 */
export class ClientError extends VigilError {
  override readonly name: string = 'ClientError';
  constructor(
    readonly status: number,
    readonly problemType: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: readonly FieldProblem[],
  ) {
    super(`${status} ${problemType}: ${detail}`);
  }
}

export class PayloadTooLargeError extends ClientError {
  override readonly name = 'PayloadTooLargeError';
  constructor(limitBytes: number) {
    super(413, 'payload-too-large', 'Payload too large', `The body must be at most ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends ClientError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor() {
    super(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'The content-type must be application/json.',
    );
  }
}

/**
 * One answer for every authentication failure, so that nobody can learn which banks exist. The
 * diagnosis (which check failed) goes to the operator's log only.
 */
export class UnauthorizedError extends ClientError {
  override readonly name = 'UnauthorizedError';
  constructor(
    readonly diagnosis?: { readonly check: string; readonly detail: string; readonly skewSeconds?: number },
  ) {
    super(
      401,
      'invalid-signature',
      'Invalid signature',
      'The request is not signed with a valid key of this bank, or its timestamp is outside the 5 minute tolerance.',
    );
  }
}

export class BodyNotAllowedError extends ClientError {
  override readonly name = 'BodyNotAllowedError';
  constructor(method: string) {
    super(400, 'body-not-allowed', 'Body not allowed', `A ${method} request carries no body.`);
  }
}

/** A retry arrived while the first request with its nonce is still being handled. */
export class RequestInProgressError extends ClientError {
  override readonly name = 'RequestInProgressError';
  constructor() {
    super(
      409,
      'request-in-progress',
      'Request in progress',
      'A request with this nonce is still being handled. Retry it in a few seconds to get its answer.',
    );
  }
}

export class MalformedJsonError extends ClientError {
  override readonly name = 'MalformedJsonError';
  constructor() {
    super(400, 'malformed-json', 'Malformed JSON', 'The body is not valid UTF-8 JSON.');
  }
}

export class PanDetectedError extends ClientError {
  override readonly name = 'PanDetectedError';
  /** `where`: `header:<name>` or `path:<name>` when the card number is outside the body. */
  constructor(where?: string) {
    super(
      422,
      'pan-detected',
      'Card number detected',
      `${where === undefined ? 'The body' : `The ${where.replace(':', ' ')}`} contains what looks like a full card number. Send only the last 4 digits; nothing was stored.`,
    );
  }
}

/** A JSON number written with an exponent: it could hide a card number (the PAN guard). */
export class ExponentNumberError extends ClientError {
  override readonly name = 'ExponentNumberError';
  constructor() {
    super(
      400,
      'number-format',
      'Number format',
      'Numbers must be written in plain decimal notation, without an exponent (12500, not 1.25e4).',
    );
  }
}

export class ValidationError extends ClientError {
  override readonly name = 'ValidationError';
  constructor(errors: readonly FieldProblem[]) {
    super(400, 'validation-failed', 'Validation failed', 'The body does not match the schema.', errors);
  }
}

export class ConflictError extends ClientError {
  override readonly name = 'ConflictError';
  constructor(detail: string) {
    super(409, 'conflict', 'Conflict', detail);
  }
}

export class NotFoundError extends ClientError {
  override readonly name = 'NotFoundError';
  constructor(detail = 'No such resource.') {
    super(404, 'not-found', 'Not found', detail);
  }
}

/** A dependency failed in a way the client should retry later (throttling, timeouts). */
export class TemporarilyUnavailableError extends VigilError {
  override readonly name = 'TemporarilyUnavailableError';
}

/** 403: the caller proved nothing (a webhook request not signed by the Messenger app, a wrong verify token). */
export class ForbiddenError extends ClientError {
  override readonly name = 'ForbiddenError';
  constructor(detail = 'The request is not signed by the Messenger app.') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

/** 503: Vigil is not set up to talk to Messenger yet; Meta retries its deliveries later. */
export class ServiceNotConfiguredError extends ClientError {
  override readonly name = 'ServiceNotConfiguredError';
  constructor(detail = 'The Messenger app is not configured yet.') {
    super(503, 'not-configured', 'Not configured', detail);
  }
}
