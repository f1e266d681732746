import { PipelineStage, runOrderGroups } from '../../checks/model/pipeline-template';
import { StepEstimate } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { PipelineEstimate } from '../estimate';

/**
 * On-demand prices in us-east-1, US dollars: CodePipeline V2 per action execution minute, and
 * CodeBuild per build minute for the Linux general1 compute types whose price could be confirmed.
 * Other compute types and regions are left out of the cost, and the table says so.
 */
export const PRICES = {
  source: 'CodePipeline V2 $0.002 per action execution minute (https://aws.amazon.com/codepipeline/pricing/); CodeBuild Linux general1 small/medium/large $0.005/$0.01/$0.02 per minute (https://aws.amazon.com/codebuild/pricing/); us-east-1 on-demand, as quoted 2026-11-23',
  actionMinute: 0.002,
  buildMinute: {
    BUILD_GENERAL1_SMALL: 0.005,
    BUILD_GENERAL1_MEDIUM: 0.01,
    BUILD_GENERAL1_LARGE: 0.02,
  } as { [computeType: string]: number },
};

/** Estimates one run of a pipeline from its rendered stages and the estimates of its actions. */
export function estimateRun(stages: PipelineStage[], estimates: Map<string, StepEstimate>, v2: boolean): PipelineEstimate {
  let critical = 0;
  let actionMinutes = 0;
  const waiting: string[] = [];
  const build = new Map<string, number>();
  const dockerServer = new Map<string, number>();
  let reserved = 0;
  const rows: string[] = [];
  for (const stage of stages) {
    let stageMinutes = 0;
    for (const [, actions] of runOrderGroups(stage)) {
      let group = 0;
      for (const a of actions) {
        const key = `${stage.Name}/${a.Name}`;
        const e = estimates.get(key) ?? (a.ActionTypeId?.Category === 'Source' ? { minutes: MODEL.source } : { minutes: 1 });
        if (e.waitsForPerson) {
          waiting.push(key);
          continue;
        }
        group = Math.max(group, e.minutes);
        actionMinutes += e.minutes;
        if (e.buildMinutes && e.computeType && e.reservedCapacity) reserved += e.buildMinutes;
        else if (e.buildMinutes && e.computeType) build.set(e.computeType, (build.get(e.computeType) ?? 0) + e.buildMinutes);
        if (e.buildMinutes && e.dockerServerComputeType) dockerServer.set(e.dockerServerComputeType, (dockerServer.get(e.dockerServerComputeType) ?? 0) + e.buildMinutes);
      }
      stageMinutes += group;
    }
    critical += stageMinutes;
    rows.push(`| ${stage.Name} | ${round(stageMinutes)} |`);
  }
  const buildCost = [...build.entries()].reduce((sum, [type, minutes]) => sum + minutes * (PRICES.buildMinute[type] ?? 0), 0);
  const unpriced = [...build.keys()].filter((type) => PRICES.buildMinute[type] === undefined);
  const pipelineCost = v2 ? actionMinutes * PRICES.actionMinute : 0;
  const costPerRun = pipelineCost + buildCost;
  const table = [
    '| stage | minutes |',
    '|---|---|',
    ...rows,
    `| **run (critical path)** | **${round(critical)}** |`,
    '',
    `Waiting for people (not counted): ${waiting.length > 0 ? waiting.join(', ') : 'none'}.`,
    `Cost of one run: $${costPerRun.toFixed(4)} (CodePipeline ${round(actionMinutes)} action minutes: $${pipelineCost.toFixed(4)}; CodeBuild ${[...build.entries()].map(([t, m]) => `${round(m)} min ${t}`).join(', ') || 'none'}: $${buildCost.toFixed(4)}).`,
    ...(unpriced.length > 0 ? [`No price in the table for ${unpriced.join(', ')}: those build minutes are not in the cost.`] : []),
    ...(reserved > 0 ? [`Builds on reserved-capacity fleets: ${round(reserved)} min, not in the cost (a fleet is paid per minute it is up, building or not) and with no provisioning wait.`] : []),
    ...(dockerServer.size > 0 ? [`Docker servers: ${[...dockerServer.entries()].map(([t, m]) => `${round(m)} min ${t}`).join(', ')}, paid per minute on top of the builds and not in the cost (no price in the table).`] : []),
    `Prices: ${PRICES.source}. Durations: a model (source ${MODEL.source} min, CodeBuild provisioning ${MODEL.provisioning} min plus the step's expected minutes, deployments from their strategy), not a measurement.`,
  ].join('\n');
  return {
    criticalPathMinutes: round(critical),
    waitingFor: waiting,
    actionMinutes: round(actionMinutes),
    buildMinutes: [...build.entries()].map(([t, m]) => `${t}: ${round(m)}`),
    costPerRun: Math.round(costPerRun * 10000) / 10000,
    priceSource: PRICES.source,
    table,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
