/**
 * CodePipeline's contracts for action configurations, stage-condition rules and conditions, written
 * as JSON Schemas from the CodePipeline reference pages (each cites its page). Every configuration
 * value is a string; keys not listed are rejected, as CodePipeline rejects them.
 */

const ACTION_REFERENCE = 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference';
const BOOLEAN = { type: 'string', enum: ['true', 'false'] };
const STRING = { type: 'string', minLength: 1 };
/** `ArtifactName::path` (CloudFormation TemplatePath and TemplateConfiguration). */
const ARTIFACT_PATH = { type: 'string', pattern: '^[A-Za-z0-9_-]+::.+$' };

export interface ActionContract {
  readonly source: string;
  /** Allowed numbers of input and output artifacts. */
  readonly inputs: [number, number];
  readonly outputs: [number, number];
  /** JSON Schema of the configuration. */
  readonly configuration: object;
  /** Configuration keys whose value is a JSON document, with the schema of the parsed value. */
  readonly json?: { [key: string]: object };
  /** Configuration keys whose value must name one of the action's input artifacts. */
  readonly inputArtifactKeys?: RegExp;
  /**
   * The action runs its own Commands list (1 to 50 single-line commands of 1 to 1,000 characters),
   * may name OutputVariables (1 to 15, 1 to 128 characters each) and output artifact Files (1 to
   * 10 patterns); other actions take none of these (ActionDeclaration, OutputArtifact).
   */
  readonly commands?: boolean;
}

/** Action type (`Category/Owner/Provider/Version`) to its contract. */
export const ACTIONS: { [type: string]: ActionContract } = {};

const codeBuild: ActionContract = {
  source: `${ACTION_REFERENCE}-CodeBuild.html`,
  inputs: [1, 5],
  outputs: [0, 5],
  configuration: {
    $comment: `CodeBuild action configuration: ${ACTION_REFERENCE}-CodeBuild.html`,
    type: 'object',
    additionalProperties: false,
    required: ['ProjectName'],
    properties: {
      ProjectName: STRING,
      PrimarySource: STRING,
      BatchEnabled: BOOLEAN,
      CombineArtifacts: BOOLEAN,
      EnvironmentVariables: STRING,
      BuildspecOverride: STRING,
    },
  },
  json: {
    EnvironmentVariables: {
      $comment: 'A JSON array of { name, value, type } (type PLAINTEXT, PARAMETER_STORE or SECRETS_MANAGER, default PLAINTEXT).',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'value'],
        properties: { name: STRING, value: { type: 'string' }, type: { enum: ['PLAINTEXT', 'PARAMETER_STORE', 'SECRETS_MANAGER'] } },
      },
    },
  },
  inputArtifactKeys: /^PrimarySource$/,
};
ACTIONS['Build/AWS/CodeBuild/1'] = codeBuild;
ACTIONS['Test/AWS/CodeBuild/1'] = codeBuild;

ACTIONS['Source/AWS/CodeStarSourceConnection/1'] = {
  source: `${ACTION_REFERENCE}-CodestarConnectionSource.html`,
  inputs: [0, 0],
  outputs: [1, 1],
  configuration: {
    $comment: `CodeStarSourceConnection action configuration: ${ACTION_REFERENCE}-CodestarConnectionSource.html`,
    type: 'object',
    additionalProperties: false,
    required: ['ConnectionArn', 'FullRepositoryId', 'BranchName'],
    properties: {
      ConnectionArn: { type: 'string', pattern: '^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:[0-9]{12}:connection/.+$' },
      FullRepositoryId: { type: 'string', pattern: '^[^/\\s]+/[^\\s]+$' },
      BranchName: STRING,
      OutputArtifactFormat: { enum: ['CODE_ZIP', 'CODEBUILD_CLONE_REF'] },
      DetectChanges: BOOLEAN,
    },
  },
};

ACTIONS['Source/AWS/CodeCommit/1'] = {
  source: `${ACTION_REFERENCE}-CodeCommit.html`,
  inputs: [0, 0],
  outputs: [1, 1],
  configuration: {
    $comment: `CodeCommit action configuration: ${ACTION_REFERENCE}-CodeCommit.html`,
    type: 'object',
    additionalProperties: false,
    required: ['RepositoryName', 'BranchName'],
    properties: { RepositoryName: STRING, BranchName: STRING, PollForSourceChanges: BOOLEAN, OutputArtifactFormat: { enum: ['CODE_ZIP', 'CODEBUILD_CLONE_REF'] } },
  },
};

ACTIONS['Source/AWS/S3/1'] = {
  source: `${ACTION_REFERENCE}-S3.html`,
  inputs: [0, 0],
  outputs: [1, 1],
  configuration: {
    $comment: `S3 source action configuration: ${ACTION_REFERENCE}-S3.html`,
    type: 'object',
    additionalProperties: false,
    required: ['S3Bucket', 'S3ObjectKey'],
    properties: { S3Bucket: STRING, S3ObjectKey: STRING, PollForSourceChanges: BOOLEAN, AllowOverrideForS3ObjectKey: BOOLEAN },
  },
};

ACTIONS['Source/AWS/ECR/1'] = {
  source: `${ACTION_REFERENCE}-ECR.html`,
  inputs: [0, 0],
  outputs: [1, 1],
  configuration: {
    $comment: `Amazon ECR source action configuration: ${ACTION_REFERENCE}-ECR.html (ImageTag defaults to latest)`,
    type: 'object',
    additionalProperties: false,
    required: ['RepositoryName'],
    properties: { RepositoryName: STRING, ImageTag: STRING },
  },
};

ACTIONS['Compute/AWS/Commands/1'] = {
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-Commands.html',
  inputs: [1, 10],
  outputs: [0, 1],
  configuration: {
    $comment: 'Commands action configuration (the commands themselves are the action\'s Commands list): https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-Commands.html',
    type: 'object',
    additionalProperties: false,
    properties: {
      EnvironmentType: { enum: ['LINUX_CONTAINER', 'WINDOWS_SERVER_2022_CONTAINER'] },
      ComputeType: { enum: ['BUILD_GENERAL1_SMALL', 'BUILD_GENERAL1_MEDIUM', 'BUILD_GENERAL1_LARGE'] },
      VpcId: STRING,
      Subnets: STRING,
      SecurityGroupIds: STRING,
    },
  },
  commands: true,
};

ACTIONS['Invoke/AWS/InspectorScan/1'] = {
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-InspectorScan.html',
  inputs: [0, 1],
  outputs: [1, 1],
  configuration: {
    $comment: 'InspectorScan action: an ECR image scan names its repository; thresholds are numbers of findings',
    type: 'object',
    additionalProperties: false,
    required: ['InspectorRunMode'],
    properties: {
      InspectorRunMode: { enum: ['SourceCodeScan', 'ECRImageScan'] },
      ECRRepositoryName: STRING,
      ImageTag: STRING,
      CriticalThreshold: { type: 'string', pattern: '^[0-9]+$' },
      HighThreshold: { type: 'string', pattern: '^[0-9]+$' },
      MediumThreshold: { type: 'string', pattern: '^[0-9]+$' },
      LowThreshold: { type: 'string', pattern: '^[0-9]+$' },
    },
    if: { properties: { InspectorRunMode: { const: 'ECRImageScan' } } },
    then: { required: ['ECRRepositoryName'] },
  },
};

ACTIONS['Deploy/AWS/EC2/1'] = {
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-EC2Deploy.html',
  inputs: [1, 1],
  outputs: [0, 0],
  configuration: {
    $comment: 'EC2 deploy action, action-configuration mode (scripts): TargetDirectory and PostScript required with scripts; MaxBatch and MaxError a count or a percentage',
    type: 'object',
    additionalProperties: false,
    required: ['InstanceTagKey', 'InstanceType'],
    properties: {
      InstanceTagKey: STRING,
      InstanceTagValue: STRING,
      InstanceType: { enum: ['EC2', 'SSM_MANAGED_NODE'] },
      TargetDirectory: { type: 'string', pattern: '^/' },
      DeploySpec: STRING,
      PreScript: STRING,
      PostScript: STRING,
      MaxBatch: { type: 'string', pattern: '^([1-9][0-9]*|([1-9][0-9]?|100)%)$' },
      MaxError: { type: 'string', pattern: '^([1-9][0-9]*|([1-9][0-9]?|100)%)$' },
      TargetGroupNameList: STRING,
    },
    oneOf: [{ required: ['DeploySpec'] }, { required: ['TargetDirectory', 'PostScript'] }],
  },
};

ACTIONS['Approval/AWS/Manual/1'] = {
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-action-add.html',
  inputs: [0, 0],
  outputs: [0, 0],
  configuration: {
    $comment: 'Manual approval configuration (all optional): https://docs.aws.amazon.com/codepipeline/latest/userguide/structure-configuration-examples.html',
    type: 'object',
    additionalProperties: false,
    properties: {
      NotificationArn: { type: 'string', pattern: '^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$' },
      CustomData: STRING,
      ExternalEntityLink: STRING,
    },
  },
};

ACTIONS['Deploy/AWS/CodeDeploy/1'] = {
  source: `${ACTION_REFERENCE}-CodeDeploy.html`,
  inputs: [1, 1],
  outputs: [0, 0],
  configuration: {
    $comment: `CodeDeploy action configuration: ${ACTION_REFERENCE}-CodeDeploy.html`,
    type: 'object',
    additionalProperties: false,
    required: ['ApplicationName', 'DeploymentGroupName'],
    properties: { ApplicationName: STRING, DeploymentGroupName: STRING },
  },
};

ACTIONS['Deploy/AWS/CodeDeployToECS/1'] = {
  source: `${ACTION_REFERENCE}-ECSbluegreen.html`,
  inputs: [1, 5],
  outputs: [0, 0],
  configuration: {
    $comment: `CodeDeployToECS action configuration (Image<N> for N from 1 to 4): ${ACTION_REFERENCE}-ECSbluegreen.html`,
    type: 'object',
    additionalProperties: false,
    required: ['ApplicationName', 'DeploymentGroupName', 'TaskDefinitionTemplateArtifact', 'AppSpecTemplateArtifact'],
    properties: {
      ApplicationName: STRING,
      DeploymentGroupName: STRING,
      TaskDefinitionTemplateArtifact: STRING,
      TaskDefinitionTemplatePath: STRING,
      AppSpecTemplateArtifact: STRING,
      AppSpecTemplatePath: STRING,
    },
    patternProperties: {
      '^Image[1-4]ArtifactName$': STRING,
      // The placeholder without its angle brackets: the file holds "<NAME>".
      '^Image[1-4]ContainerName$': { type: 'string', pattern: '^[^<>]+$' },
    },
  },
  inputArtifactKeys: /^(TaskDefinitionTemplateArtifact|AppSpecTemplateArtifact|Image[1-4]ArtifactName)$/,
};

const CLOUDFORMATION_SOURCE = `${ACTION_REFERENCE}-CloudFormation.html`;
const CAPABILITY = '(CAPABILITY_IAM|CAPABILITY_NAMED_IAM|CAPABILITY_AUTO_EXPAND)';
const requireFor = (modes: string[], keys: string[]) => ({ if: { properties: { ActionMode: { enum: modes } } }, then: { required: keys } });
ACTIONS['Deploy/AWS/CloudFormation/1'] = {
  source: CLOUDFORMATION_SOURCE,
  inputs: [0, 10],
  outputs: [0, 1],
  configuration: {
    $comment: `CloudFormation action configuration, keys required per ActionMode: ${CLOUDFORMATION_SOURCE} and https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-action-reference.html`,
    type: 'object',
    additionalProperties: false,
    required: ['ActionMode', 'StackName'],
    properties: {
      ActionMode: { enum: ['CHANGE_SET_EXECUTE', 'CHANGE_SET_REPLACE', 'CREATE_UPDATE', 'DELETE_ONLY', 'REPLACE_ON_FAILURE'] },
      StackName: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9-]{0,127}$' },
      ChangeSetName: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9-]{0,127}$' },
      TemplatePath: ARTIFACT_PATH,
      TemplateConfiguration: ARTIFACT_PATH,
      // Several capabilities are separated by a comma with no space.
      Capabilities: { type: 'string', pattern: `^${CAPABILITY}(,${CAPABILITY})*$` },
      RoleArn: { type: 'string', pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$' },
      // A JSON object of parameter values, at most 1 KB.
      ParameterOverrides: { type: 'string', maxLength: 1024 },
      OutputFileName: STRING,
    },
    allOf: [
      requireFor(['CHANGE_SET_REPLACE', 'CHANGE_SET_EXECUTE'], ['ChangeSetName']),
      requireFor(['CREATE_UPDATE', 'REPLACE_ON_FAILURE', 'CHANGE_SET_REPLACE'], ['TemplatePath']),
      requireFor(['CREATE_UPDATE', 'REPLACE_ON_FAILURE', 'DELETE_ONLY', 'CHANGE_SET_REPLACE'], ['RoleArn']),
    ],
  },
  json: {
    ParameterOverrides: {
      $comment: 'A JSON object of parameter names and values; a value may be a parameter override function: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-parameter-override-functions.html',
      type: 'object',
      additionalProperties: {
        anyOf: [
          { type: 'string' },
          {
            type: 'object', additionalProperties: false, required: ['Fn::GetArtifactAtt'],
            properties: { 'Fn::GetArtifactAtt': { type: 'array', minItems: 2, maxItems: 2, items: [STRING, { enum: ['BucketName', 'ObjectKey', 'URL'] }] } },
          },
          {
            type: 'object', additionalProperties: false, required: ['Fn::GetParam'],
            properties: { 'Fn::GetParam': { type: 'array', minItems: 3, maxItems: 3, items: STRING } },
          },
        ],
      },
    },
  },
  inputArtifactKeys: /^(TemplatePath|TemplateConfiguration)$/,
};

ACTIONS['Deploy/AWS/ECS/1'] = {
  source: `${ACTION_REFERENCE}-ECS.html`,
  inputs: [1, 1],
  outputs: [0, 0],
  configuration: {
    $comment: `ECS standard deploy action configuration (DeploymentTimeout in minutes, up to the action's 60-minute default): ${ACTION_REFERENCE}-ECS.html`,
    type: 'object',
    additionalProperties: false,
    required: ['ClusterName', 'ServiceName'],
    properties: { ClusterName: STRING, ServiceName: STRING, FileName: STRING, DeploymentTimeout: { type: 'string', pattern: '^([1-9]|[1-5][0-9]|60)$' } },
  },
};

ACTIONS['Deploy/AWS/Lambda/1'] = {
  source: `${ACTION_REFERENCE}-LambdaDeploy.html`,
  // "Required if no input artifact is provided" (PublishedTargetVersion): the input is optional.
  inputs: [0, 1],
  outputs: [0, 0],
  configuration: {
    $comment: `Lambda deploy action configuration (V2 pipelines; DeployStrategy and PublishedTargetVersion only with FunctionAlias; Alarms a comma-separated list of at most 10 names): ${ACTION_REFERENCE}-LambdaDeploy.html`,
    type: 'object',
    additionalProperties: false,
    required: ['FunctionName'],
    properties: {
      FunctionName: STRING,
      FunctionAlias: STRING,
      PublishedTargetVersion: STRING,
      DeployStrategy: { type: 'string', pattern: '^(AllAtOnce|Canary[0-9]+Percent[0-9]+Minutes?|Linear[0-9]+PercentEvery[0-9]+Minutes?)$' },
      Alarms: { type: 'string', pattern: '^[^,]+(,[^,]+){0,9}$' },
    },
    dependencies: { DeployStrategy: ['FunctionAlias'], PublishedTargetVersion: ['FunctionAlias'] },
  },
};

ACTIONS['Invoke/AWS/Lambda/1'] = {
  source: `${ACTION_REFERENCE}-Lambda.html`,
  inputs: [0, 5],
  outputs: [0, 5],
  configuration: {
    $comment: `Lambda invoke action configuration: ${ACTION_REFERENCE}-Lambda.html`,
    type: 'object',
    additionalProperties: false,
    required: ['FunctionName'],
    properties: { FunctionName: STRING, UserParameters: { type: 'string' } },
  },
};

/**
 * The DeploymentWindow rule's cron: Seconds (only `*`), Minutes, Hours, Day-of-month, Month,
 * Day-of-week, optional Year; `?` in exactly one day field; names in upper case (the page says
 * they are not case sensitive, and the contract compares them upper-cased).
 */
function windowCron(): string {
  const list = (item: string) => `${item}(,${item})*`;
  const ranged = (n: string) => `(\\*|${n}(-${n})?)(/[0-9]+)?`;
  const minute = list(ranged('[0-5]?[0-9]'));
  const hour = list(ranged('([01]?[0-9]|2[0-3])'));
  const dom = '(0?[1-9]|[12][0-9]|3[01])';
  const dayOfMonth = list(`(L(-[0-9]{1,2})?|LW|${dom}W|${ranged(dom)})`);
  const month = list(ranged('(0?[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)'));
  const dow = '([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)';
  const dayOfWeek = list(`(L|${dow}L|${dow}#[1-5]|${ranged(dow)})`);
  const year = list(ranged('(19[7-9][0-9]|2[01][0-9]{2})'));
  return `^\\*\\s+${minute}\\s+${hour}\\s+(\\?\\s+${month}\\s+${dayOfWeek}|${dayOfMonth}\\s+${month}\\s+\\?)(\\s+${year})?$`;
}

export interface RuleContract {
  readonly source: string;
  readonly configuration: object;
  /** The rule runs its own Commands list (1 to 50 single-line commands of 1 to 1,000 characters, RuleDeclaration); other rules take none. */
  readonly commands?: boolean;
}

export const RULES: { [type: string]: RuleContract } = {
  'Rule/AWS/DeploymentWindow/1': {
    source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html',
    configuration: {
      $comment: 'DeploymentWindow rule: https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html',
      type: 'object',
      additionalProperties: false,
      required: ['Cron'],
      properties: {
        Cron: { type: 'string', pattern: windowCron() },
        // Region/City (IANA), UTC with an optional offset, or a 3-5 letter abbreviation.
        TimeZone: { type: 'string', pattern: '^([A-Za-z_]+(/[A-Za-z0-9_+-]+)+|UTC([+-]([01][0-9]|2[0-3]):[0-5][0-9])?|[A-Z]{3,5})$' },
      },
    },
  },
  'Rule/AWS/CloudWatchAlarm/1': {
    source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html',
    configuration: {
      $comment: 'CloudWatchAlarm rule (WaitTime in minutes): https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html',
      type: 'object',
      additionalProperties: false,
      required: ['AlarmName'],
      properties: { AlarmName: STRING, AlarmStates: { enum: ['ALARM', 'OK', 'INSUFFICIENT_DATA'] }, WaitTime: { type: 'string', pattern: '^[0-9]+$' } },
    },
  },
  'Rule/AWS/LambdaInvoke/1': {
    source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-LambdaInvoke.html',
    configuration: { type: 'object', additionalProperties: false, required: ['FunctionName'], properties: { FunctionName: STRING, UserParameters: { type: 'string' } } },
  },
  'Rule/AWS/VariableCheck/1': {
    source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-VariableCheck.html',
    configuration: {
      $comment: 'VariableCheck rule: the four documented operators; Variable, Operator and Value all required',
      type: 'object',
      additionalProperties: false,
      required: ['Variable', 'Operator', 'Value'],
      properties: { Variable: { type: 'string', pattern: '^#\\{[A-Za-z0-9@_-]+\\.[A-Za-z0-9@_-]+\\}$' }, Operator: { enum: ['EQ', 'NE', 'CONTAINS', 'MATCHES'] }, Value: STRING },
    },
  },
  'Rule/AWS/Commands/1': {
    source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-Commands.html',
    // The commands are the rule's own Commands list, not configuration keys.
    configuration: { type: 'object', additionalProperties: false, properties: {} },
    commands: true,
  },
};

/** Stage conditions: one condition per kind, 1-5 rules each, and the results each kind allows. */
export const CONDITIONS = {
  source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html',
  cfnSource: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-codepipeline-pipeline-stagedeclaration.html',
  results: { BeforeEntry: ['FAIL', 'SKIP'], OnSuccess: ['ROLLBACK', 'FAIL'], OnFailure: ['ROLLBACK'] } as { [kind: string]: string[] },
  /** FailureConditions.Result (the stage's own result on failure). */
  failureResults: ['ROLLBACK', 'RETRY'],
  retryModes: ['FAILED_ACTIONS', 'ALL_ACTIONS'],
  maxRules: 5,
  /** "For Entry conditions that use the Skip result ... only the LambdaInvoke and VariableCheck rules are supported." */
  skipRules: ['LambdaInvoke', 'VariableCheck'],
};

/** ActionDeclaration: configuration keys 1-50 characters, values 1-1000; RuleDeclaration values up to 10,000. */
export const LIMITS = {
  source: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html',
  ruleSource: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_RuleDeclaration.html',
  keyLength: 50,
  valueLength: 1000,
  ruleValueLength: 10000,
  ruleCommands: 50,
  ruleCommandLength: 1000,
};
