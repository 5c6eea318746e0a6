/**
 * What a target's error means, for the decisions an agent takes (create if missing, treat "already
 * there" as done, retry later). SPDK has no error vocabulary: "not found" has been -19, -32602 and
 * -22 depending on method and release, and some methods give one answer to different faults. So
 * the answer is worked out from the method (any of its names), the code and, where the code alone
 * is ambiguous, the message (contract §1.9, §8.7).
 */
import { JsonRpcError, RpcErrorCode } from '../rpc/errors.js';
import { currentName } from './names.js';
import { isObject } from './shape.js';

const INVALID_PARAMS = RpcErrorCode.InvalidParams;
const INTERNAL = RpcErrorCode.InternalError;

/** Old releases sent some errnos positive (`{"code":19,"message":"Unknown error -19"}`, spdk#1035). */
function errnoCode(code: number): number {
  return code > 0 && code < 4096 ? -code : code;
}

function operationOf(err: JsonRpcError): string {
  const method = err.method ?? '';
  return currentName(method) ?? method;
}

const NOT_FOUND_TEXT = /no such device|not found|does not exist|no such file/i;
const EXISTS_TEXT = /file exists|already exists/i;

/**
 * The target says the object named in the call does not exist: -19 ENODEV or -2 ENOENT from any
 * method; -32602/-32603/-22 whose text says so ("No such device", "… not found", "Controller X does
 * not exist"); `bdev_get_bdevs`' -32602 of v19.x and earlier; and `nvmf_delete_subsystem`'s -32602,
 * which v24.01 words only "Invalid parameters" (the wrapper's params are well-formed, so the NQN is
 * the only thing that can be wrong).
 */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof JsonRpcError)) return false;
  const code = errnoCode(err.rpcCode);
  if (code === RpcErrorCode.ENODEV || code === RpcErrorCode.ENOENT) return true;
  if ((code === INVALID_PARAMS || code === INTERNAL || code === RpcErrorCode.EINVAL) && NOT_FOUND_TEXT.test(err.rpcMessage)) return true;
  const operation = operationOf(err);
  if (operation === 'bdev_get_bdevs' || operation === 'nvmf_delete_subsystem') return code === INVALID_PARAMS;
  return false;
}

/** Roughly what SPDK's `spdk_nvmf_nqn_is_valid` accepts (`nqn.yyyy-mm.reverse.domain[:anything]`). */
const NQN = /^nqn\.\d{4}-\d{2}\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::.+)?$/;

export function isWellFormedNqn(nqn: unknown): boolean {
  return typeof nqn === 'string' && Buffer.byteLength(nqn) <= 223 && NQN.test(nqn);
}

/**
 * The target says the object the call creates exists already: -17 EEXIST from any method;
 * -32602/-32603 worded "File exists" (vhost) or "… already exists" (`nvmf_create_transport`);
 * -114 EALREADY from `bdev_nvme_attach_controller` (the controller or that path is attached; not
 * its -22 "exists, but uses a different subnqn", which is a conflict). `nvmf_create_subsystem`
 * answers a duplicate NQN and a malformed one alike (-32603 "Unable to create subsystem <nqn>"):
 * counted as existing only when the NQN sent is well-formed, so confirm with `nvmf_get_subsystems`
 * where it matters. Listener and namespace duplicates are plain -32602 "Invalid parameters" and
 * cannot be told apart from other faults: false.
 */
export function isAlreadyExists(err: unknown): boolean {
  if (!(err instanceof JsonRpcError)) return false;
  const code = errnoCode(err.rpcCode);
  if (code === RpcErrorCode.EEXIST) return true;
  const operation = operationOf(err);
  if (code === RpcErrorCode.EALREADY) return operation === 'bdev_nvme_attach_controller';
  if ((code === INVALID_PARAMS || code === INTERNAL) && EXISTS_TEXT.test(err.rpcMessage)) return true;
  if (operation === 'nvmf_create_subsystem' && code === INTERNAL && err.rpcMessage.startsWith('Unable to create subsystem')) {
    return isObject(err.params) && isWellFormedNqn(err.params.nqn);
  }
  return false;
}

/**
 * v24.01 refuses a second change to an NVMe-oF subsystem while one is in flight (-32603 "subsystem
 * busy, retry later."); v25.09 queues it instead. Retrying later is the remedy.
 */
export function isSubsystemBusy(err: unknown): boolean {
  return err instanceof JsonRpcError && err.rpcCode === INTERNAL && /subsystem busy/i.test(err.rpcMessage);
}
