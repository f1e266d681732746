export { DeliveryChecks, DeliveryFinding } from './delivery-checks';
export { RuleLevel } from './rule';
