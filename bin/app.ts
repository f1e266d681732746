#!/usr/bin/env node
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addExamples } from '../examples';

// Synthesizes every example; cdk-nag's AwsSolutions pack reports any unsuppressed finding as an error.
const app = new App();
addExamples(app);
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
