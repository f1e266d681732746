export * from './step';
export { DeliveryErrors } from './errors';
