/**
 * iSCSI target methods (lib/iscsi/iscsi_rpc.c): portal groups, initiator groups, auth groups and
 * target nodes, each target node backed by a SCSI device named after it. Nothing listens on the
 * portals (no real ports are bound) and no initiator ever logs in, so connections stay empty.
 * Failures are -32602 "Invalid parameters", as SPDK answers most of them.
 */
import { arrayOf, bool, i32, object, opt, req, str } from '../rpc/decode.js';
import type { Handler } from '../rpc/method-table.js';
import { invalidParams } from '../rpc/rpc-failure.js';
import type { Bdev, ConfigEntry } from '../state/bdev.js';
import type { ScsiDevice, ScsiDevices } from '../state/scsi.js';
import type { Target } from '../target.js';
import { applyOptions, decodeOr, requireNoParams, type MethodMap } from './common.js';

interface PortalGroup {
  tag: number;
  portals: Array<{ host: string; port: string }>;
  private: boolean;
  wait: boolean;
}

interface InitiatorGroup {
  tag: number;
  initiators: string[];
  netmasks: string[];
}

interface TargetNode {
  name: string;
  aliasName: string;
  maps: Array<{ pg_tag: number; ig_tag: number }>;
  luns: Array<{ bdev: Bdev; lunId: number }>;
  queueDepth: number;
  disableChap: boolean;
  requireChap: boolean;
  mutualChap: boolean;
  chapGroup: number;
  headerDigest: boolean;
  dataDigest: boolean;
  device: ScsiDevice;
}

export class IscsiState {
  readonly portalGroups = new Map<number, PortalGroup>();
  readonly initiatorGroups = new Map<number, InitiatorGroup>();
  readonly authGroups = new Map<number, Array<Record<string, string>>>();
  readonly nodes = new Map<string, TargetNode>();
}

const pgIgMap = object({ pg_tag: req(i32), ig_tag: req(i32) });
const lunSchema = object({ bdev_name: req(str), lun_id: req(i32) });
/** The CHAP settings of a portal group, a target node or discovery. */
const chapSchema = { disable_chap: opt(bool), require_chap: opt(bool), mutual_chap: opt(bool), chap_group: opt(i32) };
/** What iscsi_initiator_group_add_initiators and _remove_initiators take. */
const initiatorListSchema = { tag: req(i32), initiators: opt(arrayOf(str)), netmasks: opt(arrayOf(str)) };

/** Deletes a portal, initiator or auth group by `tag`; -32602 when there is none. */
function deleteByTag(groups: Map<number, unknown>): Handler {
  return (params) => {
    const p = decodeOr(params, { tag: req(i32) }, invalidParams);
    if (!groups.delete(p.tag)) throw invalidParams();
    return true;
  };
}

/** A target node as iscsi_get_target_nodes lists it and framework_get_config replays it. */
function nodeJson(n: TargetNode): Record<string, unknown> {
  return {
    name: n.name,
    alias_name: n.aliasName,
    pg_ig_maps: n.maps.map((m) => ({ ...m })),
    luns: n.luns.map((l) => ({ bdev_name: l.bdev.name, lun_id: l.lunId })),
    queue_depth: n.queueDepth,
    disable_chap: n.disableChap,
    require_chap: n.requireChap,
    mutual_chap: n.mutualChap,
    chap_group: n.chapGroup,
    header_digest: n.headerDigest,
    data_digest: n.dataDigest,
  };
}

export function iscsiMethods(t: Target, state: IscsiState, scsi: ScsiDevices): MethodMap {
  const fullName = (name: string): string => (/^(iqn|eui|naa)\./i.test(name) ? name : `${String(t.settings.iscsi.get('node_base'))}:${name}`);

  const node = (name: string): TargetNode => {
    const found = state.nodes.get(fullName(name));
    if (!found) throw invalidParams();
    return found;
  };

  const initiatorGroup = (tag: number): InitiatorGroup => {
    const found = state.initiatorGroups.get(tag);
    if (!found) throw invalidParams();
    return found;
  };

  const checkMaps = (maps: Array<{ pg_tag: number; ig_tag: number }>): void => {
    for (const m of maps) if (!state.portalGroups.has(m.pg_tag) || !state.initiatorGroups.has(m.ig_tag)) throw invalidParams();
  };

  t.bdevs.onRemove((bdev) => {
    for (const n of state.nodes.values()) {
      const before = n.luns.length;
      n.luns = n.luns.filter((l) => l.bdev !== bdev);
      bdev.users -= before - n.luns.length;
    }
  });

  return {
    iscsi_create_portal_group(params) {
      const p = decodeOr(
        params,
        { tag: req(i32), portals: req(arrayOf(object({ host: req(str), port: req(str) }))), private: opt(bool), wait: opt(bool) },
        invalidParams,
      );
      if (p.tag <= 0 || state.portalGroups.has(p.tag) || p.portals.length === 0) throw invalidParams();
      for (const portal of p.portals) if (!/^\d{1,5}$/.test(portal.port) || Number(portal.port) > 65535) throw invalidParams();
      state.portalGroups.set(p.tag, {
        tag: p.tag,
        portals: p.portals.map((x) => ({ host: x.host, port: x.port })),
        private: p.private ?? false,
        wait: p.wait ?? false,
      });
      return true;
    },

    iscsi_get_portal_groups(params) {
      requireNoParams(params, 'iscsi_get_portal_groups requires no parameters');
      return [...state.portalGroups.values()].map((g) => ({ tag: g.tag, portals: g.portals.map((x) => ({ ...x })), private: g.private }));
    },

    iscsi_delete_portal_group: deleteByTag(state.portalGroups),

    iscsi_start_portal_group(params) {
      const p = decodeOr(params, { tag: req(i32) }, invalidParams);
      if (!state.portalGroups.has(p.tag)) throw invalidParams();
      return true;
    },

    iscsi_portal_group_set_auth(params) {
      const p = decodeOr(params, { tag: req(i32), ...chapSchema }, invalidParams);
      if (!state.portalGroups.has(p.tag)) throw invalidParams();
      return true;
    },

    iscsi_create_initiator_group(params) {
      const p = decodeOr(params, { tag: req(i32), initiators: req(arrayOf(str)), netmasks: req(arrayOf(str)) }, invalidParams);
      if (p.tag <= 0 || state.initiatorGroups.has(p.tag) || p.initiators.length === 0 || p.netmasks.length === 0) throw invalidParams();
      state.initiatorGroups.set(p.tag, { tag: p.tag, initiators: p.initiators, netmasks: p.netmasks });
      return true;
    },

    iscsi_get_initiator_groups(params) {
      requireNoParams(params, 'iscsi_get_initiator_groups requires no parameters');
      return [...state.initiatorGroups.values()].map((g) => ({ initiators: [...g.initiators], tag: g.tag, netmasks: [...g.netmasks] }));
    },

    iscsi_delete_initiator_group: deleteByTag(state.initiatorGroups),

    iscsi_initiator_group_add_initiators(params) {
      const p = decodeOr(params, initiatorListSchema, invalidParams);
      const g = initiatorGroup(p.tag);
      g.initiators.push(...(p.initiators ?? []));
      g.netmasks.push(...(p.netmasks ?? []));
      return true;
    },

    iscsi_initiator_group_remove_initiators(params) {
      const p = decodeOr(params, initiatorListSchema, invalidParams);
      const g = initiatorGroup(p.tag);
      g.initiators = g.initiators.filter((i) => !(p.initiators ?? []).includes(i));
      g.netmasks = g.netmasks.filter((n) => !(p.netmasks ?? []).includes(n));
      return true;
    },

    iscsi_create_target_node(params) {
      const p = decodeOr(
        params,
        {
          name: req(str),
          alias_name: req(str),
          pg_ig_maps: req(arrayOf(pgIgMap)),
          luns: req(arrayOf(lunSchema)),
          queue_depth: req(i32),
          ...chapSchema,
          header_digest: opt(bool),
          data_digest: opt(bool),
        },
        invalidParams,
      );
      const name = fullName(p.name);
      if (state.nodes.has(name) || p.luns.length === 0 || p.queue_depth <= 0) throw invalidParams();
      checkMaps(p.pg_ig_maps);
      const luns = p.luns.map((l) => {
        const bdev = t.bdevs.get(l.bdev_name);
        if (!bdev || l.lun_id < 0) throw invalidParams();
        return { bdev, lunId: l.lun_id };
      });
      for (const l of luns) l.bdev.users++;
      state.nodes.set(name, {
        name,
        aliasName: p.alias_name,
        maps: p.pg_ig_maps.map((m) => ({ pg_tag: m.pg_tag, ig_tag: m.ig_tag })),
        luns,
        queueDepth: p.queue_depth,
        disableChap: p.disable_chap ?? false,
        requireChap: p.require_chap ?? false,
        mutualChap: p.mutual_chap ?? false,
        chapGroup: p.chap_group ?? 0,
        headerDigest: p.header_digest ?? false,
        dataDigest: p.data_digest ?? false,
        device: scsi.create(name),
      });
      return true;
    },

    iscsi_get_target_nodes(params) {
      requireNoParams(params, 'iscsi_get_target_nodes requires no parameters');
      return [...state.nodes.values()].map(nodeJson);
    },

    iscsi_delete_target_node(params) {
      const p = decodeOr(params, { name: req(str) }, invalidParams);
      const n = node(p.name);
      for (const l of n.luns) l.bdev.users--;
      scsi.destroy(n.device);
      state.nodes.delete(n.name);
      return true;
    },

    iscsi_target_node_add_lun(params) {
      const p = decodeOr(params, { name: req(str), bdev_name: req(str), lun_id: opt(i32) }, invalidParams);
      const n = node(p.name);
      const bdev = t.bdevs.get(p.bdev_name);
      if (!bdev) throw invalidParams();
      let lunId = p.lun_id ?? -1;
      if (lunId === -1) {
        lunId = 0;
        while (n.luns.some((l) => l.lunId === lunId)) lunId++;
      }
      if (lunId < 0 || n.luns.some((l) => l.lunId === lunId)) throw invalidParams();
      n.luns.push({ bdev, lunId });
      bdev.users++;
      return true;
    },

    iscsi_target_node_add_pg_ig_maps(params) {
      const p = decodeOr(params, { name: req(str), pg_ig_maps: req(arrayOf(pgIgMap)) }, invalidParams);
      const n = node(p.name);
      checkMaps(p.pg_ig_maps);
      for (const m of p.pg_ig_maps) {
        if (n.maps.some((x) => x.pg_tag === m.pg_tag && x.ig_tag === m.ig_tag)) throw invalidParams();
        n.maps.push({ pg_tag: m.pg_tag, ig_tag: m.ig_tag });
      }
      return true;
    },

    iscsi_target_node_remove_pg_ig_maps(params) {
      const p = decodeOr(params, { name: req(str), pg_ig_maps: req(arrayOf(pgIgMap)) }, invalidParams);
      const n = node(p.name);
      for (const m of p.pg_ig_maps) {
        const i = n.maps.findIndex((x) => x.pg_tag === m.pg_tag && x.ig_tag === m.ig_tag);
        if (i < 0) throw invalidParams();
        n.maps.splice(i, 1);
      }
      return true;
    },

    iscsi_target_node_set_auth(params) {
      const p = decodeOr(params, { name: req(str), ...chapSchema }, invalidParams);
      const n = node(p.name);
      n.disableChap = p.disable_chap ?? n.disableChap;
      n.requireChap = p.require_chap ?? n.requireChap;
      n.mutualChap = p.mutual_chap ?? n.mutualChap;
      n.chapGroup = p.chap_group ?? n.chapGroup;
      return true;
    },

    iscsi_target_node_set_redirect(params) {
      const p = decodeOr(params, { name: req(str), pg_tag: req(i32), redirect_host: opt(str), redirect_port: opt(str) }, invalidParams);
      node(p.name);
      return true;
    },

    iscsi_target_node_request_logout(params) {
      const p = decodeOr(params, { name: req(str), pg_tag: opt(i32) }, invalidParams);
      node(p.name);
      return true;
    },

    iscsi_get_connections(params) {
      requireNoParams(params, 'iscsi_get_connections requires no parameters');
      return [];
    },

    iscsi_get_options(params) {
      requireNoParams(params, 'iscsi_get_options requires no parameters');
      return t.settings.iscsi.snapshot();
    },

    iscsi_set_options(params) {
      return applyOptions(() => t.settings.iscsi.apply(params), invalidParams);
    },

    iscsi_set_discovery_auth(params) {
      decodeOr(params, chapSchema, invalidParams, { optional: true });
      return true;
    },

    iscsi_create_auth_group(params) {
      const p = decodeOr(
        params,
        { tag: req(i32), secrets: opt(arrayOf(object({ user: req(str), secret: req(str), muser: opt(str), msecret: opt(str) }))) },
        invalidParams,
      );
      if (state.authGroups.has(p.tag)) throw invalidParams();
      state.authGroups.set(
        p.tag,
        (p.secrets ?? []).map((s) => ({ ...s }) as Record<string, string>),
      );
      return true;
    },

    iscsi_delete_auth_group: deleteByTag(state.authGroups),

    iscsi_get_auth_groups(params) {
      requireNoParams(params, 'iscsi_get_auth_groups requires no parameters');
      return [...state.authGroups.entries()].map(([tag, secrets]) => ({ tag, secrets: secrets.map((s) => ({ ...s })) }));
    },

    iscsi_auth_group_add_secret(params) {
      const p = decodeOr(params, { tag: req(i32), user: req(str), secret: req(str), muser: opt(str), msecret: opt(str) }, invalidParams);
      const g = state.authGroups.get(p.tag);
      if (!g || g.some((s) => s.user === p.user)) throw invalidParams();
      const { tag: _tag, ...secret } = p;
      g.push(secret as Record<string, string>);
      return true;
    },

    iscsi_auth_group_remove_secret(params) {
      const p = decodeOr(params, { tag: req(i32), user: req(str) }, invalidParams);
      const g = state.authGroups.get(p.tag);
      const i = g ? g.findIndex((s) => s.user === p.user) : -1;
      if (!g || i < 0) throw invalidParams();
      g.splice(i, 1);
      return true;
    },
  };
}

export function iscsiConfigEntries(t: Target, state: IscsiState): ConfigEntry[] {
  const out: ConfigEntry[] = [t.settings.iscsi.configEntry()];
  for (const g of state.portalGroups.values()) {
    out.push({ method: 'iscsi_create_portal_group', params: { tag: g.tag, portals: g.portals.map((x) => ({ ...x })), private: g.private, wait: g.wait } });
  }
  for (const g of state.initiatorGroups.values()) {
    out.push({ method: 'iscsi_create_initiator_group', params: { tag: g.tag, initiators: [...g.initiators], netmasks: [...g.netmasks] } });
  }
  for (const n of state.nodes.values()) out.push({ method: 'iscsi_create_target_node', params: nodeJson(n) });
  return out;
}
