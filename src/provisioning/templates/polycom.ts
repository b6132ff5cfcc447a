/**
 * Polycom UC Software's files (Polycom's provisioning guide): the master configuration file `000000000000.cfg`
 * (an `APPLICATION` element whose CONFIG_FILES names the files to load; the phone puts its own MAC for
 * `[PHONE_MAC_ADDRESS]`) and the per-phone file `{mac}-phone.cfg` (`<polycomConfig>` with `reg.N.*` attributes).
 * Values are XML-escaped ({{ }}).
 */

/** `000000000000.cfg` and `{mac}.cfg`: the master file, which names each phone's own file; no account, no secret. */
export const polycomMaster = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- hometel: the master configuration file of every Polycom phone. No account, no secret: it names each phone's own file. -->
<APPLICATION APP_FILE_PATH="sip.ld" CONFIG_FILES="[PHONE_MAC_ADDRESS]-phone.cfg" MISC_FILES="" LOG_FILE_DIRECTORY="" OVERRIDES_DIRECTORY="" CONTACTS_DIRECTORY="" LICENSE_DIRECTORY="" USER_PROFILES_DIRECTORY="" CALL_LISTS_DIRECTORY="" COREFILE_DIRECTORY=""/>
`;

/** `{mac}-phone.cfg`: the device's registrations. */
export const polycomDevice = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- hometel: the configuration of {{macColons}}{{#model}} ({{model}}){{/model}}. -->
<polycomConfig>
  <reg{{#accounts}}
    reg.{{index}}.address="{{userName}}"
    reg.{{index}}.label="{{label}}"
    reg.{{index}}.displayName="{{displayName}}"
    reg.{{index}}.auth.userId="{{authName}}"
    reg.{{index}}.auth.password="{{password}}"
    reg.{{index}}.server.1.address="{{registrar.host}}"
    reg.{{index}}.server.1.port="{{registrar.port}}"
    reg.{{index}}.server.1.transport="{{registrar.polycomTransport}}"{{/accounts}}/>
  <tcpIpApp.sntp tcpIpApp.sntp.gmtOffset="{{timeZone.offsetSeconds}}"/>
</polycomConfig>
`;
