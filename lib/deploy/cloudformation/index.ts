export * from './stack-deploy-step-props';
export * from './stack-deploy-step';
export * from './change-set-deploy-step';
export * from './cdk-stage-deploy-step';
