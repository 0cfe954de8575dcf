import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig } from './stage-config.ts';
import { VigilStack } from './vigil-stack.ts';

const app = new App();
const config = readStageConfig(app.node);
const stack = new VigilStack(app, `Vigil-${config.stage}`, {
  config,
  description: `Vigil (${config.stage}): card fraud alerts over Messenger`,
  // Tables encrypted with a customer-managed key need a concrete region at synth time. The CLI
  // sets these from the operator's AWS profile (and a default region when offline).
  env: {
    ...(process.env.CDK_DEFAULT_ACCOUNT && { account: process.env.CDK_DEFAULT_ACCOUNT }),
    region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
  },
});
Tags.of(stack).add('project', 'vigil');
Tags.of(stack).add('stage', config.stage);
// Synth fails on any AwsSolutions finding that is not acknowledged, with its reason, in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
