export { DeploymentEvent } from './common';
export * from './strategy';
export * from './server';
export * from './ecs';
export * from './lambda';
