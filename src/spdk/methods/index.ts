/**
 * The SPDK method catalogue: typed wrappers over `RpcCaller.call`, one module per subsystem (as
 * SPDK's Python package), the same call working from SPDK 17.07 to 26.x (names resolved per
 * connection, old result shapes normalised). See docs/spdk-methods.md.
 */
export * as framework from './framework.js';
export * as bdev from './bdev.js';
export * as nvmf from './nvmf.js';
export * as vhost from './vhost.js';
export * as iscsi from './iscsi.js';
export { SpdkMethods } from './facade.js';
export type * from './types.js';
export type { KillSignal } from './framework.js';
export type { IostatParams, IostatResetMode, MallocCreateParams, NullCreateParams, AioCreateParams, NvmeAttachParams, NvmeDetachParams } from './bdev.js';
export type { CreateTransportParams, CreateSubsystemParams, NamespaceParams, ListenAddressParams } from './nvmf.js';
export type { CreatePortalGroupParams, CreateTargetNodeParams } from './iscsi.js';
export { MethodUnavailableError, UnsupportedParameterError, SpdkResultError, InvalidArgumentError } from './errors.js';
export { isNotFound, isAlreadyExists, isSubsystemBusy, isWellFormedNqn } from './classify.js';
export { detectApp, appFamilies, type DetectedApp, type AppFamilies } from './app.js';
export {
  detectVersion,
  describeVersion,
  parseVersionResult,
  parseVersionText,
  inferVersionRange,
  type SpdkVersion,
  type VersionInfo,
} from './target-version.js';
export { listMethods, hasOperation, knownMethodList } from './resolver.js';
export { forgetTarget, type MethodList } from './knowledge.js';
export { METHOD_HISTORY, nameCandidates, allNames, currentName, describeSpan, type Operation, type MethodNameSpan } from './names.js';
export { RELEASES, compareReleases, type Release } from './releases.js';
export { PARAM_GATES } from './param-gates.js';
