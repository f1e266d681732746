export * from './appspec';
export * from './server-deployment';
export * from './server-blue-green-deployment';
export * from './ec2-deploy-step';
