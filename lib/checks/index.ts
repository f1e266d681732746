export { DeliveryChecks, DeliveryChecksProps, DeliveryFinding } from './delivery-checks';
export { RuleLevel } from './rule';
