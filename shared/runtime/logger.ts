import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The structured logger of every function. Log lines carry ids and outcomes, never a customer
 * id, PSID, card digits, amount or merchant (docs/contract.md#privacy).
 */
export const logger = new Logger({ serviceName: 'vigil' });

/**
 * A logger of one function's own: its Lambda context (function_name, request id) is its own, so
 * that functions sharing a process (local mode, tests) never tag each other's lines.
 */
export function functionLogger(): Logger {
  return logger.createChild();
}
