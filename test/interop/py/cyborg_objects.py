"""Cyborg's driver objects, as oslo.versionedobjects classes of the same names, versions and fields
as Cyborg's (cyborg/objects/driver_objects/*.py, contract section 3.2), registered in namespace
`cyborg` with the serial namespace `cyborg_object`, and the serializer Cyborg's RPC uses.

Hydrating a report with these classes is what a real conductor does with it: an unknown type
value, a wrong namespace or version, a non-string in a String field all fail here as there.
"""
from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields as ovo_fields


class CyborgObjectRegistry(ovo_base.VersionedObjectRegistry):
    pass


class CyborgObject(ovo_base.VersionedObject):
    OBJ_SERIAL_NAMESPACE = 'cyborg_object'
    OBJ_PROJECT_NAMESPACE = 'cyborg'

    fields = {
        'created_at': ovo_fields.DateTimeField(nullable=True),
        'updated_at': ovo_fields.DateTimeField(nullable=True),
    }


class DriverObjectBase(CyborgObject):
    pass


class DeviceType(ovo_fields.Enum):
    ALL = ('GPU', 'FPGA', 'AICHIP', 'QAT', 'NIC', 'SSD')

    def __init__(self):
        super().__init__(valid_values=DeviceType.ALL)


class DeviceTypeField(ovo_fields.BaseEnumField):
    AUTO_TYPE = DeviceType()


@CyborgObjectRegistry.register
class DriverAttribute(DriverObjectBase, ovo_base.VersionedObjectDictCompat):
    VERSION = '1.0'
    fields = {
        'key': ovo_fields.StringField(nullable=False),
        'value': ovo_fields.StringField(nullable=False),
    }


@CyborgObjectRegistry.register
class DriverAttachHandle(DriverObjectBase, ovo_base.VersionedObjectDictCompat):
    VERSION = '1.0'
    fields = {
        'attach_type': ovo_fields.StringField(nullable=False),
        'attach_info': ovo_fields.StringField(nullable=False),
        'in_use': ovo_fields.BooleanField(nullable=False, default=False),
    }


@CyborgObjectRegistry.register
class DriverControlPathID(DriverObjectBase, ovo_base.VersionedObjectDictCompat):
    VERSION = '1.0'
    fields = {
        'cpid_type': ovo_fields.StringField(nullable=False),
        'cpid_info': ovo_fields.StringField(nullable=False),
    }


@CyborgObjectRegistry.register
class DriverDeployable(DriverObjectBase, ovo_base.VersionedObjectDictCompat):
    VERSION = '1.0'
    fields = {
        'name': ovo_fields.StringField(nullable=False),
        'num_accelerators': ovo_fields.IntegerField(nullable=False),
        'attribute_list': ovo_fields.ListOfObjectsField('DriverAttribute', default=[], nullable=True),
        'attach_handle_list': ovo_fields.ListOfObjectsField('DriverAttachHandle', default=[], nullable=True),
        'driver_name': ovo_fields.StringField(nullable=True),
    }


@CyborgObjectRegistry.register
class DriverDevice(DriverObjectBase, ovo_base.VersionedObjectDictCompat):
    VERSION = '1.0'
    fields = {
        'vendor': ovo_fields.StringField(nullable=False),
        'model': ovo_fields.StringField(nullable=False),
        'type': DeviceTypeField(nullable=False),
        'std_board_info': ovo_fields.StringField(nullable=True),
        'vendor_board_info': ovo_fields.StringField(nullable=True),
        'controlpath_id': ovo_fields.ObjectField('DriverControlPathID', nullable=False),
        'deployable_list': ovo_fields.ListOfObjectsField('DriverDeployable', default=[], nullable=False),
        'stub': ovo_fields.BooleanField(nullable=False, default=False),
    }


class CyborgObjectSerializer(ovo_base.VersionedObjectSerializer):
    OBJ_BASE_CLASS = CyborgObject


DRIVER_FIELDS = {
    cls.__name__: [name for name in cls.fields if name not in ('created_at', 'updated_at')]
    for cls in (DriverDevice, DriverControlPathID, DriverDeployable, DriverAttachHandle, DriverAttribute)
}


def plain(obj, path, problems, types):
    """Reads every driver field of `obj` (as the conductor does) into a dict; an unset field is a problem."""
    if isinstance(obj, list):
        return [plain(item, '%s[%d]' % (path, i), problems, types) for i, item in enumerate(obj)]
    if not isinstance(obj, CyborgObject):
        return obj
    name = type(obj).__name__
    types.add(name)
    out = {}
    for field in DRIVER_FIELDS[name]:
        try:
            value = getattr(obj, field)
        except NotImplementedError:
            problems.append("%s: field '%s' not set" % (path, field))
            continue
        out[field] = plain(value, '%s.%s' % (path, field), problems, types)
    return out
