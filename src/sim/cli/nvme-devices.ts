/**
 * The emulated PCIe NVMe SSDs of the simulated machine: what `bdev_nvme_attach_controller
 * trtype=PCIe traddr=<BDF>` finds. Given with `--sim-nvme <BDF>[,key=value…]` (repeatable) or
 * `--sim-nvme none`; without the option the machine has the two default drives below.
 *
 * Keys: model, serial, fw, vendor (0x8086), size (bytes, or with K/M/G/T: powers of 1000, or
 * KiB/MiB/GiB/TiB), block (512 or 4096), namespaces (count, the size split evenly), security (0/1),
 * subnqn, nsuuid (0/1: whether namespaces report a UUID).
 */
import { SimOptionError } from '../errors.js';

export interface NvmeDeviceSpec {
  /** PCI address, `dddd:bb:dd.f`, lower case. */
  bdf: string;
  vendorId: number;
  model: string;
  serial: string;
  firmware: string;
  subnqn: string;
  sizeBytes: number;
  blockSize: number;
  namespaces: number;
  /** OACS security send/receive support (adds `security: {opal}` to the bdev's driver data). */
  security: boolean;
  nvmeVersion: string;
  /**
   * Whether namespaces report a UUID. Without one SPDK's bdev has no `uuid` and no alias (unless
   * bdev_nvme_set_options generate_uuids), which clients must cope with.
   */
  namespaceUuid: boolean;
}

export const DEFAULT_NVME_DEVICES: readonly NvmeDeviceSpec[] = [
  {
    bdf: '0000:5e:00.0',
    vendorId: 0x8086,
    model: 'INTEL SSDPF2KX038TZ',
    serial: 'PHAC1234006R3P8CGN',
    firmware: 'JCV10100',
    subnqn: 'nqn.2021-09.com.intel:PHAC1234006R3P8CGN',
    sizeBytes: 3_840_755_982_336,
    blockSize: 512,
    namespaces: 1,
    security: false,
    nvmeVersion: '1.4',
    namespaceUuid: true,
  },
  {
    bdf: '0000:af:00.0',
    vendorId: 0x144d,
    model: 'SAMSUNG MZWLR1T9HBJR-00007',
    serial: 'S6EYNE0R700123',
    firmware: 'MPK7725Q',
    subnqn: 'nqn.1994-11.com.samsung:nvme:PM1733:2.5-inch:S6EYNE0R700123',
    sizeBytes: 1_920_383_410_176,
    blockSize: 512,
    namespaces: 1,
    security: true,
    nvmeVersion: '1.3',
    namespaceUuid: false,
  },
];

const BDF = /^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

/** Normalises a PCI address as SPDK prints it; `0a:00.0` gets the `0000:` domain. Null if invalid. */
export function normaliseBdf(text: string): string | null {
  const full = /^[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/.test(text) ? `0000:${text}` : text;
  return BDF.test(full) ? full.toLowerCase() : null;
}

export function parseNvmeDevice(spec: string, index: number, source: string): NvmeDeviceSpec {
  const [first, ...pairs] = spec.split(',');
  const bdf = normaliseBdf((first ?? '').trim());
  const bad = (why: string): SimOptionError => new SimOptionError(`${source} '${spec}': ${why}`, { option: source, value: spec });
  if (bdf === null) throw bad('the first item must be a PCI address such as 0000:5e:00.0');
  const serial = `SIMNVME${String(index).padStart(4, '0')}${bdf.replace(/[:.]/g, '').toUpperCase()}`.slice(0, 20);
  const device: NvmeDeviceSpec = {
    bdf,
    vendorId: 0x1b36,
    model: 'SPDK-SIM NVMe SSD',
    serial,
    firmware: '1.0',
    subnqn: '',
    sizeBytes: 1_000_204_886_016,
    blockSize: 512,
    namespaces: 1,
    security: false,
    nvmeVersion: '1.4',
    namespaceUuid: true,
  };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw bad(`'${pair}' is not key=value`);
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    /** A string field of the device: 1 to `max` characters. */
    const text = (max: number): string => {
      if (value.length === 0 || value.length > max) throw bad(`${key} must be 1 to ${max} characters`);
      return value;
    };
    /** A whole number from `min` to `max`. */
    const integer = (min: number, max: number, why: string): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) throw bad(why);
      return n;
    };
    /** An on/off switch: 0 or 1. */
    const flag = (): boolean => {
      if (value !== '0' && value !== '1') throw bad(`${key} must be 0 or 1`);
      return value === '1';
    };
    switch (key) {
      case 'model':
        device.model = text(40);
        break;
      case 'serial':
        device.serial = text(20);
        break;
      case 'fw':
        device.firmware = text(8);
        break;
      case 'vendor':
        device.vendorId = integer(0, 0xffff, 'vendor must be a 16-bit number such as 0x8086');
        break;
      case 'size':
        device.sizeBytes = parseSize(value, bad);
        break;
      case 'block':
        if (value !== '512' && value !== '4096') throw bad('block must be 512 or 4096');
        device.blockSize = Number(value);
        break;
      case 'namespaces':
        device.namespaces = integer(1, 32, 'namespaces must be 1 to 32');
        break;
      case 'security':
        device.security = flag();
        break;
      case 'subnqn':
        device.subnqn = value;
        break;
      case 'nsuuid':
        device.namespaceUuid = flag();
        break;
      default:
        throw bad(`unknown key '${key}' (model, serial, fw, vendor, size, block, namespaces, security, subnqn, nsuuid)`);
    }
  }
  if (device.subnqn === '') device.subnqn = `nqn.2019-08.org.qemu:${device.serial}`;
  return device;
}

function parseSize(text: string, bad: (why: string) => SimOptionError): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?$/i.exec(text);
  if (!m) throw bad(`size '${text}' is not a size such as 960G or 1TiB`);
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toUpperCase().replace(/B$/, '');
  const powers: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, KI: 2 ** 10, MI: 2 ** 20, GI: 2 ** 30, TI: 2 ** 40 };
  const factor = powers[unit];
  if (factor === undefined) throw bad(`unknown size unit in '${text}'`);
  const bytes = Math.floor(n * factor);
  if (bytes < 1 << 20 || !Number.isSafeInteger(bytes)) throw bad('size must be at least 1 MiB');
  return bytes;
}
