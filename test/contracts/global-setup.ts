/**
 * Jest global setup: prepares the contracts' caches once, before the test workers start: the JSON
 * Schema validators, and the SDK models read from the @aws-sdk/client-* declarations.
 */
import { ACTIONS, RULES } from './schemas/codepipeline';
import * as files from './schemas/files';
import { serviceModel } from './sdk-models';
import { precompile } from './validators';

export default function globalSetup(): void {
  precompile([
    ...Object.values(ACTIONS).flatMap((a) => [a.configuration, ...Object.values(a.json ?? {})]),
    ...Object.values(RULES).map((r) => r.configuration),
    files.BUILDSPEC, files.SERVER_APPSPEC, files.ECS_APPSPEC, files.TASKDEF, files.IMAGE_DETAIL, files.IMAGE_DEFINITIONS,
  ]);
  for (const pkg of ['@aws-sdk/client-codedeploy', '@aws-sdk/client-codepipeline']) serviceModel(pkg);
}
