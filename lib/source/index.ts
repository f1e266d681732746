export { ISource, Source, SourceConfig } from './source';
export { SourceOptions } from './common';
export * from './codecommit-source';
export * from './connection';
export { ConnectionSource, ConnectionSourceProps, ConnectionSourceVariables } from './connection-source';
export * from './s3-source';
export { GlobPatterns, PushFilter, PullRequestFilter } from './trigger-filters';
export * from './ecr-source';
