/**
 * The request context: flattened into `_context_<key>` keys of every request (oslo's
 * `pack_context`), split back out on receipt (`unpack_context`) together with the control keys
 * `_msg_id`, `_reply_q`, `_timeout` and `_unique_id`.
 */
import { randomUUID } from 'node:crypto';

export type RequestContext = Record<string, unknown>;

const CONTEXT_PREFIX = '_context_';

/**
 * Cyborg's admin context (`get_admin_context().to_dict()`, as captured), with a fresh
 * `request_id`. Cyborg's conductor rebuilds it with `RequestContext.from_dict`, which tolerates
 * missing and extra keys, but this is the faithful set.
 */
export function adminContext(): RequestContext {
  return {
    user: null,
    project_id: null,
    system_scope: null,
    project: null,
    domain: null,
    user_domain: null,
    project_domain: null,
    is_admin: true,
    read_only: false,
    show_deleted: false,
    auth_token: null,
    request_id: newRequestId(),
    global_request_id: null,
    resource_uuid: null,
    roles: [],
    user_identity: '- - - - -',
    is_admin_project: true,
    user_id: null,
    user_name: null,
    service_catalog: [],
    project_name: null,
  };
}

/** `req-<uuid4>`, the form of oslo.context request ids. */
export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** A uuid4 in hex without dashes: `_msg_id`, `_unique_id`, queue suffixes. */
export function uuidHex(): string {
  const u = randomUUID(); // xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24);
}

/**
 * The same context keys come with every message: their prefixed and unprefixed forms are made
 * once (bounded, since a peer could send any key).
 */
const prefixedKeys = new Map<string, string>();
const unprefixedKeys = new Map<string, string>();
const MAX_REMEMBERED_KEYS = 1024;

function remembered(cache: Map<string, string>, key: string, make: (key: string) => string): string {
  let value = cache.get(key);
  if (value === undefined) {
    value = make(key);
    if (cache.size < MAX_REMEMBERED_KEYS) cache.set(key, value);
  }
  return value;
}

/** Adds the `_context_<key>` keys to a message (after its other keys, as oslo does). */
export function packContext(message: Record<string, unknown>, context: RequestContext): void {
  for (const key in context) {
    if (Object.hasOwn(context, key)) message[remembered(prefixedKeys, key, (k) => CONTEXT_PREFIX + k)] = context[key];
  }
}

/** A received request with its context and control keys split out. */
export interface UnpackedRequest {
  /** The caller's context (`_context_*` keys without the prefix). */
  context: RequestContext;
  /** `_msg_id`: present (truthy) when the caller waits for a reply. */
  msgId: unknown;
  /** `_reply_q`: the caller's reply queue. */
  replyQueue: unknown;
  /** `_timeout`: the caller's call-monitor timeout in seconds, or null. */
  clientTimeout: unknown;
  /** `_unique_id`: for duplicate suppression. */
  uniqueId: unknown;
  /** What remains: method, args, version, namespace. */
  body: Record<string, unknown>;
}

export function unpackRequest(message: Record<string, unknown>): UnpackedRequest {
  const context: RequestContext = {};
  const body: Record<string, unknown> = {};
  for (const key in message) {
    if (!Object.hasOwn(message, key)) continue;
    if (key.startsWith(CONTEXT_PREFIX)) context[remembered(unprefixedKeys, key, (k) => k.slice(CONTEXT_PREFIX.length))] = message[key];
    else if (!CONTROL_KEYS.has(key)) body[key] = message[key];
  }
  return {
    context,
    msgId: message._msg_id ?? null,
    replyQueue: message._reply_q ?? null,
    clientTimeout: message._timeout ?? null,
    uniqueId: message._unique_id ?? null,
    body,
  };
}

const CONTROL_KEYS = new Set(['_msg_id', '_reply_q', '_timeout', '_unique_id']);
