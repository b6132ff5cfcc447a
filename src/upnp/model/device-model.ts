/** The description of a device as UDA section 2.1 lists it, shared by hosted and remote devices. */
export interface DeviceInfo {
  readonly deviceType: string;
  readonly friendlyName: string;
  readonly manufacturer: string;
  readonly manufacturerURL?: string;
  readonly modelDescription?: string;
  readonly modelName: string;
  readonly modelNumber?: string;
  readonly modelURL?: string;
  readonly serialNumber?: string;
  readonly udn: string;
  readonly presentationURL?: string;
}
