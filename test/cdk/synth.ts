import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig } from '../../cdk/stage-config.ts';
import { VigilStack } from '../../cdk/vigil-stack.ts';

const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface Synthesized {
  readonly app: App;
  readonly stack: VigilStack;
  readonly template: Template;
}

/**
 * Builds the stack as `cdk synth` does, with cdk.json's context (plus overrides) and the
 * AwsSolutions checks, but without bundling the functions.
 */
export function synthesize(
  context: Record<string, unknown> = {},
  modify: (stack: VigilStack) => void = () => undefined,
): Synthesized {
  const app = new App({ context: { ...cdkJson.context, ...context, 'aws:cdk:bundling-stacks': [] } });
  const config = readStageConfig(app.node);
  const stack = new VigilStack(app, `Vigil-${config.stage}`, { config, env: { region: 'eu-west-1' } });
  modify(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}
