// How stream consumers are driven: read by the CDK event source mappings and by local mode's
// stream pollers, so that both retry and fail the same way.

export interface StreamSettings {
  /** Records per invocation. */
  readonly batchSize: number;
  /** On a function error, split the batch in two and retry each half: isolates a bad record. */
  readonly bisectBatchOnFunctionError: boolean;
  /** Retries of a failing batch before it goes to the on-failure destination. */
  readonly retryAttempts: number;
  /** Older records go to the on-failure destination instead of being processed. */
  readonly maxRecordAgeSeconds: number;
  /** Concurrent batches per shard (records with the same key stay in order). */
  readonly parallelizationFactor: number;
}

export const scoringStream: StreamSettings = {
  batchSize: 25,
  bisectBatchOnFunctionError: true,
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 60 * 60,
  parallelizationFactor: 4,
};

/** Sending alerts: small batches, in parallel, a few stream retries on top of in-function ones. */
export const notifyStream: StreamSettings = {
  batchSize: 10,
  bisectBatchOnFunctionError: true,
  retryAttempts: 3,
  maxRecordAgeSeconds: 60 * 60,
  parallelizationFactor: 4,
};

/** notify-bank: the first attempt at each bank callback, the outbox for those that fail. */
export const callbackStream: StreamSettings = {
  batchSize: 25,
  bisectBatchOnFunctionError: true,
  retryAttempts: 5,
  maxRecordAgeSeconds: 6 * 60 * 60,
  parallelizationFactor: 4,
};
