import { DeliveryRule } from '../rule';
import { CodeBuildArtifactEncryption } from './CodeBuildArtifactEncryption';
import { CodeBuildLogging } from './CodeBuildLogging';
import { CodeBuildPlaintextCredentials } from './CodeBuildPlaintextCredentials';
import { CodeBuildPrivilegedMode } from './CodeBuildPrivilegedMode';
import { CodeBuildTimeouts } from './CodeBuildTimeouts';
import { CodeDeployAlarms } from './CodeDeployAlarms';
import { CodeDeployConfigRanges } from './CodeDeployConfigRanges';
import { CodeDeployStrategyPlatform } from './CodeDeployStrategyPlatform';
import { CodeDeployTerminationWait } from './CodeDeployTerminationWait';
import { CodePipelineActionConfiguration } from './CodePipelineActionConfiguration';
import { CodePipelineActionCount } from './CodePipelineActionCount';
import { CodePipelineApprovalTimeout } from './CodePipelineApprovalTimeout';
import { CodePipelineArtifactNames } from './CodePipelineArtifactNames';
import { CodePipelineCrossAccountKey } from './CodePipelineCrossAccountKey';
import { CodePipelineCrossRegionArtifactStores } from './CodePipelineCrossRegionArtifactStores';
import { CodePipelineInputArtifacts } from './CodePipelineInputArtifacts';
import { CodePipelineNames } from './CodePipelineNames';
import { CodePipelineRunOrder } from './CodePipelineRunOrder';
import { CodePipelineSourceStage } from './CodePipelineSourceStage';
import { CodePipelineStageConditions } from './CodePipelineStageConditions';
import { CodePipelineStageCount } from './CodePipelineStageCount';
import { CodePipelineTriggerFilters } from './CodePipelineTriggerFilters';
import { CodePipelineUniqueNames } from './CodePipelineUniqueNames';
import { CodePipelineV2Features } from './CodePipelineV2Features';
import { CodePipelineVariableNamespaces } from './CodePipelineVariableNamespaces';
import { CodePipelineVariableReferences } from './CodePipelineVariableReferences';

/** Every rule, in the order reports list them. */
export const RULES: DeliveryRule[] = [
  CodePipelineNames, CodePipelineArtifactNames, CodePipelineUniqueNames, CodePipelineStageCount, CodePipelineActionCount,
  CodePipelineSourceStage, CodePipelineInputArtifacts, CodePipelineRunOrder, CodePipelineActionConfiguration,
  CodePipelineVariableNamespaces, CodePipelineVariableReferences, CodePipelineV2Features, CodePipelineTriggerFilters,
  CodePipelineCrossRegionArtifactStores, CodePipelineCrossAccountKey, CodePipelineApprovalTimeout, CodePipelineStageConditions,
  CodeBuildPrivilegedMode, CodeBuildPlaintextCredentials, CodeBuildLogging, CodeBuildArtifactEncryption, CodeBuildTimeouts,
  CodeDeployConfigRanges, CodeDeployAlarms, CodeDeployTerminationWait, CodeDeployStrategyPlatform,
];
