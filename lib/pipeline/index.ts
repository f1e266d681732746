export * from './delivery-pipeline';
export * from './manual-approval-step';
export * from './pipeline-variable';
export { AlarmRuleOptions, DeploymentWindowOptions, EntryResult, FailureBehavior, StageConditionOptions, StageRule } from './stage-conditions';
export { PipelineNotificationProps, PipelineNotifications } from './notifications';
export { PipelineEstimate } from './estimate';
export * from './delivery-target';
export { ArtifactAccess, ArtifactObjects } from './artifact-access';
export { ArtifactStoreStack, ArtifactStoreStackProps, CrossRegionArtifactStore } from './artifact-store';
