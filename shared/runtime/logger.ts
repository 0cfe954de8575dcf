import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The structured logger of every function. Log lines carry ids and outcomes, never a customer
 * id, PSID, card digits, amount or merchant (docs/contract.md#privacy).
 */
export const logger = new Logger({ serviceName: 'vigil' });
