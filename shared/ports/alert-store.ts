import type { Alert } from '../domain/alert.ts';

/** Alerts, one per id. */
export interface AlertStore {
  /** Stores the alert unless one with its id exists; true when this call created it. */
  createOnce(alert: Alert): Promise<boolean>;
}
