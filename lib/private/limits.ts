/**
 * The quota catalogue: every limit of an AWS service that a construct or a rule of this library
 * checks, in one place, each with where AWS documents it. Constructs check them when they are
 * built (with a fix); the rules in lib/checks check the finished template against the same
 * numbers. Name and value patterns live in names.ts and credentials.ts.
 */

/** A range a service accepts, both ends included, and the page that says so. */
export interface Quota {
  readonly min: number;
  readonly max: number;
  /** Where AWS documents the limit. */
  readonly source: string;
  /** A gloss for messages, e.g. '60 days'. */
  readonly note?: string;
}

const CODEPIPELINE_QUOTAS = 'https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html';
const CODEPIPELINE_STRUCTURE = 'https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-pipeline-structure.html';
const CODEPIPELINE_ACTION_API = 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html';
const CODEPIPELINE_CONDITIONS = 'https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html';
const CODEPIPELINE_GIT_FILTERS = 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GitConfiguration.html';
const CODEBUILD_CREATE_PROJECT = 'https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html';
const CODEBUILD_BUILDSPEC = 'https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html';
const CODEDEPLOY_QUOTAS = 'https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html';
const APPSPEC_HOOKS = 'https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html';
const SNS_CREATE_TOPIC = 'https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html';
const ECS_LINEAR = 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html';
const CODEPIPELINE_ECS_ACTION = 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECS.html';
const CODECOMMIT_QUOTAS = 'https://docs.aws.amazon.com/codecommit/latest/userguide/limits.html';

// ---- CodePipeline -------------------------------------------------------------------------------

/** Stages of a pipeline: a source stage and at least one more. */
export const PIPELINE_STAGES: Quota = { min: 2, max: 50, source: CODEPIPELINE_QUOTAS };
/** Actions in one stage. */
export const STAGE_ACTIONS: Quota = { min: 1, max: 50, source: CODEPIPELINE_QUOTAS };
/** Actions in one pipeline. */
export const PIPELINE_ACTIONS: Quota = { min: 1, max: 500, source: CODEPIPELINE_QUOTAS };
/** An action's runOrder. */
export const RUN_ORDER: Quota = { min: 1, max: 999, source: CODEPIPELINE_STRUCTURE };
/** Characters of an action configuration key. */
export const ACTION_CONFIGURATION_KEY: Quota = { min: 1, max: 50, source: CODEPIPELINE_QUOTAS };
/** Characters of an action configuration value (CloudFormation parameter overrides: bytes). */
export const ACTION_CONFIGURATION_VALUE: Quota = { min: 0, max: 1000, source: CODEPIPELINE_QUOTAS };
/** Minutes of a manual approval's timeout (V2; no other action takes one). */
export const APPROVAL_TIMEOUT_MINUTES: Quota = { min: 5, max: 86400, source: CODEPIPELINE_ACTION_API, note: '60 days' };
/** Input and output artifacts of a CodeBuild action. */
export const CODEBUILD_ACTION_INPUTS: Quota = { min: 1, max: 5, source: CODEPIPELINE_STRUCTURE };
export const CODEBUILD_ACTION_OUTPUTS: Quota = { min: 0, max: 5, source: CODEPIPELINE_STRUCTURE };
/** Rules of one stage condition. */
export const CONDITION_RULES: Quota = { min: 1, max: 5, source: CODEPIPELINE_CONDITIONS };
/** Commands of a commands rule (RuleDeclaration), and characters of each. */
export const COMMAND_RULE_COMMANDS: Quota = { min: 1, max: 50, source: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_RuleDeclaration.html' };
export const RULE_COMMAND_LENGTH: Quota = { min: 1, max: 1000, source: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_RuleDeclaration.html' };
/** Characters of a command of the Commands action or rule (ActionDeclaration, RuleDeclaration). */
export const COMMAND_LENGTH = RULE_COMMAND_LENGTH;
/** The Commands action: input artifacts, output file patterns, output variables, minutes before CodePipeline stops it. */
export const COMMANDS_INPUTS: Quota = { min: 1, max: 10, source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-Commands.html' };
export const COMMANDS_OUTPUT_FILES: Quota = { min: 1, max: 10, source: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_OutputArtifact.html' };
export const COMMANDS_OUTPUT_VARIABLES: Quota = { min: 1, max: 15, source: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html' };
export const COMMANDS_ACTION_MINUTES: Quota = { min: 1, max: 55, source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html' };
/** Characters of a rule configuration value (RuleDeclaration). */
export const RULE_VALUE_LENGTH: Quota = { min: 1, max: 10000, source: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_RuleDeclaration.html' };
/** The rule providers an entry condition with the SKIP result takes. */
export const SKIP_RULE_PROVIDERS = ['LambdaInvoke', 'VariableCheck'];
/** Push and pull-request filters of a trigger, patterns of one filter, characters of a pattern. */
export const TRIGGER_FILTERS: Quota = { min: 1, max: 3, source: CODEPIPELINE_GIT_FILTERS };
export const FILTER_PATTERNS: Quota = { min: 1, max: 8, source: CODEPIPELINE_GIT_FILTERS };
export const PATTERN_LENGTH: Quota = { min: 1, max: 255, source: CODEPIPELINE_GIT_FILTERS };

// ---- CodeBuild ----------------------------------------------------------------------------------

/** Minutes a build may run, and wait in the queue. */
export const BUILD_TIMEOUT_MINUTES: Quota = { min: 5, max: 2160, source: CODEBUILD_CREATE_PROJECT, note: "CodeBuild's range" };
export const QUEUED_TIMEOUT_MINUTES: Quota = { min: 5, max: 480, source: CODEBUILD_CREATE_PROJECT, note: "CodeBuild's range" };
/** Report groups of one project (buildspec `reports`). */
export const PROJECT_REPORTS: Quota = { min: 0, max: 5, source: CODEBUILD_BUILDSPEC };

// ---- CodeDeploy ---------------------------------------------------------------------------------

/** Minutes from the first traffic shift of a canary or linear deployment to the last (48 hours). */
export const TRAFFIC_SHIFT_MINUTES: Quota = { min: 0, max: 2880, source: CODEDEPLOY_QUOTAS, note: '48 hours' };
/** Minutes before a blue/green deployment terminates the original instances or tasks. */
export const TERMINATION_WAIT_MINUTES: Quota = { min: 0, max: 2880, source: CODEDEPLOY_QUOTAS };
/** Minutes a blue/green deployment waits for a manual reroute: EC2/on-premises, and ECS (120 hours). */
export const SERVER_READY_WAIT_MINUTES: Quota = { min: 0, max: 2880, source: CODEDEPLOY_QUOTAS };
export const ECS_READY_WAIT_MINUTES: Quota = { min: 0, max: 7200, source: CODEDEPLOY_QUOTAS };
/** CloudWatch alarms of one deployment group, and Auto Scaling groups. */
export const DEPLOYMENT_ALARMS: Quota = { min: 0, max: 10, source: CODEDEPLOY_QUOTAS };
export const DEPLOYMENT_AUTO_SCALING_GROUPS: Quota = { min: 0, max: 10, source: CODEDEPLOY_QUOTAS };
// ---- Amazon ECS deployments (the ECS deployment controller) ------------------------------------
/** Percentage of the traffic a linear ECS deployment shifts per step (canary: 0.1 to 100). */
export const ECS_LINEAR_STEP_PERCENT: Quota = { min: 3, max: 100, source: ECS_LINEAR };
/** Minutes an ECS linear or canary deployment waits between traffic shifts. */
export const ECS_STEP_BAKE_MINUTES: Quota = { min: 0, max: 1440, source: ECS_LINEAR, note: '24 hours' };
/** Minutes CodePipeline's ECS deploy action waits for the service's deployment (DeploymentTimeout). */
export const ECS_ACTION_TIMEOUT_MINUTES: Quota = { min: 1, max: 60, source: CODEPIPELINE_ECS_ACTION, note: 'one hour' };
/** Alarms CodePipeline's Lambda deploy action watches. */
export const LAMBDA_ACTION_ALARMS: Quota = { min: 0, max: 10, source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html' };
/** Minutes an ECS deployment with a Network Load Balancer adds to each of its two traffic shifts. */
export const ECS_NLB_SHIFT_DELAY_MINUTES = 10;

/** Seconds the scripts of one EC2/on-premises lifecycle event may run, together. */
export const LIFECYCLE_EVENT_SECONDS: Quota = { min: 1, max: 3600, source: APPSPEC_HOOKS };

// ---- Other services -----------------------------------------------------------------------------

/** Characters of an SNS topic's display name. */
export const TOPIC_DISPLAY_NAME: Quota = { min: 0, max: 100, source: SNS_CREATE_TOPIC };
/** Characters of a CodeCommit repository description. */
export const REPOSITORY_DESCRIPTION: Quota = { min: 0, max: 1000, source: CODECOMMIT_QUOTAS };
/**
 * Days the created artifact bucket keeps artifacts. S3 lifecycle rules take any positive number
 * of days; the ten-year ceiling is this library's, against a typo keeping artifacts forever.
 */
export const ARTIFACT_RETENTION_DAYS: Quota = { min: 1, max: 3650, source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html' };

/** True when the number lies outside the quota. */
export function outside(value: number, quota: Quota): boolean {
  return value < quota.min || value > quota.max;
}

/** A quota's number as messages write it: 2,160. */
export function formatNumber(value: number): string {
  // Not toLocaleString: loading the ICU data costs ~15 ms, and the rules call this when loaded.
  const [whole, fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}
