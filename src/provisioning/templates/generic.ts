/**
 * hometel's own provisioning file (`{mac}.xml` for phones of no known vendor), in the spirit of seed 002's
 * "provisioning file in XML", whose schema the seed only names: this one is hometel's, namespace
 * `urn:hometel:provisioning:1` (docs/provisioning.md describes it). Values are XML-escaped ({{ }}).
 */
export const genericDevice = `<?xml version="1.0" encoding="UTF-8"?>
<!-- hometel's provisioning file (urn:hometel:provisioning:1) for {{macColons}}. -->
<provisioning xmlns="urn:hometel:provisioning:1" version="1">
  <device mac="{{mac}}"{{#vendor}} vendor="{{vendor}}"{{/vendor}}{{#model}} model="{{model}}"{{/model}}/>
  <server url="{{provisioningUrl}}"/>
  <time-zone name="{{timeZone.name}}" offset-minutes="{{timeZone.offsetMinutes}}"/>
  <registrar host="{{registrar.host}}" port="{{registrar.port}}" transport="{{registrar.transport}}" realm="{{registrar.realm}}"/>
  <accounts>
{{#accounts}}
    <account index="{{index}}">
      <user>{{userName}}</user>
      <auth-user>{{authName}}</auth-user>
      <password>{{password}}</password>
      <display-name>{{displayName}}</display-name>
      <label>{{label}}</label>
    </account>
{{/accounts}}
  </accounts>
</provisioning>
`;
