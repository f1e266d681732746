import { Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acceptNagFindings } from '../../../private/nag';
import { internalError } from '../../../private/validation';

/**
 * What CodePipeline's CloudFormation action needs on the stack in CREATE_UPDATE mode. The L2 also
 * grants `cloudformation:ValidateTemplate` on the stack, but that action has no resource-level
 * permissions (Service Authorization Reference), so that grant does nothing: it gets a statement
 * of its own on `*` (CodePipeline's service role policy for CloudFormation actions lists it).
 */
const CREATE_UPDATE_ACTIONS = [
  'cloudformation:CreateStack',
  'cloudformation:DescribeStack*',
  'cloudformation:GetStackPolicy',
  'cloudformation:GetTemplate*',
  'cloudformation:SetStackPolicy',
  'cloudformation:UpdateStack',
];

type Bound = (scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions) => codepipeline.ActionConfig;

/**
 * The L2's CloudFormation CREATE_UPDATE action, granting its role exactly `CREATE_UPDATE_ACTIONS`
 * on the stack: it binds as the L2's deploy actions do (passing the execution role, reading the
 * artifacts, rendering the configuration) and adds its own statement instead of the L2's.
 */
export class CreateUpdateStackAction extends actions.CloudFormationCreateUpdateStackAction {
  constructor(private readonly stackDeploy: actions.CloudFormationCreateUpdateStackActionProps) {
    super(stackDeploy);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    // The deploy action base class, which the L2's CREATE_UPDATE action extends with its grant.
    const deployAction = Object.getPrototypeOf(actions.CloudFormationCreateUpdateStackAction.prototype) as { bound?: Bound };
    if (typeof deployAction.bound !== 'function') internalError('the CloudFormation deploy action of aws-cdk-lib has no bound() to extend');
    const config = deployAction.bound.call(this, scope, stage, options);
    const role = options.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: CREATE_UPDATE_ACTIONS,
      resources: [Stack.of(role).formatArn({ service: 'cloudformation', region: this.stackDeploy.region, resource: 'stack', resourceName: `${this.stackDeploy.stackName}/*` })],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:ValidateTemplate'], resources: ['*'] }));
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acceptNagFindings(policy, [{ id: 'AwsSolutions-IAM5', reason: 'cloudformation:ValidateTemplate has no resource-level permissions (Service Authorization Reference); it only validates a template.', appliesTo: ['Resource::*'] }]);
    }
    return { ...config, configuration: { ...config.configuration, ActionMode: 'CREATE_UPDATE', TemplatePath: this.stackDeploy.templatePath.location } };
  }
}
