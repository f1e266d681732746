import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { ARTIFACT_RETENTION_DAYS } from '../../private/limits';
import { PIPELINE_NAME, STAGE_NAME, checkLiteral, checkName } from '../../private/names';
import { checkSelfUpdate } from '../self-update';
import { Problems, checkUnique, checkWholeNumber } from '../../private/validation';
import { ISource } from '../../source/source';
import { DeliveryPipelineProps } from '../delivery-pipeline-props';

/** The checks of DeliveryPipelineProps that need nothing but the props (regional-stores.ts checks the stores). */
export function checkPipelineProps(problems: Problems, props: DeliveryPipelineProps, sources: ISource[], executionMode: codepipeline.ExecutionMode): void {
  const pipelineType = props.pipelineType ?? codepipeline.PipelineType.V2;
  const sourceStageName = props.sourceStageName ?? 'Source';
  if (!props.source) {
    problems.add('source', undefined, 'is required', "give a source, for example Source.connection('my-org/shop', { connectionArn })");
  }
  checkName(problems, 'pipelineName', props.pipelineName, PIPELINE_NAME, 'pipeline');
  if (props.selfUpdate) checkSelfUpdate(problems, props.selfUpdateOptions, props.restartExecutionOnUpdate);
  else if (props.selfUpdateOptions) problems.add('selfUpdateOptions', props.selfUpdateOptions, 'are given, but selfUpdate is not on', 'set selfUpdate: true, or remove selfUpdateOptions');
  checkName(problems, 'sourceStageName', sourceStageName, STAGE_NAME, 'stage');
  checkLiteral(problems, 'sourceStageName', sourceStageName, 'stage');
  sources.forEach((s, i) => checkLiteral(problems, i === 0 ? 'source.actionName' : `additionalSources[${i - 1}].actionName`, s.actionName, 'source action'));
  if (pipelineType === codepipeline.PipelineType.V1) {
    if (props.variables && props.variables.length > 0) {
      problems.add('variables', props.variables.map((v) => v.name), 'pipeline variables need a V2 pipeline', 'remove pipelineType (V2 is the default) or remove the variables');
    }
    if (executionMode !== codepipeline.ExecutionMode.SUPERSEDED) {
      problems.add('executionMode', executionMode, 'V1 pipelines only run in SUPERSEDED mode', 'remove pipelineType (V2 is the default) or use ExecutionMode.SUPERSEDED');
    }
  }
  const variableNames = new Set<string>();
  (props.variables ?? []).forEach((v, i) => {
    if (variableNames.has(v.name)) problems.add(`variables[${i}]`, v.name, 'is declared twice', 'give each pipeline variable a unique name');
    variableNames.add(v.name);
  });
  if (props.artifactBucket && props.artifactKey) {
    problems.add('artifactKey', 'a key', 'is given together with artifactBucket; the key of a passed-in bucket is the bucket\'s own', 'pass a bucket encrypted with your key, or pass only artifactKey');
  }
  if (props.artifactBucket && props.artifactRetentionDays !== undefined) {
    problems.add('artifactRetentionDays', props.artifactRetentionDays, 'applies only to the bucket the pipeline creates', 'set a lifecycle rule on your bucket, or do not pass artifactBucket');
  }
  if (props.artifactBucket && props.accessLogsBucket) {
    problems.add('accessLogsBucket', 'a bucket', 'applies only to the bucket the pipeline creates', 'configure access logs on your bucket, or do not pass artifactBucket');
  }
  checkWholeNumber(problems, 'artifactRetentionDays', props.artifactRetentionDays, ARTIFACT_RETENTION_DAYS, 'days', 'choose how many days old artifacts are kept, e.g. 30');
  checkUnique(problems, sources, 'actionName', 'action name', (s) => s.actionName);
  checkUnique(problems, sources, 'variablesNamespace', 'variables namespace', (s) => s.variablesNamespace);
  checkUnique(problems, sources, 'output', 'output artifact name', (s) => s.output.artifactName ?? '');
}
