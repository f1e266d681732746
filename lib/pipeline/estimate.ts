/** The estimate of one pipeline run. */
export interface PipelineEstimate {
  /** Minutes along the critical path: stages in sequence, runOrder groups in sequence, actions of a group in parallel. */
  readonly criticalPathMinutes: number;
  /** Actions that wait for a person (not counted in the critical path). */
  readonly waitingFor: string[];
  /** CodePipeline action-execution minutes of one run (V2 billing). */
  readonly actionMinutes: number;
  /**
   * CodeBuild minutes of one run billed per minute, as `computeType: minutes` lines, the compute
   * type followed by ` (ARM)` on ARM (e.g. `BUILD_GENERAL1_SMALL (ARM): 4`); builds on
   * reserved-capacity fleets are not among them.
   */
  readonly buildMinutes: string[];
  /** Cost of one run in US dollars. */
  readonly costPerRun: number;
  /**
   * Instance-minutes a month that the reserved-capacity fleets the pipeline builds on keep
   * provisioned (their base capacity, over 30 days), billed per instance-minute whether they build
   * or not: a cost per month rather than per run. 0 without fleets; a fleet whose capacity is
   * unknown (imported, or a deploy-time value) counts none (the table names it).
   */
  readonly fleetInstanceMinutesPerMonth: number;
  /** The price table the cost comes from. */
  readonly priceSource: string;
  /** The estimate as a Markdown table, with the model it rests on. */
  readonly table: string;
}
