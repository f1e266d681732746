import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Annotations, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Problems, isConcrete, fail, verbatim } from '../private/validation';
import { SourceOptions, resolveSourceNames } from './common';
import { ISource, SourceConfig, variableReference } from './source';
import { checkArgs, constructorOf } from '../private/shapes';

/** Props of an S3 source. */
export interface S3SourceProps extends SourceOptions {
  /**
   * The bucket holding the source object. CodePipeline requires it to be versioned. A bucket
   * created in this app gets S3 EventBridge notifications turned on; for an imported bucket turn
   * them on yourself (Properties > Amazon EventBridge), or the pipeline will not start.
   */
  readonly bucket: s3.IBucket;

  /** Key of the source object (a zip file), for example `releases/app.zip`. */
  readonly objectKey: string;
}

/** Variables an S3 source action produces, as `#{namespace.Name}` references. */
export interface S3SourceVariables {
  /** The version id of the object. */
  readonly versionId: string;
  /** The ETag of the object. */
  readonly eTag: string;
}

/**
 * A zip object in an S3 bucket as the pipeline's source. Changes are detected with S3's own
 * EventBridge notifications and a rule, not with the L2's `S3Trigger.EVENTS`, which silently
 * needs a CloudTrail trail.
 */
export class S3Source implements ISource {
  public readonly actionName: string;
  public readonly output: codepipeline.Artifact;
  public readonly variablesNamespace: string;
  /** The bucket holding the source object. */
  public readonly bucket: s3.IBucket;
  /** Key of the source object. */
  public readonly objectKey: string;
  /** The source's variables as references for later actions. */
  public readonly variables: S3SourceVariables;
  /** A short description for diagrams. */
  public readonly label?: string;

  constructor(props: S3SourceProps) {
    checkArgs(constructorOf(new.target), [props], `${new.target.name}`);
    const problems = new Problems(`S3Source '${props.actionName ?? 'Source'}'`);
    const names = resolveSourceNames(problems, props);
    if (!props.bucket) {
      problems.add('bucket', undefined, 'is required', 'pass the versioned s3.IBucket holding the source object');
    }
    if (props.objectKey === undefined || (isConcrete(props.objectKey) && (props.objectKey.length === 0 || props.objectKey.length > 1024))) {
      problems.add('objectKey', props.objectKey, 'must be an S3 object key of 1 to 1,024 characters', "give the key of the zip object, for example 'releases/app.zip'");
    } else if (isConcrete(props.objectKey) && props.objectKey.startsWith('/')) {
      problems.add('objectKey', props.objectKey, 'starts with a slash, so it names no object', `drop the leading slash: '${props.objectKey.replace(/^\/+/, '')}'`);
    }
    problems.throwIfAny();

    this.bucket = props.bucket;
    this.objectKey = props.objectKey;
    this.label = `S3 ${isConcrete(props.objectKey) ? props.objectKey : 'object'}`;
    this.actionName = names.actionName;
    this.variablesNamespace = names.variablesNamespace;
    this.output = new codepipeline.Artifact(names.outputArtifactName);
    this.variables = {
      versionId: variableReference(this.variablesNamespace, 'VersionId'),
      eTag: variableReference(this.variablesNamespace, 'ETag'),
    };
  }

  public bind(scope: Construct, pipeline: codepipeline.IPipeline): SourceConfig {
    const action = new actions.S3SourceAction({
      actionName: this.actionName,
      bucket: this.bucket,
      bucketKey: this.objectKey,
      output: this.output,
      variablesNamespace: this.variablesNamespace,
      trigger: actions.S3Trigger.NONE,
    });
    if (this.bucket instanceof s3.Bucket) {
      const versioning = (this.bucket.node.defaultChild as s3.CfnBucket).versioningConfiguration as s3.CfnBucket.VersioningConfigurationProperty | undefined;
      if (versioning?.status !== 'Enabled') {
        fail(`S3Source '${this.actionName}'`, 'bucket', verbatim(this.bucket.node.path), 'is not versioned, and CodePipeline reads S3 sources by version', 'create the bucket with versioned: true');
      }
      this.bucket.enableEventBridgeNotification();
    } else {
      Annotations.of(scope).addWarningV2('cdk-delivery:s3-source-eventbridge',
        `S3Source '${this.actionName}': the bucket is imported, so its EventBridge notifications cannot be turned on here. Turn them on for the bucket (Properties > Amazon EventBridge) or the pipeline will not start on new objects.`);
    }
    new events.Rule(scope, 'ObjectCreated', {
      description: `Starts the pipeline when a new version of ${describeKey(this.objectKey)} is written`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.bucket.bucketName] },
          object: { key: [this.objectKey] },
        },
      },
      targets: [new targets.CodePipeline(pipeline)],
    });
    return { action };
  }
}

/** The object key for a rule description, which EventBridge limits to 512 characters (keys go to 1,024). */
function describeKey(key: string): string {
  if (Token.isUnresolved(key)) return 'the source object';
  return key.length > 400 ? `${key.slice(0, 397)}...` : key;
}
