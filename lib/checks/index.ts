export { DeliveryChecks, DeliveryChecksProps, DeliveryFinding } from './delivery-checks';
export { RuleLevel } from './rule';
export { NagAcknowledgement, NagAcknowledgements } from './nag-acknowledgements';
