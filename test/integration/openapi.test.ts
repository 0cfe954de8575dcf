import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackSchemas } from '../../shared/domain/callback-schemas.ts';
import { httpRoutes } from '../../shared/runtime/http-routes.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
let local: TestLocalStack;
let document: {
  servers: { url: string }[];
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }>;
        };
        responses: Record<string, unknown>;
      }
    >
  >;
};

beforeAll(async () => {
  local = await startTestLocalStack();
  const response = await fetch(`${local.apiUrl}/openapi.json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as typeof document;
});
afterAll(() => local.stop());

describe('GET /openapi.json (docs/contract.md#openapi)', () => {
  it('passes the Redocly linter’s recommended rules without a warning', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'vigil-openapi-')), 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const { stdout, stderr } = await run(join(root, 'node_modules', '.bin', 'redocly'), ['lint', file], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const output = `${stdout}\n${stderr}`;
    expect(output).toMatch(/Your API description is valid/);
    expect(output).not.toMatch(/You have \d+ warning|error was generated|warning was generated/i);
  });

  it('describes every bank route the API serves, and names the server it was asked on', () => {
    expect(document.servers).toEqual([{ url: local.apiUrl }]);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = httpRoutes
      // Meta's webhooks (Messenger's, WhatsApp's) are no bank route.
      .filter((route) => route.authentication !== 'meta-signature')
      .map((r) => `${r.method} ${r.path}`);
    expect(documented.sort()).toEqual(served.sort());
  });

  it('gives examples that are the repository’s example files, and that the API accepts', async () => {
    const events =
      document.paths['/v1/banks/{bankId}/events']?.post?.requestBody?.content['application/json']?.examples ??
      {};
    expect(events.cardTransaction?.value).toEqual(
      JSON.parse(await readFile(join(root, 'examples/card-transaction.json'), 'utf8')),
    );
    for (const { value } of Object.values(events)) {
      expect([200, 202]).toContain((await local.callBank('POST', '/events', value)).status);
    }
    const example = (path: string, method: string) =>
      document.paths[path]?.[method]?.requestBody?.content['application/json']?.example;
    expect(
      (await local.callBank('PUT', '/thresholds', example('/v1/banks/{bankId}/thresholds', 'put'))).status,
    ).toBe(200);
    const override = example('/v1/banks/{bankId}/customers/{customerId}/thresholds', 'put');
    expect((await local.callBank('PUT', '/customers/cus_8f3a/thresholds', override)).status).toBe(200);
    const enrollment = example('/v1/banks/{bankId}/enrollments', 'post');
    expect((await local.callBank('POST', '/enrollments', enrollment)).status).toBe(201);
    const reports = example('/v1/banks/{bankId}/fraud-reports', 'post');
    expect(reports).toEqual(JSON.parse(await readFile(join(root, 'examples/fraud-reports.json'), 'utf8')));
    expect((await local.callBank('POST', '/fraud-reports', reports)).status).toBe(200);
  });

  it('describes every callback as a webhook, with its payload schema and the signing key', () => {
    const full = document as unknown as {
      webhooks: Record<
        string,
        { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }
      >;
      components: {
        schemas: Record<string, unknown>;
        securitySchemes: Record<string, { description: string }>;
      };
    };
    expect(Object.keys(full.webhooks).sort()).toEqual(Object.keys(callbackSchemas).sort());
    for (const [type, webhook] of Object.entries(full.webhooks)) {
      const schemaRef = webhook.post.requestBody.content['application/json']?.schema.$ref ?? '';
      const schema = full.components.schemas[schemaRef.replace('#/components/schemas/', '')] as {
        properties: { type: { const: string }; data: unknown };
      };
      expect(schema.properties.type.const, type).toBe(type);
      expect(schema.properties.data).toBeDefined();
    }
    for (const scheme of ['standardWebhooks', 'callbackSignature']) {
      expect(full.components.securitySchemes[scheme]?.description).toContain(
        'the HMAC key is the base64-decoded part of the secret after `whsec_`',
      );
    }
  });

  it('lists only the answers each operation can give, Retry-After as a header', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const statuses = Object.keys(operation.responses);
        if (method === 'get' || method === 'delete') {
          expect(statuses, `${method} ${path}`).not.toContain('413');
          expect(statuses, `${method} ${path}`).not.toContain('415');
          expect(statuses, `${method} ${path}`).not.toContain('422');
        }
        const unavailable = operation.responses['503'] as { headers?: Record<string, unknown> } | undefined;
        if (unavailable !== undefined)
          expect(unavailable.headers?.['Retry-After'], `${method} ${path}`).toBeDefined();
      }
    }
    const bankDefaults = document.paths['/v1/banks/{bankId}/thresholds']?.get?.responses ?? {};
    // 409: a retry while the first request with its nonce still runs.
    expect(Object.keys(bankDefaults).sort()).toEqual(['200', '401', '403', '409', '429', '503']);
  });
});
