import {
  type Alert,
  type CheckMember,
  checkMember,
  type DeliveryReport,
  messageCounterKey,
  openCheckKey,
} from '../domain/alert.ts';
import type { AlertStore, FiledCheck, SentFields } from '../ports/alert-store.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type StoredAlert = Mutable<Alert> & {
  sendAttempts?: number;
  members?: Record<string, CheckMember>;
  summarized?: Set<string>;
};

/**
 * The alerts table in memory, with the same conditional status changes. As in DynamoDB, a
 * customer's open fraud check is kept by customer (`openCheckKey`) and names the check's first
 * alert; closing that alert (answer, expiry, undeliverable) ends it as the open one, so a later
 * transaction opens a new check. Every method runs without awaiting in between, so each is atomic.
 */
export class InMemoryAlertStore implements AlertStore {
  private readonly alerts = new Map<string, StoredAlert>();
  /** Open-check key → the id of the check's first alert. */
  private readonly openChecks = new Map<string, string>();
  /** Message-counter key (customer and clock hour) → alert messages counted in that hour. */
  private readonly messageCounts = new Map<string, number>();

  async createOnce(alert: Alert): Promise<boolean> {
    if (this.alerts.has(alert.alertId)) return false;
    this.alerts.set(alert.alertId, copy(alert));
    return true;
  }

  async fileFraudCheck(alert: Alert, now: Date): Promise<FiledCheck> {
    const existing = this.alerts.get(alert.alertId);
    if (existing !== undefined) return { checkId: existing.checkId ?? existing.alertId, created: false };
    const checkKey = openCheckKey(alert.bankId, alert.customerId);
    // At most: close a check past its deadline (or whose first alert was erased), then file.
    for (let attempt = 0; attempt < 3; attempt++) {
      const checkId = this.openChecks.get(checkKey);
      if (checkId === undefined) {
        this.openChecks.set(checkKey, alert.alertId);
        this.alerts.set(alert.alertId, { ...copy(alert), checkId: alert.alertId, members: {} });
        return { checkId: alert.alertId, created: true };
      }
      const check = this.alerts.get(checkId);
      if (check === undefined) {
        this.openChecks.delete(checkKey);
        continue;
      }
      const open = check.status === 'pending' || check.status === 'sent';
      // A check past its answer deadline takes no more members: it is about to expire.
      if (open && (check.deadline === undefined || check.deadline > now.toISOString())) {
        check.members = { ...check.members, [alert.alertId]: checkMember(alert, now) };
        this.alerts.set(alert.alertId, { ...copy(alert), status: 'grouped', checkId });
        return { checkId, created: true };
      }
      if (check.status === 'sent' && check.deadline !== undefined && check.deadline <= now.toISOString()) {
        await this.expire(checkId, now);
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

  async takeMessageSlot(
    customer: Pick<Alert, 'bankId' | 'customerId' | 'customerKey'>,
    now: Date,
    limit: number,
  ): Promise<boolean> {
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

  async byRef(ref: string): Promise<Alert | undefined> {
    for (const alert of this.alerts.values()) if (alert.ref === ref) return copy(alert);
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

  /** A closed fraud check's first alert stops being its customer's open check. */
  private closeCheck(alert: StoredAlert): void {
    if (alert.kind !== 'fraud_check' || alert.checkId !== alert.alertId) return;
    const checkKey = openCheckKey(alert.bankId, alert.customerId);
    if (this.openChecks.get(checkKey) === alert.alertId) this.openChecks.delete(checkKey);
  }
}

/** A copy that shares nothing mutable with the store (members and follow-up set included). */
function copy(alert: Alert): StoredAlert {
  return structuredClone(alert) as StoredAlert;
}
