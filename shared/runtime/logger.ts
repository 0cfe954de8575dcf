import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The structured logger of every function. Log lines carry ids and outcomes, never a customer
 * id, PSID, card digits, amount or merchant (SPEC §7).
 */
export const logger = new Logger({ serviceName: 'vigil' });
