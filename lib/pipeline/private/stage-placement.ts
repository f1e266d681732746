import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { IStep, StepActions } from '../../core/step';
import { Problems } from '../../private/validation';
import { StagePhase } from './environments';

/** A step bound into a stage, with the actions it returned. */
export interface PlacedStep {
  readonly step: IStep;
  readonly actions: codepipeline.IAction[];
}

/**
 * Binds the steps of a stage's phases in order and gives each its runOrder: the phases run one
 * after another; in a parallel phase a step starts with the phase, or after the steps it
 * `dependsOn`; in a sequential phase each step waits for the one before it. `bind` binds one
 * step at the runOrder it may start at, and fails when the step returns no action.
 */
export function placeSteps(phases: readonly StagePhase[], problems: Problems, bind: (step: IStep, runOrder: number) => StepActions): PlacedStep[] {
  const stageSteps = phases.flatMap((p) => p.steps);
  const ordered = phases.map((p) => ({ phase: p, steps: orderSteps(p.steps, p.parallel, problems, stageSteps) }));
  problems.throwIfAny();
  const lastRunOrder = new Map<IStep, number>();
  const placed: PlacedStep[] = [];
  let previous = 0;
  for (const { phase, steps } of ordered) {
    const phaseStart = previous;
    for (const step of steps) {
      const after = phase.parallel
        ? Math.max(phaseStart, ...(step.dependsOn ?? []).map((d) => lastRunOrder.get(d) ?? 0))
        : previous;
      const actions = bind(step, after + 1).actions;
      placed.push({ step, actions });
      const last = Math.max(...actions.map((a) => a.actionProperties.runOrder ?? 1));
      lastRunOrder.set(step, last);
      previous = phase.parallel ? Math.max(previous, last) : last;
    }
  }
  return placed;
}

/**
 * The order to bind a stage's steps in: as given for a sequential stage (a dependency must come
 * earlier), dependencies first for a parallel one. Reports dependencies outside the stage or in a
 * cycle.
 */
function orderSteps(steps: IStep[], parallel: boolean, problems: Problems, stageSteps: IStep[]): IStep[] {
  const inStage = new Set(stageSteps);
  const inPhase = new Set(steps);
  steps.forEach((step, i) => {
    for (const dep of step.dependsOn ?? []) {
      if (!inStage.has(dep)) {
        problems.add(`steps[${i}].dependsOn`, dep.stepName, `'${step.stepName}' depends on a step that is not in this stage`, 'list the step in the same stage, or drop the dependency (earlier stages always finish first)');
      } else if (!parallel && inPhase.has(dep) && steps.indexOf(dep) > i) {
        problems.add(`steps[${i}].dependsOn`, dep.stepName, `'${step.stepName}' depends on a step listed after it in a sequential stage`, 'list the dependency first, or make the stage parallel');
      }
    }
  });
  if (!parallel) return steps;
  const ordered: IStep[] = [];
  const state = new Map<IStep, 'visiting' | 'done'>();
  const visit = (step: IStep, path: IStep[]): void => {
    if (state.get(step) === 'done') return;
    if (state.get(step) === 'visiting') {
      problems.add('steps', [...path, step].map((s) => s.stepName).join(' -> '), 'the dependencies form a cycle', 'remove one of the dependencies');
      return;
    }
    state.set(step, 'visiting');
    for (const dep of step.dependsOn ?? []) if (inPhase.has(dep)) visit(dep, [...path, step]);
    state.set(step, 'done');
    ordered.push(step);
  };
  steps.forEach((s) => visit(s, []));
  return ordered;
}
