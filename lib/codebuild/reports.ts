import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { checkArgs } from '../private/shapes';

/** Options of a test or coverage report. */
export interface ReportOptions {
  /**
   * Name of the report within the step (names the report group): 1 to 100 characters from
   * A-Z a-z 0-9 _ -.
   *
   * @default - the format's name, e.g. `junit` or `cobertura`
   */
  readonly name?: string;

  /**
   * Directory the file globs are relative to.
   *
   * @default - the source root
   */
  readonly baseDirectory?: string;

  /**
   * Drop the directory structure of the matched files.
   *
   * @default false
   */
  readonly discardPaths?: boolean;
}

/**
 * A test or code-coverage report the build writes. Each report gets a CodeBuild report group of
 * its own, created with the step, and the build role may write reports to exactly that group.
 */
export class TestReport {
  /** JUnit XML test results. */
  public static junit(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.junit', [files, options]);
    return new TestReport('junit', 'JUNITXML', codebuild.ReportGroupType.TEST, files, options);
  }

  /** Cucumber JSON test results. */
  public static cucumber(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.cucumber', [files, options]);
    return new TestReport('cucumber', 'CUCUMBERJSON', codebuild.ReportGroupType.TEST, files, options);
  }

  /** TestNG XML test results. */
  public static testng(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.testng', [files, options]);
    return new TestReport('testng', 'TESTNGXML', codebuild.ReportGroupType.TEST, files, options);
  }

  /** NUnit XML test results (version 2 format). */
  public static nunit(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.nunit', [files, options]);
    return new TestReport('nunit', 'NUNITXML', codebuild.ReportGroupType.TEST, files, options);
  }

  /** NUnit 3 XML test results. */
  public static nunit3(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.nunit3', [files, options]);
    return new TestReport('nunit3', 'NUNIT3XML', codebuild.ReportGroupType.TEST, files, options);
  }

  /** Visual Studio TRX test results. */
  public static trx(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.trx', [files, options]);
    return new TestReport('trx', 'VISUALSTUDIOTRX', codebuild.ReportGroupType.TEST, files, options);
  }

  /** Clover XML code coverage. */
  public static clover(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.clover', [files, options]);
    return new TestReport('clover', 'CLOVERXML', codebuild.ReportGroupType.CODE_COVERAGE, files, options);
  }

  /** Cobertura XML code coverage. */
  public static cobertura(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.cobertura', [files, options]);
    return new TestReport('cobertura', 'COBERTURAXML', codebuild.ReportGroupType.CODE_COVERAGE, files, options);
  }

  /** JaCoCo XML code coverage. */
  public static jacoco(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.jacoco', [files, options]);
    return new TestReport('jacoco', 'JACOCOXML', codebuild.ReportGroupType.CODE_COVERAGE, files, options);
  }

  /** SimpleCov JSON code coverage (from simplecov, not simplecov-json). */
  public static simplecov(files: string[], options: ReportOptions = {}): TestReport {
    checkArgs('TestReport.simplecov', [files, options]);
    return new TestReport('simplecov', 'SIMPLECOV', codebuild.ReportGroupType.CODE_COVERAGE, files, options);
  }

  /** Name of the report within the step. */
  public readonly name: string;
  /** The buildspec `file-format`. */
  public readonly fileFormat: string;
  /** Test results or code coverage. */
  public readonly groupType: codebuild.ReportGroupType;
  /** File globs of the report files. */
  public readonly files: string[];
  /** Directory the globs are relative to, if any. */
  public readonly baseDirectory?: string;
  /** Whether directory structure is dropped. */
  public readonly discardPaths: boolean;

  private constructor(defaultName: string, fileFormat: string, type: codebuild.ReportGroupType, files: string[], options: ReportOptions) {
    this.name = options.name ?? defaultName;
    this.fileFormat = fileFormat;
    this.groupType = type;
    this.files = Array.isArray(files) ? [...files] : files;
    this.baseDirectory = options.baseDirectory;
    this.discardPaths = options.discardPaths ?? false;
  }
}
