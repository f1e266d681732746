export * from './change-set-deploy-step';
