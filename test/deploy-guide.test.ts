import * as fs from 'fs';
import * as path from 'path';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import { addExamples } from '../examples';
import { newApp } from './util';

// The deploy guide's commands name what the examples synthesize: stacks, and the code parameters
// of the Lambda application's first deployment.
const guide = fs.readFileSync(path.join(__dirname, '..', 'docs', 'deploy.md'), 'utf8');
const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const app = newApp();
addExamples(app);
const stacks = app.node.findAll().filter((c): c is Stack => c instanceof Stack);
const names = new Set(stacks.map((s) => s.stackName));

test('every stack a cdk deploy or destroy command names is a stack of the examples', () => {
  const named = [...`${guide}\n${readme}`.matchAll(/cdk (?:deploy|destroy) ([^\n]*)/g)]
    .flatMap((m) => m[1].split(/\s+/).filter((w) => /^[A-Z][A-Za-z0-9-]+$/.test(w)));
  expect(named.length).toBeGreaterThan(8);
  expect(named.filter((n) => !names.has(n))).toEqual([]);
});

test('the Lambda application\'s code parameters are the ones the guide passes', () => {
  const lambdaApp = stacks.find((s) => s.stackName === 'LambdaLinearApp')!;
  // The logical ids the template gives them, without synthesizing every example again.
  const parameters = lambdaApp.node.findAll().filter((c): c is CfnParameter => c instanceof CfnParameter)
    .map((p) => lambdaApp.resolve(p.logicalId) as string).filter((p) => p.includes('LambdaSource'));
  expect(parameters).toHaveLength(2);
  const passed = [...guide.matchAll(/--parameters (\w+)=/g)].map((m) => m[1]);
  expect(passed.sort()).toEqual(parameters.sort());
});
