export * from './core';
export * from './source';
export * from './codebuild';
export * from './pipeline';
export * from './deploy';
export * from './checks';
