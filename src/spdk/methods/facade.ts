/**
 * `SpdkMethods`: the catalogue bound to one caller, for code that talks to one target
 * (`new SpdkMethods(client).bdev.getBdevs()`). Each member is the module function itself with the
 * caller filled in; there is no second implementation.
 */
import type { RpcCaller } from '../rpc/types.js';
import { detectApp } from './app.js';
import * as bdev from './bdev.js';
import * as framework from './framework.js';
import * as iscsi from './iscsi.js';
import * as nvmf from './nvmf.js';
import { listMethods } from './resolver.js';
import { detectVersion } from './target-version.js';
import * as vhost from './vhost.js';

export class SpdkMethods {
  readonly framework;
  readonly bdev;
  readonly nvmf;
  readonly vhost;
  readonly iscsi;

  constructor(readonly caller: RpcCaller) {
    const on =
      <A extends unknown[], R>(fn: (caller: RpcCaller, ...args: A) => R) =>
      (...args: A): R =>
        fn(caller, ...args);
    this.framework = {
      getVersion: on(framework.getVersion),
      detectVersion: on(detectVersion),
      getMethods: on(framework.getMethods),
      waitInit: on(framework.waitInit),
      startInit: on(framework.startInit),
      killInstance: on(framework.killInstance),
      getSubsystems: on(framework.getSubsystems),
      getConfig: on(framework.getConfig),
      getReactors: on(framework.getReactors),
      getThreadStats: on(framework.getThreadStats),
    };
    this.bdev = {
      getBdevs: on(bdev.getBdevs),
      getIostat: on(bdev.getIostat),
      getChannelIostat: on(bdev.getChannelIostat),
      mallocCreate: on(bdev.mallocCreate),
      mallocDelete: on(bdev.mallocDelete),
      nullCreate: on(bdev.nullCreate),
      nullDelete: on(bdev.nullDelete),
      aioCreate: on(bdev.aioCreate),
      aioDelete: on(bdev.aioDelete),
      waitForExamine: on(bdev.waitForExamine),
      nvmeAttachController: on(bdev.nvmeAttachController),
      nvmeDetachController: on(bdev.nvmeDetachController),
      nvmeGetControllers: on(bdev.nvmeGetControllers),
    };
    this.nvmf = {
      createTransport: on(nvmf.createTransport),
      getTransports: on(nvmf.getTransports),
      createSubsystem: on(nvmf.createSubsystem),
      deleteSubsystem: on(nvmf.deleteSubsystem),
      getSubsystems: on(nvmf.getSubsystems),
      subsystemAddNs: on(nvmf.subsystemAddNs),
      subsystemRemoveNs: on(nvmf.subsystemRemoveNs),
      subsystemAddListener: on(nvmf.subsystemAddListener),
      subsystemRemoveListener: on(nvmf.subsystemRemoveListener),
      subsystemAddHost: on(nvmf.subsystemAddHost),
      subsystemRemoveHost: on(nvmf.subsystemRemoveHost),
      subsystemGetControllers: on(nvmf.subsystemGetControllers),
      getStats: on(nvmf.getStats),
    };
    this.vhost = {
      createBlkController: on(vhost.createBlkController),
      createScsiController: on(vhost.createScsiController),
      scsiControllerAddTarget: on(vhost.scsiControllerAddTarget),
      scsiControllerRemoveTarget: on(vhost.scsiControllerRemoveTarget),
      getControllers: on(vhost.getControllers),
      deleteController: on(vhost.deleteController),
    };
    this.iscsi = {
      getScsiDevices: on(iscsi.getScsiDevices),
      getTargetNodes: on(iscsi.getTargetNodes),
      getPortalGroups: on(iscsi.getPortalGroups),
      getInitiatorGroups: on(iscsi.getInitiatorGroups),
      createPortalGroup: on(iscsi.createPortalGroup),
      createInitiatorGroup: on(iscsi.createInitiatorGroup),
      createTargetNode: on(iscsi.createTargetNode),
      deleteTargetNode: on(iscsi.deleteTargetNode),
    };
  }

  /** The target's method list for the current connection (fetched once per generation). */
  async methods(): Promise<string[] | null> {
    const list = await listMethods(this.caller);
    return list.names === null ? null : [...list.names].sort();
  }

  /** The application behind the target, from its method list (`unknown` on SPDK 17.07). */
  async app(): Promise<ReturnType<typeof detectApp>> {
    const list = await listMethods(this.caller);
    return list.names === null ? 'unknown' : detectApp(list.names);
  }
}
