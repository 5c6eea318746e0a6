/**
 * What an SPDK app prints on stderr, in SPDK's format:
 *   [2024-01-29 10:00:00.123456] app.c: 815:spdk_app_start: *NOTICE*: Total cores available: 1
 * (`spdk_log` in lib/log/log.c: timestamp, then "%s:%4d:%s: *%s*: " file, line, function, level).
 * With --silence-noticelog only warnings and errors reach stderr. DPDK's own lines ("EAL: …") and
 * a few plain printf lines go out as they are.
 *
 * This is the simulator's *product* output, not its diagnostics; the simulator's own debugging goes
 * through the project logger (`getLogger('sim.…')`), silent unless SPDK_AGENT_LOG_LEVEL=debug.
 */

export type SpdkLogLevel = 'ERROR' | 'WARNING' | 'NOTICE';

export interface LogSite {
  file: string;
  line: number;
  func: string;
}

export class SpdkLog {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly silenceNotice: boolean,
  ) {}

  error(site: LogSite, message: string): void {
    this.write('ERROR', site, message);
  }

  warn(site: LogSite, message: string): void {
    this.write('WARNING', site, message);
  }

  notice(site: LogSite, message: string): void {
    if (!this.silenceNotice) this.write('NOTICE', site, message);
  }

  /** A line printed without SPDK's prefix (DPDK's EAL lines, printf). */
  plain(line: string): void {
    this.out.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  /** A notice-level line without file/function (SPDK's `[ DPDK EAL parameters: … ]` banner). */
  bare(message: string): void {
    if (!this.silenceNotice) this.out.write(`[${timestamp()}] ${message}\n`);
  }

  private write(level: SpdkLogLevel, site: LogSite, message: string): void {
    const text = message.endsWith('\n') ? message : `${message}\n`;
    this.out.write(`[${timestamp()}] ${site.file}:${String(site.line).padStart(4, ' ')}:${site.func}: *${level}*: ${text}`);
  }
}

function timestamp(): string {
  const nowMs = performance.timeOrigin + performance.now();
  const now = new Date(Math.floor(nowMs));
  const micros = String(Math.floor((nowMs % 1000) * 1000)).padStart(6, '0');
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}.${micros}`;
}

/** Where SPDK v24.01 logs each message from (file, line, function), so lines read like the real ones. */
export const SITES = {
  appStart: { file: 'app.c', line: 815, func: 'spdk_app_start' },
  appStop: { file: 'app.c', line: 1052, func: 'spdk_app_stop' },
  appParseArgs: { file: 'app.c', line: 1291, func: 'spdk_app_parse_args' },
  appSetupTrace: { file: 'app.c', line: 527, func: 'app_setup_trace' },
  appClaimCores: { file: 'app.c', line: 906, func: 'spdk_app_start' },
  claimCpuCores: { file: 'app.c', line: 769, func: 'claim_cpu_cores' },
  reactorRun: { file: 'reactor.c', line: 937, func: 'reactor_run' },
  envInit: { file: 'init.c', line: 606, func: 'spdk_env_init' },
  envInitRoot: { file: 'init.c', line: 611, func: 'spdk_env_init' },
  rpcListen: { file: 'rpc.c', line: 181, func: 'spdk_rpc_listen' },
  rpcLockFile: { file: 'rpc.c', line: 163, func: 'spdk_rpc_listen' },
  rpcInitialize: { file: 'rpc.c', line: 90, func: 'spdk_rpc_initialize' },
  rpcListen2405: { file: 'rpc.c', line: 205, func: 'spdk_rpc_server_listen' },
  rpcDeprecated: { file: 'rpc.c', line: 404, func: 'spdk_rpc_call' },
  jsonConfigRead: { file: 'json_config.c', line: 553, func: 'app_json_config_read' },
  jsonConfigParse: { file: 'json_config.c', line: 558, func: 'app_json_config_read' },
  jsonConfigEntry: { file: 'json_config.c', line: 269, func: 'app_json_config_load_subsystem_config_entry' },
  jsonConfigError: { file: 'json_config.c', line: 115, func: 'app_json_config_load_done' },
  jsonConfigResponse: { file: 'json_config.c', line: 201, func: 'rpc_client_check_response' },
  jsonConfigNoSubsystems: { file: 'json_config.c', line: 636, func: 'spdk_subsystem_init_from_json_config' },
  nvmfTcpCreate: { file: 'tcp.c', line: 672, func: 'nvmf_tcp_create' },
  nvmfTcpListen: { file: 'tcp.c', line: 967, func: 'nvmf_tcp_listen' },
  nvmfRdmaCreate: { file: 'rdma.c', line: 2598, func: 'nvmf_rdma_create' },
  nvmfNqn: { file: 'nvmf.c', line: 132, func: 'nvmf_nqn_is_valid' },
  nvmfTransportMissing: { file: 'nvmf.c', line: 656, func: 'spdk_nvmf_tgt_listen_ext' },
  bdevNameExists: { file: 'bdev.c', line: 4483, func: 'bdev_name_add' },
  bdevMallocBlockSize: { file: 'bdev_malloc.c', line: 527, func: 'create_malloc_disk' },
  bdevNullBlockSize: { file: 'bdev_null.c', line: 195, func: 'bdev_null_create' },
  bdevAioOpen: { file: 'bdev_aio.c', line: 190, func: 'bdev_aio_open' },
  bdevAioCreate: { file: 'bdev_aio.c', line: 786, func: 'create_aio_bdev' },
  bdevNvmeProbe: { file: 'nvme.c', line: 918, func: 'nvme_probe_internal' },
  bdevNvmeCreate: { file: 'bdev_nvme.c', line: 5603, func: 'bdev_nvme_create' },
  vhostRegister: { file: 'vhost.c', line: 907, func: 'vhost_register_unix_socket' },
  vhostNotice: { file: 'vhost_blk.c', line: 1566, func: 'vhost_blk_construct' },
  vhostScsiNotice: { file: 'vhost_scsi.c', line: 1189, func: 'vhost_scsi_dev_construct' },
} as const satisfies Record<string, LogSite>;
