import type { Logger } from '@aws-lambda-powertools/logger';
import { enrollCustomer } from '../../shared/domain/enroll-customer.ts';
import { eraseCustomer } from '../../shared/domain/erase-customer.ts';
import { NotFoundError } from '../../shared/domain/errors.ts';
import {
  clearCustomerPreferences,
  deleteCustomerThresholds,
  getBankThresholds,
  getCustomerPreferences,
  getCustomerThresholds,
  setBankThresholds,
  setCustomerThresholds,
} from '../../shared/domain/manage-thresholds.ts';
import type { CustomerEraser } from '../../shared/ports/customer-eraser.ts';
import type { EnrollmentStore } from '../../shared/ports/enrollment-store.ts';
import type { ErasureKeys } from '../../shared/ports/erasure.ts';
import type { PreferenceStore } from '../../shared/ports/preference-store.ts';
import type { ThresholdStore } from '../../shared/ports/threshold-store.ts';
import type { HttpRoute } from '../../shared/runtime/handler-bundles.ts';
import { jsonResponse } from '../../shared/runtime/http-request.ts';
import { count } from '../../shared/runtime/metrics.ts';
import type { SignedRoute, SignedRoutePorts } from './signed-route.ts';

// The administration API's routes, by concern: each concern a list of signed routes, each route
// one use case of shared/domain. A new route goes into its concern's list (or a new list, added
// in bank-admin.ts); its entry in shared/runtime/http-routes.ts exposes it.

export interface BankAdminPorts extends SignedRoutePorts {
  readonly thresholds: ThresholdStore;
  /** The customers' own preferences, shown and cleared through the thresholds API. */
  readonly preferences?: PreferenceStore;
  readonly enrollments: EnrollmentStore;
  readonly eraser: CustomerEraser;
  readonly erasure: ErasureKeys;
  /** The Facebook page whose m.me links enroll customers. */
  readonly pageId: string;
  /** The API's base URL as configured (API_BASE_URL): the OpenAPI document's server. */
  readonly apiBaseUrl?: string;
}

export const enrollmentRoutes = (route: SignedRoute, ports: BankAdminPorts): HttpRoute[] => [
  route('POST', '/v1/banks/{bankId}/enrollments', async ({ bankId, json }) =>
    jsonResponse(201, await enrollCustomer(bankId, json(), ports).finally(() => count('Enrollment'))),
  ),
];

export const thresholdRoutes = (route: SignedRoute, { thresholds }: BankAdminPorts): HttpRoute[] => [
  route('GET', '/v1/banks/{bankId}/thresholds', async ({ bankId }) =>
    jsonResponse(200, await getBankThresholds(bankId, thresholds)),
  ),
  route('PUT', '/v1/banks/{bankId}/thresholds', async ({ bankId, json }) =>
    jsonResponse(200, await setBankThresholds(bankId, json(), thresholds)),
  ),
  route('GET', '/v1/banks/{bankId}/customers/{customerId}/thresholds', async ({ bankId, customerId }) =>
    jsonResponse(200, await getCustomerThresholds(bankId, customerId, thresholds)),
  ),
  route('PUT', '/v1/banks/{bankId}/customers/{customerId}/thresholds', async ({ bankId, customerId, json }) =>
    jsonResponse(200, await setCustomerThresholds(bankId, customerId, json(), thresholds)),
  ),
  route('DELETE', '/v1/banks/{bankId}/customers/{customerId}/thresholds', async ({ bankId, customerId }) => {
    await deleteCustomerThresholds(bankId, customerId, thresholds);
    return { statusCode: 204 };
  }),
];

/** A customer's erasure and own preferences. */
export const customerRoutes = (route: SignedRoute, ports: BankAdminPorts, log: Logger): HttpRoute[] => {
  const preferences = (): PreferenceStore => {
    if (ports.preferences === undefined) throw new NotFoundError('No such route.');
    return ports.preferences;
  };
  return [
    route('DELETE', '/v1/banks/{bankId}/customers/{customerId}', async ({ bankId, customerId }) => {
      await eraseCustomer(bankId, customerId, ports);
      log.info('customer erased', { bankId });
      count('CustomerErased');
      return { statusCode: 204 };
    }),
    route('GET', '/v1/banks/{bankId}/customers/{customerId}/preferences', async ({ bankId, customerId }) =>
      jsonResponse(200, await getCustomerPreferences(bankId, customerId, preferences())),
    ),
    route(
      'DELETE',
      '/v1/banks/{bankId}/customers/{customerId}/preferences',
      async ({ bankId, customerId }) => {
        await clearCustomerPreferences(bankId, customerId, preferences());
        return { statusCode: 204 };
      },
    ),
  ];
};
