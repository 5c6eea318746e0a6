/** The agent layer's public face (docs/inventory-mapping.md, docs/architecture.md). */
export { AgentDaemon, REGISTRATION_REASONS, type DaemonOptions, type RegistrationEvent, type ShutdownResult } from './daemon.js';
export {
  AgentOperations,
  DISCOVER_REASON,
  type AgentIdentity,
  type OperationsDeps,
  type TargetHandle,
  type TargetRegistry,
  type PingResult,
  type DiscoverResult,
  type StopTargetResult,
} from './operations.js';
export { createAgentEndpoint, forPythonCaller, AGENT_FAILURE_MODULE } from './endpoint.js';
export { BusLink, busOptionsFromConfig } from './bus-link.js';
export { ConductorRegistration } from './conductor-registration.js';
export { RegistrationBuilder, fingerprintOf, type TargetSnapshot, type BuiltRegistration } from './registration-builder.js';
export { RegistrationScheduler, type RegistrationOutcome } from './registration-scheduler.js';
export { ChangeWatch } from './change-watch.js';
export { mapTargets, RESOURCE_CLASSES, DRIVER_NAME, type MappableTarget, type MappingOptions, type MappedDevice } from './inventory-mapping.js';
export {
  devicePrimitive,
  type DriverDevice,
  type DriverDeployable,
  type DriverAttachHandle,
  type DriverAttribute,
  type CyborgPrimitive,
} from './cyborg-objects.js';
export { parsePciAddress, formatPciAddress, pciStrToJson, type PciAddress } from './pci-address.js';
export { pythonSortedJson } from './python-json.js';
export { ARGUMENT_SCHEMAS, ENDPOINT_CLASS, checkArguments } from './arg-schemas.js';
export { agentVersion } from './agent-version.js';
export * from './errors.js';
