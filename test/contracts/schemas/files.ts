/**
 * The files a pipeline generates, as JSON Schemas written from the service reference pages (each
 * cites its page): the CodeBuild buildspec, the CodeDeploy AppSpec for EC2/on-premises and for
 * Amazon ECS, the ECS task definition file and the image files CodePipeline's ECS actions read.
 */

const YES_NO = { anyOf: [{ enum: ['yes', 'no'] }, { type: 'boolean' }] };
const STRINGS = { type: 'array', items: { type: 'string' } };
const STRING = { type: 'string', minLength: 1 };
const SCALAR = { type: ['string', 'number', 'boolean'] };

export const BUILDSPEC_SOURCE = 'https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html';

const phase = (install: boolean) => ({
  type: 'object',
  additionalProperties: false,
  ...(install ? {} : { required: ['commands'] }),
  properties: {
    'run-as': STRING,
    // ABORT and CONTINUE; the RETRY forms (RETRY, RETRY-count, RETRY-regex, RETRY-count-regex) of the current page.
    'on-failure': { type: 'string', pattern: '^(ABORT|CONTINUE|RETRY(-[0-9]{1,3})?(-.+)?)$' },
    ...(install ? { 'runtime-versions': { type: 'object', minProperties: 1, additionalProperties: SCALAR } } : {}),
    commands: { ...STRINGS, minItems: 1 },
    finally: { ...STRINGS, minItems: 1 },
  },
});

const artifact = {
  type: 'object',
  additionalProperties: false,
  required: ['files'],
  properties: {
    'files': { ...STRINGS, minItems: 1 },
    'name': STRING,
    'discard-paths': YES_NO,
    'base-directory': STRING,
    'exclude-paths': { anyOf: [STRING, STRINGS] },
    'enable-symlinks': YES_NO,
    's3-prefix': STRING,
  },
};

const batchEnv = {
  type: 'object',
  additionalProperties: false,
  properties: { 'compute-type': STRING, 'image': STRING, 'privileged-mode': { type: 'boolean' }, 'type': STRING, 'variables': { type: 'object', additionalProperties: SCALAR } },
};
const batchTask = {
  type: 'object',
  additionalProperties: false,
  required: ['identifier'],
  properties: {
    'identifier': { type: 'string', pattern: '^[A-Za-z0-9_]+$' }, 'buildspec': STRING, 'debug-session': { type: 'boolean' },
    'env': batchEnv, 'ignore-failure': { type: 'boolean' }, 'depend-on': STRINGS,
  },
};

/** Buildspec version 0.2 (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html; batch keys: batch-build-buildspec.html). */
export const BUILDSPEC = {
  $comment: `Buildspec version 0.2: ${BUILDSPEC_SOURCE}; batch: https://docs.aws.amazon.com/codebuild/latest/userguide/batch-build-buildspec.html`,
  type: 'object',
  additionalProperties: false,
  required: ['version', 'phases'],
  properties: {
    'version': { enum: [0.2, '0.2'] },
    'run-as': STRING,
    'env': {
      type: 'object',
      additionalProperties: false,
      properties: {
        'shell': { enum: ['bash', '/bin/sh', 'powershell.exe', 'cmd.exe'] },
        // "Do not set any environment variable with a name that starts with CODEBUILD_."
        'variables': { type: 'object', additionalProperties: SCALAR, propertyNames: { not: { pattern: '^CODEBUILD_' } } },
        'parameter-store': { type: 'object', additionalProperties: { type: 'string' } },
        'exported-variables': { ...STRINGS, items: { type: 'string', not: { pattern: '^AWS_' } } },
        'secrets-manager': { type: 'object', additionalProperties: { type: 'string', pattern: '^[^:]+(:[^:]*){0,3}$' } },
        'git-credential-helper': YES_NO,
      },
    },
    'proxy': { type: 'object', additionalProperties: false, properties: { 'upload-artifacts': YES_NO, 'logs': YES_NO } },
    'batch': {
      type: 'object',
      additionalProperties: false,
      properties: {
        'fast-fail': { type: 'boolean' },
        'build-list': { type: 'array', items: batchTask },
        'build-graph': { type: 'array', items: batchTask },
        'build-matrix': {
          type: 'object',
          additionalProperties: false,
          properties: {
            static: { type: 'object', additionalProperties: false, properties: { 'ignore-failure': { type: 'boolean' }, 'env': batchEnv } },
            dynamic: {
              type: 'object',
              additionalProperties: false,
              properties: {
                buildspec: STRINGS,
                env: { type: 'object', additionalProperties: false, properties: { 'compute-type': STRINGS, 'image': STRINGS, 'variables': { type: 'object', additionalProperties: STRINGS } } },
              },
            },
          },
        },
      },
    },
    'phases': {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: { install: phase(true), pre_build: phase(false), build: phase(false), post_build: phase(false) },
    },
    'reports': {
      type: 'object',
      // "A project can have a maximum of five report groups."
      maxProperties: 5,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['files'],
        properties: {
          'files': { ...STRINGS, minItems: 1 },
          'base-directory': STRING,
          'discard-paths': YES_NO,
          'file-format': { enum: ['CUCUMBERJSON', 'JUNITXML', 'NUNITXML', 'NUNIT3XML', 'TESTNGXML', 'VISUALSTUDIOTRX', 'CLOVERXML', 'COBERTURAXML', 'JACOCOXML', 'SIMPLECOV'] },
        },
      },
    },
    'artifacts': { ...artifact, properties: { ...artifact.properties, 'secondary-artifacts': { type: 'object', additionalProperties: artifact } } },
    'cache': {
      type: 'object',
      additionalProperties: false,
      required: ['paths'],
      properties: { 'paths': { ...STRINGS, minItems: 1 }, 'key': STRING, 'fallback-keys': { ...STRINGS, maxItems: 5 }, 'action': { enum: ['restore', 'save'] } },
    },
  },
};

export const SERVER_APPSPEC_SOURCE = 'https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure.html';
export const HOOKS_SOURCE = 'https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html';

/** Lifecycle events of EC2/on-premises deployments that can run scripts (DownloadBundle, Install, BlockTraffic and AllowTraffic cannot). */
export const SERVER_HOOK_EVENTS = ['ApplicationStop', 'BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService', 'BeforeBlockTraffic', 'AfterBlockTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'];
/** "3600 seconds (1 hour) is the maximum amount of time allowed for script execution for each deployment lifecycle event." */
export const MAX_EVENT_SECONDS = 3600;

/** AppSpec for EC2/on-premises. */
export const SERVER_APPSPEC = {
  $comment: `AppSpec file for EC2/on-premises: ${SERVER_APPSPEC_SOURCE}; files: reference-appspec-file-structure-files.html; permissions (Linux only): reference-appspec-file-structure-permissions.html; hooks: ${HOOKS_SOURCE}`,
  type: 'object',
  additionalProperties: false,
  required: ['version', 'os'],
  properties: {
    version: { enum: ['0.0', 0] },
    os: { enum: ['linux', 'windows'] },
    files: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['source', 'destination'], properties: { source: STRING, destination: STRING } },
    },
    file_exists_behavior: { enum: ['DISALLOW', 'OVERWRITE', 'RETAIN'] },
    permissions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['object'],
        properties: {
          object: STRING, pattern: STRING, except: { anyOf: [STRING, STRINGS] }, owner: STRING, group: STRING,
          mode: { anyOf: [{ type: 'string', pattern: '^[0-7]{3,4}$' }, { type: 'integer' }] },
          acls: STRINGS, context: { type: 'object', additionalProperties: false, properties: { user: STRING, type: STRING, range: STRING } },
          type: { type: 'array', items: { enum: ['file', 'directory'] } },
        },
      },
    },
    hooks: {
      type: 'object',
      propertyNames: { enum: SERVER_HOOK_EVENTS },
      additionalProperties: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['location'],
          properties: { location: STRING, timeout: { type: 'integer', minimum: 1, maximum: MAX_EVENT_SECONDS }, runas: STRING },
        },
      },
    },
  },
  // Permissions and runas apply to Linux instances only.
  if: { properties: { os: { const: 'windows' } } },
  then: { not: { anyOf: [{ required: ['permissions'] }, { properties: { hooks: { additionalProperties: { items: { required: ['runas'] } } } }, required: ['hooks'] }] } },
};

export const ECS_APPSPEC_SOURCE = 'https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-resources.html';

/** AppSpec for Amazon ECS (the TaskDefinition is CodePipeline's `<TASK_DEFINITION>` placeholder when CodeDeployToECS fills it in). */
export const ECS_APPSPEC = {
  $comment: `AppSpec file for Amazon ECS: ${ECS_APPSPEC_SOURCE}; hooks: ${HOOKS_SOURCE}; the <TASK_DEFINITION> placeholder: https://docs.aws.amazon.com/codepipeline/latest/userguide/tutorials-ecs-ecr-codedeploy.html`,
  type: 'object',
  additionalProperties: false,
  required: ['version', 'Resources'],
  properties: {
    version: { enum: ['0.0', 0] },
    Resources: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['TargetService'],
        properties: {
          TargetService: {
            type: 'object',
            additionalProperties: false,
            required: ['Type', 'Properties'],
            properties: {
              Type: { const: 'AWS::ECS::Service' },
              Properties: {
                type: 'object',
                additionalProperties: false,
                required: ['TaskDefinition', 'LoadBalancerInfo'],
                properties: {
                  TaskDefinition: STRING,
                  LoadBalancerInfo: {
                    type: 'object', additionalProperties: false, required: ['ContainerName', 'ContainerPort'],
                    properties: { ContainerName: STRING, ContainerPort: { type: 'integer', minimum: 1, maximum: 65535 } },
                  },
                  PlatformVersion: STRING,
                  // "All or none of the settings under NetworkConfiguration must be specified."
                  NetworkConfiguration: {
                    type: 'object', additionalProperties: false, required: ['AwsvpcConfiguration'],
                    properties: {
                      AwsvpcConfiguration: {
                        type: 'object', additionalProperties: false, required: ['Subnets', 'SecurityGroups', 'AssignPublicIp'],
                        properties: { Subnets: { ...STRINGS, minItems: 1 }, SecurityGroups: { ...STRINGS, minItems: 1 }, AssignPublicIp: { enum: ['ENABLED', 'DISABLED'] } },
                      },
                    },
                  },
                  CapacityProviderStrategy: {
                    type: 'array',
                    items: { type: 'object', additionalProperties: false, properties: { Base: { type: 'integer', minimum: 0 }, CapacityProvider: STRING, Weight: { type: 'integer', minimum: 0 } } },
                  },
                },
              },
            },
          },
        },
      },
    },
    Hooks: {
      type: 'array',
      items: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        propertyNames: { enum: ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'] },
        additionalProperties: STRING,
      },
    },
  },
};

export const TASKDEF_SOURCE = 'https://docs.aws.amazon.com/codepipeline/latest/userguide/tutorials-ecs-ecr-codedeploy.html';

/**
 * taskdef.json for CodeDeployToECS: a task definition as RegisterTaskDefinition takes it, with the
 * image placeholder `<NAME>` in the container image the pipeline fills in.
 */
export const TASKDEF = {
  $comment: `Task definition file of the CodeDeployToECS action: ${TASKDEF_SOURCE}; keys: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html`,
  type: 'object',
  required: ['family', 'containerDefinitions'],
  properties: {
    family: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,255}$' },
    containerDefinitions: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', required: ['name', 'image'], properties: { name: STRING, image: STRING, portMappings: { type: 'array', items: { type: 'object', properties: { containerPort: { type: 'integer' }, hostPort: { type: 'integer' }, protocol: { enum: ['tcp', 'udp'] } } } } } },
    },
    executionRoleArn: STRING,
    taskRoleArn: STRING,
    networkMode: { enum: ['bridge', 'host', 'awsvpc', 'none'] },
    requiresCompatibilities: { type: 'array', items: { enum: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] } },
    cpu: { type: 'string' },
    memory: { type: 'string' },
  },
};

export const IMAGE_FILES_SOURCE = 'https://docs.aws.amazon.com/codepipeline/latest/userguide/file-reference.html';

/** imageDetail.json (ECS blue/green): an object with ImageURI. */
export const IMAGE_DETAIL = {
  $comment: `imageDetail.json: ${IMAGE_FILES_SOURCE}#file-reference-ecs-bluegreen`,
  type: 'object',
  required: ['ImageURI'],
  properties: { ImageURI: STRING },
};

/** imagedefinitions.json (ECS standard deploy): a list of { name, imageUri }, at most 100 KB. */
export const IMAGE_DEFINITIONS = {
  $comment: `imagedefinitions.json: ${IMAGE_FILES_SOURCE}#pipelines-create-image-definitions`,
  type: 'array',
  minItems: 1,
  items: { type: 'object', additionalProperties: false, required: ['name', 'imageUri'], properties: { name: STRING, imageUri: STRING } },
};
