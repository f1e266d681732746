export * from './ecs-deployment';
export * from './ecs-native-deployment';
