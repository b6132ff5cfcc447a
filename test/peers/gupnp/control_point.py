#!/usr/bin/python3
"""GUPnP 1.6 control point test peer for hometel, driven by JSON lines.

Run with the Debian interpreter (it has PyGObject / gi):

    /usr/bin/python3 control_point.py --interface lo --target <ST>

<ST> is a service type (urn:...:service:X:n), a device type
(urn:...:device:X:n), "upnp:rootdevice" or "ssdp:all".

stdout: one JSON object per line, flushed after every line.
  events   {"event":"service-available","udn":..,"location":..,"serviceType":..,
            "friendlyName":..,"deviceType":..,"serviceId":..,"controlURL":..,
            "eventSubURL":..,"scpdURL":..}
           {"event":"service-unavailable","udn":..,"location":..,"serviceType":..}
           {"event":"device-available"|"device-unavailable",...}   (device targets)
           {"event":"notify","udn":..,"serviceType":..,"variable":..,"value":..}
           {"event":"subscription-lost","udn":..,"serviceType":..,"message":..}
           {"event":"ready","target":..}   once the control point is active
           {"event":"log","level":..,"message":..}  (protocol problems worth seeing)
  replies  {"id":..,"ok":true,...} / {"id":..,"ok":false,"error":{"code":..,"message":..}}

stdin commands (one JSON object per line, "id" is echoed back):
  {"id":1,"cmd":"invoke","udn":"uuid:..","action":"SetTarget",
   "in":{"newTargetValue":true},"out":["ResultStatus"]}        "out" optional
     (defaults to all out arguments); "raw":true sends every in-argument as a
     verbatim string instead of converting it to the SCPD type
  {"id":2,"cmd":"introspect","udn":"uuid:.."}
  {"id":3,"cmd":"subscribe","udn":"uuid:..","variables":["Status"]}
  {"id":4,"cmd":"unsubscribe","udn":"uuid:.."}
  {"id":5,"cmd":"list"}
  {"id":6,"cmd":"quit"}
Every command accepts an optional "serviceType" to pick one service of a device
when the udn hosts several known services.

Error replies: for a SOAP fault GUPnP raises GUPnPControlError whose code *is*
the UPnP errorCode, so error.code is that number and error.domain is
"gupnp-control-error". Any other failure (HTTP error, bad response,
unknown udn, ...) has error.code = null and error.domain naming the GLib error
domain (or "control_point" for errors raised by this script).
"""

import argparse
import ipaddress
import json
import os
import sys
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import gi

gi.require_version("GLib", "2.0")
gi.require_version("GObject", "2.0")
gi.require_version("Gio", "2.0")
gi.require_version("GSSDP", "1.6")
gi.require_version("GUPnP", "1.6")
gi.require_version("Soup", "3.0")

from gi.repository import Gio, GLib, GObject, GSSDP, GUPnP, Soup  # noqa: E402

# PyGObject reports GLib.Error.domain as the quark string ("gupnp-control-error").
CONTROL_ERROR_DOMAIN = GLib.quark_to_string(GUPnP.ControlError.quark())
UNSUBSCRIBE_DRAIN_MS = 500

# GType name -> (UPnP-ish data type name for reporting, GType used on the wire).
# GUPnP maps SCPD data types to GTypes in its introspection (i1/i2/i4/int ->
# gint, ui1/ui2/ui4 -> guint, r4 -> gfloat, r8/number/fixed.14.4 -> gdouble,
# char -> gchar, the rest -> gchararray or GUPnP's string-backed boxed types).
_SIMPLE_TYPES = {
    "gboolean": ("boolean", GObject.TYPE_BOOLEAN),
    "gint": ("i4", GObject.TYPE_INT),
    "guint": ("ui4", GObject.TYPE_UINT),
    "gint64": ("i8", GObject.TYPE_INT64),
    "guint64": ("ui8", GObject.TYPE_UINT64),
    "gfloat": ("r4", GObject.TYPE_FLOAT),
    "gdouble": ("r8", GObject.TYPE_DOUBLE),
    "gchararray": ("string", GObject.TYPE_STRING),
}
_GUPNP_BOXED = {
    "GUPnPBinBase64": "bin.base64",
    "GUPnPBinHex": "bin.hex",
    "GUPnPDate": "date",
    "GUPnPDateTime": "dateTime",
    "GUPnPDateTimeTZ": "dateTime.tz",
    "GUPnPTime": "time",
    "GUPnPTimeTZ": "time.tz",
    "GUPnPURI": "uri",
    "GUPnPUUID": "uuid",
}


class CommandError(Exception):
    def __init__(self, message, code=None, domain="control_point"):
        super().__init__(message)
        self.code = code
        self.domain = domain


def emit(obj):
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


def log(level, message):
    emit({"event": "log", "level": level, "message": message})


def gtype_name(gtype):
    try:
        return GObject.type_name(gtype)
    except Exception:  # pragma: no cover - defensive
        return str(gtype)


def describe_type(gtype):
    """Returns (dataType, wire GType) for a state variable GType."""
    name = gtype_name(gtype)
    if name in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[name]
    if name == "gchar":
        return "char", GObject.TYPE_STRING
    if name in _GUPNP_BOXED:
        return _GUPNP_BOXED[name], GObject.TYPE_STRING
    return name, GObject.TYPE_STRING


def to_gvalue(wire_type, value):
    """JSON value -> GObject.Value of wire_type."""
    if wire_type == GObject.TYPE_BOOLEAN:
        if isinstance(value, str):
            low = value.strip().lower()
            if low in ("1", "true", "yes"):
                value = True
            elif low in ("0", "false", "no"):
                value = False
            else:
                raise CommandError(f"not a boolean: {value!r}")
        return GObject.Value(GObject.TYPE_BOOLEAN, bool(value))
    if wire_type in (GObject.TYPE_INT, GObject.TYPE_UINT,
                     GObject.TYPE_INT64, GObject.TYPE_UINT64):
        if isinstance(value, bool):
            value = int(value)
        try:
            return GObject.Value(wire_type, int(value))
        except (TypeError, ValueError, OverflowError) as e:
            raise CommandError(f"not an integer: {value!r} ({e})")
    if wire_type in (GObject.TYPE_FLOAT, GObject.TYPE_DOUBLE):
        try:
            return GObject.Value(wire_type, float(value))
        except (TypeError, ValueError) as e:
            raise CommandError(f"not a number: {value!r} ({e})")
    # Strings and everything string-backed.
    if isinstance(value, bool):
        value = "1" if value else "0"
    elif value is None:
        value = ""
    elif not isinstance(value, str):
        value = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    return GObject.Value(GObject.TYPE_STRING, value)


def natural_type(value):
    """Wire type for an argument the SCPD does not describe."""
    if isinstance(value, bool):
        return GObject.TYPE_BOOLEAN
    if isinstance(value, int):
        return GObject.TYPE_INT if -2**31 <= value < 2**31 else GObject.TYPE_INT64
    if isinstance(value, float):
        return GObject.TYPE_DOUBLE
    return GObject.TYPE_STRING


def to_json(value):
    if isinstance(value, GObject.Value):
        value = value.get_value()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class ServiceEntry:
    def __init__(self, proxy, device_info):
        self.proxy = proxy
        self.udn = proxy.get_udn()
        self.service_type = proxy.get_service_type()
        self.location = proxy.get_location()
        self.friendly_name = device_info.get_friendly_name() if device_info else None
        self.device_type = device_info.get_device_type() if device_info else None
        self.announced = False
        self.removed = False
        self.introspection = None
        self.pending_introspection = []  # callbacks waiting for the SCPD
        self.notify_variables = {}  # variable -> wire GType
        self.subscribed = False
        self.lost_handler = None

    def summary(self):
        return {
            "udn": self.udn,
            "location": self.location,
            "serviceType": self.service_type,
            "friendlyName": self.friendly_name,
            "deviceType": self.device_type,
            "serviceId": self.proxy.get_id(),
            "scpdURL": self.proxy.get_scpd_url(),
            "controlURL": self.proxy.get_control_url(),
            "eventSubURL": self.proxy.get_event_subscription_url(),
        }


class ControlPointPeer:
    def __init__(self, interface, address, target):
        self.loop = GLib.MainLoop()
        self.target = target
        self.services = {}  # (udn, serviceType) -> ServiceEntry
        self.devices = {}  # udn -> DeviceProxy (device targets only)
        self.descriptions = {}  # location -> {udn: {friendlyName, deviceType}}
        self.description_waiters = {}  # location -> [ServiceEntry]
        self.http = Soup.Session(timeout=10)
        self.buffer = b""
        self.quitting = False
        self.exit_code = 0

        addr = Gio.InetAddress.new_from_string(address) if address else None
        self.context = GUPnP.Context.new_full(interface, addr, 0,
                                              GSSDP.UDAVersion.VERSION_1_0)
        self.cp = GUPnP.ControlPoint.new(self.context, target)
        self.cp.connect("service-proxy-available", self.on_service_available)
        self.cp.connect("service-proxy-unavailable", self.on_service_unavailable)
        self.cp.connect("device-proxy-available", self.on_device_available)
        self.cp.connect("device-proxy-unavailable", self.on_device_unavailable)

        os.set_blocking(sys.stdin.fileno(), False)
        self.stdin_watch = GLib.io_add_watch(
            sys.stdin.fileno(), GLib.PRIORITY_DEFAULT,
            GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
            self.on_stdin)

    # ------------------------------------------------------------ discovery

    def add_service(self, proxy, device_info):
        entry = ServiceEntry(proxy, device_info)
        key = (entry.udn, entry.service_type)
        old = self.services.get(key)
        if old is not None and old.proxy is proxy:
            return
        if old is not None:
            old.removed = True
        self.services[key] = entry
        if device_info is not None:
            self.announce(entry)
        else:
            # Service targets give no DeviceInfo: GUPnP 1.6 does not expose the
            # parsed description to Python, so read friendlyName/deviceType from
            # the description document ourselves before announcing.
            self.fetch_device_info(entry)

    def announce(self, entry):
        if entry.removed or entry.announced:
            return
        entry.announced = True
        emit(dict(event="service-available", **entry.summary()))

    def fetch_device_info(self, entry):
        location = entry.location
        cached = self.descriptions.get(location)
        if cached is not None:
            self.apply_description(entry, cached)
            self.announce(entry)
            return
        waiting = self.description_waiters.setdefault(location, [])
        waiting.append(entry)
        if len(waiting) > 1:
            return
        if not _is_loopback_url(location):
            log("warning", f"not fetching non-loopback description {location}")
            self.description_done(location, {})
            return
        msg = Soup.Message.new("GET", location)
        if msg is None:
            self.description_done(location, {})
            return

        def done(session, res, _data=None):
            devices = {}
            try:
                body = session.send_and_read_finish(res)
                if msg.get_status() == 200:
                    devices = _parse_description(body.get_data())
                else:
                    log("warning", f"GET {location}: HTTP {msg.get_status()}")
            except Exception as e:  # GLib.Error or XML error
                log("warning", f"GET {location}: {e}")
            self.description_done(location, devices)

        self.http.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, None, done, None)

    def description_done(self, location, devices):
        self.descriptions[location] = devices
        for entry in self.description_waiters.pop(location, []):
            self.apply_description(entry, devices)
            self.announce(entry)

    @staticmethod
    def apply_description(entry, devices):
        info = devices.get(entry.udn) or {}
        entry.friendly_name = info.get("friendlyName")
        entry.device_type = info.get("deviceType")

    def remove_service(self, proxy):
        key = (proxy.get_udn(), proxy.get_service_type())
        entry = self.services.get(key)
        if entry is None or entry.proxy is not proxy:
            return
        del self.services[key]
        entry.removed = True
        # A later alive may come with a changed description.
        self.descriptions.pop(entry.location, None)
        # set_active(False) on quit flushes GSSDP's cache, which would report
        # every service as unavailable: not a network event, so stay quiet.
        if entry.announced and not self.quitting:
            emit({"event": "service-unavailable", "udn": entry.udn,
                  "location": entry.location, "serviceType": entry.service_type})

    def on_service_available(self, _cp, proxy):
        self.add_service(proxy, None)

    def on_service_unavailable(self, _cp, proxy):
        self.remove_service(proxy)

    def on_device_available(self, _cp, device):
        udn = device.get_udn()
        self.devices[udn] = device
        services = device.list_services() or []
        emit({"event": "device-available", "udn": udn,
              "location": device.get_location(),
              "deviceType": device.get_device_type(),
              "friendlyName": device.get_friendly_name(),
              "services": [s.get_service_type() for s in services]})
        for proxy in services:
            self.add_service(proxy, device)

    def on_device_unavailable(self, _cp, device):
        udn = device.get_udn()
        self.devices.pop(udn, None)
        for key in [k for k in self.services if k[0] == udn]:
            self.remove_service(self.services[key].proxy)
        if self.quitting:
            return
        emit({"event": "device-unavailable", "udn": udn,
              "location": device.get_location(),
              "deviceType": device.get_device_type()})

    # ------------------------------------------------------------ helpers

    def resolve(self, cmd):
        udn = cmd.get("udn")
        if not udn:
            raise CommandError("missing udn")
        service_type = cmd.get("serviceType")
        matches = [e for (u, _t), e in self.services.items() if u == udn]
        if service_type:
            matches = [e for e in matches if e.service_type == service_type]
        if not matches:
            raise CommandError(f"no known service for {udn}"
                               + (f" / {service_type}" if service_type else ""))
        if len(matches) > 1:
            types = ", ".join(e.service_type for e in matches)
            raise CommandError(f"{udn} has several services ({types}); "
                               "give serviceType")
        return matches[0]

    def with_introspection(self, entry, callback):
        """callback(introspection, error) once GUPnP parsed the SCPD."""
        if entry.introspection is not None:
            callback(entry.introspection, None)
            return
        entry.pending_introspection.append(callback)
        if len(entry.pending_introspection) > 1:
            return

        def done(proxy, res, _data=None):
            waiting, entry.pending_introspection = entry.pending_introspection, []
            try:
                intro = proxy.introspect_finish(res)
            except GLib.Error as e:
                for cb in waiting:
                    cb(None, e)
                return
            entry.introspection = intro
            for cb in waiting:
                cb(intro, None)

        entry.proxy.introspect_async(None, done, None)

    @staticmethod
    def variable_wire_type(intro, variable):
        info = intro.get_state_variable(variable) if intro else None
        if info is None:
            return None
        return describe_type(info.type)[1]

    # ------------------------------------------------------------ commands

    def reply_ok(self, cid, **fields):
        emit(dict(id=cid, ok=True, **fields))

    def reply_error(self, cid, code, message, domain):
        emit({"id": cid, "ok": False,
              "error": {"code": code, "message": message, "domain": domain}})

    def reply_exception(self, cid, exc):
        if isinstance(exc, GLib.Error):
            domain = exc.domain
            code = exc.code if domain == CONTROL_ERROR_DOMAIN else None
            self.reply_error(cid, code, exc.message, domain)
        elif isinstance(exc, CommandError):
            self.reply_error(cid, exc.code, str(exc), exc.domain)
        else:
            self.reply_error(cid, None, f"{type(exc).__name__}: {exc}",
                             "control_point")

    def handle(self, cmd):
        cid = cmd.get("id")
        name = cmd.get("cmd")
        try:
            if name == "invoke":
                self.cmd_invoke(cid, cmd)
            elif name == "introspect":
                self.cmd_introspect(cid, cmd)
            elif name == "subscribe":
                self.cmd_subscribe(cid, cmd)
            elif name == "unsubscribe":
                self.cmd_unsubscribe(cid, cmd)
            elif name == "list":
                self.reply_ok(cid, services=[e.summary() for e in self.services.values()])
            elif name == "quit":
                self.quit(cid)
            else:
                raise CommandError(f"unknown cmd {name!r}")
        except Exception as e:  # every command gets a reply
            self.reply_exception(cid, e)

    def cmd_invoke(self, cid, cmd):
        entry = self.resolve(cmd)
        action_name = cmd.get("action")
        if not action_name:
            raise CommandError("missing action")
        in_args = cmd.get("in") or {}
        if not isinstance(in_args, dict):
            raise CommandError("'in' must be an object")
        out_names = cmd.get("out")
        raw = bool(cmd.get("raw"))

        def introspected(intro, error):
            if error is not None:
                self.reply_exception(cid, error)
                return
            try:
                self.call(cid, entry, intro, action_name, in_args, out_names, raw)
            except Exception as e:
                self.reply_exception(cid, e)

        self.with_introspection(entry, introspected)

    def call(self, cid, entry, intro, action_name, in_args, out_names, raw=False):
        info = intro.get_action(action_name)
        arg_infos = list(info.arguments or []) if info else []
        by_name = {a.name: a for a in arg_infos}

        # In-arguments in SCPD order first, then any the SCPD does not know
        # (sent as-is so a test can provoke the device's own checks).
        ordered = [a.name for a in arg_infos
                   if a.direction == GUPnP.ServiceActionArgDirection.IN
                   and a.name in in_args]
        ordered += [n for n in in_args if n not in ordered]

        names, values = [], []
        for n in ordered:
            arg = by_name.get(n)
            wire = None
            if raw:
                wire = GObject.TYPE_STRING
            elif arg is not None:
                wire = self.variable_wire_type(intro, arg.related_state_variable)
            if wire is None:
                wire = natural_type(in_args[n])
            names.append(n)
            values.append(to_gvalue(wire, in_args[n]))

        if out_names is None:
            out_names = [a.name for a in arg_infos
                         if a.direction == GUPnP.ServiceActionArgDirection.OUT]
        out_types = []
        for n in out_names:
            arg = by_name.get(n)
            wire = None
            if arg is not None:
                wire = self.variable_wire_type(intro, arg.related_state_variable)
            out_types.append(wire or GObject.TYPE_STRING)

        action = GUPnP.ServiceProxyAction.new_from_list(action_name, names, values)

        def finished(proxy, res, _data=None):
            try:
                done_action = proxy.call_action_finish(res)
                ok, out_values = done_action.get_result_list(list(out_names), out_types)
                if not ok:
                    raise CommandError("get_result_list failed")
                out = {n: to_json(v) for n, v in zip(out_names, out_values or [])}
                self.reply_ok(cid, out=out)
            except Exception as e:
                self.reply_exception(cid, e)

        entry.proxy.call_action_async(action, None, finished, None)

    def cmd_introspect(self, cid, cmd):
        entry = self.resolve(cmd)

        def introspected(intro, error):
            if error is not None:
                self.reply_exception(cid, error)
                return
            actions = []
            for a in intro.list_actions() or []:
                actions.append({
                    "name": a.name,
                    "arguments": [{
                        "name": arg.name,
                        "direction": "in" if arg.direction ==
                        GUPnP.ServiceActionArgDirection.IN else "out",
                        "relatedStateVariable": arg.related_state_variable,
                        "retval": bool(arg.retval),
                    } for arg in (a.arguments or [])],
                })
            variables = []
            for v in intro.list_state_variables() or []:
                data_type, _wire = describe_type(v.type)
                var = {
                    "name": v.name,
                    "dataType": data_type,
                    "gtype": gtype_name(v.type),
                    "sendEvents": bool(v.send_events),
                    "isNumeric": bool(v.is_numeric),
                    "defaultValue": to_json(_safe_value(v.default_value)),
                    "allowedValues": list(v.allowed_values or []),
                }
                if v.is_numeric:
                    var["minimum"] = to_json(_safe_value(v.minimum))
                    var["maximum"] = to_json(_safe_value(v.maximum))
                    var["step"] = to_json(_safe_value(v.step))
                variables.append(var)
            self.reply_ok(cid, udn=entry.udn, serviceType=entry.service_type,
                          actions=actions, stateVariables=variables)

        self.with_introspection(entry, introspected)

    def cmd_subscribe(self, cid, cmd):
        entry = self.resolve(cmd)
        variables = cmd.get("variables")
        if not isinstance(variables, list):
            raise CommandError("'variables' must be a list")

        def introspected(intro, error):
            if error is not None:
                self.reply_exception(cid, error)
                return
            try:
                for var in variables:
                    if var in entry.notify_variables:
                        continue
                    wire = self.variable_wire_type(intro, var) or GObject.TYPE_STRING
                    entry.notify_variables[var] = wire
                    entry.proxy.add_notify(var, wire, self.on_notify, entry)
                if entry.lost_handler is None:
                    entry.lost_handler = entry.proxy.connect(
                        "subscription-lost", self.on_subscription_lost, entry)
                if not entry.subscribed:
                    entry.subscribed = True
                    entry.proxy.set_subscribed(True)
                self.reply_ok(cid)
            except Exception as e:
                self.reply_exception(cid, e)

        self.with_introspection(entry, introspected)

    def cmd_unsubscribe(self, cid, cmd):
        entry = self.resolve(cmd)
        if entry.subscribed:
            entry.subscribed = False
            entry.proxy.set_subscribed(False)
        self.reply_ok(cid)

    def on_notify(self, proxy, variable, value, entry):
        emit({"event": "notify", "udn": proxy.get_udn(),
              "serviceType": proxy.get_service_type(),
              "variable": variable, "value": to_json(value)})

    def on_subscription_lost(self, proxy, error, entry):
        entry.subscribed = False
        emit({"event": "subscription-lost", "udn": proxy.get_udn(),
              "serviceType": proxy.get_service_type(),
              "message": error.message if error is not None else None})

    # ------------------------------------------------------------ stdin / life

    def on_stdin(self, _fd, condition):
        try:
            chunk = os.read(sys.stdin.fileno(), 65536)
        except BlockingIOError:
            return True
        except OSError:
            chunk = b""
        if chunk:
            self.buffer += chunk
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                line = line.strip()
                if not line:
                    continue
                try:
                    cmd = json.loads(line)
                    if not isinstance(cmd, dict):
                        raise ValueError("not an object")
                except ValueError as e:
                    emit({"id": None, "ok": False,
                          "error": {"code": None, "domain": "control_point",
                                    "message": f"bad JSON line: {e}"}})
                    continue
                self.handle(cmd)
                if self.quitting:
                    return False
            return True
        # EOF: behave like quit without a reply.
        self.stdin_watch = None
        self.quit(None)
        return False

    def quit(self, cid):
        if self.quitting:
            return
        self.quitting = True
        any_subscribed = False
        for entry in self.services.values():
            if entry.subscribed:
                entry.subscribed = False
                any_subscribed = True
                entry.proxy.set_subscribed(False)  # sends UNSUBSCRIBE
        self.cp.set_active(False)

        def finish():
            if cid is not None:
                self.reply_ok(cid)
            self.loop.quit()
            return False

        # Let the asynchronous UNSUBSCRIBE requests go out before exiting.
        GLib.timeout_add(UNSUBSCRIBE_DRAIN_MS if any_subscribed else 0, finish)

    def run(self):
        self.cp.set_active(True)
        emit({"event": "ready", "target": self.target,
              "host": self.context.get_host_ip(),
              "port": self.context.get_port()})
        self.loop.run()
        return self.exit_code


def _is_loopback_url(url):
    try:
        host = urlsplit(url).hostname or ""
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_description(data):
    """{udn: {"friendlyName", "deviceType"}} for every device in a description."""
    root = ET.fromstring(bytes(data))
    devices = {}
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] != "device":
            continue
        fields = {}
        for child in el:
            tag = child.tag.rsplit("}", 1)[-1]
            if tag in ("UDN", "friendlyName", "deviceType"):
                fields[tag] = (child.text or "").strip()
        if "UDN" in fields:
            devices[fields["UDN"]] = {"friendlyName": fields.get("friendlyName"),
                                      "deviceType": fields.get("deviceType")}
    return devices


def _safe_value(v):
    try:
        if isinstance(v, GObject.Value):
            return v.get_value()
        return v
    except Exception:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interface", default="lo")
    parser.add_argument("--address", default="127.0.0.1",
                        help="host address on the interface ('' to let GSSDP pick)")
    parser.add_argument("--target", required=True)
    args = parser.parse_args()
    if args.interface != "lo":
        print("control_point.py: refusing non-loopback interface", file=sys.stderr)
        return 2
    try:
        peer = ControlPointPeer(args.interface, args.address or None, args.target)
    except GLib.Error as e:
        print(f"control_point.py: cannot create GUPnP context: {e.message}",
              file=sys.stderr)
        return 1
    return peer.run()


if __name__ == "__main__":
    sys.exit(main())
