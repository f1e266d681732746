import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Problems, checkMinutes, isConcrete } from '../private/validation';
import type { BuildVariable } from './build-step-props';
import { checkCredential } from './private/validate-props';
import { checkArgs } from '../private/shapes';

/** One variable of a build matrix and the values it takes. */
export interface MatrixVariable {
  /** Name of the environment variable. */
  readonly name: string;
  /** The values: one build runs per combination of all variables' values. */
  readonly values: string[];
}

/** Options every batch build accepts. */
export interface BatchOptions {
  /**
   * Most builds the batch may start (CodeBuild's batch restriction).
   *
   * @default - the number of builds the matrix or graph defines
   */
  readonly maximumBuilds?: number;

  /**
   * Stop the batch at the first failed build.
   *
   * @default true
   */
  readonly fastFail?: boolean;

  /**
   * Combine the output artifacts of all builds into one (subdirectories named after each build).
   *
   * @default true when the step has outputs
   */
  readonly combineArtifacts?: boolean;

  /**
   * Time after which CodeBuild stops the whole batch: 5 to 2,160 minutes.
   *
   * @default - CodeBuild's default
   */
  readonly timeout?: Duration;
}

/** Options of `BatchBuild.matrix`. */
export interface BuildMatrixOptions extends BatchOptions {
  /** The variables and their values; one build runs per combination. */
  readonly variables: MatrixVariable[];
}

/** One build of a build graph. */
export interface GraphBuild {
  /** Identifier of the build: letters, digits and `_`. */
  readonly identifier: string;

  /**
   * Variables of this build.
   *
   * @default - none
   */
  readonly environmentVariables?: BuildVariable[];

  /**
   * Builds that must succeed before this one starts.
   *
   * @default - none
   */
  readonly dependsOn?: string[];

  /**
   * Buildspec file this build runs instead of the step's buildspec.
   *
   * @default - the step's buildspec
   */
  readonly buildSpecFile?: string;

  /**
   * Compute type of this build.
   *
   * @default - the step's compute type
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Let the batch succeed when this build fails.
   *
   * @default false
   */
  readonly ignoreFailure?: boolean;
}

/** Options of `BatchBuild.graph`. */
export interface BuildGraphOptions extends BatchOptions {
  /** The builds, with their dependencies. */
  readonly builds: GraphBuild[];
}

/**
 * Runs the step as a CodeBuild batch: a matrix of builds (e.g. each runtime version) or a graph of
 * builds with dependencies. The project gets a batch service role of its own that may start, stop
 * and retry builds of exactly this project, and a limit on the number of builds.
 */
export class BatchBuild {
  /** One build per combination of the variables' values. */
  public static matrix(options: BuildMatrixOptions): BatchBuild {
    checkArgs('BatchBuild.matrix', [options]);
    return new BatchBuild(options, options.variables, undefined);
  }

  /** Builds with dependencies between them. */
  public static graph(options: BuildGraphOptions): BatchBuild {
    checkArgs('BatchBuild.graph', [options]);
    return new BatchBuild(options, undefined, options.builds);
  }

  /** How many builds the batch defines. */
  public readonly buildCount: number;

  private constructor(
    private readonly options: BatchOptions,
    private readonly matrixVariables: MatrixVariable[] | undefined,
    private readonly graphBuilds: GraphBuild[] | undefined,
  ) {
    this.buildCount = matrixVariables
      ? matrixVariables.reduce((n, v) => n * Math.max(1, (v.values ?? []).length), 1)
      : (graphBuilds ?? []).length;
  }

  /** @internal */
  public _check(problems: Problems): void {
    const o = this.options;
    if (this.matrixVariables) {
      if (this.matrixVariables.length === 0) problems.add('batch.variables', [], 'is empty', 'give at least one variable with its values');
      const names = new Set<string>();
      this.matrixVariables.forEach((v, i) => {
        if (isConcrete(v.name) && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.name)) problems.add(`batch.variables[${i}].name`, v.name, 'is not a valid environment variable name', 'use letters, digits and _');
        if (names.has(v.name)) problems.add(`batch.variables[${i}].name`, v.name, 'is given twice', 'give each variable once, with all its values');
        names.add(v.name);
        if (!Array.isArray(v.values) || v.values.length === 0) problems.add(`batch.variables[${i}].values`, v.values, 'is empty', 'give the values the variable takes');
      });
    }
    if (this.graphBuilds) {
      if (this.graphBuilds.length === 0) problems.add('batch.builds', [], 'is empty', 'give at least one build');
      const ids = new Set(this.graphBuilds.map((b) => b.identifier));
      const seen = new Set<string>();
      this.graphBuilds.forEach((b, i) => {
        if (isConcrete(b.identifier) && !/^[A-Za-z0-9_]{1,127}$/.test(b.identifier)) problems.add(`batch.builds[${i}].identifier`, b.identifier, 'is not a valid build identifier', 'use 1 to 127 letters, digits and _');
        if (seen.has(b.identifier)) problems.add(`batch.builds[${i}].identifier`, b.identifier, 'is used twice', 'give each build a unique identifier');
        seen.add(b.identifier);
        (b.dependsOn ?? []).forEach((d) => {
          if (!ids.has(d)) problems.add(`batch.builds[${i}].dependsOn`, d, 'names no build of the graph', `use one of ${[...ids].join(', ')}`);
          if (d === b.identifier) problems.add(`batch.builds[${i}].dependsOn`, d, 'is the build itself', 'remove it');
        });
      });
      const cycle = findCycle(this.graphBuilds);
      if (cycle) problems.add('batch.builds', cycle.join(' -> '), 'the dependencies form a cycle', 'remove one of the dependencies');
    }
    if (o.maximumBuilds !== undefined && (!Number.isInteger(o.maximumBuilds) || o.maximumBuilds < 1)) {
      problems.add('batch.maximumBuilds', o.maximumBuilds, 'must be a whole number of at least 1', 'give the most builds the batch may start');
    } else if (o.maximumBuilds !== undefined && o.maximumBuilds < this.buildCount) {
      problems.add('batch.maximumBuilds', o.maximumBuilds, `is less than the ${this.buildCount} builds the batch defines, so the batch would fail`, `raise it to at least ${this.buildCount}, or define fewer builds`);
    }
    // CloudFormation takes whole minutes (BuildBatchConfig.TimeoutInMins); no range is documented.
    checkMinutes(problems, 'batch.timeout', o.timeout, { min: 1 });
    this.graphBuilds?.forEach((b, i) => (b.environmentVariables ?? []).forEach((v, j) => checkCredential(problems, `batch.builds[${i}].environmentVariables[${j}]`, v)));
  }

  /** @internal */
  public _renderBuildSpec(): Record<string, unknown> {
    const vars = (env: BuildVariable[] | undefined) => (env && env.length > 0 ? { variables: Object.fromEntries(env.map((v) => [v.name, v.value])) } : {});
    return {
      'fast-fail': this.options.fastFail ?? true,
      ...(this.matrixVariables ? {
        'build-matrix': { dynamic: { env: { variables: Object.fromEntries(this.matrixVariables.map((v) => [v.name, v.values])) } } },
      } : {}),
      ...(this.graphBuilds ? {
        'build-graph': this.graphBuilds.map((b) => {
          const env = { ...vars(b.environmentVariables), ...(b.computeType ? { 'compute-type': b.computeType } : {}) };
          return {
            identifier: b.identifier,
            ...(Object.keys(env).length > 0 ? { env } : {}),
            ...(b.buildSpecFile ? { buildspec: b.buildSpecFile } : {}),
            ...(b.dependsOn && b.dependsOn.length > 0 ? { 'depend-on': b.dependsOn } : {}),
            ...(b.ignoreFailure ? { 'ignore-failure': true } : {}),
          };
        }),
      } : {}),
    };
  }

  /** @internal */
  public _combines(): boolean | undefined {
    return this.options.combineArtifacts;
  }

  /** @internal */
  public _maximumBuilds(): number {
    return this.options.maximumBuilds ?? this.buildCount;
  }

  /** @internal */
  public _timeoutMinutes(): number | undefined {
    return this.options.timeout?.toMinutes();
  }

  /** @internal */
  public _combineArtifacts(hasOutputs: boolean): boolean | undefined {
    return hasOutputs ? (this.options.combineArtifacts ?? true) : undefined;
  }
}

function findCycle(builds: GraphBuild[]): string[] | undefined {
  const deps = new Map(builds.map((b) => [b.identifier, b.dependsOn ?? []]));
  const state = new Map<string, number>();
  let found: string[] | undefined;
  const visit = (id: string, path: string[]): void => {
    if (found || state.get(id) === 2) return;
    if (state.get(id) === 1) {
      found = [...path.slice(path.indexOf(id)), id];
      return;
    }
    state.set(id, 1);
    for (const d of deps.get(id) ?? []) if (deps.has(d) && d !== id) visit(d, [...path, id]);
    state.set(id, 2);
  };
  builds.forEach((b) => visit(b.identifier, []));
  return found;
}
