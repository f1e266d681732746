export * from './build-step';
