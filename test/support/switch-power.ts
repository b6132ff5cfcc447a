/**
 * The test device every UPnP test uses: a standard BinaryLight:1 with SwitchPower:1 (UPnP Lighting
 * Controls), which GUPnP also hosts in our interop tests, plus a small Echo service of ours that
 * exercises the data types and XML escaping that SwitchPower does not.
 */
import { randomUUID } from 'node:crypto';
import { defineContract, inArg, outArg, type DeviceSpec, type ServiceContract, type ServiceImplementation } from '../../src/upnp/index.js';

export const switchPowerType = 'urn:schemas-upnp-org:service:SwitchPower:1';
export const binaryLightType = 'urn:schemas-upnp-org:device:BinaryLight:1';
export const echoType = 'urn:schemas-hometel-org:service:Echo:1';

export const switchPowerContract = defineContract({
  serviceType: switchPowerType,
  serviceId: 'urn:upnp-org:serviceId:SwitchPower',
  stateVariables: {
    Target: { dataType: 'boolean', sendEvents: false, defaultValue: '0' },
    Status: { dataType: 'boolean', sendEvents: true, defaultValue: '0' },
  },
  actions: {
    SetTarget: [inArg('newTargetValue', 'Target')],
    GetTarget: [outArg('RetTargetValue', 'Target')],
    GetStatus: [outArg('ResultStatus', 'Status')],
  },
});

export const switchPower: ServiceImplementation<typeof switchPowerContract> = {
  contract: switchPowerContract,
  attach: (state) => ({
    SetTarget: (args) => {
      state.set({ Target: args.newTargetValue, Status: args.newTargetValue });
      return {};
    },
    // LocalService holds a boolean variable as a boolean.
    GetTarget: () => ({ RetTargetValue: state.get('Target') === true }),
    GetStatus: () => ({ ResultStatus: state.get('Status') === true }),
  }),
};

export const echoContract: ServiceContract = {
  serviceType: echoType,
  serviceId: 'urn:hometel-org:serviceId:Echo',
  actions: [
    {
      name: 'Echo',
      arguments: [
        { name: 'Text', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_Text' },
        { name: 'Count', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_Count' },
        { name: 'Mode', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_Mode' },
        { name: 'Result', direction: 'out', relatedStateVariable: 'A_ARG_TYPE_Text' },
        { name: 'Doubled', direction: 'out', relatedStateVariable: 'A_ARG_TYPE_Count' },
      ],
    },
    { name: 'Fail', arguments: [{ name: 'Code', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_Code' }] },
  ],
  stateVariables: [
    { name: 'LastText', dataType: 'string', sendEvents: true },
    { name: 'A_ARG_TYPE_Text', dataType: 'string', sendEvents: false },
    { name: 'A_ARG_TYPE_Count', dataType: 'i4', sendEvents: false, allowedRange: { minimum: -1000, maximum: 1000 } },
    { name: 'A_ARG_TYPE_Mode', dataType: 'string', sendEvents: false, allowedValues: ['plain', 'loud'] },
    { name: 'A_ARG_TYPE_Code', dataType: 'ui4', sendEvents: false },
  ],
};

export const echo: ServiceImplementation = {
  contract: echoContract,
  attach: (state) => ({
    Echo: (args) => {
      const text = String(args.Text);
      state.set({ LastText: text });
      return { Result: args.Mode === 'loud' ? text.toUpperCase() : text, Doubled: Number(args.Count) * 2 };
    },
    Fail: (args) => {
      throw Object.assign(new Error('deliberate'), { code: args.Code });
    },
  }),
};

export function lightDevice(udn = `uuid:${randomUUID()}`, friendlyName = 'hometel test light'): DeviceSpec {
  return {
    info: {
      deviceType: binaryLightType,
      friendlyName,
      manufacturer: 'hometel',
      modelName: 'hometel test light',
      udn,
    },
    services: [switchPower, echo],
  };
}
