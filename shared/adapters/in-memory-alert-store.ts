import type { Alert } from '../domain/alert.ts';
import type { AlertStore, SentFields } from '../ports/alert-store.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The alerts table in memory, with the same conditional status changes. */
export class InMemoryAlertStore implements AlertStore {
  private readonly alerts = new Map<string, Mutable<Alert> & { sendAttempts?: number }>();

  async createOnce(alert: Alert): Promise<boolean> {
    if (this.alerts.has(alert.alertId)) return false;
    this.alerts.set(alert.alertId, { ...alert });
    return true;
  }

  async get(alertId: string): Promise<Alert | undefined> {
    const alert = this.alerts.get(alertId);
    return alert && { ...alert };
  }

  async byRef(ref: string): Promise<Alert | undefined> {
    for (const alert of this.alerts.values()) if (alert.ref === ref) return { ...alert };
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

  async markUndeliverable(alertId: string, reason: string, at: Date): Promise<void> {
    const alert = this.alerts.get(alertId);
    if (alert?.status !== 'pending') return;
    Object.assign(alert, {
      status: 'undeliverable',
      undeliverableReason: reason,
      updatedAt: at.toISOString(),
    });
    delete alert.sendClaimedAt;
  }

  async answer(alertId: string, status: 'confirmed' | 'disputed', psid: string, at: Date): Promise<boolean> {
    const alert = this.alerts.get(alertId);
    if (alert?.status !== 'sent' || alert.psid !== psid) return false;
    // Refused past the deadline even before the expiry run has closed the alert, as in DynamoDB.
    if (alert.deadline !== undefined && alert.deadline <= at.toISOString()) return false;
    Object.assign(alert, { status, answeredAt: at.toISOString() });
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
    return true;
  }
}
