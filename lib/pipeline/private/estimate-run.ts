import { PipelineStage, runOrderGroups } from '../../checks/model/pipeline-template';
import { StepEstimate } from '../../core/step';
import { MODEL } from '../../private/estimate-model';
import { PipelineEstimate } from '../estimate';

/**
 * On-demand prices in us-east-1, US dollars: CodePipeline V2 per action execution minute, and
 * CodeBuild per build minute for the compute types whose price could be confirmed (ARM ones
 * marked so; Lambda compute is billed per second, here per minute). Other compute types and
 * regions are left out of the cost, and the table says so.
 */
export const PRICES = {
  source: 'CodePipeline V2 $0.002 per action execution minute (https://aws.amazon.com/codepipeline/pricing/); CodeBuild Linux general1 small/medium/large $0.005/$0.01/$0.02 per minute, ARM small $0.0034, Lambda 1 GB $0.00002 per second (ARM $0.00001), Lambda 2 GB $0.00004 per second (https://aws.amazon.com/codebuild/pricing/); us-east-1 on-demand, as quoted 2026-12-04',
  actionMinute: 0.002,
  buildMinute: {
    'BUILD_GENERAL1_SMALL': 0.005,
    'BUILD_GENERAL1_MEDIUM': 0.01,
    'BUILD_GENERAL1_LARGE': 0.02,
    'BUILD_GENERAL1_SMALL (ARM)': 0.0034,
    'BUILD_LAMBDA_1GB': 0.0012,
    'BUILD_LAMBDA_1GB (ARM)': 0.0006,
    'BUILD_LAMBDA_2GB': 0.0024,
  } as { [computeType: string]: number },
};

/** Minutes in the 30 days a month of a fleet's provisioning is counted as. */
const MONTH_MINUTES = 30 * 24 * 60;

/** The price table's name of build minutes: the compute type, `(ARM)` on ARM. */
function priceKey(e: StepEstimate): string {
  return `${e.computeType}${String(e.environmentType ?? '').startsWith('ARM') ? ' (ARM)' : ''}`;
}

/** Estimates one run of a pipeline from its rendered stages and the estimates of its actions. */
export function estimateRun(stages: PipelineStage[], estimates: Map<string, StepEstimate>, v2: boolean): PipelineEstimate {
  let critical = 0;
  let actionMinutes = 0;
  const waiting: string[] = [];
  const build = new Map<string, number>();
  const dockerServer = new Map<string, number>();
  let reserved = 0;
  const fleets = new Map<string, number | undefined>();
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
        if (e.buildMinutes && e.computeType && e.reservedCapacity) {
          reserved += e.buildMinutes;
          if (e.fleet) fleets.set(e.fleet, e.fleetBaseCapacity);
        } else if (e.buildMinutes && e.computeType) {
          build.set(priceKey(e), (build.get(priceKey(e)) ?? 0) + e.buildMinutes);
        }
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
  const fleetMinutes = [...fleets.values()].reduce((sum: number, n) => sum + (n ?? 0) * MONTH_MINUTES, 0);
  const table = [
    '| stage | minutes |',
    '|---|---|',
    ...rows,
    `| **run (critical path)** | **${round(critical)}** |`,
    '',
    `Waiting for people (not counted): ${waiting.length > 0 ? waiting.join(', ') : 'none'}.`,
    `Cost of one run: $${costPerRun.toFixed(4)} (CodePipeline ${round(actionMinutes)} action minutes: $${pipelineCost.toFixed(4)}; CodeBuild ${[...build.entries()].map(([t, m]) => `${round(m)} min ${t}`).join(', ') || 'none'}: $${buildCost.toFixed(4)}).`,
    ...(unpriced.length > 0 ? [`No price in the table for ${unpriced.join(', ')}: those build minutes are not in the cost.`] : []),
    ...(reserved > 0 ? [
      `Builds on reserved-capacity fleets: ${round(reserved)} min, not in the cost (a fleet is paid per minute it is up, building or not) and with no provisioning wait.`,
      `The fleets keep ${[...fleets].map(([f, n]) => `${f}: ${n === undefined ? 'an unknown number of instances (imported, or set at deploy time)' : `${n} instance${n === 1 ? '' : 's'}`}`).join('; ')} provisioned, ${fleetMinutes.toLocaleString('en-US')} instance-minutes a month billed at the fleet's reserved-capacity price per instance-minute (https://aws.amazon.com/codebuild/pricing/), whatever the runs.`,
    ] : []),
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
    fleetInstanceMinutesPerMonth: fleetMinutes,
    table,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
