/**
 * NQN validation as SPDK's `nvmf_nqn_is_valid` (lib/nvmf/subsystem.c) does it: at most 223 bytes,
 * the discovery NQN, `nqn.2014-08.org.nvmexpress:uuid:<uuid>`, or `nqn.yyyy-mm.<reverse domain>:<name>`
 * with domain labels that start with a letter, hold letters, digits and '-', end alphanumeric and
 * are at most 63 characters. Returns SPDK's error text, or null when valid.
 */
import { isUuid } from '../rpc/decode.js';

export const DISCOVERY_NQN = 'nqn.2014-08.org.nvmexpress.discovery';
const UUID_PREFIX = 'nqn.2014-08.org.nvmexpress:uuid:';
const MAX_LENGTH = 223;
const MIN_LENGTH = 11;
const LABEL_MAX = 63;

export function nqnProblem(nqn: string): string | null {
  const length = Buffer.byteLength(nqn);
  if (length > MAX_LENGTH) return `Invalid NQN "${nqn}": length ${length} > max ${MAX_LENGTH}`;
  if (length < MIN_LENGTH) return `Invalid NQN "${nqn}": length ${length} < min ${MIN_LENGTH}`;
  if (nqn === DISCOVERY_NQN) return null;
  if (nqn.startsWith(UUID_PREFIX)) {
    const rest = nqn.slice(UUID_PREFIX.length);
    if (rest.length !== 36) return `Invalid NQN "${nqn}": uuid is not the correct length`;
    if (!isUuid(rest)) return `Invalid NQN "${nqn}": uuid is not formatted correctly`;
    return null;
  }
  if (!nqn.startsWith('nqn.')) return `Invalid NQN "${nqn}": NQN must begin with "nqn.".`;
  if (!/^nqn\.\d{4}-\d{2}\./.test(nqn)) return `Invalid date code in NQN "${nqn}"`;
  const colon = nqn.indexOf(':');
  if (colon < 0 || colon >= nqn.length - 1) {
    return `Invalid NQN "${nqn}". NQN must contain user specified name with a ':' as a prefix.`;
  }
  const domain = nqn.slice(12, colon);
  let state: 'letter' | 'ldh' | 'any' = 'letter';
  let labelLength = 0;
  for (let i = 0; i < domain.length; i++) {
    const c = domain[i]!;
    if (labelLength > LABEL_MAX) return `Invalid domain name in NQN "${nqn}". At least one Label is too long.`;
    const alpha = /[A-Za-z]/.test(c);
    const alnum = /[A-Za-z0-9]/.test(c);
    const last = i === domain.length - 1;
    if (state === 'letter') {
      if (!alpha) return `Invalid domain name in NQN "${nqn}". Label names must start with a letter.`;
      state = 'any';
      labelLength++;
    } else if (alnum) {
      state = 'any';
      labelLength++;
    } else if (c === '-') {
      if (last) return `Invalid domain name in NQN "${nqn}". Label names must end with an alphanumeric symbol.`;
      state = 'ldh';
      labelLength++;
    } else if (c === '.' && state === 'any') {
      state = 'letter';
      labelLength = 0;
    } else if (c === '.') {
      return `Invalid domain name in NQN "${nqn}". Label names must end with an alphanumeric symbol.`;
    } else {
      return `Invalid domain name in NQN "${nqn}". Label names must contain only valid characters.`;
    }
  }
  return null;
}
