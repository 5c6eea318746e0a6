/**
 * SPDK's SCSI devices (lib/scsi): one per vhost-scsi target and per iSCSI target node, in a global
 * table whose index is the device id `scsi_get_devices` reports.
 */
export interface ScsiDevice {
  id: number;
  name: string;
}

export class ScsiDevices {
  private readonly slots: Array<ScsiDevice | undefined> = [];

  /** Takes the lowest free id. */
  create(name: string): ScsiDevice {
    let id = this.slots.indexOf(undefined);
    if (id < 0) id = this.slots.length;
    const device = { id, name };
    this.slots[id] = device;
    return device;
  }

  destroy(device: ScsiDevice): void {
    if (this.slots[device.id] === device) this.slots[device.id] = undefined;
  }

  list(): ScsiDevice[] {
    return this.slots.filter((d): d is ScsiDevice => d !== undefined);
  }
}
