import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { checkArgs } from '../private/shapes';

/** Options of a Secrets Manager secret read into a build variable. */
export interface SecretValueOptions {
  /**
   * Key of the JSON secret whose value the variable gets.
   *
   * @default - the whole secret string
   */
  readonly jsonKey?: string;

  /**
   * Version stage to read (for example `AWSPREVIOUS`).
   *
   * @default - AWSCURRENT
   */
  readonly versionStage?: string;

  /**
   * Version id to read (exclusive with `versionStage`).
   *
   * @default - the version of `versionStage`
   */
  readonly versionId?: string;
}

/** Options of a Parameter Store parameter read into a build variable. */
export interface ParameterValueOptions {
  /**
   * The customer-managed KMS key a SecureString parameter is encrypted with; the build role gets
   * `kms:Decrypt` on it.
   *
   * @default - the parameter is a String, or a SecureString with the AWS-managed `aws/ssm` key
   */
  readonly encryptionKey?: kms.IKey;
}

/** What a secret variable renders to and needs. */
export interface BuildSecretConfig {
  /** `parameter-store` or `secrets-manager`. */
  readonly store: string;
  /** The value in the buildspec's env section. */
  readonly reference: string;
}

/**
 * An environment variable of a build whose value CodeBuild reads from Parameter Store or Secrets
 * Manager when the build starts: the value never appears in the template, the buildspec or the
 * console. The build role is granted read access to exactly that parameter or secret (and its KMS
 * key when it is known).
 */
export abstract class BuildSecret {
  /** A Parameter Store parameter. */
  public static fromParameter(variableName: string, parameter: ssm.IParameter, options: ParameterValueOptions = {}): BuildSecret {
    checkArgs('BuildSecret.fromParameter', [variableName, parameter, options]);
    return new ParameterSecret(variableName, parameter.parameterName, parameter.parameterArn, options.encryptionKey);
  }

  /** A Parameter Store parameter by name (with or without the leading `/`), in this account and region. */
  public static fromParameterName(variableName: string, parameterName: string, options: ParameterValueOptions = {}): BuildSecret {
    checkArgs('BuildSecret.fromParameterName', [variableName, parameterName, options]);
    return new ParameterSecret(variableName, parameterName, undefined, options.encryptionKey);
  }

  /** A Secrets Manager secret; its KMS key, if any, is granted too. */
  public static fromSecret(variableName: string, secret: secretsmanager.ISecret, options: SecretValueOptions = {}): BuildSecret {
    // A secret imported by name has no full ARN; grant on the name plus Secrets Manager's suffix, as the L2 does.
    checkArgs('BuildSecret.fromSecret', [variableName, secret, options]);
    return new ManagerSecret(variableName, secret.secretArn, secret.secretFullArn ?? `${secret.secretArn}-??????`, options, secret.encryptionKey);
  }

  /**
   * A Secrets Manager secret by full ARN, or by name in this account and region (granted on the
   * name followed by Secrets Manager's six random characters).
   */
  public static fromSecretNameOrArn(variableName: string, secretNameOrArn: string, options: SecretValueOptions = {}): BuildSecret {
    checkArgs('BuildSecret.fromSecretNameOrArn', [variableName, secretNameOrArn, options]);
    return new ManagerSecret(variableName, secretNameOrArn, undefined, options, undefined);
  }

  /** Name of the environment variable. */
  public abstract readonly variableName: string;

  /**
   * Renders the secret for the buildspec and grants `grantee` read access to it.
   *
   * @internal
   */
  public abstract _bind(scope: Construct, grantee: iam.IGrantable): BuildSecretConfig;

  /**
   * Problems with the options, as `[prop, value, problem, fix]`.
   *
   * @internal
   */
  public abstract _problems(): string[][];
}

class ParameterSecret extends BuildSecret {
  constructor(public readonly variableName: string, private readonly parameterName: string, private readonly parameterArn: string | undefined, private readonly key?: kms.IKey) {
    super();
  }

  public _bind(scope: Construct, grantee: iam.IGrantable): BuildSecretConfig {
    const arn = this.parameterArn ?? Stack.of(scope).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: Token.isUnresolved(this.parameterName) ? this.parameterName : this.parameterName.replace(/^\//, ''),
    });
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameters'], resources: [arn] }));
    this.key?.grantDecrypt(grantee);
    return { store: 'parameter-store', reference: this.parameterName };
  }

  public _problems(): string[][] {
    if (!Token.isUnresolved(this.parameterName) && !/^\/?[A-Za-z0-9_.\-/]{1,2048}$/.test(this.parameterName)) {
      return [['parameterName', this.parameterName, 'is not a Parameter Store name', 'use letters, digits and _ . - / (for example /shop/npm-token)']];
    }
    return [];
  }
}

class ManagerSecret extends BuildSecret {
  constructor(public readonly variableName: string, private readonly secretId: string, private readonly secretArn: string | undefined, private readonly options: SecretValueOptions, private readonly key?: kms.IKey) {
    super();
  }

  public _bind(scope: Construct, grantee: iam.IGrantable): BuildSecretConfig {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: this.secretArn ? [this.secretArn] : secretArnPatterns(scope, this.secretId),
    }));
    this.key?.grantDecrypt(grantee);
    const o = this.options;
    const parts = [this.secretId, o.jsonKey ?? '', o.versionStage ?? '', o.versionId ?? ''];
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return { store: 'secrets-manager', reference: parts.join(':') };
  }

  public _problems(): string[][] {
    if (this.options.versionStage !== undefined && this.options.versionId !== undefined) {
      return [['versionId', this.options.versionId, 'is given together with versionStage', 'give versionStage or versionId, not both']];
    }
    return [];
  }
}

/** The ARN a secret given by name or ARN is granted on. */
function secretArnPatterns(scope: Construct, nameOrArn: string): string[] {
  if (!Token.isUnresolved(nameOrArn) && nameOrArn.startsWith('arn:')) {
    // An ARN may be complete (ending in "-" and six random characters) or partial; a name such as
    // shop/db-backup cannot be told apart from a complete ARN, so the grant covers both.
    return [nameOrArn, `${nameOrArn}-??????`];
  }
  return [Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${nameOrArn}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })];
}
