import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { addExamples } from '../examples';
import { BuildStep, DeliveryPipeline, DeploymentStrategy, FailureBehavior, ManualApprovalStep, StageRule } from '../lib';
import { newApp, pipelineWith } from './util';

/** Nodes (id -> text) and edges of a Mermaid flowchart. */
function parse(diagram: string) {
  const nodes = new Map<string, string>();
  const edges: string[] = [];
  const subgraphs: string[] = [];
  for (const line of diagram.split('\n').map((l) => l.trim())) {
    let m = /^subgraph (\w+)\["(.*)"\]$/.exec(line);
    if (m) { subgraphs.push(`${m[1]}:${m[2]}`); continue; }
    m = /^(\w+)(?:\["|\{\{")(.*?)(?:"\]|"\}\})$/.exec(line);
    if (m) { nodes.set(m[1], m[2]); continue; }
    m = /^(\w+) --> (\w+)$/.exec(line);
    if (m) edges.push(`${m[1]}->${m[2]}`);
  }
  return { nodes, edges, subgraphs };
}

describe('diagram', () => {
  test('stages in order, parallel actions side by side, approvals as gates, conditions and strategies labelled', () => {
    const { pipeline } = pipelineWith();
    pipeline.addStage('Test', { steps: [new BuildStep('Lint', { commands: ['x'] }), new BuildStep('Unit', { commands: ['x'] })], parallel: true });
    pipeline.addEnvironment('Prod', {
      production: true,
      approval: new ManualApprovalStep('Approve'),
      deploy: [new BuildStep('DeployA', { commands: ['x'] }), new BuildStep('DeployB', { commands: ['x'] })],
      onFailure: FailureBehavior.ROLLBACK,
      entryGates: [StageRule.deploymentWindow('* * 9-16 ? * MON-FRI *')],
    });
    const text = pipeline.diagram();
    const { nodes, edges, subgraphs } = parse(text);
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    expect(subgraphs).toEqual([
      's0:Source', 's1:Build', 's2:Test',
      's3:Prod<br/><small>gate: DeploymentWindow (else fail); rollback on failure</small>',
    ]);
    expect(nodes.get('s0a0')).toBe('Source<br/>my-org/shop (main)');
    expect(nodes.get('s2a0')).toBe('Lint<br/>CodeBuild');
    // Lint and Unit run side by side: no edge between them.
    expect(edges.filter((e) => e.startsWith('s2a'))).toEqual([]);
    expect(text).toContain('s3a0{{"Approve<br/>Manual"}}');
    expect(edges).toEqual(expect.arrayContaining(['s3a0->s3a1', 's3a0->s3a2', 's0->s1', 's1->s2', 's2->s3']));
    expect(edges).not.toContain('s3a1->s3a2');
  });

  test('deploy steps are labelled with their strategy', () => {
    const app = newApp();
    addExamples(app);
    const ecs = app.node.findAll().find((c): c is DeliveryPipeline => c instanceof DeliveryPipeline && c.node.path.startsWith('EcsCanary'))!;
    expect(ecs.diagram()).toContain('Deploy<br/>ECS blue/green: canary 10% then 100% after 5 minutes');
    expect(DeploymentStrategy.linear({ percent: 10, interval: Duration.minutes(1) }).describe()).toBe('linear 10% every 1 minute');
  });

  test('the README shows the current diagram of every example pipeline', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const app = newApp();
    addExamples(app);
    const pipelines = app.node.findAll().filter((c): c is DeliveryPipeline => c instanceof DeliveryPipeline);
    expect(pipelines.length).toBeGreaterThan(0);
    for (const p of pipelines) {
      // If this fails after a change to an example: copy cdk.out/diagrams/<stack>.Pipeline.mmd into the README.
      expect(readme).toContain('```mermaid\n' + p.diagram() + '```');
    }
  });
});
