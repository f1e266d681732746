import * as fs from 'fs';
import * as path from 'path';
import { checkTemplate, contractReport } from '.';

/** A template with one identity policy holding the given statements. */
function policy(...statements: object[]) {
  return {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      Policy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: statements } } },
      Bucket: { Type: 'AWS::S3::Bucket' },
      App: { Type: 'AWS::CodeDeploy::Application' },
    },
  };
}
const allow = (Action: unknown, Resource: unknown, Condition?: object) => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const requirements = (t: object) => checkTemplate(t).map((v) => `${v.at}: ${v.requires}`);

describe('IAM contract (Service Authorization Reference)', () => {
  test('fails on a CodeDeploy deployment group ARN with a slash after the type (it names nothing)', () => {
    const slash = join('arn:', { Ref: 'AWS::Partition' }, ':codedeploy:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':deploymentgroup/', { Ref: 'App' }, '/web');
    expect(requirements(policy(allow('codedeploy:CreateDeploymentGroup', slash)))).toEqual([
      expect.stringMatching(/^Properties\.PolicyDocument\.Statement\[0\]\.Action: a resource of a type codedeploy:CreateDeploymentGroup accepts: arn:\$\{Partition\}:codedeploy:\$\{Region\}:\$\{Account\}:deploymentgroup:\$\{ApplicationName\}\/\$\{DeploymentGroupName\}$/),
    ]);
    const colon = join('arn:', { Ref: 'AWS::Partition' }, ':codedeploy:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':deploymentgroup:', { Ref: 'App' }, '/web');
    expect(requirements(policy(allow('codedeploy:CreateDeploymentGroup', colon)))).toEqual([]);
  });

  test('fails on an action without resource-level permissions granted on an ARN, and passes it on "*"', () => {
    expect(requirements(policy(allow(['cloudformation:DescribeStacks', 'cloudformation:ValidateTemplate'], 'arn:aws:cloudformation:us-east-1:111111111111:stack/app/*')))).toEqual([
      'Properties.PolicyDocument.Statement[0].Action[1]: Resource "*": cloudformation:ValidateTemplate has no resource-level permissions, so a statement naming a resource grants nothing',
    ]);
    expect(requirements(policy(allow('cloudformation:ValidateTemplate', '*')))).toEqual([]);
  });

  test('fails on actions and services that do not exist, and wildcards that match nothing', () => {
    expect(requirements(policy(allow(['s3:GetObjekt', 's3:Fetch*', 'nosuchservice:Get', 's3:GetObject*'], '*')))).toEqual([
      "Properties.PolicyDocument.Statement[0].Action[0]: an action that exists: s3 has no action 'GetObjekt'",
      'Properties.PolicyDocument.Statement[0].Action[1]: a wildcard that matches at least one s3 action (it matches none)',
      "Properties.PolicyDocument.Statement[0].Action[2]: an action of an existing service prefix ('nosuchservice' is not one)",
    ]);
  });

  test('fails on an object action granted on the bucket only, and passes bucket and object ARNs from tokens', () => {
    const bucket = { 'Fn::GetAtt': ['Bucket', 'Arn'] };
    expect(requirements(policy(allow('s3:GetObject', bucket)))).toEqual([expect.stringContaining('or arn:${Partition}:s3:::${BucketName}/${ObjectName}')]);
    expect(requirements(policy(allow(['s3:GetObject', 's3:ListBucket'], [bucket, join(bucket, '/*')])))).toEqual([]);
  });

  test('a token stands for a name, never for the colon of an ARN', () => {
    // "deploymentgroup" + token + "/web" cannot become "deploymentgroup:APP/web".
    const glued = join('arn:aws:codedeploy:us-east-1:111111111111:deploymentgroup', { Ref: 'App' }, '/web');
    expect(requirements(policy(allow('codedeploy:GetDeploymentGroup', glued)))).toHaveLength(1);
    // An imported value could be any ARN: nothing to prove.
    expect(requirements(policy(allow('codedeploy:GetDeploymentGroup', { 'Fn::ImportValue': 'GroupArn' })))).toEqual([]);
  });

  test('fails on a resource no action of the statement accepts', () => {
    expect(requirements(policy(allow(['s3:GetObject'], [join({ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*'), 'arn:aws:sns:us-east-1:111111111111:topic'])))).toEqual([
      expect.stringMatching(/^Properties\.PolicyDocument\.Statement\[0\]\.Resource\[1\]: a resource one of the statement's actions \(s3:GetObject\) accepts/),
    ]);
  });

  test('fails on condition keys that are neither global nor the service\'s', () => {
    expect(requirements(policy(
      allow('iam:PassRole', 'arn:aws:iam::111111111111:role/x', { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com', 'iam:PassedToServise': 'x' } }),
      allow('sns:Publish', '*', { StringEquals: { 'aws:SourceAccount': '111111111111', 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } }),
    ))).toEqual([
      'Properties.PolicyDocument.Statement[0].Condition.StringEquals: a global condition key or a condition key of iam',
      'Properties.PolicyDocument.Statement[1].Condition.StringEquals: a global condition key or a condition key of sns',
    ]);
  });

  test('a parent beside an unrelated resource of the same prefix is still reported; web-identity keys are the provider\'s', () => {
    expect(requirements(policy(allow('s3:GetObject', ['arn:aws:s3:::shop', 'arn:aws:s3:::shop-logs/*'])))).toEqual([
      expect.stringMatching(/^Properties\.PolicyDocument\.Statement\[0\]\.Resource\[0\]: a resource one of the statement's actions/),
    ]);
    expect(requirements(policy(allow('s3:GetObject', ['arn:aws:s3:::shop', 'arn:aws:s3:::shop/*'])))).toEqual([]);
    const github = { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:my-org/shop:*' } } };
    expect(requirements({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [github] } } } } })).toEqual([]);
  });

  test('follows the CodeDeploy guide where the reference lists no resource type (recorded exceptions)', () => {
    const group = 'arn:aws:codedeploy:us-east-1:111111111111:deploymentgroup:shop/web';
    expect(requirements(policy(allow(['codedeploy:PutLifecycleEventHookExecutionStatus', 'codedeploy:GetDeploymentTarget', 'codedeploy:ListDeploymentTargets', 'codedeploy:StopDeployment'], group)))).toEqual([]);
  });

  test('checks trust, key and bucket policies too', () => {
    const t = {
      Resources: {
        Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypts', Resource: '*' }] } } },
        Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRoles' }] } } },
      },
    };
    expect(requirements(t)).toEqual([
      "Properties.KeyPolicy.Statement[0].Action: an action that exists: kms has no action 'Decrypts'",
      "Properties.AssumeRolePolicyDocument.Statement[0].Action: an action that exists: sts has no action 'AssumeRoles'",
    ]);
  });
});

describe('API call contract (AWS SDK v3 models)', () => {
  const call = (create: object, statements: object[] = [{ Effect: 'Allow', Action: 'codedeploy:CreateDeploymentGroup', Resource: '*' }]) => ({
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
      Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }] } },
      Group: { Type: 'Custom::Group', Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Create: JSON.stringify(create) } },
    },
  });
  const base = { applicationName: 'shop', deploymentGroupName: 'web', serviceRoleArn: 'arn:aws:iam::111111111111:role/x' };

  test('passes a call that matches the operation\'s input shape', () => {
    expect(requirements(call({ service: 'CodeDeploy', action: 'createDeploymentGroup', parameters: { ...base, deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' } } }))).toEqual([]);
  });

  test('fails on wrong member casing, unknown members, missing required members and values outside an enum', () => {
    expect(requirements(call({ service: 'CodeDeploy', action: 'createDeploymentGroup', parameters: {
      ApplicationName: 'shop', deploymentGroupName: 'web', serviceRoleArn: 'r', deploymentStyle: { deploymentType: 'BLUE_GREN' }, colour: 'blue',
    } }))).toEqual([
      "Properties.Create.parameters.ApplicationName: CreateDeploymentGroup: the member name 'applicationName' (casing matters)",
      'Properties.Create.parameters.deploymentStyle.deploymentType: CreateDeploymentGroup: one of BLUE_GREEN, IN_PLACE',
      expect.stringMatching(/^Properties\.Create\.parameters\.colour: CreateDeploymentGroup: a member of CreateDeploymentGroupCommandInput: applicationName, /),
      'Properties.Create.parameters.applicationName: CreateDeploymentGroup: the required member applicationName of CreateDeploymentGroupCommandInput',
    ]);
  });

  test('fails on an unknown operation, an ignored error the operation never throws, and a role that may not call it', () => {
    expect(requirements(call({ service: 'CodeDeploy', action: 'createDeploymentGroups', parameters: base }))).toEqual(['Properties.Create.action: an operation of @aws-sdk/client-codedeploy']);
    expect(requirements(call({ service: 'CodeDeploy', action: 'createDeploymentGroup', parameters: base, ignoreErrorCodesMatching: 'DeploymentGroupDoesNotExistException' })))
      .toEqual([expect.stringMatching(/^Properties\.Create\.ignoreErrorCodesMatching: a pattern matching an error CreateDeploymentGroup throws: /)]);
    expect(requirements(call({ service: 'CodeDeploy', action: 'createDeploymentGroup', parameters: base }, [{ Effect: 'Allow', Action: 'codedeploy:UpdateDeploymentGroup', Resource: '*' }])))
      .toEqual(["Properties.Create.action: the function's role to allow codedeploy:CreateDeploymentGroup"]);
  });
});

describe('CodePipeline contract (action and rule references)', () => {
  const pipeline = (stage: object) => ({ Resources: { Pipeline: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: [stage] } } } });
  const action = (provider: string, category: string, configuration: object, inputs: string[] = ['Src'], outputs: string[] = []) => ({
    Name: 'A', ActionTypeId: { Category: category, Owner: 'AWS', Provider: provider, Version: '1' }, Configuration: configuration,
    InputArtifacts: inputs.map((Name) => ({ Name })), OutputArtifacts: outputs.map((Name) => ({ Name })),
  });
  const window = (Cron: string) => ({ Name: 'S', Actions: [action('Manual', 'Approval', {}, [])], BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: [{ Name: 'W', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' }, Configuration: { Cron, TimeZone: 'Europe/Paris' } }] }] } });

  test('fails on a deployment window written minutes first, and passes it seconds first', () => {
    expect(requirements(pipeline(window('0 8-16 ? * MON-FRI *')))).toEqual([expect.stringMatching(/^Properties\.Stages\[0\]\.BeforeEntry\.Conditions\[0\]\.Rules\[0\]\.Configuration\.Cron: must match pattern/)]);
    expect(requirements(pipeline(window('* * 8-16 ? * mon-fri *')))).toEqual([]);
    expect(requirements(pipeline(window('* 0 9 * * MON')))).toHaveLength(1);
  });

  test('fails on unknown or missing configuration keys, bad values and wrong artifact counts', () => {
    expect(requirements(pipeline({ Name: 'D', Actions: [action('CloudFormation', 'Deploy', { ActionMode: 'CREATE_UPDATE', StackName: 'app', TemplatePath: 'Other::t.json', Capabilities: 'CAPABILITY_IAM, CAPABILITY_AUTO_EXPAND', Colour: 'x' })] })).sort()).toEqual([
      'Properties.Stages[0].Actions[0].Configuration.Capabilities: must match pattern "^(CAPABILITY_IAM|CAPABILITY_NAMED_IAM|CAPABILITY_AUTO_EXPAND)(,(CAPABILITY_IAM|CAPABILITY_NAMED_IAM|CAPABILITY_AUTO_EXPAND))*$"',
      "Properties.Stages[0].Actions[0].Configuration.TemplatePath: the name of one of the action's input artifacts (Src)",
      'Properties.Stages[0].Actions[0].Configuration: must NOT have additional properties: Colour',
      "Properties.Stages[0].Actions[0].Configuration: must have required property 'RoleArn'",
    ]);
    expect(requirements(pipeline({ Name: 'D', Actions: [action('CodeDeploy', 'Deploy', { ApplicationName: 'a', DeploymentGroupName: 'g' }, [])] })))
      .toEqual(['Properties.Stages[0].Actions[0].InputArtifacts: 1 to 1 input artifacts for Deploy/AWS/CodeDeploy/1']);
    expect(requirements(pipeline({ Name: 'A', Actions: [action('Manual', 'Approval', { CustomData: 'x'.repeat(1001) }, [])] })))
      .toEqual(['Properties.Stages[0].Actions[0].Configuration.CustomData: a value of 1 to 1000 characters']);
  });

  test('fails on Lambda deploy actions with a strategy or version but no alias, a strategy the action has no name for, or more than 10 alarms', () => {
    const lambdaDeploy = (configuration: object, inputs: string[] = ['Src']) => pipeline({ Name: 'D', Actions: [action('Lambda', 'Deploy', { FunctionName: 'api', ...configuration }, inputs)] });
    expect(requirements(lambdaDeploy({ FunctionAlias: 'live', DeployStrategy: 'Canary10Percent5Minutes', Alarms: 'a,b' }))).toEqual([]);
    expect(requirements(lambdaDeploy({ FunctionAlias: 'live', PublishedTargetVersion: '3' }, []))).toEqual([]);
    expect(requirements(lambdaDeploy({ DeployStrategy: 'AllAtOnce', PublishedTargetVersion: '3' })).sort()).toEqual([
      "Properties.Stages[0].Actions[0].Configuration: must have property FunctionAlias when property DeployStrategy is present",
      "Properties.Stages[0].Actions[0].Configuration: must have property FunctionAlias when property PublishedTargetVersion is present",
    ]);
    expect(requirements(lambdaDeploy({ FunctionAlias: 'live', DeployStrategy: 'Canary 10%', Alarms: Array.from({ length: 11 }, (_, i) => `a${i}`).join(',') }))).toEqual([
      expect.stringMatching(/Configuration\.DeployStrategy: must match pattern/),
      expect.stringMatching(/Configuration\.Alarms: must match pattern/),
    ]);
  });

  test('fails on a provider without a contract, SKIP entry conditions on other rules, and results a condition kind does not take', () => {
    expect(requirements(pipeline({ Name: 'X', Actions: [action('Jenkins', 'Build', {})] }))).toEqual([expect.stringMatching(/ActionTypeId: an action type this suite has a contract for/)]);
    const gate = { Name: 'G', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' }, Configuration: { AlarmName: 'a' } };
    expect(requirements(pipeline({ Name: 'S', Actions: [action('Manual', 'Approval', {}, [])], BeforeEntry: { Conditions: [{ Result: 'SKIP', Rules: [gate] }] }, OnSuccess: { Conditions: [{ Result: 'SKIP', Rules: [gate] }] } }))).toEqual([
      'Properties.Stages[0].BeforeEntry.Conditions[0].Rules[0].RuleTypeId: a LambdaInvoke or VariableCheck rule: entry conditions with the SKIP result take no other',
      'Properties.Stages[0].OnSuccess.Conditions[0].Result: one of ROLLBACK, FAIL for OnSuccess conditions',
    ]);
  });

  test('fails on variable checks with an unknown operator, and commands rules without commands or with multi-line ones', () => {
    const rule = (Provider: string, extra: object) => ({ Name: 'R', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider, Version: '1' }, ...extra });
    const stage = (r: object) => pipeline({ Name: 'S', Actions: [action('Manual', 'Approval', {}, [])], OnSuccess: { Conditions: [{ Result: 'ROLLBACK', Rules: [r] }] } });
    expect(requirements(stage(rule('VariableCheck', { Configuration: { Variable: '#{variables.FREEZE}', Operator: 'GT', Value: '1' } })))).toEqual([
      expect.stringMatching(/^Properties\.Stages\[0\]\.OnSuccess\.Conditions\[0\]\.Rules\[0\]\.Configuration\.Operator: must be equal to one of the allowed values/),
    ]);
    expect(requirements(stage(rule('VariableCheck', { Configuration: { Variable: '#{variables.FREEZE}', Operator: 'EQ', Value: 'true' } })))).toEqual([]);
    expect(requirements(stage(rule('Commands', { Configuration: {}, Commands: ['echo a\necho b'] })))).toEqual([
      'Properties.Stages[0].OnSuccess.Conditions[0].Rules[0].Commands[0]: a single-line command of 1 to 1000 characters',
    ]);
    expect(requirements(stage(rule('Commands', { Configuration: {} })))).toEqual(['Properties.Stages[0].OnSuccess.Conditions[0].Rules[0].Commands: 1 to 50 commands']);
    expect(requirements(stage(rule('CloudWatchAlarm', { Configuration: { AlarmName: 'a' }, Commands: ['true'] })))).toEqual(['Properties.Stages[0].OnSuccess.Conditions[0].Rules[0].Commands: no commands: only Commands rules run commands']);
  });
});

describe('generated files contract (buildspec, AppSpec, task definition and image files)', () => {
  const project = (buildSpec: unknown, variables: object[] = []) => ({
    Resources: { Project: { Type: 'AWS::CodeBuild::Project', Properties: { Source: { Type: 'CODEPIPELINE', BuildSpec: buildSpec }, Environment: { EnvironmentVariables: variables } } } },
  });
  const writes = (path: string, lines: string[]) => `printf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')} > '${path}'`;
  const spec = (...commands: string[]) => `version: "0.2"\nphases:\n  build:\n    commands:\n${commands.map((c) => `      - ${JSON.stringify(c)}\n`).join('')}`;

  test('fails on buildspec keys the reference does not have, and on artifacts without files', () => {
    expect(requirements(project('version: 0.2\nphases:\n  compile:\n    commands: [make]\nartifacts:\n  secondary-artifacts:\n    Out:\n      files: ["**/*"]\n'))).toEqual([
      'Properties.Source.BuildSpec:phases: must NOT have additional properties: compile',
      "Properties.Source.BuildSpec:artifacts: must have required property 'files'",
    ]);
  });

  test('fails on an EC2 appspec whose scripts of one event add up to more than 3600 seconds, or written with version 0', () => {
    const appspec = ['version: 0', 'os: linux', 'hooks:', '  ApplicationStart:', '    - location: a.sh', '      timeout: 3000', '    - location: b.sh', '      timeout: 3000'];
    expect(requirements(project(spec(writes('appspec.yml', appspec))))).toEqual([
      'Properties.Source.BuildSpec:phases (writes appspec.yml):version: version: 0.0',
      'Properties.Source.BuildSpec:phases (writes appspec.yml):hooks.ApplicationStart: at most 3600 seconds for all scripts of one lifecycle event together',
    ]);
  });

  test('fails on an ECS appspec without the task definition placeholder, and a taskdef without the image placeholder the action names', () => {
    const appspec = ['version: 0.0', 'Resources:', '  - TargetService:', '      Type: AWS::ECS::Service', '      Properties:', '        TaskDefinition: arn:aws:ecs:us-east-1:111111111111:task-definition/web:1', '        LoadBalancerInfo:', '          ContainerName: web', '          ContainerPort: 8080'];
    const taskdef = '{"family":"web","containerDefinitions":[{"name":"web","image":"nginx:latest"}]}';
    const t: { Resources: { [id: string]: object } } = project(spec(writes('appspec.yaml', appspec), 'printf \'%s\\n\' "$TASKDEF" > taskdef.json'), [{ Name: 'TASKDEF', Value: taskdef }]);
    t.Resources.Pipeline = { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: [{ Name: 'D', Actions: [{ Name: 'Deploy', ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'CodeDeployToECS', Version: '1' },
      Configuration: { ApplicationName: 'a', DeploymentGroupName: 'g', TaskDefinitionTemplateArtifact: 'Files', AppSpecTemplateArtifact: 'Files', Image1ArtifactName: 'Image', Image1ContainerName: 'IMAGE1_NAME' },
      InputArtifacts: [{ Name: 'Files' }, { Name: 'Image' }] }] }] } };
    expect(requirements(t)).toEqual([
      'Properties.Source.BuildSpec:phases (writes appspec.yaml):Resources.0.TargetService.Properties.TaskDefinition: the <TASK_DEFINITION> placeholder, which CodeDeployToECS replaces with the task definition it registers',
      'Properties.Stages[0].Actions[0].Configuration.Image1ContainerName: a task definition file whose container image is the placeholder <IMAGE1_NAME> (found none)',
    ]);
  });

  test('fails on image files with the wrong keys', () => {
    expect(requirements(project(spec('printf \'{"ImageUri":"%s"}\' "$IMAGE_URI" > imageDetail.json', 'printf \'[{"name":"%s","image":"%s"}]\' web "$IMAGE_URI" > imagedefinitions.json')))).toEqual([
      "Properties.Source.BuildSpec:phases (writes imageDetail.json):/: must have required property 'ImageURI'",
      "Properties.Source.BuildSpec:phases (writes imagedefinitions.json):0: must have required property 'imageUri'",
      'Properties.Source.BuildSpec:phases (writes imagedefinitions.json):0: must NOT have additional properties: image',
    ]);
  });
});

describe('contract reports', () => {
  test('name the template, the resource, the JSON path, what AWS requires and the source', () => {
    const [report] = contractReport('Shop', policy(allow('cloudformation:ValidateTemplate', 'arn:aws:cloudformation:us-east-1:111111111111:stack/app/*')));
    expect(report.split('\n')).toEqual([
      '[IAM] template Shop, resource Policy (Policy)',
      '  in Properties.PolicyDocument.Statement[0].Action: cloudformation:ValidateTemplate on arn:aws:cloudformation:us-east-1:111111111111:stack/app/*',
      '  AWS requires: Resource "*": cloudformation:ValidateTemplate has no resource-level permissions, so a statement naming a resource grants nothing',
      expect.stringMatching(/^ {2}source: Service Authorization Reference \(@cloud-copilot\/iam-data [\d.]+, data of \d{4}-\d{2}-\d{2}\): https:\/\/docs\.aws\.amazon\.com\/service-authorization\//),
    ]);
  });
});

describe('integration test snapshots', () => {
  // Read from disk: the integ-runner snapshots hold every example with its API assertions, no synthesis needed.
  const root = path.join(__dirname, '..');
  const files = fs.readdirSync(root).filter((d) => d.endsWith('.snapshot')).flatMap((d) => fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.template.json')).map((f) => path.join(d, f)));

  test.each(files)('%s keeps every contract', (file) => {
    expect(contractReport(file, JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')))).toEqual([]);
  });
});
