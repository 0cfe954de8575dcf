import * as z from './zod.ts';

// The stored event's schema, apart from stored-event.ts: only its readers (the event stream's
// consumer) parse it, so the function that writes events bundles none of it.

const storedTransactionSchema = z.object({
  id: z.string(),
  cardLast4: z.string(),
  amount: z.number(),
  currency: z.string(),
  merchantName: z.string(),
  merchantId: z.optional(z.string()),
  mcc: z.string(),
  country: z.string(),
  channel: z.string(),
  status: z.string(),
});

/** Reads a stored event back (from the table or its stream); a malformed item is an error. */
export const storedEventSchema = z
  .object({
    eventKey: z.string(),
    bankId: z.string(),
    eventId: z.string(),
    customerKey: z.string(),
    type: z.enum(['card.transaction', 'account.balance']),
    customerId: z.string(),
    occurredAt: z.isoDateTime({ offset: true }),
    receivedAt: z.string(),
    bodyHash: z.string(),
    status: z.enum(['received', 'scored']),
    erasureRef: z.optional(z.string()),
    expiresAt: z.number(),
    transaction: z.optional(storedTransactionSchema),
    balance: z.optional(z.object({ accountLast4: z.string(), available: z.number(), currency: z.string() })),
  })
  .check(
    z.refine(
      (event) =>
        event.type === 'card.transaction' ? event.transaction !== undefined : event.balance !== undefined,
      'The event lacks the part its type needs.',
    ),
  );
