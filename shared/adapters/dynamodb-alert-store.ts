import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  type Alert,
  checkMember,
  type DeliveryReport,
  MESSAGE_COUNTER_TTL_SECONDS,
  messageCounterKey,
  openCheckKey,
} from '../domain/alert.ts';
import { customerKeyOf } from '../domain/stored-event.ts';
import type { AlertCustomer, AlertStore, FiledCheck, SentFields } from '../ports/alert-store.ts';
import { conditionalWrite } from './conditional-write.ts';
import {
  ALERT_INDEX,
  alertFromItem,
  alertToItem,
  currentAlertItem,
  groupedAlertToItem,
  LEGACY_ALERT_INDEXES,
} from './stored-address.ts';

/**
 * The alerts table; its stream drives customer messages and bank callbacks. Status changes are
 * conditional on the current status, so a redelivered or late change never moves an alert back.
 * An alert waiting for an answer carries `openBankId` and `deadline`: the sparse index of open
 * alerts by deadline.
 *
 * A customer's open fraud check is one more item, keyed by the customer (`openCheckKey`), that
 * names the check's first alert. Opening a check puts it only if absent, with a copy of that
 * alert, then puts the alert (two writes, no transaction): a check half-opened by a crash between
 * them is completed from the copy, by the redelivery or the customer's next transaction, and is
 * never replaced by a second check (docs/decisions/0011-fraud-checks.md). Joining a check is a
 * transaction conditional on it still naming that check and on the check's status being open;
 * closing a check (answer, expiry, undeliverable) changes that status, then deletes the item. So
 * a transaction joins a check only while it is open, and the members recorded on the check when
 * it closes are all of them (docs/scoring.md, "Fraud checks").
 */
export class DynamoDbAlertStore implements AlertStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createOnce(alert: Alert): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: alertToItem(alert),
          ConditionExpression: 'attribute_not_exists(alertId)',
        }),
      ),
    );
  }

  async fileFraudCheck(alert: Alert, now: Date): Promise<FiledCheck> {
    const checkKey = openCheckKey(alert.bankId, alert.customerId);
    const opening = { ...alertToItem(alert), checkId: alert.alertId, members: {} };
    for (let attempt = 0; attempt < MAX_CHECK_ATTEMPTS; attempt++) {
      if (attempt > 0) await pause(attempt);
      const existing = await this.get(alert.alertId);
      if (existing !== undefined) return { checkId: existing.checkId ?? existing.alertId, created: false };
      const open = await this.getItem(checkKey);
      if (open === undefined) {
        // Two plain writes instead of a transaction (which costs every unit twice): first the
        // open-check item, only if absent, naming this alert and keeping a copy of it; then the
        // alert. No customer attribute on the open-check item: erasure deletes it by its key, so
        // it needs no entry in the byCustomerRef index.
        const claimed = await conditionalWrite(
          this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                alertId: checkKey,
                checkId: alert.alertId,
                bankId: alert.bankId,
                createdAt: now.toISOString(),
                expiresAt: alert.expiresAt,
                opening,
              },
              ConditionExpression: 'attribute_not_exists(alertId)',
            }),
          ),
        );
        if (!claimed) continue;
        // Already stored only if the customer's next transaction completed it from the copy.
        await this.putIfAbsent(opening);
        return { checkId: alert.alertId, created: true };
      }
      const checkId = String(open.checkId);
      // A half-opened check (its opener died between the two writes): completed from the copy
      // its open-check item keeps, by the opener's redelivery or the customer's next transaction,
      // and never replaced by a second check.
      if (checkId === alert.alertId && halfOpened(open, now)) {
        return { checkId, created: await this.putIfAbsent(currentAlertItem(open.opening)) };
      }
      const joined = await this.transact([
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: { alertId: checkKey },
            ConditionExpression: 'checkId = :checkId',
            ExpressionAttributeValues: { ':checkId': checkId },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: { alertId: checkId },
            UpdateExpression: 'SET members.#member = :member',
            // A check past its answer deadline takes no more members: it is about to expire.
            ConditionExpression:
              'attribute_exists(alertId) AND #status IN (:pending, :sent) AND (attribute_not_exists(deadline) OR deadline > :now)',
            ExpressionAttributeNames: { '#member': alert.alertId, '#status': 'status' },
            ExpressionAttributeValues: {
              ':member': checkMember(alert, now),
              ':pending': 'pending',
              ':sent': 'sent',
              ':now': now.toISOString(),
            },
          },
        },
        {
          Put: {
            TableName: this.tableName,
            Item: groupedAlertToItem(alert, checkId),
            ConditionExpression: 'attribute_not_exists(alertId)',
          },
        },
      ]);
      if (joined) return { checkId, created: true };
      // A check left open past its deadline is closed here rather than joined or waited for.
      const check = await this.get(checkId);
      if (check === undefined && halfOpened(open, now)) {
        await this.putIfAbsent(currentAlertItem(open.opening));
      } else if (check === undefined || (check.status !== 'pending' && check.status !== 'sent')) {
        // Its first alert was erased (or is past its retention), or the check closed and its
        // closer died before deleting the item: the item left behind names no open check.
        await this.forgetOpenCheck(checkKey, checkId);
      } else if (
        check.status === 'sent' &&
        check.deadline !== undefined &&
        check.deadline <= now.toISOString()
      ) {
        await this.expire(checkId, now);
      }
    }
    throw new Error('Could not file the fraud check: too much contention.');
  }

  async claimFollowUp(
    checkId: string,
    memberIds: readonly string[],
    now: Date,
    gapMs: number,
  ): Promise<boolean> {
    if (memberIds.length === 0) return false;
    const result = await this.conditionalUpdate({
      Key: { alertId: checkId },
      UpdateExpression: 'SET lastFollowUpAt = :now ADD summarized :ids',
      ConditionExpression:
        '#status = :sent AND (attribute_not_exists(lastFollowUpAt) OR lastFollowUpAt <= :since)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':now': now.toISOString(),
        ':since': new Date(now.getTime() - gapMs).toISOString(),
        ':ids': new Set(memberIds),
        ':sent': 'sent',
      },
    });
    return result !== undefined;
  }

  async takeMessageSlot(customer: AlertCustomer, now: Date, limit: number): Promise<boolean> {
    // No customer attribute: the counter is in no index (one write unit less per message);
    // erasure deletes it by its key (messageCounterKeysOf).
    const result = await this.conditionalUpdate({
      Key: { alertId: messageCounterKey(customer.bankId, customer.customerId, now) },
      UpdateExpression: 'SET expiresAt = :expiresAt ADD sent :one',
      ConditionExpression: 'attribute_not_exists(sent) OR sent < :limit',
      ExpressionAttributeValues: {
        // Kept two hours: long enough for its hour, then gone by itself.
        ':expiresAt': Math.floor(now.getTime() / 1000) + MESSAGE_COUNTER_TTL_SECONDS,
        ':one': 1,
        ':limit': limit,
      },
    });
    return result !== undefined;
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { alertId }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : alertFromItem(Item);
  }

  async byRef(customer: AlertCustomer, ref: string): Promise<Alert | undefined> {
    const alertId =
      (await this.firstAlertId(ALERT_INDEX.name, {
        [ALERT_INDEX.customer]: customerKeyOf(customer.bankId, customer.customerId),
        [ALERT_INDEX.ref]: ref,
      })) ??
      // An alert written before the index, not yet moved by `vigil migrate`.
      (await this.firstAlertId(LEGACY_ALERT_INDEXES.byRef.name, { [LEGACY_ALERT_INDEXES.byRef.ref]: ref }));
    const alert = alertId === undefined ? undefined : await this.get(alertId);
    // The legacy index is by ref alone: the alert must be this customer's. A check's member is
    // never sent: its ref answers nothing.
    if (alert?.bankId !== customer.bankId || alert.customerId !== customer.customerId) return undefined;
    return alert.status === 'grouped' ? undefined : alert;
  }

  /** The id of the first item an index finds with these key values. */
  private async firstAlertId(indexName: string, keys: Record<string, string>): Promise<string | undefined> {
    const names = Object.keys(keys);
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: indexName,
        KeyConditionExpression: names.map((_, i) => `#k${i} = :k${i}`).join(' AND '),
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#k${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:k${i}`, keys[name]])),
      }),
    );
    const alertId = Items[0]?.alertId;
    return typeof alertId === 'string' ? alertId : undefined;
  }

  async claimSend(alertId: string, now: Date): Promise<number | undefined> {
    const result = await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: 'SET sendClaimedAt = :now ADD sendAttempts :one',
      ConditionExpression: '#status = :pending AND attribute_not_exists(sendClaimedAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':now': now.toISOString(), ':one': 1, ':pending': 'pending' },
      ReturnValues: 'UPDATED_NEW',
    });
    return result === undefined ? undefined : Number(result.sendAttempts);
  }

  async releaseSend(alertId: string): Promise<void> {
    await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: 'REMOVE sendClaimedAt',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'pending' },
    });
  }

  async markSent(alertId: string, fields: SentFields): Promise<void> {
    const open = fields.deadline !== undefined;
    await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: `SET #status = :sent, psid = :address, messageId = :messageId, sentAt = :sentAt${
        open ? ', deadline = :deadline, openBankId = bankId' : ''
      }${fields.channel !== undefined ? ', channel = :channel' : ''} REMOVE sendClaimedAt`,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':pending': 'pending',
        ':address': fields.address,
        ':messageId': fields.messageId,
        ':sentAt': fields.sentAt,
        ...(open && { ':deadline': fields.deadline }),
        ...(fields.channel !== undefined && { ':channel': fields.channel }),
      },
    });
  }

  async recordDelivery(alertId: string, messageId: string, report: DeliveryReport): Promise<boolean> {
    const once = (field: string) => `${field} = if_not_exists(${field}, :at)`;
    const sets =
      report.status === 'failed'
        ? [once('deliveryFailedAt'), ...(report.errorCode !== undefined ? ['deliveryError = :code'] : [])]
        : report.status === 'read'
          ? [once('readAt'), once('deliveredAt')]
          : [once('deliveredAt')];
    const updated = await this.conditionalUpdate({
      Key: { alertId },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'messageId = :messageId',
      ExpressionAttributeValues: {
        ':messageId': messageId,
        ':at': report.at.toISOString(),
        ...(report.status === 'failed' && report.errorCode !== undefined && { ':code': report.errorCode }),
      },
    });
    return updated !== undefined;
  }

  async markUndeliverable(alertId: string, reason: string, at: Date): Promise<void> {
    await this.closing(alertId, {
      Key: { alertId },
      UpdateExpression:
        'SET #status = :undeliverable, undeliverableReason = :reason, updatedAt = :at REMOVE sendClaimedAt',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':undeliverable': 'undeliverable',
        ':pending': 'pending',
        ':reason': reason,
        ':at': at.toISOString(),
      },
    });
  }

  async answer(
    alertId: string,
    status: 'confirmed' | 'disputed',
    address: string,
    at: Date,
  ): Promise<boolean> {
    return this.closing(alertId, {
      Key: { alertId },
      UpdateExpression: 'SET #status = :answer, answeredAt = :at REMOVE openBankId',
      // Refused past the deadline even before the expiry run has closed the alert.
      ConditionExpression:
        '#status = :sent AND psid = :address AND (attribute_not_exists(deadline) OR deadline > :at)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':answer': status,
        ':sent': 'sent',
        ':address': address,
        ':at': at.toISOString(),
      },
    });
  }

  async openPastDeadline(bankId: string, now: Date, limit: number): Promise<string[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'openByDeadline',
        KeyConditionExpression: 'openBankId = :bankId AND deadline <= :now',
        ExpressionAttributeValues: { ':bankId': bankId, ':now': now.toISOString() },
        Limit: limit,
      }),
    );
    return Items.map((item) => String(item.alertId));
  }

  async expire(alertId: string, at: Date): Promise<boolean> {
    return this.closing(alertId, {
      Key: { alertId },
      UpdateExpression: 'SET #status = :expired, expiredAt = :at REMOVE openBankId',
      ConditionExpression: '#status = :sent AND deadline <= :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':expired': 'expired', ':sent': 'sent', ':at': at.toISOString() },
    });
  }

  /**
   * Applies a status change that ends an alert; for the first alert of a fraud check, then
   * deletes the customer's open-check item if it still names the check. No transaction: joining
   * is conditional on the check's status, which the change has set, so no transaction joins the
   * check after its outcome (the members seen by the change are all of them); a crash before the
   * delete leaves an item naming a closed check, which the next filing deletes. False when the
   * change's condition did not hold.
   */
  private async closing(alertId: string, update: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    const alert = await this.get(alertId);
    if ((await this.conditionalUpdate(update)) === undefined) return false;
    if (alert?.kind === 'fraud_check' && alert.checkId === alertId) {
      await this.forgetOpenCheck(openCheckKey(alert.bankId, alert.customerId), alertId);
    }
    return true;
  }

  /** Deletes the customer's open-check item if it names this check. */
  private async forgetOpenCheck(checkKey: string, checkId: string): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { alertId: checkKey },
          ConditionExpression: 'checkId = :checkId',
          ExpressionAttributeValues: { ':checkId': checkId },
        }),
      ),
    );
  }

  private async getItem(alertId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { alertId }, ConsistentRead: true }),
    );
    return Item;
  }

  /** Puts an item unless one with its id exists; true when this call stored it. */
  private async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(alertId)',
        }),
      ),
    );
  }

  /** True when the transaction was applied; false when cancelled by a condition or a conflict. */
  private async transact(items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<boolean> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (cancellationReasons(error) === undefined) throw error;
      return false;
    }
  }

  /** The update's returned attributes, or undefined when its condition did not hold. */
  private async conditionalUpdate(
    input: Omit<UpdateCommandInput, 'TableName'>,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({ TableName: this.tableName, ...input }),
      );
      return Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}

/**
 * An open-check item whose alert is not stored yet, with the copy to complete it from. Not once
 * the copy is past its retention: the alert it names was stored and is gone by its TTL.
 */
function halfOpened(
  open: Record<string, unknown>,
  now: Date,
): open is Record<string, unknown> & { opening: Record<string, unknown> } {
  const opening = open.opening as { expiresAt?: unknown } | undefined;
  return typeof opening?.expiresAt === 'number' && opening.expiresAt * 1000 > now.getTime();
}

/** Attempts at filing a check under contention from parallel transactions. */
const MAX_CHECK_ATTEMPTS = 40;

/** Backoff with full jitter between attempts: up to 20 ms, 40 ms... capped at 500 ms. */
function pause(attempt: number): Promise<void> {
  const ms = Math.floor(Math.random() * Math.min(500, 20 * 2 ** attempt));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The codes of a cancelled transaction, or undefined for any other error. */
function cancellationReasons(error: unknown): string[] | undefined {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
  }
  if (error instanceof Error && error.name === 'TransactionConflictException') return ['TransactionConflict'];
  return undefined;
}
