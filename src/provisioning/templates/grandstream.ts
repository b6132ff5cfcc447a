/**
 * Grandstream's XML provisioning (Grandstream's "SIP Device Provisioning Guide"): `<gs_provision version="1">` with
 * the device's `<mac>` and one element per P-value. Account 1's P-values: P271 active, P270 account name, P47 SIP
 * server, P35 SIP user ID, P36 authenticate ID, P34 password, P3 display name, P130 transport (0 UDP, 1 TCP);
 * P237 is the config server path, P212 the protocol (1: HTTP). Only account 1 is written (the others have other
 * numbers per model). Values are XML-escaped ({{ }}).
 */

/** `cfg.xml` and `cfg{model}.xml`, the generic files a phone falls back to: no account, no secret. */
export const grandstreamCommon = `<?xml version="1.0" encoding="UTF-8"?>
<!-- hometel: the common configuration of every Grandstream phone{{#model}} ({{model}}){{/model}}. No account, no secret. -->
<gs_provision version="1">
  <config version="1">
  </config>
</gs_provision>
`;

/** `cfg{mac}.xml` (and `cfg{mac}`): the device's account 1 and its config server path (with its secret). */
export const grandstreamDevice = `<?xml version="1.0" encoding="UTF-8"?>
<!-- hometel: the configuration of {{macColons}}{{#model}} ({{model}}){{/model}}. -->
<gs_provision version="1">
  <mac>{{mac}}</mac>
  <config version="1">
    <P212>1</P212>
    <P237>{{provisioningPath}}</P237>
{{#account}}
    <P271>1</P271>
    <P270>{{label}}</P270>
    <P47>{{registrar.host}}:{{registrar.port}}</P47>
    <P35>{{userName}}</P35>
    <P36>{{authName}}</P36>
    <P34>{{password}}</P34>
    <P3>{{displayName}}</P3>
    <P130>{{registrar.grandstreamTransport}}</P130>
{{/account}}
  </config>
</gs_provision>
`;
