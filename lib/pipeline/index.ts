export * from './delivery-pipeline';
export * from './manual-approval-step';
export * from './pipeline-variable';
