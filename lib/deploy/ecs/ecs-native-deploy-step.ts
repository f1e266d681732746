import { Duration, Stack } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { imageFilesOf } from '../../codebuild/private/image-files';
import { StepActions, StepContext, StepEnvironment } from '../../core/step';
import { ECS_ACTION_TIMEOUT_MINUTES } from '../../private/limits';
import { escapeRegex } from '../../private/nag';
import { checkMinutes, fail, nameableAcrossEnvironments, verbatim } from '../../private/validation';
import { TargetStep } from '../private/target-step';
import { acceptDeployRoleFindings, actionRole, grantArtifactRead } from '../private/target-roles';
import type { EcsNativeDeployment, EcsNativeDeployStepOptions } from './ecs-native-deployment';

const IMAGE_DEFINITIONS = 'imagedefinitions.json';

/**
 * Deploys the built image with an `EcsNativeDeployment`: CodePipeline's ECS deploy action
 * registers a revision of the service's task definition with the image of `imagedefinitions.json`
 * and updates the service, then waits while ECS runs the deployment's strategy.
 */
export class EcsNativeDeployStep extends TargetStep<EcsNativeDeployment> {
  private readonly timeoutMinutes: number;

  constructor(deployment: EcsNativeDeployment, private readonly options: EcsNativeDeployStepOptions) {
    const timeout = options?.timeout ?? Duration.minutes(ECS_ACTION_TIMEOUT_MINUTES.max);
    super('EcsNativeDeployment', deployment, {
      stepName: options?.stepName ?? 'Deploy',
      label: `ECS native: ${deployment.strategy.describe()}, bake ${deployment.bakeTimeMinutes} min`,
      estimate: { minutes: deployment.deploymentMinutes },
      // An ECS deployment needs no CodeDeploy application or group.
      notesGeneratedNames: false,
      required: [['image', options?.image, 'pass the artifact holding imagedefinitions.json: the output of a DockerImageStep given containerName']],
      check: (problems) => {
        checkMinutes(problems, 'timeout', options?.timeout, ECS_ACTION_TIMEOUT_MINUTES);
        const image = options?.image ? imageFilesOf(options.image) : undefined;
        if (image && image.containerName === undefined) {
          problems.add('image', `the output of DockerImageStep '${image.stepName}'`, `holds no ${IMAGE_DEFINITIONS}: the step was given no containerName`, `give DockerImageStep '${image.stepName}' containerName: '${deployment.containerName}'`);
        } else if (image && image.containerName !== deployment.containerName) {
          problems.add('image', `the output of DockerImageStep '${image.stepName}'`, `names container '${image.containerName}' in ${IMAGE_DEFINITIONS}, but the deployment's container is '${deployment.containerName}'`, `give DockerImageStep '${image.stepName}' containerName: '${deployment.containerName}'`);
        }
        const minutes = timeout.isUnresolved() ? undefined : timeout.toMinutes({ integral: false });
        if (minutes !== undefined && deployment.deploymentMinutes > minutes) {
          problems.add('timeout', `${minutes} minutes`, `is shorter than the deployment: about ${deployment.deploymentMinutes} minutes (new tasks ~3, traffic shifts ${deployment.strategy.shiftMinutes}${deployment._shiftDelayMinutes ? `, Network Load Balancer delays ${deployment._shiftDelayMinutes}` : ''}, bake time ${deployment.bakeTimeMinutes}); CodePipeline's ECS deploy action waits at most ${ECS_ACTION_TIMEOUT_MINUTES.max} minutes`,
            deployment.deploymentMinutes <= ECS_ACTION_TIMEOUT_MINUTES.max
              ? `give timeout: Duration.minutes(${Math.ceil(deployment.deploymentMinutes)}) or more (at most ${ECS_ACTION_TIMEOUT_MINUTES.max})`
              : `shorten the deployment's bakeTime or its strategy's interval to fit ${ECS_ACTION_TIMEOUT_MINUTES.max} minutes`);
        }
      },
    });
    this.timeoutMinutes = timeout.toMinutes();
  }

  protected actions(scope: Construct, context: StepContext, environment: StepEnvironment | undefined): StepActions {
    const service = this.target.service;
    if (environment?.crossAccount || environment?.crossRegion) {
      // The action's configuration names the cluster and the service from the pipeline's stack.
      const unnamed = [[service.cluster, service.cluster.clusterArn], [service, service.serviceArn]]
        .filter(([resource, arn]) => !nameableAcrossEnvironments(resource as Construct, arn as string)).map(([resource]) => (resource as Construct).node.path);
      if (unnamed.length > 0) {
        fail(this.subject, 'service', verbatim(unnamed.join(', ')), `the pipeline's ECS action names the cluster and the service, but ${environment.account}/${environment.region} is another ${environment.crossAccount ? 'account' : 'region'} and they have no physical name`,
          'create the cluster with clusterName and the service with serviceName (or PhysicalName.GENERATE_IF_NEEDED)');
      }
    }
    const role = this.actionRole(scope, context);
    const deploy = new actions.EcsDeployAction({
      actionName: this.stepName,
      service,
      imageFile: this.options.image.atPath(IMAGE_DEFINITIONS),
      deploymentTimeout: Duration.minutes(this.timeoutMinutes),
      runOrder: context.runOrder,
      role: role instanceof iam.Role ? role.withoutPolicyUpdates() : role,
    });
    return { actions: [deploy] };
  }

  /**
   * The action's role, with the statements the CodePipeline guide lists for the ECS action on
   * exactly this service, its task definition family and its roles. The L2 action grants the ECS
   * actions and iam:PassRole on `*`; it gets an immutable view of this role instead.
   */
  private actionRole(scope: Construct, context: StepContext): iam.IRole {
    const d = this.target;
    const role = actionRole(scope, context, {
      stepName: this.stepName,
      description: `ECS deploy action ${this.stepName} of stage ${context.stageName}`,
      regionalScope: d,
    });
    if (!(role instanceof iam.Role)) return role;
    const taskDefinition = d.service.taskDefinition;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
      resources: [d.service.serviceArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
      resources: ['*'],
    }));
    // The action watches the new tasks (the CodePipeline guide's statement for the ECS action
    // lists both): only the tasks of the service's cluster.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks', 'ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': d.service.cluster.clusterArn } },
    }));
    // The new revision carries the tags of the service's revision.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: [Stack.of(d).formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${taskDefinition.family}:*` })],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }));
    const taskRoles = [taskDefinition.taskRole.roleArn, ...(taskDefinition.executionRole ? [taskDefinition.executionRole.roleArn] : [])];
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: taskRoles,
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    const serviceRoles = [d.infrastructureRole, d.hookRole].filter((r): r is iam.IRole => r !== undefined).map((r) => r.roleArn);
    if (serviceRoles.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: serviceRoles,
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs.amazonaws.com' } },
      }));
    }
    grantArtifactRead(role, context, { locateBucket: true, resourcePolicyInRegion: true });
    acceptDeployRoleFindings(role, context, 'ecs:DescribeTaskDefinition and ecs:RegisterTaskDefinition have no resource-level permissions (Service Authorization Reference, Amazon ECS); ecs:DescribeTasks and ecs:ListTasks are limited to the service\'s cluster by the ecs:cluster condition; the new revision may be tagged in its own family only', [
      'Resource::*',
      { regex: `/^Resource::arn:(?:<[^>]+>|[^:]+):ecs:(?:<[^>]+>|[^:]+):(?:<[^>]+>|[^:]+):task-definition\\/${escapeRegex(taskDefinition.family)}:\\*$/` },
    ]);
    return role;
  }
}

