/**
 * A fake `RpcCaller` that answers like an SPDK target of a given version and application, for the
 * catalogue's unit tests. Not a test file.
 *
 * Its method names per version are written out here from the contract's §4 tables, independently
 * of src/spdk/methods/names.ts (a test oracle must not share the code it checks). Its answers are
 * the v24.01 fixture responses, turned into the older shapes of contract §4.4 for older versions.
 * Like SPDK it rejects params on no-argument methods (even `{}`), keys a version does not know
 * (strict decoding), and unknown methods with -32601.
 */
import { JsonRpcError, RpcTimeoutError } from '../../../../src/spdk/rpc/errors.js';
import type { RpcCallOptions, RpcCaller, RpcParams } from '../../../../src/spdk/rpc/types.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadFixture } from '../../../helpers/fixtures.js';
import { spdkFixturesDir } from '../../../helpers/paths.js';

export type FakeVersion = '17.07' | '19.04' | '22.01' | '24.01' | '25.09' | '26.05';
export type FakeApp = 'nvmf_tgt' | 'vhost' | 'iscsi_tgt' | 'spdk_tgt';

type Family = 'core' | 'nvmf' | 'vhost' | 'iscsi' | 'scsi';

/**
 * current name → [family, name in 17.07, name in 19.04] (null: absent). 22.01 has the current name
 * (and still answers the 19.04-era alias); 24.01+ only the current one.
 * Transcribed from contract §4.2/§4.3 and §3 ("since" columns).
 */
const ORACLE: Record<string, [Family, string | null, string | null]> = {
  rpc_get_methods: ['core', null, 'get_rpc_methods'],
  spdk_get_version: ['core', null, 'get_spdk_version'],
  spdk_kill_instance: ['core', 'kill_instance', 'kill_instance'],
  framework_start_init: ['core', null, 'start_subsystem_init'],
  framework_wait_init: ['core', null, 'wait_subsystem_init'],
  framework_get_subsystems: ['core', null, 'get_subsystems'],
  framework_get_config: ['core', null, 'get_subsystem_config'],
  framework_get_reactors: ['core', null, null],
  thread_get_stats: ['core', null, null],
  bdev_get_bdevs: ['core', 'get_bdevs', 'get_bdevs'],
  bdev_get_iostat: ['core', null, 'get_bdevs_iostat'],
  bdev_malloc_create: ['core', 'construct_malloc_bdev', 'construct_malloc_bdev'],
  bdev_malloc_delete: ['core', 'delete_bdev', 'delete_malloc_bdev'],
  bdev_null_create: ['core', 'construct_null_bdev', 'construct_null_bdev'],
  bdev_null_delete: ['core', 'delete_bdev', 'delete_null_bdev'],
  bdev_aio_create: ['core', 'construct_aio_bdev', 'construct_aio_bdev'],
  bdev_aio_delete: ['core', 'delete_bdev', 'delete_aio_bdev'],
  bdev_nvme_attach_controller: ['core', 'construct_nvme_bdev', 'construct_nvme_bdev'],
  bdev_nvme_detach_controller: ['core', null, 'delete_nvme_controller'],
  bdev_nvme_get_controllers: ['core', null, 'get_nvme_controllers'],
  bdev_wait_for_examine: ['core', null, null],
  nvmf_create_transport: ['nvmf', null, 'nvmf_create_transport'],
  nvmf_get_transports: ['nvmf', null, 'get_nvmf_transports'],
  nvmf_create_subsystem: ['nvmf', null, 'nvmf_subsystem_create'],
  nvmf_delete_subsystem: ['nvmf', 'delete_nvmf_subsystem', 'delete_nvmf_subsystem'],
  nvmf_get_subsystems: ['nvmf', 'get_nvmf_subsystems', 'get_nvmf_subsystems'],
  nvmf_subsystem_add_ns: ['nvmf', null, 'nvmf_subsystem_add_ns'],
  nvmf_subsystem_remove_ns: ['nvmf', null, 'nvmf_subsystem_remove_ns'],
  nvmf_subsystem_add_listener: ['nvmf', null, 'nvmf_subsystem_add_listener'],
  nvmf_subsystem_remove_listener: ['nvmf', null, 'nvmf_subsystem_remove_listener'],
  nvmf_subsystem_add_host: ['nvmf', null, 'nvmf_subsystem_add_host'],
  nvmf_subsystem_remove_host: ['nvmf', null, 'nvmf_subsystem_remove_host'],
  nvmf_get_stats: ['nvmf', null, null],
  nvmf_subsystem_get_controllers: ['nvmf', null, null],
  vhost_create_blk_controller: ['vhost', 'construct_vhost_blk_controller', 'construct_vhost_blk_controller'],
  vhost_create_scsi_controller: ['vhost', 'construct_vhost_scsi_controller', 'construct_vhost_scsi_controller'],
  vhost_scsi_controller_add_target: ['vhost', 'add_vhost_scsi_lun', 'add_vhost_scsi_lun'],
  vhost_scsi_controller_remove_target: ['vhost', 'remove_vhost_scsi_dev', 'remove_vhost_scsi_target'],
  vhost_get_controllers: ['vhost', null, 'get_vhost_controllers'],
  vhost_delete_controller: ['vhost', null, 'remove_vhost_controller'],
  scsi_get_devices: ['scsi', 'get_scsi_devices', 'get_scsi_devices'],
  iscsi_get_target_nodes: ['iscsi', 'get_target_nodes', 'get_target_nodes'],
  iscsi_get_portal_groups: ['iscsi', 'get_portal_groups', 'get_portal_groups'],
  iscsi_get_initiator_groups: ['iscsi', 'get_initiator_groups', 'get_initiator_groups'],
  iscsi_create_portal_group: ['iscsi', 'add_portal_group', 'add_portal_group'],
  iscsi_create_initiator_group: ['iscsi', 'add_initiator_group', 'add_initiator_group'],
  iscsi_create_target_node: ['iscsi', 'construct_target_node', 'construct_target_node'],
  iscsi_delete_target_node: ['iscsi', 'delete_target_node', 'delete_target_node'],
};

/** v17.07-only names with no single current equivalent (contract §4.2). */
const V1707_EXTRA: Record<string, Family> = {
  get_vhost_blk_controllers: 'vhost',
  get_vhost_scsi_controllers: 'vhost',
  remove_vhost_blk_controller: 'vhost',
  remove_vhost_scsi_controller: 'vhost',
  construct_nvmf_subsystem: 'nvmf',
  get_luns: 'scsi',
};

const FAMILIES: Record<FakeApp, Family[]> = {
  nvmf_tgt: ['core', 'nvmf'],
  vhost: ['core', 'vhost', 'scsi'],
  iscsi_tgt: ['core', 'iscsi', 'scsi'],
  spdk_tgt: ['core', 'nvmf', 'vhost', 'iscsi', 'scsi'],
};

/** The real v24.01 method list of an app (methods.json; iscsi_tgt = spdk_tgt without nvmf/vhost). */
export function methodList2401(app: FakeApp): string[] {
  const fixture = JSON.parse(readFileSync(path.join(spdkFixturesDir, 'methods.json'), 'utf8')) as { lists: Record<string, string[]> };
  const lists = fixture.lists;
  if (app === 'iscsi_tgt') {
    return lists['spdk_tgt | rpc_get_methods']!.filter((m) => !m.startsWith('nvmf_') && !m.startsWith('vhost_') && !m.startsWith('virtio_blk'));
  }
  return [...lists[`${app} | rpc_get_methods`]!];
}

/** The name a fake of `version` registers for a current method; null when absent. */
export function wireName(version: FakeVersion, current: string): string | null {
  const row = ORACLE[current];
  if (!row) return version === '17.07' || version === '19.04' ? null : current;
  if (version === '17.07') return row[1];
  if (version === '19.04') return row[2];
  if (version === '22.01' && current === 'bdev_wait_for_examine') return current; // v20.10+
  return current;
}

/** Methods that take no params: SPDK answers -32602 to any `params`, even `{}` (contract §1.2). */
const NO_PARAMS = new Set([
  'spdk_get_version',
  'get_spdk_version',
  'framework_get_subsystems',
  'get_subsystems',
  'framework_start_init',
  'start_subsystem_init',
  'framework_get_reactors',
  'thread_get_stats',
  'scsi_get_devices',
  'get_scsi_devices',
  'iscsi_get_target_nodes',
  'get_target_nodes',
  'iscsi_get_portal_groups',
  'get_portal_groups',
  'iscsi_get_initiator_groups',
  'get_initiator_groups',
  'get_vhost_blk_controllers',
  'get_vhost_scsi_controllers',
  'bdev_wait_for_examine',
]);

/** Keys each version's decoder knows, for the calls whose params changed (contract §4.4). */
function allowedKeys(version: FakeVersion, method: string): string[] | undefined {
  if (version === '17.07') {
    if (method === 'construct_malloc_bdev') return ['num_blocks', 'block_size'];
    if (method === 'add_vhost_scsi_lun') return ['ctrlr', 'scsi_dev_num', 'lun_name'];
    if (method === 'remove_vhost_scsi_dev') return ['ctrlr', 'scsi_dev_num'];
    if (method === 'kill_instance') return ['sig_name'];
  }
  if (method === 'rpc_get_methods' || method === 'get_rpc_methods') {
    return version === '19.04' ? ['current'] : ['current', 'include_aliases'];
  }
  if (method === 'bdev_get_iostat' || method === 'get_bdevs_iostat') {
    const keys: Record<FakeVersion, string[]> = {
      '17.07': [],
      '19.04': ['name'],
      '22.01': ['name'],
      '24.01': ['name', 'per_channel'],
      '25.09': ['name', 'per_channel', 'reset_mode'],
      '26.05': ['names', 'per_channel', 'reset_mode'],
    };
    return keys[version];
  }
  if (method === 'framework_get_config' || method === 'get_subsystem_config') {
    return version === '26.05' ? ['name', 'with_batches'] : ['name'];
  }
  // v26.05 decodes the removal strictly with its own three members (lib/nvmf/nvmf_rpc.c), where
  // earlier releases shared the add's decoder (ana_state, secure_channel, … accepted and ignored).
  if (method === 'nvmf_subsystem_remove_listener' && version === '26.05') return ['nqn', 'listen_address', 'tgt_name'];
  return undefined;
}

const VERSION_RESULTS: Record<Exclude<FakeVersion, '17.07'>, unknown> = {
  '19.04': { version: 'SPDK v19.04 git sha1 1b5ba3d', fields: { major: 19, minor: 4, patch: 0, suffix: '', commit: '1b5ba3d' } },
  '22.01': { version: 'SPDK v22.01.2', fields: { major: 22, minor: 1, patch: 2, suffix: '' } },
  '24.01': { version: 'SPDK v24.01 git sha1 0786843e99', fields: { major: 24, minor: 1, patch: 0, suffix: '', commit: '0786843e99' } },
  '25.09': { version: 'SPDK v25.09', fields: { major: 25, minor: 9, patch: 0, suffix: '' } },
  '26.05': { version: 'SPDK v26.05', fields: { major: 26, minor: 5, patch: 0, suffix: '' } },
};

/**
 * The richest successful result of each method in the v24.01 captures of an app's scenario (the
 * longest: `bdev_get_bdevs` of all bdevs rather than of one, transports after one was created).
 */
export function fixtureResults(file: 'nvmf_tgt.jsonl' | 'vhost.jsonl', app = file === 'vhost.jsonl' ? 'vhost' : 'nvmf_tgt'): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const size = new Map<string, number>();
  for (const entry of loadFixture(file)) {
    if (entry.app !== app || typeof entry.response !== 'string') continue;
    const request = JSON.parse(entry.request) as { method: string; params?: { per_channel?: boolean } };
    if (request.params?.per_channel) continue; // another shape
    const reply = JSON.parse(entry.response.split('\n')[0]!) as { result?: unknown };
    if (!('result' in reply)) continue;
    const length = JSON.stringify(reply.result).length;
    if (length > (size.get(request.method) ?? -1)) {
      out.set(request.method, reply.result);
      size.set(request.method, length);
    }
  }
  return out;
}

/** An NVMe controller as v22.01+ reports it (contract §3.2). */
export const NVME_CONTROLLER = {
  name: 'Nvme0',
  ctrlrs: [
    {
      state: 'enabled',
      trid: { trtype: 'PCIe', traddr: '0000:05:00.0' },
      cntlid: 0,
      host: { nqn: 'nqn.2014-08.org.nvmexpress:uuid:2d1c7bd2-0e2a-4f8e-9a55-3f0d1a2b3c4d', addr: '', svcid: '', no_shn_notification: false },
      numa_id: 0,
    },
  ],
};

export type Handler = (params: RpcParams | undefined, method: string) => unknown;

export interface RecordedCall {
  method: string;
  params: RpcParams | undefined;
  options: RpcCallOptions | undefined;
  generation: number;
}

export class FakeTarget implements RpcCaller {
  readonly address: string;
  generation = 1;
  readonly calls: RecordedCall[] = [];
  /** Registered names (what the target answers), not necessarily what it lists. */
  readonly registered: Set<string>;
  /** What rpc_get_methods / get_rpc_methods lists. */
  readonly listed: string[];
  private readonly overrides = new Map<string, Handler>();
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private heldMethods: ReadonlySet<string> | undefined;
  private readonly results24 = new Map([...fixtureResults('vhost.jsonl'), ...fixtureResults('nvmf_tgt.jsonl')]);

  constructor(
    readonly version: FakeVersion,
    readonly app: FakeApp = 'nvmf_tgt',
    address = `/tmp/fake-${version}-${app}-${Math.random().toString(36).slice(2)}.sock`,
  ) {
    this.address = address;
    const families = FAMILIES[app];
    const names = new Set<string>();
    const listed = new Set<string>();
    if (version === '24.01' || version === '25.09' || version === '26.05') {
      for (const name of methodList2401(app)) {
        names.add(name);
        listed.add(name);
      }
    } else {
      for (const [current, [family]] of Object.entries(ORACLE)) {
        if (!families.includes(family)) continue;
        const name = wireName(version, current);
        if (name) {
          names.add(name);
          listed.add(name);
        }
        // 22.01 still answers the old aliases, but does not list them.
        const old = ORACLE[current]![2];
        if (version === '22.01' && old && old !== current) names.add(old);
      }
      if (version === '17.07') {
        for (const [name, family] of Object.entries(V1707_EXTRA)) if (families.includes(family)) names.add(name);
      }
    }
    this.registered = names;
    this.listed = [...listed].reverse(); // SPDK lists in no particular order
  }

  /** Answer `method` (a wire name) with `handler` instead of the default. */
  on(method: string, handler: Handler): this {
    this.overrides.set(method, handler);
    return this;
  }

  /**
   * Holds replies (of `methods` only, when given) until `release()`, to have calls in flight
   * together. A held call still honours its `timeoutMs` and `signal`, as the real client does.
   */
  hold(methods?: string[]): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
    this.heldMethods = methods ? new Set(methods) : undefined;
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  /** A reconnect: a new generation (the target may be another process now). */
  reconnect(): void {
    this.generation++;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** The calls as `[method, params]` pairs, for exact comparisons. */
  sent(): Array<[string, RpcParams | undefined]> {
    return this.calls.map((call) => [call.method, call.params]);
  }

  async call<T = unknown>(method: string, params?: RpcParams, options?: RpcCallOptions): Promise<T> {
    this.calls.push({ method, params, options, generation: this.generation });
    await new Promise((resolve) => setImmediate(resolve));
    if (this.gate && (!this.heldMethods || this.heldMethods.has(method))) await this.waitGate(this.gate, method, options);
    return this.answer(method, params) as T;
  }

  private waitGate(gate: Promise<void>, method: string, options: RpcCallOptions | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      if (options?.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          reject(new RpcTimeoutError({ address: this.address, method, timeoutMs: options.timeoutMs! }));
        }, options.timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      void gate.then(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  error(method: string, params: RpcParams | undefined, rpcCode: number, rpcMessage: string): JsonRpcError {
    return new JsonRpcError({ address: this.address, method, params, rpcCode, rpcMessage });
  }

  private answer(method: string, params: RpcParams | undefined): unknown {
    if (!this.registered.has(method) && !this.overrides.has(method)) throw this.error(method, params, -32601, 'Method not found');
    if (params !== undefined && NO_PARAMS.has(method)) throw this.error(method, params, -32602, `${method} requires no parameters`);
    const allowed = allowedKeys(this.version, method);
    if (params && allowed) {
      const unknown = Object.keys(params).find((key) => !allowed.includes(key));
      if (unknown) throw this.error(method, params, -32602, 'Invalid parameters');
    }
    const override = this.overrides.get(method);
    if (override) return override(params, method);
    return this.defaultAnswer(method, params);
  }

  /** The current name of a wire name on this fake. */
  private currentOf(method: string): string {
    for (const current of Object.keys(ORACLE)) if (wireName(this.version, current) === method) return current;
    for (const [current, row] of Object.entries(ORACLE)) if (row[2] === method) return current;
    return method;
  }

  private defaultAnswer(method: string, params: RpcParams | undefined): unknown {
    const old = this.version === '17.07' || this.version === '19.04';
    switch (method) {
      case 'get_vhost_blk_controllers':
        return [{ ctrlr: 'vhost.0', cpu_mask: '0x1', readonly: false, bdev: 'Malloc0' }];
      case 'get_vhost_scsi_controllers':
        return [{ ctrlr: 'vhost.1', cpu_mask: '0x1', scsi_devs: [{ scsi_dev_num: 0, id: 0, device_name: 'Target 0', luns: [{ id: 0, name: 'Malloc1' }] }] }];
      case 'remove_vhost_blk_controller':
      case 'remove_vhost_scsi_controller':
        return true;
    }
    const current = this.currentOf(method);
    switch (current) {
      case 'rpc_get_methods':
        return [...this.listed];
      case 'spdk_get_version':
        return VERSION_RESULTS[this.version as Exclude<FakeVersion, '17.07'>];
      case 'bdev_malloc_create':
      case 'bdev_null_create':
      case 'bdev_aio_create': {
        const name = (params?.name as string | undefined) ?? 'Malloc0';
        return this.version === '17.07' ? [name] : name; // ≤ v18.04: a one-element array
      }
      case 'bdev_get_bdevs': {
        const all = this.results24.get('bdev_get_bdevs') as Array<{ name: string; aliases: string[] }>;
        if (!params?.name) return all;
        const found = all.filter((b) => b.name === params.name || b.aliases.includes(params.name as string));
        if (found.length === 0) throw old ? this.error(method, params, -32602, 'Invalid parameters') : this.error(method, params, -19, 'No such device');
        return found;
      }
      case 'bdev_get_iostat': {
        const stats = this.results24.get('bdev_get_iostat') as { tick_rate: number; ticks: number; bdevs: Array<{ name: string }> };
        const wanted = (params?.names as string[] | undefined) ?? (params?.name ? [params.name as string] : undefined);
        const bdevs = wanted ? stats.bdevs.filter((b) => wanted.includes(b.name)) : stats.bdevs;
        if (wanted && bdevs.length !== wanted.length) throw this.error(method, params, -19, 'No such device');
        if (params?.per_channel)
          return this.results24.get('bdev_get_iostat#per_channel') ?? { tick_rate: stats.tick_rate, ticks: stats.ticks, name: wanted![0], channels: [] };
        return this.version === '19.04' ? [{ tick_rate: stats.tick_rate }, ...bdevs] : { ...stats, bdevs };
      }
      case 'bdev_nvme_get_controllers': {
        if (this.version === '19.04') {
          return NVME_CONTROLLER.ctrlrs.map(({ state: _state, ...path }) => ({ name: NVME_CONTROLLER.name, ...path }));
        }
        return [NVME_CONTROLLER];
      }
      case 'bdev_nvme_attach_controller':
        return [`${String(params?.name)}n1`];
      case 'nvmf_get_subsystems': {
        const subsystems = this.results24.get('nvmf_get_subsystems') as Array<{ nqn: string; listen_addresses: Array<Record<string, unknown>> }>;
        const shaped =
          this.version === '25.09' || this.version === '26.05'
            ? subsystems.map((s) => ({ ...s, listen_addresses: s.listen_addresses.map(({ transport: _t, ...a }) => a) }))
            : subsystems;
        return params?.nqn ? shaped.filter((s) => s.nqn === params.nqn) : shaped;
      }
      case 'nvmf_get_transports':
      case 'nvmf_get_stats':
      case 'framework_get_subsystems':
      case 'framework_get_config':
      case 'framework_get_reactors':
      case 'thread_get_stats':
      case 'vhost_get_controllers':
      case 'scsi_get_devices':
      case 'nvmf_subsystem_get_controllers':
        return this.results24.get(current);
      case 'nvmf_subsystem_add_ns':
        return (params?.namespace as { nsid?: number } | undefined)?.nsid ?? 1;
      case 'vhost_scsi_controller_add_target':
        if (method === 'add_vhost_scsi_lun' && this.version === '17.07') return true;
        return (params?.scsi_target_num as number) === -1 ? 1 : params?.scsi_target_num;
      case 'iscsi_get_target_nodes':
        return [
          {
            name: 'iqn.2016-06.io.spdk:disk1',
            alias_name: 'Disk1',
            pg_ig_maps: [{ pg_tag: 1, ig_tag: 1 }],
            luns: [{ bdev_name: 'Malloc0', lun_id: 0 }],
            queue_depth: 64,
            disable_chap: false,
            require_chap: false,
            mutual_chap: false,
            chap_group: 0,
            header_digest: false,
            data_digest: false,
          },
        ];
      case 'iscsi_get_portal_groups':
        return [{ tag: 1, portals: [{ host: '127.0.0.1', port: '3260' }], private: false }];
      case 'iscsi_get_initiator_groups':
        return [{ tag: 1, initiators: ['ANY'], netmasks: ['ANY'] }];
      default:
        return true;
    }
  }
}
