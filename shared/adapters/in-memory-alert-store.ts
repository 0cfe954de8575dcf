import {
  type Alert,
  type CheckMember,
  checkMember,
  type DeliveryReport,
  messageCounterKey,
  openCheckKey,
} from '../domain/alert.ts';
import type { AlertCustomer, AlertStore, FiledCheck, SentFields } from '../ports/alert-store.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type StoredAlert = Mutable<Alert> & {
  sendAttempts?: number;
  members?: Record<string, CheckMember>;
  summarized?: Set<string>;
};

/**
 * The alerts table in memory, with the same conditional status changes. As in DynamoDB, a
 * customer's open fraud check is kept by customer (`openCheckKey`) and names the check's first
 * alert; closing that alert (answer, expiry, undeliverable) ends it as the open one, so a later
 * transaction opens a new check. Every method runs without awaiting in between, so each is atomic,
 * except opening a check: two writes, as in DynamoDB, with the half-opened check in between.
 */
export class InMemoryAlertStore implements AlertStore {
  private readonly alerts = new Map<string, StoredAlert>();
  /** Open-check key → the id of the check's first alert, and the copy it was opened with. */
  private readonly openChecks = new Map<string, OpenCheck>();
  /** Message-counter key (customer and clock hour) → alert messages counted in that hour. */
  private readonly messageCounts = new Map<string, number>();

  async createOnce(alert: Alert): Promise<boolean> {
    if (this.alerts.has(alert.alertId)) return false;
    this.alerts.set(alert.alertId, copy(alert));
    return true;
  }

  async fileFraudCheck(alert: Alert, now: Date): Promise<FiledCheck> {
    const checkKey = openCheckKey(alert.bankId, alert.customerId);
    // At most: complete a half-opened check, or close one past its deadline (or whose first
    // alert was erased), then file.
    for (let attempt = 0; attempt < 4; attempt++) {
      const existing = this.alerts.get(alert.alertId);
      if (existing !== undefined) return { checkId: existing.checkId ?? existing.alertId, created: false };
      const open = this.openChecks.get(checkKey);
      if (open === undefined) {
        // As in DynamoDB, two writes: the open-check item with a copy of the alert, then the alert.
        const opening: StoredAlert = { ...copy(alert), checkId: alert.alertId, members: {} };
        this.openChecks.set(checkKey, { checkId: alert.alertId, opening: copy(opening) });
        await Promise.resolve();
        this.storeOpened(opening);
        return { checkId: alert.alertId, created: true };
      }
      const checkId = open.checkId;
      const check = this.alerts.get(checkId);
      if (check === undefined && halfOpened(open, now)) {
        // Its opener died between the two writes: completed from the copy, never replaced.
        const created = this.storeOpened(copy(open.opening));
        if (checkId === alert.alertId) return { checkId, created };
        continue;
      }
      if (check === undefined) {
        this.openChecks.delete(checkKey);
        continue;
      }
      const joinable = check.status === 'pending' || check.status === 'sent';
      // A check past its answer deadline takes no more members: it is about to expire.
      if (joinable && (check.deadline === undefined || check.deadline > now.toISOString())) {
        check.members = { ...check.members, [alert.alertId]: checkMember(alert, now) };
        this.alerts.set(alert.alertId, { ...copy(alert), status: 'grouped', checkId });
        return { checkId, created: true };
      }
      if (check.status === 'sent' && check.deadline !== undefined && check.deadline <= now.toISOString()) {
        await this.expire(checkId, now);
      } else if (!joinable) {
        // Closed, its closer dead before it deleted the open-check item: as in DynamoDB.
        this.openChecks.delete(checkKey);
      } else {
        break;
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
    const check = this.alerts.get(checkId);
    if (check?.status !== 'sent') return false;
    const since = new Date(now.getTime() - gapMs).toISOString();
    if (check.lastFollowUpAt !== undefined && check.lastFollowUpAt > since) return false;
    check.lastFollowUpAt = now.toISOString();
    check.summarized = new Set([...(check.summarized ?? []), ...memberIds]);
    return true;
  }

  async takeMessageSlot(customer: AlertCustomer, now: Date, limit: number): Promise<boolean> {
    const key = messageCounterKey(customer.bankId, customer.customerId, now);
    const sent = this.messageCounts.get(key);
    // As the DynamoDB condition `attribute_not_exists(sent) OR sent < :limit`.
    if (sent !== undefined && sent >= limit) return false;
    this.messageCounts.set(key, (sent ?? 0) + 1);
    return true;
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const alert = this.alerts.get(alertId);
    return alert && copy(alert);
  }

  async byRef(customer: AlertCustomer, ref: string): Promise<Alert | undefined> {
    // As in DynamoDB: the customer's alert only, and never a check's member (its message is the check's).
    for (const alert of this.alerts.values())
      if (alert.ref === ref && alert.bankId === customer.bankId && alert.customerId === customer.customerId)
        return alert.status === 'grouped' ? undefined : copy(alert);
    return undefined;
  }

  async claimSend(alertId: string, now: Date): Promise<number | undefined> {
    const alert = this.alerts.get(alertId);
    if (alert?.status !== 'pending' || alert.sendClaimedAt !== undefined) return undefined;
    alert.sendClaimedAt = now.toISOString();
    alert.sendAttempts = (alert.sendAttempts ?? 0) + 1;
    return alert.sendAttempts;
  }

  async releaseSend(alertId: string): Promise<void> {
    const alert = this.alerts.get(alertId);
    if (alert?.status === 'pending') delete alert.sendClaimedAt;
  }

  async markSent(alertId: string, fields: SentFields): Promise<void> {
    const alert = this.alerts.get(alertId);
    if (alert?.status !== 'pending') return;
    Object.assign(alert, { status: 'sent', ...fields });
    delete alert.sendClaimedAt;
  }

  async recordDelivery(alertId: string, messageId: string, report: DeliveryReport): Promise<boolean> {
    const alert = this.alerts.get(alertId);
    if (alert === undefined || alert.messageId !== messageId) return false;
    const at = report.at.toISOString();
    if (report.status === 'failed') {
      alert.deliveryFailedAt ??= at;
      if (report.errorCode !== undefined) alert.deliveryError = report.errorCode;
    } else {
      alert.deliveredAt ??= at;
      if (report.status === 'read') alert.readAt ??= at;
    }
    return true;
  }

  async markUndeliverable(alertId: string, reason: string, at: Date): Promise<void> {
    const alert = this.alerts.get(alertId);
    if (alert?.status !== 'pending') return;
    Object.assign(alert, {
      status: 'undeliverable',
      undeliverableReason: reason,
      updatedAt: at.toISOString(),
    });
    delete alert.sendClaimedAt;
    this.closeCheck(alert);
  }

  async answer(
    alertId: string,
    status: 'confirmed' | 'disputed',
    address: string,
    at: Date,
  ): Promise<boolean> {
    const alert = this.alerts.get(alertId);
    if (alert?.status !== 'sent' || alert.address !== address) return false;
    // Refused past the deadline even before the expiry run has closed the alert, as in DynamoDB.
    if (alert.deadline !== undefined && alert.deadline <= at.toISOString()) return false;
    Object.assign(alert, { status, answeredAt: at.toISOString() });
    this.closeCheck(alert);
    return true;
  }

  async openPastDeadline(bankId: string, now: Date, limit: number): Promise<string[]> {
    return [...this.alerts.values()]
      .filter(
        (a) =>
          a.bankId === bankId &&
          a.status === 'sent' &&
          a.deadline !== undefined &&
          a.deadline <= now.toISOString(),
      )
      .sort((a, b) => String(a.deadline).localeCompare(String(b.deadline)))
      .slice(0, limit)
      .map((a) => a.alertId);
  }

  async expire(alertId: string, at: Date): Promise<boolean> {
    const alert = this.alerts.get(alertId);
    if (alert?.status !== 'sent' || alert.deadline === undefined || alert.deadline > at.toISOString())
      return false;
    Object.assign(alert, { status: 'expired', expiredAt: at.toISOString() });
    this.closeCheck(alert);
    return true;
  }

  /**
   * A closed fraud check's first alert stops being its customer's open check: as in DynamoDB, a
   * second write after the status change.
   */
  private closeCheck(alert: StoredAlert): void {
    if (alert.kind !== 'fraud_check' || alert.checkId !== alert.alertId) return;
    this.forgetOpenCheck(openCheckKey(alert.bankId, alert.customerId), alert.alertId);
  }

  /** Deletes the customer's open-check item if it names this check. */
  protected forgetOpenCheck(checkKey: string, checkId: string): void {
    if (this.openChecks.get(checkKey)?.checkId === checkId) this.openChecks.delete(checkKey);
  }

  /**
   * The second write of opening a check: the alert, unless stored already (by a completion of the
   * half-opened check). True when this call stored it.
   */
  protected storeOpened(alert: StoredAlert): boolean {
    if (this.alerts.has(alert.alertId)) return false;
    this.alerts.set(alert.alertId, alert);
    return true;
  }
}

interface OpenCheck {
  readonly checkId: string;
  readonly opening?: StoredAlert;
}

/** An open check whose alert may still be missing, with the copy to complete it from (DynamoDB's rule). */
function halfOpened(open: OpenCheck, now: Date): open is OpenCheck & { opening: StoredAlert } {
  return open.opening !== undefined && open.opening.expiresAt * 1000 > now.getTime();
}

/** A copy that shares nothing mutable with the store (members and follow-up set included). */
function copy(alert: Alert): StoredAlert {
  return structuredClone(alert) as StoredAlert;
}
