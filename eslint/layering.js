// hometel's layering as one ESLint rule (docs/architecture.md): every file belongs to the module whose folder is
// the longest prefix of its path; a module may import only the modules its row names, and only through their
// index.ts. Ports and adapters: the telephony domain defines the ports and imports no adapter and nothing of UPnP;
// only the adapters (sip/bridge, media/bridge, store) import the domain from outside telephony.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Module → the modules it may import. */
export const layers = {
  base: [],
  upnp: ['base'],
  sip: ['base'],
  'media/sdp': ['base'],
  media: ['base', 'media/sdp'],
  accounts: ['base'],
  contacts: ['base'],
  callmonitor: ['base'],
  callhandling: ['base', 'telephony/domain'],
  voicemail: ['base', 'media', 'telephony/domain'],
  metrics: ['base'],
  phones: ['base', 'telephony/domain'],
  provisioning: ['base', 'phones'],
  store: ['base', 'telephony/domain', 'accounts', 'contacts', 'callhandling', 'voicemail', 'phones', 'provisioning'],
  'sip/bridge': ['base', 'sip', 'telephony/domain'],
  'sip/pbx': ['base', 'sip', 'sip/bridge', 'phones', 'provisioning', 'telephony/domain'],
  'media/bridge': ['base', 'media', 'media/sdp', 'telephony/domain'],
  'media/webrtc': ['base', 'media', 'media/sdp', 'telephony/domain'],
  'telephony/contracts': ['base', 'upnp', 'media/sdp', 'telephony/domain'],
  'telephony/domain': ['base', 'media/sdp'],
  'telephony/server': ['base', 'upnp', 'media/sdp', 'telephony/contracts', 'telephony/domain'],
  'telephony/client': ['base', 'upnp', 'media/sdp', 'telephony/contracts', 'telephony/domain'],
  'telephony/control': ['base', 'upnp', 'media/sdp', 'telephony/contracts'],
  'telephony/testing': ['base', 'media/sdp', 'telephony/contracts', 'telephony/domain'],
  console: ['base', 'telephony/control', 'telephony/contracts'],
  'telephony/addressbook': ['base', 'upnp', 'contacts'],
  'telephony/callhandling': ['base', 'upnp', 'telephony/contracts', 'telephony/domain', 'callhandling'],
  'telephony/voicemail': ['base', 'upnp', 'telephony/domain', 'voicemail'],
  'telephony/presence': ['base', 'upnp', 'phones'],
  web: ['base', 'accounts', 'console', 'metrics', 'contacts', 'callhandling', 'voicemail', 'phones', 'provisioning'],
  tftp: ['base'],
  telephony: ['telephony/contracts', 'telephony/domain', 'telephony/server', 'telephony/client'],
  app: ['base', 'upnp', 'sip', 'sip/bridge', 'media', 'media/sdp', 'media/bridge', 'store', 'telephony', 'telephony/contracts', 'telephony/domain', 'telephony/server', 'telephony/client', 'telephony/control', 'accounts', 'metrics', 'media/webrtc', 'console', 'web', 'contacts', 'telephony/addressbook', 'callmonitor', 'callhandling', 'voicemail', 'telephony/callhandling', 'telephony/voicemail', 'phones', 'sip/pbx', 'telephony/presence', 'provisioning', 'tftp'],
  cli: ['base', 'upnp', 'app', 'telephony/contracts', 'telephony/control'],
};

const moduleNames = Object.keys(layers).sort((a, b) => b.length - a.length);

/** The module of a path relative to src/ (with `/`), or undefined outside the table. */
export function moduleOf(rel) {
  return moduleNames.find((m) => rel === m || rel.startsWith(`${m}/`));
}

/** src/ found from this file, so the rule checks the same tree whatever directory ESLint runs in. */
const srcRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

function srcRelative(file) {
  const rel = path.relative(srcRoot, file).split(path.sep).join('/');
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
}

export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: "imports follow hometel's module table and go through each module's index.ts" },
    messages: {
      forbidden: '{{from}} may not import {{to}} (layering: {{from}} may import {{allowed}})',
      unlisted: '{{file}} is in no module of the layering table (eslint/layering.js): add its module',
      outside: 'src/ may not import {{source}}: only src/ modules and packages',
      bypass: 'import {{to}} through its index.ts ({{target}}), not {{file}}',
    },
    schema: [],
  },
  create(context) {
    const fromRel = srcRelative(context.filename);
    if (fromRel === undefined) return {};
    const from = moduleOf(fromRel);
    if (!from) {
      return { Program: (node) => context.report({ node, messageId: 'unlisted', data: { file: `src/${fromRel}` } }) };
    }
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      // hometel's own package name would reach another module around the table.
      if (source === 'hometel' || source.startsWith('hometel/')) return context.report({ node, messageId: 'outside', data: { source } });
      if (!source.startsWith('.')) return;
      const targetRel = srcRelative(path.resolve(path.dirname(context.filename), source));
      if (targetRel === undefined) return context.report({ node, messageId: 'outside', data: { source } });
      const to = moduleOf(targetRel);
      if (!to) return context.report({ node, messageId: 'unlisted', data: { file: `src/${targetRel}` } });
      if (to === from) return;
      if (!layers[from].includes(to)) {
        context.report({ node, messageId: 'forbidden', data: { from, to, allowed: layers[from].join(', ') || 'nothing' } });
      } else if (targetRel !== `${to}/index.js` && targetRel !== `${to}/index.ts`) {
        context.report({ node, messageId: 'bypass', data: { to, target: `${to}/index.ts`, file: targetRel } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { layering: layeringRule } };
