/* eslint-disable @typescript-eslint/no-explicit-any -- contracts read the untyped JSON of templates and generated files */
/**
 * The generated-files contract: each CodeBuild project's buildspec against the buildspec
 * reference, and each file a build writes with `printf ... > file` (appspec.yml, appspec.yaml,
 * taskdef.json, imageDetail.json, imagedefinitions.json) against the schema of its format,
 * with its content read back from the buildspec (and the project's variables where the content
 * holds deploy-time values), as the shell would write it.
 */
import { parse as parseYaml } from 'yaml';
import { TOKEN, Template, marker, pathOf, withMarkers } from './intrinsics';
import * as files from './schemas/files';
import { schemaErrors } from './validators';
import { Violation } from './violation';

type Word = { word: string } | { op: string };

/** Splits a shell command into words (quotes removed, variables expanded) and operators. */
function shellWords(command: string, variable: (name: string) => string): Word[] {
  const out: Word[] = [];
  let word: string | undefined;
  const push = (text: string) => { word = (word ?? '') + text; };
  const end = () => { if (word !== undefined) out.push({ word }); word = undefined; };
  const expand = (text: string, i: number): [string, number] => {
    const m = /^\$(\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (!m) return ['$', i + 1];
    return [variable(m[2] ?? m[3]), i + m[0].length];
  };
  for (let i = 0; i < command.length;) {
    const c = command[i];
    if (c === "'") {
      const close = command.indexOf("'", i + 1);
      push(command.slice(i + 1, close < 0 ? undefined : close));
      i = close < 0 ? command.length : close + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < command.length && command[j] !== '"') {
        if (command[j] === '\\' && '"\\$`'.includes(command[j + 1])) { text += command[j + 1]; j += 2; } else if (command[j] === '$') { const [v, k] = expand(command, j); text += v; j = k; } else { text += command[j]; j += 1; }
      }
      push(text);
      i = j + 1;
    } else if (c === '\\') {
      push(command[i + 1] ?? '');
      i += 2;
    } else if (c === '$') {
      const [v, k] = expand(command, i);
      push(v);
      i = k;
    } else if (c === '\n') {
      // A new line in a multi-line command separates commands, as ';' does.
      end();
      out.push({ op: ';' });
      i += 1;
    } else if (/\s/.test(c)) {
      end();
      i += 1;
    } else {
      const op = ['&&', '||', '>>', ';', '|', '>'].find((o) => command.startsWith(o, i));
      if (op) {
        end();
        out.push({ op });
        i += op.length;
      } else {
        push(c);
        i += 1;
      }
    }
  }
  end();
  return out;
}

/** What `printf FORMAT ARGS...` prints: the format is reused until the arguments are consumed. */
function printf(format: string, args: string[]): string {
  const unescaped = format.replace(/\\([\\nt])/g, (_m, c: string) => ({ n: '\n', t: '\t', '\\': '\\' })[c] ?? c);
  const slots = (unescaped.match(/%[sd]/g) ?? []).length;
  let out = '';
  let k = 0;
  do {
    out += unescaped.replace(/%%|%[sd]/g, (m) => (m === '%%' ? '%' : args[k++] ?? ''));
  } while (slots > 0 && k < args.length);
  return out;
}

/** Files written by `printf ... > file` in a list of commands. */
function writtenFiles(commands: string[], variable: (name: string) => string): Array<{ path: string; content: string }> {
  const out: Array<{ path: string; content: string }> = [];
  for (const command of commands) {
    const words = shellWords(command, variable);
    let start = 0;
    for (let i = 0; i <= words.length; i++) {
      const w = words[i];
      if (i < words.length && !('op' in w && ['&&', '||', ';', '|'].includes(w.op))) continue;
      const segment = words.slice(start, i);
      start = i + 1;
      const redirect = segment.findIndex((x) => 'op' in x && x.op === '>');
      const first = segment[0];
      if (redirect < 2 || !first || !('word' in first) || first.word !== 'printf') continue;
      // printf takes every word but the redirection and its target.
      const args = segment.filter((_x, k) => k > 0 && k !== redirect && k !== redirect + 1).map((x) => ('word' in x ? x.word : ''));
      const target = segment[redirect + 1];
      if (target && 'word' in target) out.push({ path: target.word, content: printf(args[0], args.slice(1)) });
    }
  }
  return out;
}

const phaseCommands = (spec: any): string[] => Object.values(spec?.phases ?? {}).flatMap((p: any) => [...(p?.commands ?? []), ...(p?.finally ?? [])]).filter((c): c is string => typeof c === 'string');

export function checkFiles(template: Template): Violation[] {
  const violations: Violation[] = [];
  const placeholders = new Set<string>();
  let taskdefs = 0;
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    if (res.Type !== 'AWS::CodeBuild::Project') continue;
    const add = (contract: string, at: string, found: string, requires: string, source: string) =>
      violations.push({ contract, resource: id, constructPath: pathOf(template, id), at, found, requires, source });
    const text = withMarkers(res.Properties?.Source?.BuildSpec, template, marker);
    if (text === undefined) continue;
    let spec: any;
    try {
      spec = parseYaml(text);
    } catch (e) {
      add('buildspec', 'Properties.Source.BuildSpec', (e as Error).message.split('\n')[0], 'a YAML document', files.BUILDSPEC_SOURCE);
      continue;
    }
    if (typeof spec !== 'object' || spec === null) continue;
    for (const e of schemaErrors(files.BUILDSPEC, spec)) add('buildspec', `Properties.Source.BuildSpec:${e.path || '/'}`, e.found, e.requires, files.BUILDSPEC_SOURCE);

    const variables = new Map<string, string>();
    for (const v of res.Properties?.Environment?.EnvironmentVariables ?? []) {
      if ((v.Type ?? 'PLAINTEXT') === 'PLAINTEXT') variables.set(v.Name, withMarkers(v.Value, template, marker) ?? marker());
    }
    const variable = (name: string) => variables.get(name) ?? spec?.env?.variables?.[name] ?? marker();
    for (const file of writtenFiles(phaseCommands(spec), variable)) {
      const at = `Properties.Source.BuildSpec:phases (writes ${file.path})`;
      const name = file.path.split('/').pop()!;
      const report = (contract: string, source: string, errors: Array<{ path: string; found: string; requires: string }>) =>
        errors.forEach((e) => add(contract, `${at}:${e.path || '/'}`, e.found, e.requires, source));
      if (name === 'appspec.yml' || name === 'appspec.yaml') {
        let doc: any;
        try {
          doc = parseYaml(file.content);
        } catch (e) {
          // A deploy-time value the file holds unquoted cannot be parsed here: nothing to prove.
          if (!file.content.includes(TOKEN)) add('AppSpec', at, (e as Error).message.split('\n')[0], 'a YAML document', files.SERVER_APPSPEC_SOURCE);
          continue;
        }
        // "Currently, the only allowed value is 0.0": as written, since YAML reads 0.0 and 0 alike.
        if (!/^version:\s*("0\.0"|'0\.0'|0\.0)\s*$/m.test(file.content)) add('AppSpec', `${at}:version`, String(/^version:.*$/m.exec(file.content)?.[0]), 'version: 0.0', files.SERVER_APPSPEC_SOURCE);
        if (doc?.Resources) {
          report('AppSpec (ECS)', files.ECS_APPSPEC_SOURCE, schemaErrors(files.ECS_APPSPEC, doc));
          const task = doc.Resources?.[0]?.TargetService?.Properties?.TaskDefinition;
          if (task !== '<TASK_DEFINITION>') add('AppSpec (ECS)', `${at}:Resources.0.TargetService.Properties.TaskDefinition`, JSON.stringify(task), 'the <TASK_DEFINITION> placeholder, which CodeDeployToECS replaces with the task definition it registers', files.TASKDEF_SOURCE);
        } else {
          report('AppSpec (EC2/on-premises)', files.SERVER_APPSPEC_SOURCE, schemaErrors(files.SERVER_APPSPEC, doc));
          for (const [event, scripts] of Object.entries(doc?.hooks ?? {})) {
            const total = (Array.isArray(scripts) ? scripts : []).reduce((sum: number, s: any) => sum + (typeof s?.timeout === 'number' ? s.timeout : 0), 0);
            if (total > files.MAX_EVENT_SECONDS) add('AppSpec (EC2/on-premises)', `${at}:hooks.${event}`, `${total} seconds in all`, `at most ${files.MAX_EVENT_SECONDS} seconds for all scripts of one lifecycle event together`, files.HOOKS_SOURCE);
          }
        }
      } else if (name === 'taskdef.json' || name === 'imageDetail.json' || name === 'imagedefinitions.json') {
        let doc: any;
        try {
          doc = JSON.parse(file.content);
        } catch (e) {
          if (!file.content.includes(TOKEN)) add(name, at, (e as Error).message, 'a JSON document', name === 'taskdef.json' ? files.TASKDEF_SOURCE : files.IMAGE_FILES_SOURCE);
          continue;
        }
        if (name === 'taskdef.json') {
          taskdefs += 1;
          report('taskdef.json', files.TASKDEF_SOURCE, schemaErrors(files.TASKDEF, doc));
          for (const c of doc?.containerDefinitions ?? []) {
            const m = /^<([^>]+)>$/.exec(String(c?.image));
            if (m) placeholders.add(m[1]);
          }
        } else if (name === 'imageDetail.json') {
          report('imageDetail.json', files.IMAGE_FILES_SOURCE, schemaErrors(files.IMAGE_DETAIL, doc));
        } else {
          report('imagedefinitions.json', files.IMAGE_FILES_SOURCE, schemaErrors(files.IMAGE_DEFINITIONS, doc));
          if (Buffer.byteLength(file.content) > 100 * 1024) add('imagedefinitions.json', at, `${Buffer.byteLength(file.content)} bytes`, 'at most 100 KB', files.IMAGE_FILES_SOURCE);
        }
      }
    }
  }
  // Each image placeholder a CodeDeployToECS action names must be in a task definition file the builds write.
  if (taskdefs > 0) {
    for (const [id, res] of Object.entries(template.Resources ?? {})) {
      if (res.Type !== 'AWS::CodePipeline::Pipeline') continue;
      (res.Properties?.Stages ?? []).forEach((stage: any, s: number) => (stage?.Actions ?? []).forEach((action: any, a: number) => {
        if (action?.ActionTypeId?.Provider !== 'CodeDeployToECS') return;
        for (const [key, value] of Object.entries(action.Configuration ?? {})) {
          if (!/^Image[1-4]ContainerName$/.test(key) || typeof value !== 'string' || placeholders.has(value)) continue;
          violations.push({
            contract: 'taskdef.json', resource: id, constructPath: pathOf(template, id), at: `Properties.Stages[${s}].Actions[${a}].Configuration.${key}`, found: value,
            requires: `a task definition file whose container image is the placeholder <${value}> (found ${[...placeholders].map((p) => `<${p}>`).join(', ') || 'none'})`, source: files.TASKDEF_SOURCE,
          });
        }
      }));
    }
  }
  return violations;
}
