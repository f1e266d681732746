export * from './appspec';
export * from './server-deployment';
