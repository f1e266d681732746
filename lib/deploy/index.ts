export { DeploymentEvent, DeploymentOptions } from './common';
export * from './alarms';
export * from './strategy';
export * from './server';
export * from './ecs';
export * from './lambda';
export * from './cloudformation';
