import { CfnCapabilities, DefaultStackSynthesizer, PhysicalName, Stack } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { StepActions, StepContext, StepEnvironment } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { markL2ActionRole } from '../../private/nag';
import { stepScopedId } from '../../private/names';
import { TargetStep } from '../private/target-step';
import { acceptDeployRoleFindings, actionPlacement, actionRole, allowBootstrapVersionRead, grantArtifactRead, grantStackCreateUpdate } from '../private/target-roles';
import type { LambdaDeployment, LambdaDeployStepOptions } from './lambda-deployment';

/**
 * Deploys a `LambdaDeployment`'s application stack with CloudFormation, the function's code taken
 * from the build; the alias update then shifts traffic through CodeDeploy.
 */
export class LambdaDeployStep extends TargetStep<LambdaDeployment> {
  constructor(deployment: LambdaDeployment, private readonly options: LambdaDeployStepOptions) {
    super('LambdaDeployment', deployment, {
      stepName: options.stepName ?? 'Deploy',
      label: `Lambda via CloudFormation: ${deployment.strategy.describe()}`,
      estimate: { minutes: MODEL.stackUpdate + deployment.strategy.shiftMinutes },
      required: [
        ['code', options.code, 'pass the artifact holding the function code, e.g. build.output'],
        ['templates', options.templates, "pass the artifact holding the synthesized templates, e.g. build.secondaryOutput('Templates')"],
      ],
      // CloudFormation deploys the stack: no CodeDeploy names are referred to from elsewhere.
      notesGeneratedNames: false,
    });
  }

  protected actions(scope: Construct, context: StepContext, environment: StepEnvironment | undefined): StepActions {
    const d = this.target;
    const stack = Stack.of(d);
    const elsewhere = environment?.crossAccount === true || environment?.crossRegion === true;
    const templatePath = this.options.templatePath ?? `${stack.artifactId}.template.json`;
    const deploymentRole = this.options.deploymentRole ?? this.defaultDeploymentRole(scope, context, elsewhere);
    // The action's role calls CloudFormation, which resolves the template's SSM parameters (the CDK
    // bootstrap version) with it: the L2 does not grant that. In another account it is the target's
    // deploy role, which the L2 grants the stack and the deployment role.
    const role = actionRole(scope, context, { stepName: this.stepName });
    if (stack.synthesizer instanceof DefaultStackSynthesizer) allowBootstrapVersionRead(role, stack.account, stack.region);
    // The L2 would grant ValidateTemplate on the stack's ARN, which grants nothing: it gets an
    // immutable view of the role, and the same access is granted exactly here.
    if (role instanceof iam.Role) {
      grantStackCreateUpdate(role, {
        stackName: stack.stackName,
        region: environment?.crossRegion ? environment.region : undefined,
        deploymentRole,
        artifactBucket: environment?.artifactBucket ?? context.artifactBucket,
      });
    }
    const action = new actions.CloudFormationCreateUpdateStackAction({
      role: role instanceof iam.Role ? role.withoutPolicyUpdates() : role,
      ...actionPlacement(environment),
      actionName: this.stepName,
      runOrder: context.runOrder,
      stackName: stack.stackName,
      templatePath: this.options.templates.atPath(templatePath),
      extraInputs: [this.options.code],
      parameterOverrides: d._parameterOverrides(this.options.code),
      adminPermissions: false,
      deploymentRole,
      cfnCapabilities: this.options.capabilities ?? [CfnCapabilities.ANONYMOUS_IAM],
    });
    // The L2 adds its grants to the action role when the pipeline binds the action; the pipeline
    // accepts them as it does on the roles it creates for actions.
    if (!environment?.crossAccount) markL2ActionRole(role);
    return { actions: [action] };
  }

  /**
   * The role CloudFormation updates the application stack with. In another account or region it
   * is created in the application's stack (CloudFormation there must be able to assume it), named
   * so the pipeline can refer to it, and reads the release's code from the environment's store.
   */
  private defaultDeploymentRole(scope: Construct, context: StepContext, elsewhere: boolean): iam.IRole {
    const d = this.target;
    const role = new iam.Role(elsewhere ? d : scope, elsewhere ? stepScopedId(context.pipeline, context.stageName, this.stepName, 'DeploymentRole') : 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      description: `CloudFormation role of ${this.stepName}: releases of ${d.function.node.path}`,
      roleName: elsewhere ? PhysicalName.GENERATE_IF_NEEDED : undefined,
    });
    const fn = d.function.functionArn;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'lambda:GetFunction', 'lambda:GetFunctionConfiguration', 'lambda:GetFunctionCodeSigningConfig', 'lambda:GetRuntimeManagementConfig',
        'lambda:GetFunctionRecursionConfig', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion',
        'lambda:ListVersionsByFunction', 'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:ListTags', 'lambda:TagResource', 'lambda:UntagResource',
      ],
      resources: [fn, `${fn}:*`],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup', 'codedeploy:StopDeployment'],
      resources: [d.deploymentGroup.deploymentGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:GetDeploymentConfig'],
      resources: [d.deploymentConfig.deploymentConfigArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'],
      resources: [d.deploymentGroup.application.applicationArn],
    }));
    if (d.function.role) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [d.function.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }));
    }
    // Elsewhere, Lambda reads the code with this role's credentials from the environment's store,
    // whose bucket and key policies (in the pipeline's account) then name exactly this role.
    grantArtifactRead(role, context);
    acceptDeployRoleFindings(role, context, "The function's versions and alias (function:*), which each release creates and moves", [{ regex: '/^Resource::.*:\\*$/' }]);
    return role;
  }
}
