#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, IAspect, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import * as nag from 'cdk-nag';
import { BuildStep, DeliveryChecks, DeliveryPipeline } from 'cdk-delivery';
import { addExamples } from '../examples';

// Synthesizes every example; cdk-nag's AwsSolutions pack and our own DeliveryChecks report any
// unsuppressed finding (an error fails the synth). cdk-nag 2 packs are Aspects, cdk-nag 3 packs
// validation plugins: the app runs them the way the installed cdk-nag does (CI tries both).
const app = new App();
addExamples(app);
const AwsSolutions = nag.AwsSolutionsChecks as unknown as new (...args: unknown[]) => object;
if (typeof (nag.AwsSolutionsChecks.prototype as { visit?: unknown }).visit === 'function') {
  Aspects.of(app).add(new AwsSolutions({ verbose: true }) as IAspect);
  Aspects.of(app).add(new DeliveryChecks({ verbose: true }));
} else {
  Validations.of(app).addPlugins(new AwsSolutions(app, { verbose: true }) as IPolicyValidationPlugin, new DeliveryChecks({ verbose: true }));
}
const assembly = app.synth();

// Next to the templates: the buildspec each CodeBuild project runs, and a diagram of each pipeline.
for (const pipeline of app.node.findAll().filter((c): c is DeliveryPipeline => c instanceof DeliveryPipeline)) {
  const diagram = path.join(assembly.directory, 'diagrams', `${pipeline.node.path.replace(/\//g, '.')}.mmd`);
  fs.mkdirSync(path.dirname(diagram), { recursive: true });
  fs.writeFileSync(diagram, pipeline.diagram());
  const estimate = path.join(assembly.directory, 'estimates', `${pipeline.node.path.replace(/\//g, '.')}.md`);
  fs.mkdirSync(path.dirname(estimate), { recursive: true });
  fs.writeFileSync(estimate, `# ${pipeline.node.path}\n\n${pipeline.estimate().table}\n`);
  for (const step of pipeline.steps.filter((s): s is BuildStep => s instanceof BuildStep)) {
    const name = step.project.node.path.replace(/\/Project$/, '').replace(/\//g, '.');
    const file = path.join(assembly.directory, 'buildspecs', `${name}.buildspec.yml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, step.buildSpecYaml());
  }
}
