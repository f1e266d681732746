import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BuildCache } from '../../codebuild/cache';
import { BuildStep } from '../../codebuild/build-step';
import { StepActions, StepContext, StepEnvironment } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { Problems, fail, isConcrete, nameableAcrossEnvironments, verbatim } from '../../private/validation';
import { TargetStep } from '../private/target-step';
import { acceptDeployRoleFindings, actionRole, grantArtifactRead } from '../private/target-roles';
import type { EcsBlueGreenDeployment, EcsDeployStepOptions } from './ecs-deployment';
import { IMAGE_PLACEHOLDER, unnameableReferences, unsupportedIntrinsics } from './task-definition-file';

/** Longest step name: the step that writes the deployment files is named `<step>Files`. */
const MAX_STEP_NAME = 90;

/**
 * Deploys the built image with an `EcsBlueGreenDeployment`: a small CodeBuild action that writes
 * taskdef.json and appspec.yaml, then the CodeDeploy-to-ECS action.
 */
export class EcsDeployStep extends TargetStep<EcsBlueGreenDeployment> {
  constructor(deployment: EcsBlueGreenDeployment, private readonly options: EcsDeployStepOptions) {
    const stepName = options.stepName ?? 'Deploy';
    super('EcsBlueGreenDeployment', deployment, {
      stepName,
      label: `ECS blue/green: ${deployment.strategy.describe()}`,
      estimate: {
        // The files build, the replacement task set, the traffic shift, and the wait before the blue tasks stop.
        minutes: MODEL.provisioning + 0.5 + MODEL.ecsReplacement + deployment.strategy.shiftMinutes + deployment.terminationWaitMinutes,
        buildMinutes: MODEL.provisioning + 0.5,
        computeType: codebuild.ComputeType.SMALL,
      },
      check: (problems) => {
        if (isConcrete(stepName) && stepName.length > MAX_STEP_NAME) {
          problems.add('stepName', stepName, 'leaves no room for the name of the step that writes the deployment files', `use at most ${MAX_STEP_NAME} characters`);
        }
      },
      required: [['image', options.image, 'pass the artifact holding imageDetail.json, e.g. dockerImageStep.output']],
    });
  }

  protected actions(scope: Construct, context: StepContext, environment: StepEnvironment | undefined): StepActions {
    const d = this.target;
    const unsupported = unsupportedIntrinsics(d.taskDefinition);
    if (unsupported.length > 0) {
      fail(this.subject, 'taskDefinition', verbatim(d.taskDefinition.node.path), `uses ${unsupported.join(', ')}, which the task definition file CodeDeploy registers cannot carry`, 'give those properties plain values or references to resources');
    }
    if (environment?.crossAccount || environment?.crossRegion) {
      // The files are written by a build in the pipeline's account and region: what they name of the
      // service's stack must be nameable from there. Checked now, and again at synthesis for what
      // is added to the task definition later.
      const check = () => this.unnamed(environment);
      check().throwIfAny();
      scope.node.addValidation({ validate: () => check().messages() });
    }
    // Values known only at deploy time (role ARNs, hook ARNs) reach the files through CloudFormation.
    const files = new BuildStep(`${this.stepName}Files`, {
      input: this.options.image,
      commands: ['echo "taskdef.json and appspec.yaml for $CODEBUILD_RESOLVED_SOURCE_VERSION"'],
      generatedFiles: [
        { path: 'taskdef.json', content: d.taskDefinitionFile() },
        { path: 'appspec.yaml', content: d.appSpecFile() },
      ],
      outputs: ['taskdef.json', 'appspec.yaml'],
      cache: BuildCache.none(),
      computeType: codebuild.ComputeType.SMALL,
    });
    const fileActions = files.bind(new Construct(scope, 'Files'), context);
    const role = this.actionRole(scope, context);
    const deploy = new actions.CodeDeployEcsDeployAction({
      actionName: this.stepName,
      deploymentGroup: d.deploymentGroup,
      taskDefinitionTemplateInput: files.output!,
      appSpecTemplateInput: files.output!,
      containerImageInputs: [{ input: this.options.image, taskDefinitionPlaceholder: IMAGE_PLACEHOLDER }],
      runOrder: context.runOrder + 1,
      role: role instanceof iam.Role ? role.withoutPolicyUpdates() : role,
    });
    return { actions: [...fileActions.actions, deploy] };
  }

  /** What the deployment files name of the service's stack without a physical name, as a problem. */
  private unnamed(environment: StepEnvironment): Problems {
    const d = this.target;
    const problems = new Problems(this.subject);
    const unnamed = [...unnameableReferences(d.taskDefinition), ...d._hookFunctions().filter((fn) => !nameableAcrossEnvironments(fn, fn.functionArn)).map((fn) => fn.node.path)];
    if (unnamed.length > 0) {
      problems.add('taskDefinition', verbatim(unnamed.join(', ')), `the deployment files are written in the pipeline's account and region, but they name resources of ${environment.account}/${environment.region} that have no physical name`,
        'give each a name: pass the task definition a taskRole and executionRole created with roleName, log groups with logGroupName, hook functions with functionName (or PhysicalName.GENERATE_IF_NEEDED)');
    }
    return problems;
  }

  /**
   * The action's role, with exact statements. The L2 action grants iam:PassRole on `*` and reads
   * the bucket with wildcard actions; it gets an immutable view of this role instead. A deploy
   * role of another app already allows what the action does: it gets no grants here.
   */
  private actionRole(scope: Construct, context: StepContext): iam.IRole {
    const d = this.target;
    const role = actionRole(scope, context, {
      stepName: this.stepName,
      description: `CodeDeploy-to-ECS action ${this.stepName} of stage ${context.stageName}`,
      regionalScope: d,
    });
    if (!(role instanceof iam.Role)) return role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
      resources: [d.application.applicationArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
      resources: [d.deploymentGroup.deploymentGroupArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codedeploy:GetDeploymentConfig'],
      resources: [d.deploymentConfig.deploymentConfigArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:RegisterTaskDefinition'],
      resources: ['*'],
    }));
    const passed = [d.taskDefinition.taskRole.roleArn, ...(d.taskDefinition.executionRole ? [d.taskDefinition.executionRole.roleArn] : [])];
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: passed,
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    grantArtifactRead(role, context, { locateBucket: true, resourcePolicyInRegion: true });
    acceptDeployRoleFindings(role, context, 'ecs:RegisterTaskDefinition has no resource-level permissions (Service Authorization Reference, Amazon ECS)', ['Resource::*']);
    return role;
  }
}
