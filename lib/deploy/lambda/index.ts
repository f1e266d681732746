export * from './lambda-deployment';
export * from './lambda-alias-deploy-step';
