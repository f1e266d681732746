import { Duration } from 'aws-cdk-lib';
import { GeneratedFile } from '../../codebuild/generated-file';
import { Problems, isConcrete, fail, verbatim } from '../../private/validation';
import { RawYaml, YamlValue, toYaml } from '../../private/yaml';
import { checkArgs, constructorOf } from '../../private/shapes';
import { LIFECYCLE_EVENT_SECONDS, outside } from '../../private/limits';

/** Operating system of the instances. */
export enum AppSpecOs {
  /** Linux (and other Unix-like systems). */
  LINUX = 'linux',
  /** Windows Server. */
  WINDOWS = 'windows',
}

/** Lifecycle events of an EC2/on-premises deployment that can run scripts. */
export enum ServerLifecycleEvent {
  /** Before the revision is downloaded: stop the running application. */
  APPLICATION_STOP = 'ApplicationStop',
  /** Before the files are copied. */
  BEFORE_INSTALL = 'BeforeInstall',
  /** After the files are copied. */
  AFTER_INSTALL = 'AfterInstall',
  /** Start the application. */
  APPLICATION_START = 'ApplicationStart',
  /** Check the application works. */
  VALIDATE_SERVICE = 'ValidateService',
  /** Before the instance is taken out of the load balancer (with a load balancer). */
  BEFORE_BLOCK_TRAFFIC = 'BeforeBlockTraffic',
  /** After the instance is taken out of the load balancer. */
  AFTER_BLOCK_TRAFFIC = 'AfterBlockTraffic',
  /** Before the instance is put back into the load balancer. */
  BEFORE_ALLOW_TRAFFIC = 'BeforeAllowTraffic',
  /** After the instance is put back into the load balancer. */
  AFTER_ALLOW_TRAFFIC = 'AfterAllowTraffic',
}

/** What the agent does with a file that is already on the instance but not from the last deployment. */
export enum FileExistsBehavior {
  /** Fail the deployment (CodeDeploy's default). */
  DISALLOW = 'DISALLOW',
  /** Replace the file. */
  OVERWRITE = 'OVERWRITE',
  /** Keep the file on the instance. */
  RETAIN = 'RETAIN',
}

/** A set of files the agent copies from the revision to the instance. */
export interface AppSpecFile {
  /** Path in the revision (`/` for all of it). */
  readonly source: string;
  /** Directory on the instance. */
  readonly destination: string;
}

/** Permissions the agent sets on copied files (Linux only). */
export interface AppSpecPermission {
  /** File or directory on the instance. */
  readonly path: string;
  /**
   * Owner.
   *
   * @default - unchanged
   */
  readonly owner?: string;
  /**
   * Group.
   *
   * @default - unchanged
   */
  readonly group?: string;
  /**
   * Mode, e.g. `755`.
   *
   * @default - unchanged
   */
  readonly mode?: string;
  /**
   * Glob of the files under `object` the permission applies to.
   *
   * @default - all
   */
  readonly pattern?: string;
}

/** A script run at a lifecycle event. */
export interface AppSpecHook {
  /** The lifecycle event. */
  readonly lifecycleEvent: ServerLifecycleEvent;
  /** Path of the script in the revision, e.g. `scripts/start.sh`. */
  readonly location: string;
  /**
   * Time the script may run. CodeDeploy allows all scripts of one lifecycle event 3,600 seconds
   * together, so the timeouts of one event add up to at most 3,600 seconds.
   *
   * @default - CodeDeploy's default of 3,600 seconds
   */
  readonly timeout?: Duration;
  /**
   * User the script runs as (Linux only).
   *
   * @default - root
   */
  readonly runAs?: string;
}

/** Props of a `ServerAppSpec`. */
export interface ServerAppSpecProps {
  /**
   * Operating system of the instances.
   *
   * @default AppSpecOs.LINUX
   */
  readonly os?: AppSpecOs;
  /**
   * Files to copy to the instance.
   *
   * @default - none
   */
  readonly files?: AppSpecFile[];
  /**
   * What to do with files already on the instance.
   *
   * @default FileExistsBehavior.DISALLOW (CodeDeploy's default)
   */
  readonly fileExistsBehavior?: FileExistsBehavior;
  /**
   * Permissions set on copied files (Linux only).
   *
   * @default - none
   */
  readonly permissions?: AppSpecPermission[];
  /**
   * Scripts run at lifecycle events, in the order given for the same event.
   *
   * @default - none
   */
  readonly hooks?: AppSpecHook[];
}

const LOAD_BALANCER_EVENTS = [ServerLifecycleEvent.BEFORE_BLOCK_TRAFFIC, ServerLifecycleEvent.AFTER_BLOCK_TRAFFIC, ServerLifecycleEvent.BEFORE_ALLOW_TRAFFIC, ServerLifecycleEvent.AFTER_ALLOW_TRAFFIC];

/**
 * The appspec.yml of an EC2/on-premises revision, typed and checked at synth. Give it to the build
 * step that produces the revision (`generatedFiles: [appSpec.toFile()]`) so nobody writes it by hand.
 */
export class ServerAppSpec {
  private readonly props: ServerAppSpecProps;

  constructor(props: ServerAppSpecProps = {}) {
    checkArgs(constructorOf(new.target), [props], `${new.target.name}`);
    const problems = new Problems('ServerAppSpec');
    const os = props.os ?? AppSpecOs.LINUX;
    const validEvents = Object.values(ServerLifecycleEvent) as string[];
    (props.hooks ?? []).forEach((h, i) => {
      if (!validEvents.includes(h.lifecycleEvent)) {
        problems.add(`hooks[${i}].lifecycleEvent`, h.lifecycleEvent, 'is not an EC2/on-premises lifecycle event', `use one of ${validEvents.join(', ')}`);
      }
      if (isConcrete(h.location) && h.location.trim() === '') problems.add(`hooks[${i}].location`, h.location, 'is empty', 'give the path of the script in the revision');
      if (h.timeout && !h.timeout.isUnresolved()) {
        const seconds = h.timeout.toSeconds({ integral: false });
        if (!Number.isInteger(seconds) || outside(seconds, LIFECYCLE_EVENT_SECONDS)) {
          problems.add(`hooks[${i}].timeout`, `${seconds} seconds`, `must be a whole number of seconds from ${LIFECYCLE_EVENT_SECONDS.min} to ${LIFECYCLE_EVENT_SECONDS.max}`, 'shorten the script, or split it over several events');
        }
      }
      if (h.runAs !== undefined && os === AppSpecOs.WINDOWS) problems.add(`hooks[${i}].runAs`, h.runAs, 'is not supported on Windows', 'remove runAs');
    });
    // The limit is for all scripts of one event together.
    for (const event of new Set((props.hooks ?? []).map((h) => h.lifecycleEvent))) {
      const timed = (props.hooks ?? []).map((h, i) => ({ h, i })).filter(({ h }) => h.lifecycleEvent === event && h.timeout && !h.timeout.isUnresolved());
      const total = timed.reduce((sum, { h }) => sum + h.timeout!.toSeconds({ integral: false }), 0);
      if (timed.length > 1 && total > LIFECYCLE_EVENT_SECONDS.max) {
        problems.add(`hooks[${timed.map(({ i }) => i).join(', ')}].timeout`, `${total} seconds in all for ${event}`,
          `add up to more than the ${LIFECYCLE_EVENT_SECONDS.max} seconds CodeDeploy allows all scripts of one lifecycle event together`, `give the ${event} scripts at most ${LIFECYCLE_EVENT_SECONDS.max} seconds in all, or move some to another event`);
      }
    }
    if (os === AppSpecOs.WINDOWS && props.permissions && props.permissions.length > 0) {
      problems.add('permissions', props.permissions.map((p) => p.path), 'are not supported on Windows', 'remove permissions');
    }
    (props.files ?? []).forEach((f, i) => {
      if (isConcrete(f.source) && f.source.trim() === '') problems.add(`files[${i}].source`, f.source, 'is empty', "give a path in the revision, or '/' for all of it");
      if (isConcrete(f.destination) && f.destination.trim() === '') problems.add(`files[${i}].destination`, f.destination, 'is empty', 'give a directory on the instance');
    });
    problems.throwIfAny();
    this.props = props;
  }

  /** Whether a hook needs the deployment group to have a load balancer. */
  public get needsLoadBalancer(): boolean {
    return (this.props.hooks ?? []).some((h) => LOAD_BALANCER_EVENTS.includes(h.lifecycleEvent));
  }

  /** The appspec.yml content. */
  public render(): string {
    const p = this.props;
    const hooks: { [event: string]: YamlValue } = {};
    for (const h of p.hooks ?? []) {
      const list = (hooks[h.lifecycleEvent] as YamlValue[] | undefined) ?? [];
      list.push({ location: h.location, timeout: h.timeout?.toSeconds(), runas: h.runAs } as YamlValue);
      hooks[h.lifecycleEvent] = list;
    }
    const doc: { [key: string]: YamlValue | undefined } = {
      version: new RawYaml('0.0'),
      os: p.os ?? AppSpecOs.LINUX,
      files: p.files && p.files.length > 0 ? p.files.map((f) => ({ source: f.source, destination: f.destination })) : undefined,
      file_exists_behavior: p.fileExistsBehavior,
      permissions: p.permissions && p.permissions.length > 0
        ? p.permissions.map((x) => ({ object: x.path, pattern: x.pattern, owner: x.owner, group: x.group, mode: x.mode }) as YamlValue)
        : undefined,
      hooks: Object.keys(hooks).length > 0 ? hooks : undefined,
    };
    return toYaml(doc);
  }

  /** The appspec as a file for a build step's `generatedFiles`. */
  public toFile(): GeneratedFile {
    return { path: 'appspec.yml', content: this.render() };
  }

  /** @internal */
  public _requireLoadBalancer(hasLoadBalancer: boolean, target: string): void {
    if (this.needsLoadBalancer && !hasLoadBalancer) {
      fail(target, 'appSpec', verbatim('no load balancer'), `hooks on traffic events (${LOAD_BALANCER_EVENTS.join(', ')}) run only with a load balancer`, 'add loadBalancers, or move the scripts to other events');
    }
  }
}
