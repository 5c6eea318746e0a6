/**
 * Cyborg's five driver objects (contract §3.2) and their over-the-wire form (§3.4).
 *
 * oslo.versionedobjects applies no defaults when it hydrates: a field missing from
 * `cyborg_object.data` stays unset and the conductor fails when it reads it (a missing `stub`
 * fails the whole report). So every type below makes every field required, and `toPrimitive`
 * writes every field, including nulls and empty lists. Booleans are real JSON booleans (ovo takes
 * `bool(value)`: the string "false" would be True).
 */

export const OBJECT_NAMESPACE = 'cyborg';
export const OBJECT_VERSION = '1.0';

/** The only values Cyborg's `DeviceType` enum takes; anything else fails hydration. */
export type DeviceType = 'GPU' | 'FPGA' | 'AICHIP' | 'QAT' | 'NIC' | 'SSD';
/** The conductor's database takes only these (anything else is rolled back after a "success" reply). */
export type AttachType = 'PCI' | 'MDEV' | 'TEST_PCI';

export interface DriverAttribute {
  key: string;
  value: string;
}

export interface DriverAttachHandle {
  attach_type: AttachType;
  /** JSON text, ≤ 255 characters; the handle's identity within its deployable. */
  attach_info: string;
  /** Only read on insert: the conductor owns allocation afterwards. */
  in_use: boolean;
}

export interface DriverDeployable {
  /** ≤ 255 characters, unique across hosts: it names the Placement child provider. */
  name: string;
  num_accelerators: number;
  attribute_list: DriverAttribute[];
  attach_handle_list: DriverAttachHandle[];
  driver_name: string | null;
}

export interface DriverControlPathID {
  cpid_type: 'PCI';
  /** The device identity at the conductor (Cyborg's `pci_str_to_json` text). */
  cpid_info: string;
}

export interface DriverDevice {
  vendor: string;
  model: string;
  type: DeviceType;
  std_board_info: string | null;
  vendor_board_info: string | null;
  controlpath_id: DriverControlPathID;
  deployable_list: DriverDeployable[];
  /** true: "leave this device as it is in the database" (neither added nor deleted). */
  stub: boolean;
}

/** An object in ovo's primitive form. */
export interface CyborgPrimitive {
  'cyborg_object.name': string;
  'cyborg_object.namespace': string;
  'cyborg_object.version': string;
  'cyborg_object.data': Record<string, unknown>;
  'cyborg_object.changes': string[];
}

function primitive(name: string, data: Record<string, unknown>): CyborgPrimitive {
  return {
    'cyborg_object.name': name,
    'cyborg_object.namespace': OBJECT_NAMESPACE,
    'cyborg_object.version': OBJECT_VERSION,
    'cyborg_object.data': data,
    // ovo lists the fields that were set; sorted so the same report is the same bytes.
    'cyborg_object.changes': Object.keys(data).sort(),
  };
}

export function attributePrimitive(attribute: DriverAttribute): CyborgPrimitive {
  return primitive('DriverAttribute', { key: attribute.key, value: attribute.value });
}

export function attachHandlePrimitive(handle: DriverAttachHandle): CyborgPrimitive {
  return primitive('DriverAttachHandle', { attach_type: handle.attach_type, attach_info: handle.attach_info, in_use: handle.in_use });
}

export function deployablePrimitive(deployable: DriverDeployable): CyborgPrimitive {
  return primitive('DriverDeployable', {
    name: deployable.name,
    num_accelerators: deployable.num_accelerators,
    attribute_list: deployable.attribute_list.map(attributePrimitive),
    attach_handle_list: deployable.attach_handle_list.map(attachHandlePrimitive),
    driver_name: deployable.driver_name,
  });
}

export function controlPathPrimitive(controlPath: DriverControlPathID): CyborgPrimitive {
  return primitive('DriverControlPathID', { cpid_type: controlPath.cpid_type, cpid_info: controlPath.cpid_info });
}

/** A `DriverDevice` as `report_data` carries it in `driver_device_list`. */
export function devicePrimitive(device: DriverDevice): CyborgPrimitive {
  return primitive('DriverDevice', {
    vendor: device.vendor,
    model: device.model,
    type: device.type,
    std_board_info: device.std_board_info,
    vendor_board_info: device.vendor_board_info,
    stub: device.stub,
    controlpath_id: controlPathPrimitive(device.controlpath_id),
    deployable_list: device.deployable_list.map(deployablePrimitive),
  });
}
