/**
 * PCI addresses (BDF) of the NVMe controllers SPDK drives, and Cyborg's text form of them.
 *
 * SPDK writes `dddd:bb:dd.f` in lower case (`spdk_pci_addr_fmt`); a domain above 0xffff (VMD)
 * has more digits. Anything else read from a target is refused rather than guessed: the address
 * is the device's identity at the conductor.
 */
import { pythonSortedJson } from './python-json.js';

export interface PciAddress {
  /** 4 or more lower-case hex digits. */
  domain: string;
  /** 2 lower-case hex digits. */
  bus: string;
  /** The slot, 2 lower-case hex digits (Cyborg calls it `device`). */
  device: string;
  /** One digit, 0–7. */
  function: string;
}

const FULL = /^([0-9a-fA-F]{4,8}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;
const SHORT = /^([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

/** Parses `0000:5e:00.0` (or `5e:00.0`, domain 0000); null when the text is not a PCI address. */
export function parsePciAddress(text: string): PciAddress | null {
  const trimmed = text.trim();
  const full = FULL.exec(trimmed);
  if (full) {
    // A domain written with leading zeros beyond four digits is the same domain.
    const domain = full[1]!.toLowerCase().replace(/^0+(?=[0-9a-f]{4})/, '');
    return { domain, bus: full[2]!.toLowerCase(), device: full[3]!.toLowerCase(), function: full[4]! };
  }
  const short = SHORT.exec(trimmed);
  if (short) return { domain: '0000', bus: short[1]!.toLowerCase(), device: short[2]!.toLowerCase(), function: short[3]! };
  return null;
}

/** `0000:5e:00.0`. */
export function formatPciAddress(address: PciAddress): string {
  return `${address.domain}:${address.bus}:${address.device}.${address.function}`;
}

/**
 * Cyborg's `pci_str_to_json`: `{"bus": "5e", "device": "00", "domain": "0000", "function": "0"}`,
 * exactly as Python writes it, so the conductor sees the same identity a Python driver would give.
 */
export function pciStrToJson(address: PciAddress): string {
  return pythonSortedJson({ domain: address.domain, bus: address.bus, device: address.device, function: address.function });
}
