import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  type KeyAttribute,
  type TableDefinition,
  type TableKey,
  tableDefinitions,
  tableKeys,
} from '../../shared/runtime/table-definitions.ts';

export interface TablesProps {
  readonly stage: string;
  readonly key: IKey;
}

/**
 * Every table of the shared definitions: on-demand, encrypted with the stack's key, with
 * point-in-time recovery. In `prod`, tables that hold what a bank would need to recover are
 * retained and deletion-protected; in other stages everything goes with the stack.
 */
export class Tables extends Construct {
  readonly byKey: Record<TableKey, TableV2>;

  constructor(scope: Construct, id: string, { stage, key }: TablesProps) {
    super(scope, id);
    const production = stage === 'prod';
    this.byKey = Object.fromEntries(
      tableKeys.map((tableKey) => {
        const definition: TableDefinition = tableDefinitions[tableKey];
        const keep = production && definition.durable;
        const table = new TableV2(this, pascalCase(tableKey), {
          partitionKey: attribute(definition.partitionKey),
          ...(definition.sortKey && { sortKey: attribute(definition.sortKey) }),
          billing: Billing.onDemand(),
          encryption: TableEncryptionV2.customerManagedKey(key),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          ...(definition.timeToLiveAttribute && { timeToLiveAttribute: definition.timeToLiveAttribute }),
          ...(definition.stream && { dynamoStream: StreamViewType[definition.stream] }),
          globalSecondaryIndexes: (definition.globalIndexes ?? []).map((index) => ({
            indexName: index.indexName,
            partitionKey: attribute(index.partitionKey),
            ...(index.sortKey && { sortKey: attribute(index.sortKey) }),
            projectionType: index.projection === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
          })),
          deletionProtection: keep,
          removalPolicy: keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        });
        return [tableKey, table];
      }),
    ) as Record<TableKey, TableV2>;
  }

  /** The names the operator CLI needs (`vigil --stage`), as stack outputs. */
  outputNames(keys: readonly TableKey[]): void {
    for (const key of keys) {
      const id = `${pascalCase(key)}TableName`;
      new CfnOutput(Stack.of(this), id, {
        value: this.byKey[key].tableName,
        description: `The ${key} table`,
      });
    }
  }

  get(tableKey: TableKey): TableV2 {
    return this.byKey[tableKey];
  }
}

function attribute({ name, type }: KeyAttribute) {
  return { name, type: type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
