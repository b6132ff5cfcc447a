/**
 * Yealink's `.cfg` format (Yealink's auto-provisioning guide): `#!version:1.0.0.1` first, then `key = value` lines.
 * Values go in unescaped ({{{ }}}); the render context keeps newlines and other controls out of every value.
 */

/** `y000000000000.cfg` and the model files: what every Yealink gets; no account, no secret. */
export const yealinkCommon = `#!version:1.0.0.1
## hometel: the common configuration of every Yealink phone{{#model}} (model file {{{model}}}){{/model}}. No account, no secret:
## each phone's accounts are in its own file, {mac}.cfg.
local_time.time_zone = {{{timeZone.offsetHours}}}
local_time.summer_time = 2
static.auto_provision.power_on = 1
`;

/** `{mac}.cfg`: the device's accounts, and where (and with which credentials) it fetches its files again. */
export const yealinkDevice = `#!version:1.0.0.1
## hometel: the configuration of {{{macColons}}}{{#model}} ({{{model}}}){{/model}}.
static.auto_provision.server.url = {{{provisioningUrl}}}
static.auto_provision.server.username = {{{mac}}}
static.auto_provision.server.password = {{{secret}}}
{{#accounts}}
account.{{index}}.enable = 1
account.{{index}}.label = {{{label}}}
account.{{index}}.display_name = {{{displayName}}}
account.{{index}}.auth_name = {{{authName}}}
account.{{index}}.user_name = {{{userName}}}
account.{{index}}.password = {{{password}}}
account.{{index}}.sip_server.1.address = {{{registrar.host}}}
account.{{index}}.sip_server.1.port = {{{registrar.port}}}
account.{{index}}.sip_server.1.transport_type = {{{registrar.yealinkTransport}}}
{{/accounts}}
{{#phonebookUrl}}
remote_phonebook.data.1.url = {{{phonebookUrl}}}
remote_phonebook.data.1.name = Home
{{/phonebookUrl}}
`;
