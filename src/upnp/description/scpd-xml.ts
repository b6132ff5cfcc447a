/** Service description (SCPD, UDA 1.0 section 2.3) to and from a ServiceContract. */
import { dataTypes, type DataType } from '../model/datatypes.js';
import type { ActionDef, ArgumentDef, ServiceContract, StateVariableDef } from '../model/service-contract.js';
import { childByName, childElements, childText, parseXml, sameNamespace, textElement } from '../xml/safe-xml.js';

export const serviceNs = 'urn:schemas-upnp-org:service-1-0';

function argumentXml(a: ArgumentDef): string {
  return (
    '<argument>' +
    textElement('name', a.name) +
    textElement('direction', a.direction) +
    (a.retval ? '<retval/>' : '') +
    textElement('relatedStateVariable', a.relatedStateVariable) +
    '</argument>'
  );
}

function stateVariableXml(v: StateVariableDef): string {
  let x = `<stateVariable sendEvents="${v.sendEvents ? 'yes' : 'no'}">` + textElement('name', v.name) + textElement('dataType', v.dataType);
  if (v.defaultValue !== undefined) x += textElement('defaultValue', v.defaultValue);
  if (v.allowedValues) x += `<allowedValueList>${v.allowedValues.map((a) => textElement('allowedValue', a)).join('')}</allowedValueList>`;
  if (v.allowedRange) {
    const r = v.allowedRange;
    x += `<allowedValueRange>${textElement('minimum', String(r.minimum))}${textElement('maximum', String(r.maximum))}`;
    if (r.step !== undefined) x += textElement('step', String(r.step));
    x += '</allowedValueRange>';
  }
  return x + '</stateVariable>';
}

export function buildScpd(contract: ServiceContract): string {
  const actions = contract.actions
    .map((a) => `<action>${textElement('name', a.name)}${a.arguments.length ? `<argumentList>${a.arguments.map(argumentXml).join('')}</argumentList>` : ''}</action>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>\r\n' +
    `<scpd xmlns="${serviceNs}"><specVersion><major>1</major><minor>0</minor></specVersion>` +
    `<actionList>${actions}</actionList>` +
    `<serviceStateTable>${contract.stateVariables.map(stateVariableXml).join('')}</serviceStateTable></scpd>\r\n`
  );
}

export function parseScpd(
  text: string,
  serviceType: string,
  serviceId: string,
): { ok: true; value: ServiceContract } | { ok: false; reason: string } {
  const parsed = parseXml(text);
  if (!parsed.ok) return parsed;
  const root = parsed.doc.documentElement!;
  if (root.localName !== 'scpd' || !sameNamespace(root.namespaceURI, serviceNs)) return { ok: false, reason: 'not an SCPD' };
  const actions: ActionDef[] = [];
  const actionList = childByName(root, 'actionList');
  for (const a of actionList ? childElements(actionList) : []) {
    const args: ArgumentDef[] = [];
    const argList = childByName(a, 'argumentList');
    for (const g of argList ? childElements(argList) : []) {
      const direction = childText(g, 'direction')?.trim();
      args.push({
        name: childText(g, 'name')?.trim() ?? '',
        direction: direction === 'out' ? 'out' : 'in',
        relatedStateVariable: childText(g, 'relatedStateVariable')?.trim() ?? '',
        ...(childByName(g, 'retval') ? { retval: true } : {}),
      });
    }
    actions.push({ name: childText(a, 'name')?.trim() ?? '', arguments: args });
  }
  const stateVariables: StateVariableDef[] = [];
  const table = childByName(root, 'serviceStateTable');
  for (const v of table ? childElements(table) : []) {
    const typeText = (childText(v, 'dataType') ?? 'string').trim();
    const dataType: DataType = (dataTypes as readonly string[]).includes(typeText) ? (typeText as DataType) : 'string';
    const list = childByName(v, 'allowedValueList');
    const range = childByName(v, 'allowedValueRange');
    const def = childText(v, 'defaultValue');
    stateVariables.push({
      name: childText(v, 'name')?.trim() ?? '',
      dataType,
      sendEvents: (v.getAttribute('sendEvents') ?? 'yes').trim() !== 'no',
      ...(list ? { allowedValues: childElements(list).map((e) => e.textContent ?? '') } : {}),
      ...(range
        ? {
            allowedRange: {
              minimum: Number(childText(range, 'minimum')),
              maximum: Number(childText(range, 'maximum')),
              ...(childText(range, 'step') !== undefined ? { step: Number(childText(range, 'step')) } : {}),
            },
          }
        : {}),
      ...(def !== undefined ? { defaultValue: def } : {}),
    });
  }
  return { ok: true, value: { serviceType, serviceId, actions, stateVariables } };
}
