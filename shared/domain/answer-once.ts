import type { NonceStore, StoredAnswer } from '../ports/nonce-store.ts';
import type { AdminAuthentication } from './authenticate-admin-request.ts';
import { RequestInProgressError, UnauthorizedError } from './errors.ts';

export interface Answer extends StoredAnswer {
  /** True when this is the stored first answer to an earlier request with the same nonce. */
  readonly replayed: boolean;
}

/**
 * Runs an administration request once per nonce: the first request claims the nonce and its answer
 * is kept; the same request (method, path, query, body) signed again with the same nonce and a
 * later `created` gets that answer and changes nothing. A signature seen before (a captured
 * request sent again) and any other request with a used nonce are refused like a bad signature.
 * A request that fails frees its nonce, since it changed nothing.
 */
export async function answerOnce(
  nonces: NonceStore,
  bankId: string,
  request: AdminAuthentication,
  now: Date,
  run: () => Promise<StoredAnswer>,
): Promise<Answer> {
  const claim = await nonces.claim(bankId, request.nonce, request.fingerprint, request.created, now);
  switch (claim.outcome) {
    case 'other-request':
      throw new UnauthorizedError({
        check: 'nonce-reuse',
        detail:
          'This nonce was used for another request (method, path, query or body). Use a new nonce per request.',
      });
    case 'replay':
      throw new UnauthorizedError({
        check: 'replay',
        detail:
          'This signature was used before. To retry, sign the same request again with the same nonce and a later created.',
      });
    case 'retry':
      if (claim.answer === undefined) throw new RequestInProgressError();
      return { ...claim.answer, replayed: true };
    case 'claimed':
      break;
  }
  let answer: StoredAnswer;
  try {
    answer = await run();
  } catch (error) {
    await nonces.release(bankId, request.nonce);
    throw error;
  }
  await nonces.answer(bankId, request.nonce, answer);
  return { ...answer, replayed: false };
}
