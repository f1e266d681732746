import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Props of a `ScopedKmsRole`. */
export interface ScopedKmsRoleProps extends iam.RoleProps {
  /** The account whose keys the role uses (the pipeline's: it owns every artifact store key). */
  readonly keyAccount: string;
}

/**
 * A role whose KMS grants on `*` are narrowed to the keys of one account. aws-cdk-lib grants
 * `kms:Decrypt` (and more) on `*` when a key cannot be named from the role's stack (a key in
 * another account, or one of another region known by its alias): such a statement gets the
 * condition `aws:ResourceAccount` = the account that owns the artifact keys, so the role cannot
 * use keys of any other account (its own included).
 */
export class ScopedKmsRole extends iam.Role {
  private readonly keyAccount: string;

  constructor(scope: Construct, id: string, props: ScopedKmsRoleProps) {
    const { keyAccount, ...roleProps } = props;
    super(scope, id, roleProps);
    this.keyAccount = keyAccount;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    return super.addToPrincipalPolicy(narrowKmsGrant(statement, this.keyAccount));
  }
}

/**
 * Narrows the KMS grants on `*` that a role created by aws-cdk-lib (the CodePipeline L2's own
 * pipeline role) receives from now on, as `ScopedKmsRole` does for roles of ours.
 */
export function narrowKmsGrantsOf(role: iam.Role, keyAccount: string): void {
  if (narrowed.has(role)) return;
  narrowed.add(role);
  const add = role.addToPrincipalPolicy.bind(role);
  role.addToPrincipalPolicy = (statement: iam.PolicyStatement) => add(narrowKmsGrant(statement, keyAccount));
}

const narrowed = new WeakSet<iam.Role>();

/** An allow statement of KMS actions on `*` gets the condition `aws:ResourceAccount` = `keyAccount`. */
function narrowKmsGrant(statement: iam.PolicyStatement, keyAccount: string): iam.PolicyStatement {
  const json = statement.toStatementJson();
  const resources = ([] as unknown[]).concat(json.Resource ?? []);
  const actions = ([] as unknown[]).concat(json.Action ?? []);
  const onlyKms = actions.length > 0 && actions.every((a) => typeof a === 'string' && a.startsWith('kms:'));
  if (statement.effect === iam.Effect.ALLOW && onlyKms && resources.length === 1 && resources[0] === '*' && !JSON.stringify(json.Condition ?? {}).includes('aws:ResourceAccount')) {
    statement.addCondition('StringEquals', { 'aws:ResourceAccount': keyAccount });
  }
  return statement;
}
