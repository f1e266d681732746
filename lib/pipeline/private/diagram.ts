import { PipelineStage, runOrderGroups } from '../../checks/model/pipeline-template';

const escape = (text: string) => text.replace(/"/g, '#quot;');

function conditionsOf(stage: PipelineStage): string[] {
  const notes: string[] = [];
  for (const c of stage.BeforeEntry?.Conditions ?? []) {
    notes.push(`gate: ${(c.Rules ?? []).map((r) => r.RuleTypeId?.Provider).join(', ')} (else ${(c.Result ?? 'FAIL').toLowerCase()})`);
  }
  for (const c of stage.OnSuccess?.Conditions ?? []) {
    notes.push(`bake: ${(c.Rules ?? []).map((r) => r.RuleTypeId?.Provider).join(', ')} (else ${(c.Result ?? 'ROLLBACK').toLowerCase()})`);
  }
  if (stage.OnFailure?.Result === 'ROLLBACK') notes.push('rollback on failure');
  if (stage.OnFailure?.Result === 'RETRY') notes.push(`retry ${(stage.OnFailure.RetryConfiguration?.RetryMode ?? 'FAILED_ACTIONS').toLowerCase().replace('_', ' ')} on failure`);
  return notes;
}

/**
 * Renders a pipeline as a Mermaid flowchart: stages left to right, the actions of a stage grouped
 * by runOrder (actions of one runOrder side by side), approvals as hexagons, stage conditions in
 * the stage title, and each action labelled with what it does.
 */
export function renderMermaid(stages: PipelineStage[], labels: Map<string, string>): string {
  const lines = ['flowchart LR'];
  stages.forEach((stage, i) => {
    const notes = conditionsOf(stage);
    lines.push(`  subgraph s${i}["${escape(`${stage.Name}`)}${notes.length > 0 ? `<br/><small>${escape(notes.join('; '))}</small>` : ''}"]`);
    lines.push('    direction TB');
    const ids = new Map<string, string>();
    (stage.Actions ?? []).forEach((a, j) => {
      const id = `s${i}a${j}`;
      ids.set(`${a.Name}`, id);
      const what = labels.get(`${stage.Name}/${a.Name}`) ?? a.ActionTypeId?.Provider ?? '';
      const text = escape(`${a.Name}${what ? `<br/>${what}` : ''}`);
      lines.push(a.ActionTypeId?.Category === 'Approval' ? `    ${id}{{"${text}"}}` : `    ${id}["${text}"]`);
    });
    const groups = runOrderGroups(stage);
    for (let k = 0; k + 1 < groups.length; k++) {
      for (const a of groups[k][1]) for (const b of groups[k + 1][1]) lines.push(`    ${ids.get(`${a.Name}`)} --> ${ids.get(`${b.Name}`)}`);
    }
    lines.push('  end');
  });
  for (let i = 0; i + 1 < stages.length; i++) lines.push(`  s${i} --> s${i + 1}`);
  return lines.join('\n') + '\n';
}
