/** The `AWS::ECS::Service` deployment settings a `DeploymentStrategy` compiles to for Amazon ECS native deployments. */
export interface EcsNativeStrategyConfig {
  readonly strategy: 'BLUE_GREEN' | 'CANARY' | 'LINEAR';
  readonly canaryConfiguration?: { readonly canaryPercent: number; readonly canaryBakeTimeInMinutes: number };
  readonly linearConfiguration?: { readonly stepPercent: number; readonly stepBakeTimeInMinutes: number };
}
