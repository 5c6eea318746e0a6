/**
 * Names the conductor and Placement keep: deployable names, trait names, vendor names.
 *
 * A deployable name names a Placement resource provider (Cyborg creates it with
 * `uuid3(NAMESPACE_DNS, name)` and finds it again by name, across all hosts). Placement accepts at
 * most 200 characters for a provider name, stricter than the 255 of Cyborg's column, so names are
 * kept to 200. A name that had to be changed to fit (characters replaced, or shortened) gets a
 * short digest of the original, so two exports never end up with the same name.
 */
import { createHash } from 'node:crypto';

/** Placement's limit on a resource provider name (and so on a deployable name). */
export const MAX_DEPLOYABLE_NAME = 200;
/** Placement's limit on a trait name. */
export const MAX_TRAIT_NAME = 255;

const NAME_UNSAFE = /[^A-Za-z0-9._:-]/g;
const DIGEST_LENGTH = 12;

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, DIGEST_LENGTH);
}

/**
 * A name made of `parts` joined with `_`, keeping `[A-Za-z0-9._:-]` (so `cn1_0000:5e:00.0` stays
 * as the in-tree drivers write it) and replacing anything else with `_`. Deterministic: the same
 * parts always give the same name.
 */
export function safeResourceName(parts: readonly string[], maxLength = MAX_DEPLOYABLE_NAME): string {
  const raw = parts.join('_');
  const cleaned = raw.replace(NAME_UNSAFE, '_');
  if (cleaned === raw && cleaned.length <= maxLength) return cleaned;
  const suffix = `_${digest(raw)}`;
  return cleaned.slice(0, maxLength - suffix.length) + suffix;
}

/** `CUSTOM_` + the parts in upper case, anything outside `[A-Z0-9_]` replaced (Placement's rule). */
export function customName(...parts: string[]): string {
  const body = parts
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  const name = `CUSTOM_${body}`;
  return name.length <= MAX_TRAIT_NAME ? name : `${name.slice(0, MAX_TRAIT_NAME - DIGEST_LENGTH - 1)}_${digest(name).toUpperCase()}`;
}

/**
 * Vendor names for `CUSTOM_SSD_<VENDOR>` traits: Cyborg's own map (`get_vendor_maps`), so a device
 * profile written for Cyborg's SSD driver (`CUSTOM_SSD_INTEL`) matches SPDK-driven drives too,
 * plus the PCI ids NVMe drives of the same vendors actually carry (Samsung NVMe is 144d, not
 * Cyborg's 1099). Other vendors get their id: `CUSTOM_SSD_VENDOR_1C5C`.
 */
const VENDOR_NAMES: Readonly<Record<string, string>> = {
  '10de': 'NVIDIA',
  '102b': 'MATROX',
  '1bd4': 'INSPUR',
  '8086': 'INTEL',
  '1099': 'SAMSUNG',
  '144d': 'SAMSUNG',
  '1cf2': 'ZTE',
};

export function vendorTrait(vendorId: string): string {
  const name = VENDOR_NAMES[vendorId.toLowerCase()];
  return name ? customName('SSD', name) : customName('SSD', 'VENDOR', vendorId);
}
