/**
 * Snom's XML setting files (Snom's "Desk Phone Configuration Files"): `<settings><phone-settings>` with one element
 * per setting, `idx` numbering the identity. Values are XML-escaped ({{ }}).
 */

/** `snom{model}.xml`: what every Snom of the model gets; no account, no secret. */
export const snomCommon = `<?xml version="1.0" encoding="utf-8"?>
<!-- hometel: the common settings of every Snom {{model}}. No account, no secret: each phone's are in its own file. -->
<settings>
  <phone-settings>
    <update_policy perm="">auto_update</update_policy>
  </phone-settings>
</settings>
`;

/** `{MAC}.xml` and `snom{model}-{MAC}.xml`: the device's identities, and its own setting file as its setting server. */
export const snomDevice = `<?xml version="1.0" encoding="utf-8"?>
<!-- hometel: the settings of {{macColons}}{{#model}} ({{model}}){{/model}}. -->
<settings>
  <phone-settings>
    <setting_server perm="R">{{provisioningUrl}}{{macUpper}}.xml</setting_server>
{{#accounts}}
    <user_active idx="{{index}}" perm="">on</user_active>
    <user_realname idx="{{index}}" perm="">{{displayName}}</user_realname>
    <user_name idx="{{index}}" perm="">{{userName}}</user_name>
    <user_pname idx="{{index}}" perm="">{{authName}}</user_pname>
    <user_pass idx="{{index}}" perm="">{{password}}</user_pass>
    <user_host idx="{{index}}" perm="">{{registrar.host}}:{{registrar.port}}{{#registrar.tcp}};transport=tcp{{/registrar.tcp}}</user_host>
    <user_realm idx="{{index}}" perm="">{{registrar.realm}}</user_realm>
{{/accounts}}
  </phone-settings>
</settings>
`;
