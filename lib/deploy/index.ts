export { DeploymentEvent, DeploymentOptions } from './options';
export * from './alarms';
export * from './strategy';
export * from './server';
export * from './ecs';
export * from './lambda';
export * from './cloudformation';
