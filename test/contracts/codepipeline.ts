/* eslint-disable @typescript-eslint/no-explicit-any -- contracts read the untyped JSON of templates */
/**
 * The CodePipeline contract: every action's configuration keys and values against its provider's
 * action reference page, its numbers of input and output artifacts, the artifacts its
 * configuration names, the length limits of keys and values; every stage-condition rule's
 * configuration against its rule reference page; and the results each kind of condition allows.
 * A provider without a contract is a violation too: add one from its reference page.
 */
import { TOKEN, Template, marker, literal, pathOf, withMarkers } from './intrinsics';
import { ACTIONS, CONDITIONS, LIMITS, RULES } from './schemas/codepipeline';
import { schemaErrors } from './validators';
import { Violation } from './violation';


/** Configuration values as strings, tokens marked, for a schema. */
function configurationOf(config: any, template: Template): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const [k, v] of Object.entries(config ?? {})) {
    out[k] = literal(v, template) ?? withMarkers(v, template, marker) ?? marker();
  }
  return out;
}

/** Schema errors at a JSON path of the template. */
function errorsAt(schema: object, value: unknown, at: string): Array<{ at: string; found: string; requires: string }> {
  return schemaErrors(schema, value).map((e) => ({ at: e.path ? `${at}.${e.path}` : at, found: e.found, requires: e.requires }));
}

const typeOf = (id: any) => `${id?.Category}/${id?.Owner}/${id?.Provider}/${id?.Version}`;

export function checkCodePipeline(template: Template): Violation[] {
  const violations: Violation[] = [];
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    if (res.Type !== 'AWS::CodePipeline::Pipeline') continue;
    const add = (at: string, found: string, requires: string, source: string) =>
      violations.push({ contract: 'CodePipeline', resource: id, constructPath: pathOf(template, id), at, found, requires, source });
    const stages: any[] = Array.isArray(res.Properties?.Stages) ? res.Properties.Stages : [];
    stages.forEach((stage, s) => {
      const at = `Properties.Stages[${s}]`;
      (Array.isArray(stage.Actions) ? stage.Actions : []).forEach((action: any, a: number) => {
        // An action behind Fn::If is not known until deploy time.
        if (action && typeof action === 'object' && 'ActionTypeId' in action) checkAction(template, action, `${at}.Actions[${a}]`, add);
      });
      checkConditions(template, stage, at, add);
    });
  }
  return violations;
}

type Add = (at: string, found: string, requires: string, source: string) => void;

function checkAction(template: Template, action: any, at: string, add: Add): void {
  const type = typeOf(action.ActionTypeId);
  const contract = ACTIONS[type];
  if (!contract) {
    add(`${at}.ActionTypeId`, type, 'an action type this suite has a contract for: add one to test/contracts/schemas/codepipeline.ts from its action reference page', 'https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference.html');
    return;
  }
  const config = configurationOf(action.Configuration, template);
  for (const e of errorsAt(contract.configuration, config, `${at}.Configuration`)) add(e.at, e.found, e.requires, contract.source);
  for (const [key, value] of Object.entries(config)) {
    if (key.length > LIMITS.keyLength) add(`${at}.Configuration.${key}`, key, `a key of at most ${LIMITS.keyLength} characters`, LIMITS.source);
    if (!value.includes(TOKEN) && (value.length < 1 || value.length > LIMITS.valueLength)) add(`${at}.Configuration.${key}`, `${value.length} characters`, `a value of 1 to ${LIMITS.valueLength} characters`, LIMITS.source);
    const schema = contract.json?.[key];
    if (schema) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        add(`${at}.Configuration.${key}`, value, 'a JSON document', contract.source);
        continue;
      }
      for (const e of errorsAt(schema, parsed, `${at}.Configuration.${key}`)) add(e.at, e.found, e.requires, contract.source);
      // Parameter override functions read input artifacts.
      for (const [name, v] of Object.entries(key === 'ParameterOverrides' && parsed && typeof parsed === 'object' ? parsed : {})) {
        const fn = (v as any)?.['Fn::GetArtifactAtt'] ?? (v as any)?.['Fn::GetParam'];
        const artifact = Array.isArray(fn) ? String(fn[0]) : undefined;
        if (artifact && !artifact.includes(TOKEN) && !(action.InputArtifacts ?? []).some((i: any) => i.Name === artifact)) {
          add(`${at}.Configuration.${key}.${name}`, artifact, 'an input artifact of the action (parameter override functions read only those)', 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-parameter-override-functions.html');
        }
      }
    }
  }
  checkCommands(action, at, contract.commands === true, contract.source, add);
  // Artifact lists behind an intrinsic (Fn::If) are not known until deploy time.
  if (action.InputArtifacts !== undefined && !Array.isArray(action.InputArtifacts)) return;
  const inputs: string[] = (action.InputArtifacts ?? []).map((i: any) => i.Name);
  const outputs = Array.isArray(action.OutputArtifacts) ? action.OutputArtifacts.length : 0;
  if (inputs.length < contract.inputs[0] || inputs.length > contract.inputs[1]) add(`${at}.InputArtifacts`, `${inputs.length}`, `${contract.inputs.join(' to ')} input artifacts for ${type}`, contract.source);
  if (Array.isArray(action.OutputArtifacts ?? []) && (outputs < contract.outputs[0] || outputs > contract.outputs[1])) add(`${at}.OutputArtifacts`, `${outputs}`, `${contract.outputs.join(' to ')} output artifacts for ${type}`, contract.source);
  if (contract.inputArtifactKeys) {
    for (const [key, value] of Object.entries(config)) {
      if (!contract.inputArtifactKeys.test(key) || value.includes(TOKEN)) continue;
      const artifact = value.split('::')[0];
      if (!inputs.includes(artifact)) add(`${at}.Configuration.${key}`, value, `the name of one of the action's input artifacts (${inputs.join(', ') || 'none'})`, contract.source);
    }
    if (type.endsWith('/CodeBuild/1') && inputs.length > 1 && config.PrimarySource === undefined) {
      add(`${at}.Configuration`, 'no PrimarySource', 'PrimarySource when the action has several input artifacts', contract.source);
    }
  }
}

/** The Commands list, output variables and output files only a Commands action takes, within the API's limits. */
function checkCommands(action: any, at: string, takesCommands: boolean, source: string, add: Add): void {
  const files = (Array.isArray(action.OutputArtifacts) ? action.OutputArtifacts : []).filter((o: any) => o?.Files !== undefined);
  if (!takesCommands) {
    for (const key of ['Commands', 'OutputVariables']) if (action[key] !== undefined) add(`${at}.${key}`, JSON.stringify(action[key]).slice(0, 80), `no ${key}: only Commands actions take them`, source);
    if (files.length > 0) add(`${at}.OutputArtifacts`, 'Files', 'no output Files: only Commands actions take them', source);
    return;
  }
  const commands: unknown[] = Array.isArray(action.Commands) ? action.Commands : [];
  if (commands.length < 1 || commands.length > LIMITS.ruleCommands) add(`${at}.Commands`, `${commands.length} commands`, `1 to ${LIMITS.ruleCommands} commands`, LIMITS.source);
  commands.forEach((c, k) => {
    if (typeof c !== 'string' || c.length < 1 || c.length > LIMITS.ruleCommandLength || /[\r\n]/.test(c)) add(`${at}.Commands[${k}]`, JSON.stringify(c).slice(0, 80), `a single-line command of 1 to ${LIMITS.ruleCommandLength} characters`, source);
  });
  const variables = action.OutputVariables;
  if (variables !== undefined && (!Array.isArray(variables) || variables.length < 1 || variables.length > 15 || variables.some((v: unknown) => typeof v !== 'string' || v.length < 1 || v.length > 128))) {
    add(`${at}.OutputVariables`, JSON.stringify(variables).slice(0, 80), '1 to 15 names of 1 to 128 characters', LIMITS.source);
  }
  for (const o of files) {
    if (!Array.isArray(o.Files) || o.Files.length < 1 || o.Files.length > 10 || o.Files.some((f: unknown) => typeof f !== 'string' || f.length < 1 || f.length > 128)) {
      add(`${at}.OutputArtifacts`, JSON.stringify(o.Files).slice(0, 80), '1 to 10 file patterns of 1 to 128 characters', 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_OutputArtifact.html');
    }
  }
}

function checkConditions(template: Template, stage: any, at: string, add: Add): void {
  for (const kind of ['BeforeEntry', 'OnSuccess', 'OnFailure']) {
    const block = stage[kind];
    if (!block) continue;
    const here = `${at}.${kind}`;
    if (kind === 'OnFailure') {
      if (block.Result !== undefined && !CONDITIONS.failureResults.includes(block.Result)) add(`${here}.Result`, String(block.Result), `one of ${CONDITIONS.failureResults.join(', ')}`, CONDITIONS.cfnSource);
      const mode = block.RetryConfiguration?.RetryMode;
      if (mode !== undefined && !CONDITIONS.retryModes.includes(mode)) add(`${here}.RetryConfiguration.RetryMode`, String(mode), `one of ${CONDITIONS.retryModes.join(', ')}`, CONDITIONS.cfnSource);
      if (block.Conditions === undefined) continue;
    }
    const conditions: any[] = Array.isArray(block.Conditions) ? block.Conditions : [];
    if (conditions.length !== 1) add(`${here}.Conditions`, `${conditions.length} conditions`, 'exactly one condition', CONDITIONS.cfnSource);
    conditions.forEach((c, i) => {
      const where = `${here}.Conditions[${i}]`;
      const allowed = CONDITIONS.results[kind];
      if (c.Result !== undefined && !allowed.includes(c.Result)) add(`${where}.Result`, String(c.Result), `one of ${allowed.join(', ')} for ${kind} conditions`, CONDITIONS.source);
      const rules: any[] = Array.isArray(c.Rules) ? c.Rules : [];
      if (rules.length < 1 || rules.length > CONDITIONS.maxRules) add(`${where}.Rules`, `${rules.length} rules`, `1 to ${CONDITIONS.maxRules} rules`, CONDITIONS.source);
      rules.forEach((rule, r) => {
        const ruleAt = `${where}.Rules[${r}]`;
        const type = typeOf(rule.RuleTypeId);
        if (kind === 'BeforeEntry' && c.Result === 'SKIP' && !CONDITIONS.skipRules.includes(rule.RuleTypeId?.Provider)) {
          add(`${ruleAt}.RuleTypeId`, type, `a ${CONDITIONS.skipRules.join(' or ')} rule: entry conditions with the SKIP result take no other`, CONDITIONS.source);
        }
        const contract = RULES[type];
        if (!contract) {
          add(`${ruleAt}.RuleTypeId`, type, 'a rule type this suite has a contract for: add one to test/contracts/schemas/codepipeline.ts from its rule reference page', 'https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference.html');
          return;
        }
        const config = configurationOf(rule.Configuration, template);
        // Names in a deployment window's cron are not case sensitive.
        if (config.Cron && !config.Cron.includes(TOKEN)) config.Cron = config.Cron.toUpperCase();
        for (const e of errorsAt(contract.configuration, config, `${ruleAt}.Configuration`)) add(e.at, e.found, e.requires, contract.source);
        for (const [key, value] of Object.entries(config)) {
          if (!value.includes(TOKEN) && value.length > LIMITS.ruleValueLength) add(`${ruleAt}.Configuration.${key}`, `${value.length} characters`, `a value of at most ${LIMITS.ruleValueLength} characters`, LIMITS.ruleSource);
        }
        const commands: unknown[] | undefined = rule.Commands;
        if (!contract.commands && commands !== undefined) add(`${ruleAt}.Commands`, `${commands.length} commands`, 'no commands: only Commands rules run commands', contract.source);
        if (contract.commands) {
          if (!Array.isArray(commands) || commands.length < 1 || commands.length > LIMITS.ruleCommands) add(`${ruleAt}.Commands`, `${Array.isArray(commands) ? commands.length : 0} commands`, `1 to ${LIMITS.ruleCommands} commands`, LIMITS.ruleSource);
          (Array.isArray(commands) ? commands : []).forEach((c, k) => {
            if (typeof c !== 'string' || c.length < 1 || c.length > LIMITS.ruleCommandLength || /[\r\n]/.test(c)) {
              add(`${ruleAt}.Commands[${k}]`, JSON.stringify(c).slice(0, 80), `a single-line command of 1 to ${LIMITS.ruleCommandLength} characters`, contract.source);
            }
          });
        }
      });
    });
  }
}
