// Every code a client can switch on, named once. Error codes travel in a GraphQL error's
// `extensions.code` and in the `code` field of typed write errors; close codes end a WebSocket.

/** Codes of expected failures; anything else is masked as "Unexpected error." with no code of ours. */
export const ErrorCode = {
  /** The request itself is malformed (a body or URL parameter that is not JSON, a variables value that is not an object). */
  BadRequest: 'BAD_REQUEST',
  /** An argument or input is malformed or out of range; the message names it. */
  BadUserInput: 'BAD_USER_INPUT',
  /** A write's input broke one or more rules; `ValidationError.issues` lists each field. */
  ValidationFailed: 'VALIDATION_FAILED',
  /** The document does not validate against the schema. */
  GraphqlValidationFailed: 'GRAPHQL_VALIDATION_FAILED',
  /** A referenced object does not exist (or is not visible to the caller). */
  NotFound: 'NOT_FOUND',
  /** The same idempotency key came with a different payload. */
  IdempotencyConflict: 'IDEMPOTENCY_CONFLICT',
  /** A report's period overlaps a current report of the same checkpoint or line; correct that one instead. */
  OverlappingReport: 'OVERLAPPING_REPORT',
  /** The object is not in a state that allows the change (e.g. a line must commission before it produces). */
  InvalidState: 'INVALID_STATE',
  /** The day's figures of that area were approved and are locked: reopen the day (reopenDay) before reporting or correcting. */
  DayLocked: 'DAY_LOCKED',
  /** An allocation would take stock below zero. */
  InsufficientStock: 'INSUFFICIENT_STOCK',
  /** No token, or a token that is unknown, revoked or expired. */
  Unauthenticated: 'UNAUTHENTICATED',
  /** The token's role may not do this. */
  Forbidden: 'FORBIDDEN',
  /** Partner tokens may run the published persisted operations only. */
  PersistedQueryOnly: 'PERSISTED_QUERY_ONLY',
  /** Too many operations for this token in the current minute. */
  RateLimited: 'RATE_LIMITED',
  /** What the operation would produce (fields, series buckets included) is over the budget of the caller's role. */
  QueryTooCostly: 'QUERY_TOO_COSTLY',
  /** The database stopped a statement that ran longer than the statement timeout; retry later or ask for less. */
  StatementTimeout: 'STATEMENT_TIMEOUT',
  /** Expensive reads are at their concurrency limit and this one waited too long for its turn; retry shortly. */
  ServerBusy: 'SERVER_BUSY',
  /** One WebSocket holds the most subscriptions it may. */
  TooManySubscriptions: 'TOO_MANY_SUBSCRIPTIONS',
  /** The token holds the most single-connection SSE streams (graphql-sse reservations) it may. */
  TooManyStreams: 'TOO_MANY_STREAMS',
  /** The database does not answer now (an outage, a partition, an exhausted pool): nothing was done; retry after the Retry-After seconds. */
  DatabaseUnavailable: 'DATABASE_UNAVAILABLE',
  /** A request body came without a Content-Length. */
  LengthRequired: 'LENGTH_REQUIRED',
  /** A request body is over the size limit. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * WebSocket close codes. The first group is graphql-ws's own (`CloseCode` of the graphql-transport-ws
 * protocol, restated here because this package has no dependencies; a test holds them equal); the
 * second is Fangkong's, each with a number the protocol does not use.
 */
export const CloseCode = {
  // graphql-transport-ws
  InternalServerError: 4500,
  InternalClientError: 4005,
  BadRequest: 4400,
  BadResponse: 4004,
  Unauthorized: 4401,
  Forbidden: 4403,
  SubprotocolNotAcceptable: 4406,
  ConnectionInitialisationTimeout: 4408,
  ConnectionAcknowledgementTimeout: 4504,
  SubscriberAlreadyExists: 4409,
  TooManyInitialisationRequests: 4429,
  // Fangkong
  /** The client sent a ping and no pong came in time: the socket is half-open and is replaced. */
  PongTimeout: 4410,
  /** A reader fell too far behind; it reconnects and resumes from its last cursor. */
  ConsumerTooSlow: 4413,
  /** The token was revoked while the socket was open; a new token is needed. */
  TokenRevoked: 4411,
  /** The token expired while the socket was open; a new token is needed. */
  TokenExpired: 4412,
  /** The socket reached the longest a connection may last: reconnect at once and resubscribe. */
  LifetimeReached: 4414,
  /** Refused at connection: this token, or this address, holds the most sockets it may; close one first. */
  TooManyConnections: 4430,
  /** Normal WebSocket code: the server is shutting down (restart or redeploy). */
  GoingAway: 1001,
  /** Normal WebSocket code: the database does not answer, so the token cannot be checked; connect again shortly. */
  TryAgainLater: 1013,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * The rule a field of a write broke (`FieldIssue.rule`). Clients word an issue from its rule and
 * values (`limit`, `actual`, `relatedField`, `at`), in their own language; `message` is the English
 * sentence for logs and for rules without a code of their own (`OTHER`).
 */
export const FieldRule = {
  WholeNumber: 'WHOLE_NUMBER',
  AtMostPerReport: 'AT_MOST_PER_REPORT',
  NotMoreThanField: 'NOT_MORE_THAN_FIELD',
  EndAfterStart: 'END_AFTER_START',
  PeriodTooLong: 'PERIOD_TOO_LONG',
  InFuture: 'IN_FUTURE',
  TooEarly: 'TOO_EARLY',
  Required: 'REQUIRED',
  TooLong: 'TOO_LONG',
  KeyFormat: 'KEY_FORMAT',
  SiteClosed: 'SITE_CLOSED',
  OverCapacity: 'OVER_CAPACITY',
  Other: 'OTHER',
} as const;
export type FieldRule = (typeof FieldRule)[keyof typeof FieldRule];

/** What each rule means and which values of its issue it sets: the schema's descriptions of FieldRule. */
export const FIELD_RULE_MEANINGS: Record<FieldRule, string> = {
  [FieldRule.WholeNumber]: 'A count that is not a whole number ≥ 0 (`actual`).',
  [FieldRule.AtMostPerReport]: 'More than one report may hold (`limit`, `actual`).',
  [FieldRule.NotMoreThanField]: 'More than the figure it is part of (`relatedField` = `limit`, `actual`), e.g. fever cases > people screened.',
  [FieldRule.EndAfterStart]: 'A period\'s end not after its start (`at`: the start).',
  [FieldRule.PeriodTooLong]: 'A period longer than allowed (`limit` hours).',
  [FieldRule.InFuture]: 'An instant in the future (`at`: the server\'s now).',
  [FieldRule.TooEarly]: 'An instant before the year `limit`: a typing slip.',
  [FieldRule.Required]: 'Empty where a value is needed.',
  [FieldRule.TooLong]: 'A text longer than allowed (`limit`, `actual` characters).',
  [FieldRule.KeyFormat]: 'An idempotency key that is not 8–128 printable ASCII characters.',
  [FieldRule.SiteClosed]: 'A site closed (`at`: since when, if known) that takes no report of the period.',
  [FieldRule.OverCapacity]: 'Output over twice a line\'s rated capacity for the period (`limit`, `actual`).',
  [FieldRule.Other]: 'Any other rule: read `message`.',
};

/** One field that broke a rule: the rule's code, the values it names, and an English sentence. */
export interface FieldIssue<Field extends string = string> {
  field: Field;
  message: string;
  /** Absent: `OTHER`. */
  rule?: FieldRule;
  limit?: number;
  actual?: number;
  relatedField?: string;
  /** An ISO instant the rule refers to. */
  at?: string;
}
