export * from './ecs-deployment';
