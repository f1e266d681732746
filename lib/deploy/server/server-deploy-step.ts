import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { StepActions, StepContext, StepEnvironment, StepEstimate } from '../../core/step';
import { fail } from '../../private/validation';
import { TargetStep } from '../private/target-step';
import type { ServerDeployStepOptions } from './server-deployment';

/** A deployment group of EC2 instances or on-premises servers, in place or blue/green. */
export interface ServerTarget extends Construct {
  readonly deploymentGroup: codedeploy.IServerDeploymentGroup;
  /** Roles of instances targeted by tags, which read each revision from the artifact store. */
  readonly instanceRoles?: iam.IRole[];
  /** True when instances are targeted by tags (their roles are then not known to the L2 action). */
  readonly targetsByTags?: boolean;
}

/**
 * Deploys a revision (a build output holding appspec.yml and its files) to a server deployment
 * group with the CodeDeploy action: in another account, the action assumes the target's deploy
 * role, which the L2 grants exactly this group.
 */
export class ServerDeployStep extends TargetStep<ServerTarget> {
  /**
   * @param kind the target's class name, e.g. 'ServerDeployment'
   * @param label what the deployment does, for diagrams
   */
  constructor(kind: string, deployment: ServerTarget, private readonly options: ServerDeployStepOptions, label: string, estimate: StepEstimate) {
    super(kind, deployment, {
      stepName: options.stepName ?? 'Deploy',
      label,
      estimate,
      required: [['input', options.input, 'pass the build output that holds appspec.yml, e.g. build.output']],
    });
  }

  protected actions(_scope: Construct, context: StepContext, environment: StepEnvironment | undefined): StepActions {
    const d = this.target;
    const instanceRoles = d.instanceRoles ?? [];
    if ((environment?.crossAccount || environment?.crossRegion) && d.targetsByTags && instanceRoles.length === 0) {
      fail(this.subject, 'instanceRoles', undefined, `instances targeted by tags in ${environment.account}/${environment.region} download the revision from the pipeline's artifact store, which must grant their roles, but none are given`,
        `pass the instances' roles in the ${this.kind}'s instanceRoles`);
    }
    // The agent reads the revision with the instance's role (the L2 action grants Auto Scaling groups' roles itself).
    const store = environment?.artifactBucket ?? context.artifactBucket;
    instanceRoles.forEach((role) => store.grantRead(role));
    return {
      actions: [new actions.CodeDeployServerDeployAction({
        actionName: this.stepName,
        input: this.options.input,
        deploymentGroup: d.deploymentGroup,
        runOrder: context.runOrder,
        role: environment?.crossAccount ? environment.deployRole : undefined,
      })],
    };
  }
}
