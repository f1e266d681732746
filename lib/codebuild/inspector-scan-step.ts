import { Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IStep, StepActions, StepContext, StepEstimate } from '../core/step';
import { grantPipelineLogs, requirePipelineName } from '../private/commands';
import { MODEL } from '../private/estimate-model';
import { acceptNagFindings } from '../private/nag';
import { ACTION_NAME, checkName, toArtifactName, toNamespace } from '../private/names';
import { checkArgs } from '../private/shapes';
import { Problems, differentLiterals, fail } from '../private/validation';
import { GrantingAction } from '../private/granting-action';
import { DockerImageStep } from './docker-image-step';
import { grantOwnArtifacts } from './private/own-artifacts';

/**
 * How many findings of each severity a scan tolerates: the step fails when a count goes beyond
 * its threshold (0: any finding of that severity fails it).
 */
export interface ScanThresholds {
  /**
   * Critical findings tolerated.
   *
   * @default 0
   */
  readonly critical?: number;
  /**
   * High findings tolerated.
   *
   * @default 0
   */
  readonly high?: number;
  /**
   * Medium findings tolerated.
   *
   * @default - any number
   */
  readonly medium?: number;
  /**
   * Low findings tolerated.
   *
   * @default - any number
   */
  readonly low?: number;
}

/** Options of an image scan. */
export interface ImageScanOptions {
  /**
   * The image: the image a `DockerImageStep` built and pushed (its repository and `IMAGE_TAG`).
   * Give this, or `repository`.
   *
   * @default - the image of `repository` and `imageTag`
   */
  readonly image?: DockerImageStep;

  /**
   * An ECR repository of the pipeline's account and region holding the image (with `imageTag`).
   *
   * @default - the `image` step's repository
   */
  readonly repository?: ecr.IRepository;

  /**
   * The tag of the image in `repository`; a variable reference is resolved when the step runs.
   *
   * @default - the `image` step's tag, or 'latest' with `repository`
   */
  readonly imageTag?: string;

  /**
   * Findings tolerated per severity.
   *
   * @default - none critical or high
   */
  readonly thresholds?: ScanThresholds;
  /**
   * Steps of the same stage this scan runs after (in a parallel stage), e.g. the image step.
   *
   * @default - none
   */
  readonly dependsOn?: IStep[];
}

/** Options of a source code scan. */
export interface SourceCodeScanOptions {
  /**
   * The artifact to scan.
   *
   * @default - the stage's default input
   */
  readonly input?: codepipeline.Artifact;

  /**
   * Findings tolerated per severity.
   *
   * @default - none critical or high
   */
  readonly thresholds?: ScanThresholds;
  /**
   * Steps of the same stage this scan runs after (in a parallel stage), e.g. the image step.
   *
   * @default - none
   */
  readonly dependsOn?: IStep[];
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/**
 * A quality gate on Amazon Inspector: CodePipeline's InspectorScan action scans an ECR image or
 * the source code for vulnerabilities, on compute CodePipeline manages, and fails when the
 * findings of a severity go beyond its threshold (by default, any critical or high finding). Its
 * output (`step.output`) is the scan's software bill of materials (SBOM); `step.highestSeverity`
 * is the highest severity found. Runs in the pipeline's account and region, on a V2 pipeline
 * with a `pipelineName` (its log group is granted by name); its role may scan, write the
 * pipeline's log group and only its own artifact folders, and pull only the scanned repository.
 */
export class InspectorScanStep implements IStep {
  /**
   * Scans an image in ECR.
   *
   * @param name the step's name, used as its action name
   */
  public static image(name: string, options: ImageScanOptions): InspectorScanStep {
    checkArgs('InspectorScanStep.image', [name, options]);
    const problems = new Problems(`InspectorScanStep '${name}'`);
    if (!options.image && !options.repository) problems.add('image', undefined, 'is required (or repository)', 'give the DockerImageStep that builds the image, or repository and imageTag');
    if (options.image && options.repository) problems.add('repository', options.repository.node.path, 'is given together with image', 'give image (the step that builds it) or repository, not both');
    if (options.image && options.imageTag !== undefined) problems.add('imageTag', options.imageTag, 'is given together with image, whose tag the scan reads', 'leave imageTag out, or give repository instead of image');
    if (options.imageTag === '') problems.add('imageTag', '', 'is empty', 'give the tag, or leave it out');
    return new InspectorScanStep(name, 'ECRImageScan', options.thresholds, problems, options);
  }

  /**
   * Scans source code (its dependencies' manifests and lock files).
   *
   * @param name the step's name, used as its action name
   */
  public static sourceCode(name: string, options: SourceCodeScanOptions = {}): InspectorScanStep {
    checkArgs('InspectorScanStep.sourceCode', [name, options]);
    return new InspectorScanStep(name, 'SourceCodeScan', options.thresholds, new Problems(`InspectorScanStep '${name}'`), options);
  }

  public readonly stepName: string;
  /** The scan's software bill of materials (SBOM). */
  public readonly output?: codepipeline.Artifact;
  /** A scan's output holds no code to test. */
  public readonly testsReadOutput?: boolean = false;
  /** Variables namespace of the action. */
  public readonly variablesNamespace: string;
  /**
   * The highest severity the scan found (`medium`, `high` or `critical`), as a variable reference.
   * AWS documents no value for a scan without findings: read it where a run may fail without one.
   */
  public readonly highestSeverity: string;
  /** Steps of the same stage this scan runs after. */
  public readonly dependsOn?: IStep[];
  /** A short description for diagrams. */
  public readonly label?: string;
  /** What one run of the step is expected to take. */
  public readonly estimate?: StepEstimate;
  private readonly mode: string;
  private readonly thresholds: Required<Pick<ScanThresholds, 'critical' | 'high'>> & ScanThresholds;
  private readonly options: ImageScanOptions & SourceCodeScanOptions;

  private constructor(name: string, mode: string, thresholds: ScanThresholds | undefined, problems: Problems, options: ImageScanOptions & SourceCodeScanOptions) {
    checkName(problems, 'name', name, ACTION_NAME, 'action');
    for (const severity of SEVERITIES) {
      const value = thresholds?.[severity];
      if (value !== undefined && !Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 0)) {
        problems.add(`thresholds.${severity}`, value, 'must be a whole number of findings, 0 or more', `give how many ${severity} findings to tolerate, e.g. 0`);
      }
    }
    problems.throwIfAny();
    this.stepName = name;
    this.mode = mode;
    this.options = options;
    this.dependsOn = options.dependsOn ? [...options.dependsOn] : undefined;
    this.thresholds = { critical: 0, high: 0, ...thresholds };
    this.output = new codepipeline.Artifact(toArtifactName(`${name}_Sbom`));
    this.variablesNamespace = toNamespace(name);
    this.highestSeverity = `#{${this.variablesNamespace}.HighestScannedSeverity}`;
    this.label = `Inspector ${mode === 'ECRImageScan' ? 'image' : 'source code'} scan (fails beyond ${SEVERITIES.filter((s) => this.thresholds[s] !== undefined).map((s) => `${this.thresholds[s]} ${s}`).join(', ')})`;
    // A scan: provisioning of the managed compute and a few minutes of scanning.
    this.estimate = { minutes: MODEL.provisioning + 3, buildMinutes: MODEL.provisioning + 3, computeType: 'BUILD_GENERAL1_SMALL' };
  }

  /** The repository and tag scanned: the image step's (which must be placed before), or those given. */
  private scannedImage(subject: string): { repository: ecr.IRepository; tag: string } {
    const step = this.options.image;
    if (!step) return { repository: this.options.repository!, tag: this.options.imageTag ?? 'latest' };
    let repository: ecr.IRepository;
    try {
      repository = step.repository;
    } catch {
      return fail(subject, 'image', step.stepName, 'is not in the pipeline yet, so there is no image to scan', 'add the DockerImageStep to an earlier stage (or as the buildStep) before this step');
    }
    return { repository, tag: step.imageTag };
  }

  public bind(_scope: Construct, context: StepContext): StepActions {
    const subject = `InspectorScanStep '${this.stepName}'`;
    if (context.pipelineType !== codepipeline.PipelineType.V2) {
      fail(subject, 'pipelineType', context.pipelineType, 'the InspectorScan action runs on compute CodePipeline manages, which V2 pipelines have', 'remove pipelineType from the pipeline (V2 is the default)');
    }
    const pipelineName = requirePipelineName(context.pipeline, subject, 'scans');
    const here = Stack.of(context.pipeline);
    const image = this.mode === 'ECRImageScan' ? this.scannedImage(subject) : undefined;
    // ECRRepositoryName names a repository of the account and region the scan runs in.
    const repositoryEnv = image ? image.repository.env : undefined;
    if (repositoryEnv && ['account', 'region'].some((k) => differentLiterals(repositoryEnv[k as 'account' | 'region'], here[k as 'account' | 'region']))) {
      fail(subject, 'repository', `${image!.repository.node.path} (${repositoryEnv.account}/${repositoryEnv.region})`, `is not in the pipeline's account and region (${here.account}/${here.region}), where the scan runs`, 'scan a repository of the pipeline\'s account and region');
    }
    const input = image ? undefined : (this.options.input ?? context.primaryInput);
    const output = this.output!;
    const repository = image?.repository;
    return {
      actions: [new GrantingAction({
        actionName: this.stepName,
        category: codepipeline.ActionCategory.INVOKE,
        provider: 'InspectorScan',
        artifactBounds: { minInputs: 0, maxInputs: 1, minOutputs: 1, maxOutputs: 1 },
        inputs: input ? [input] : undefined,
        outputs: [output],
        runOrder: context.runOrder,
        variablesNamespace: this.variablesNamespace,
      }, (role) => {
        // Exact grants: the L2's scan actions grant the whole artifact bucket.
        grantPipelineLogs(role, pipelineName, 'The streams of the pipeline\'s own log group, where the InspectorScan action logs: CodePipeline names them per run.');
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['inspector-scan:ScanSbom'], resources: ['*'] }));
        grantOwnArtifacts(role, context, input ? [input] : [], [output]);
        if (repository) {
          role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], resources: [repository.repositoryArn] }));
          role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
        }
        const policy = role.node.tryFindChild('DefaultPolicy');
        if (policy) {
          acceptNagFindings(policy, [{
            id: 'AwsSolutions-IAM5',
            reason: 'inspector-scan:ScanSbom and ecr:GetAuthorizationToken have no resource-level permissions (Service Authorization Reference).',
            appliesTo: ['Resource::*'],
          }]);
        }
        return {
          InspectorRunMode: this.mode,
          ...(image ? { ECRRepositoryName: image.repository.repositoryName, ImageTag: image.tag } : {}),
          ...Object.fromEntries(SEVERITIES.filter((s) => this.thresholds[s] !== undefined).map((s) => [`${s[0].toUpperCase()}${s.slice(1)}Threshold`, Tokenization.stringifyNumber(this.thresholds[s]!)])),
        };
      })],
    };
  }
}
