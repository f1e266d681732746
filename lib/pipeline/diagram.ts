/** A stage of the pipeline as its L1 property resolves (camelCase names). */
export interface RenderedStage {
  readonly name: string;
  readonly actions?: Array<{ name: string; runOrder?: number; actionTypeId?: { provider?: string; category?: string } }>;
  readonly beforeEntry?: { conditions?: Array<{ result?: string; rules?: Array<{ ruleTypeId?: { provider?: string } }> }> };
  readonly onFailure?: { result?: string; retryConfiguration?: { retryMode?: string } };
  readonly onSuccess?: { conditions?: Array<{ result?: string; rules?: Array<{ ruleTypeId?: { provider?: string } }> }> };
}

const escape = (text: string) => text.replace(/"/g, '#quot;');

function conditionsOf(stage: RenderedStage): string[] {
  const notes: string[] = [];
  for (const c of stage.beforeEntry?.conditions ?? []) {
    notes.push(`gate: ${(c.rules ?? []).map((r) => r.ruleTypeId?.provider).join(', ')} (else ${(c.result ?? 'FAIL').toLowerCase()})`);
  }
  for (const c of stage.onSuccess?.conditions ?? []) {
    notes.push(`bake: ${(c.rules ?? []).map((r) => r.ruleTypeId?.provider).join(', ')} (else ${(c.result ?? 'ROLLBACK').toLowerCase()})`);
  }
  if (stage.onFailure?.result === 'ROLLBACK') notes.push('rollback on failure');
  if (stage.onFailure?.result === 'RETRY') notes.push(`retry ${(stage.onFailure.retryConfiguration?.retryMode ?? 'FAILED_ACTIONS').toLowerCase().replace('_', ' ')} on failure`);
  return notes;
}

/**
 * Renders a pipeline as a Mermaid flowchart: stages left to right, the actions of a stage grouped
 * by runOrder (actions of one runOrder side by side), approvals as hexagons, stage conditions in
 * the stage title, and each action labelled with what it does.
 */
export function renderMermaid(stages: RenderedStage[], labels: Map<string, string>): string {
  const lines = ['flowchart LR'];
  stages.forEach((stage, i) => {
    const notes = conditionsOf(stage);
    lines.push(`  subgraph s${i}["${escape(stage.name)}${notes.length > 0 ? `<br/><small>${escape(notes.join('; '))}</small>` : ''}"]`);
    lines.push('    direction TB');
    const actions = stage.actions ?? [];
    const orders = [...new Set(actions.map((a) => a.runOrder ?? 1))].sort((a, b) => a - b);
    const ids = new Map<string, string>();
    actions.forEach((a, j) => {
      const id = `s${i}a${j}`;
      ids.set(a.name, id);
      const what = labels.get(`${stage.name}/${a.name}`) ?? a.actionTypeId?.provider ?? '';
      const text = escape(`${a.name}${what ? `<br/>${what}` : ''}`);
      lines.push(a.actionTypeId?.category === 'Approval' ? `    ${id}{{"${text}"}}` : `    ${id}["${text}"]`);
    });
    for (let k = 0; k + 1 < orders.length; k++) {
      const from = actions.filter((a) => (a.runOrder ?? 1) === orders[k]);
      const to = actions.filter((a) => (a.runOrder ?? 1) === orders[k + 1]);
      for (const a of from) for (const b of to) lines.push(`    ${ids.get(a.name)} --> ${ids.get(b.name)}`);
    }
    lines.push('  end');
  });
  for (let i = 0; i + 1 < stages.length; i++) lines.push(`  s${i} --> s${i + 1}`);
  return lines.join('\n') + '\n';
}
