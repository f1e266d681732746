import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { StepContext } from '../core/step';

/**
 * The principal an action role a step creates should trust: the pipeline's role (as the roles the
 * L2 creates for actions do), or the pipeline's account when the role is not known.
 */
export function pipelinePrincipal(context: StepContext): iam.IPrincipal {
  return context.pipeline instanceof codepipeline.Pipeline
    ? new iam.ArnPrincipal(context.pipeline.role.roleArn)
    : new iam.AccountPrincipal(Stack.of(context.pipeline).account);
}
