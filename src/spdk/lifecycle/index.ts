/** The target lifecycle: start/adopt, supervise, restart, stop (docs/lifecycle.md). */
export { TargetManager, type ManagedSpdkConfig, type TargetManagerOptions, type StartAllResult } from './manager.js';
export { TargetSupervisor, type SupervisorOptions, type StartOptions, type StopOptions } from './supervisor.js';
export type { StopOutcome, StopMethod } from './stop-procedure.js';
export type { OutputMode } from './spawn.js';
export {
  TargetLifecycleError,
  TargetStartError,
  TargetStopError,
  TargetNotStartableError,
  TargetBusyError,
  HugepagesError,
  UnknownTargetError,
  mostTellingLine,
  type StartFailureReason,
} from './errors.js';
export {
  readHugepageInfo,
  ensureHugepages,
  DEFAULT_HUGEPAGE_PATHS,
  type HugepageInfo,
  type HugepagePaths,
} from './hugepages.js';
export { buildCommandLine, memoryRequest } from './command-line.js';
export { findSocketOwner, type SocketOwner } from './socket-owner.js';
export { probeSocket, removeStaleSocketFiles, type SocketProbe } from './socket-files.js';
export { captureProcessRef, processCondition, signalProcess, type ProcessRef, type ProcessCondition } from './process-ref.js';
export {
  TARGET_DEFAULTS,
  type TargetSpec,
  type TargetState,
  type TargetStateEvent,
  type TargetStatus,
  type Ownership,
  type StartPhase,
  type RestartPolicy,
} from './types.js';
