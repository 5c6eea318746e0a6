/**
 * The usage text of SPDK's apps (`usage()` in lib/event/app.c of v24.01 plus each app's own
 * lines), close to SPDK's wording. `-h` prints it on stdout and exits 0; a bad command line prints
 * the error and then this text on stderr and exits 2.
 */
import type { AppName } from './apps.js';

export function usageText(program: string, app: AppName): string {
  const lines = [
    `${program} [options]`,
    '',
    'CPU options:',
    " -m, --cpumask <mask or list>    core mask (like 0xF) or core list of '[]' embraced for DPDK",
    '                                 (like [0,1,10])',
    '     --lcores <list>       lcore to CPU mapping list. The list is in the format:',
    '                           <lcores[@CPUs]>[<,lcores[@CPUs]>...]',
    "                           lcores and cpus list are grouped by '(' and ')', e.g '--lcores \"(5-7)@(10-12)\"'",
    "                           Within the group, '-' is used for range separator,",
    "                           ',' is used for single number separator.",
    "                           '( )' can be omitted for single element group,",
    "                           '@' can be omitted if cpus and lcores have the same value",
    '     --disable-cpumask-locks    Disable CPU core lock files.',
    '     --interrupt-mode      set app to interrupt mode (Warning: CPU usage will be reduced only if all',
    '                           pollers in the app support interrupt mode)',
    ' -p, --main-core <id>      main (primary) core for DPDK',
    '',
    'Configuration options:',
    ' -c, --config, --json  <config>     JSON config file',
    ' -r, --rpc-socket <path>   RPC listen address (default /var/tmp/spdk.sock)',
    '     --wait-for-rpc        wait for RPCs to initialize subsystems',
    '     --rpcs-allowed\t   comma-separated list of permitted RPCS',
    "     --json-ignore-init-errors    don't exit on invalid config entry",
    '',
    'Memory options:',
    "     --iova-mode <pa/va>   set IOVA mode ('pa' for IOVA_PA and 'va' for IOVA_VA)",
    '     --base-virtaddr <addr>      the base virtual address for DPDK (default: 0x200000000000)',
    '     --huge-dir <path>     use a specific hugetlbfs mount to reserve memory from',
    ' -R, --huge-unlink         unlink huge files after initialization',
    ' -n, --mem-channels <num>  number of memory channels used for DPDK',
    ' -s, --mem-size <size>     memory size in MB for DPDK (default: 0MB)',
    '     --msg-mempool-size <size> global message memory pool size in count (default: 262143)',
    '     --no-huge             run without using hugepages',
    ' -i, --shm-id <id>         shared memory ID (optional)',
    ' -g, --single-file-segments   force creating just one hugetlbfs file',
    '',
    'PCI options:',
    ' -A, --pci-allowed <bdf>   pci addr to allow (-B and -A cannot be used at the same time)',
    ' -B, --pci-blocked <bdf>   pci addr to block (can be used more than once)',
    ' -u, --no-pci              disable PCI access',
    '     --vfio-vf-token       VF token (UUID) shared between SR-IOV PF and VFs for vfio_pci driver',
    '',
    'Log options:',
    ' -L, --logflag <flag>    enable log flag (all, accel, aio, bdev, bdev_malloc, bdev_null, bdev_nvme, iscsi,',
    '                         json_util, nvme, nvmf, nvmf_tcp, rpc, scsi, sock, thread, vhost, …)',
    '     --silence-noticelog   disable notice level logging to stderr',
    '',
    'Trace options:',
    '     --num-trace-entries <num>   number of trace entries for each core, must be power of 2,',
    '                                 setting 0 to disable trace (default 32768)',
    '                                 Tracepoints vary in size and can use more than one trace entry.',
    ' -e, --tpoint-group <group-name>[:<tpoint_mask>]',
    '                           group_name - tracepoint group name for spdk trace buffers (nvmf_rdma,',
    '                           nvmf_tcp, scsi, iscsi_conn, bdev, nvme_pcie, nvme_tcp, bdev_nvme, sock, blob,',
    '                           bdev_raid, thread, all).',
    '                           tpoint_mask - tracepoint mask for enabling individual tpoints inside',
    '                           a tracepoint group. First tpoint inside a group can be enabled by',
    '                           setting tpoint_mask to 1 (e.g. bdev:0x1). Groups and masks can be',
    '                           combined (e.g. thread,bdev:0x1). All available tpoints can be found',
    '                           in /include/spdk_internal/trace_defs.h',
    '',
    'Other options:',
    ' -h, --help                show this usage',
    ' -v, --version             print SPDK version',
    ' -d, --limit-coredump      do not set max coredump size to RLIM_INFINITY',
    '     --env-context         Opaque context for use of the env implementation',
  ];
  const specific = APP_USAGE[app];
  if (specific.length > 0) lines.push('', 'Application specific:', ...specific);
  lines.push(
    '',
    'Simulator options (spdk-sim only, also from SPDK_SIM_OPTS): see docs/simulator.md',
    '     --sim-app <app>, --sim-emulate-version <17.07|19.04|24.01|25.09>, --sim-poll-period-us <us>,',
    '     --sim-nvme <bdf[,key=value…]|none>, --sim-fault <fault>, --sim-io-ops-per-sec <n>, …',
  );
  return `${lines.join('\n')}\n`;
}

const APP_USAGE: Readonly<Record<AppName, readonly string[]>> = {
  nvmf_tgt: [],
  vhost: [' -f <path>                 save pid to file under given path', ' -S <path>                 directory where to create vhost sockets (default: pwd)'],
  spdk_tgt: [
    ' -f <path>                 save pid to file under given path',
    ' -S <path>                 directory where to create vhost sockets (default: pwd)',
  ],
  iscsi_tgt: [' -b                        run iscsi target background, the default is foreground'],
};
