import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * A CodePipeline action of ours on aws-cdk-lib's `Action` base, for action types whose L2 grants
 * too much or renders too little (Commands, InspectorScan, EC2 deploy): its properties, and, when
 * the pipeline binds it, the grants its role gets and the configuration it renders.
 */
export class GrantingAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  /**
   * @param properties the action's type, artifacts, runOrder and the like
   * @param onBind grants the action's role what the action needs; returns its configuration
   */
  constructor(properties: codepipeline.ActionProperties, private readonly onBind: (role: iam.IRole) => { [key: string]: unknown }) {
    super();
    this.providedActionProperties = properties;
  }

  protected bound(_scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    return { configuration: this.onBind(options.role) };
  }
}
