export * from './build-step';
export { RuntimeVersion, SecondaryOutput } from './buildspec';
export * from './cache';
export { BuildPhase, PhaseFailure } from './phases';
export * from './reports';
export { BuildSecret, ParameterValueOptions, SecretValueOptions } from './secrets';
export * from './docker-image-step';
export * from './batch';
export { GeneratedFile } from './generated-file';
